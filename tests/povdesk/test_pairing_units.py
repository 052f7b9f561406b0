"""Helping units and their villages, village work teams, and the cadre list (search, load, edit rules)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from povdesk import demo, idnumber
from povdesk.errors import PovDeskError
from povdesk.model import Area, Cadre, Pairing, UnitVillage, WorkTeam, WorkTeamMember
from povdesk.pairing import cadres, teams, units
from povdesk.pairing.cadres import CadreDraft, CadreQuery

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def county(db):
    demo.generate(db, households=300, seed=5)
    return db


def _free_village(session) -> Area:
    """A village no unit helps."""
    helped = select(UnitVillage.village_id)
    return session.scalars(
        select(Area).where(Area.level == "village", Area.id.not_in(helped)).order_by(Area.id)
    ).first()


def test_assigning_and_ending_a_village_keeps_its_history(county):
    with county.transaction() as session:
        unit = units.add_unit(session, " 县 交通运输局 ", "县直部门")
        village = session.scalars(select(Area).where(Area.level == "village").order_by(Area.id)).first()
        assignment = units.assign_village(session, unit.id, village.id, dt.date(2024, 3, 1))
        unit_id, village_id, assignment_id, village_name = unit.id, village.id, assignment.id, village.name
    with county.session() as session:
        row = next(u for u in units.list_units(session, TODAY) if u.id == unit_id)
        assert row.name == "县 交通运输局" and row.villages == [village_name]
        assert (unit_id, "县 交通运输局") in units.units_of_village(session, village_id, TODAY)
    with county.transaction() as session, pytest.raises(PovDeskError, match="已在帮扶"):
        units.assign_village(session, unit_id, village_id, dt.date(2025, 1, 1))
    with county.transaction() as session, pytest.raises(PovDeskError, match="早于开始日期"):
        units.end_assignment(session, assignment_id, dt.date(2024, 1, 1))
    with county.transaction() as session:
        units.end_assignment(session, assignment_id, dt.date(2026, 6, 30))
    with county.session() as session:
        row = next(u for u in units.list_units(session, TODAY) if u.id == unit_id)
        assert row.villages == []  # no longer helped today…
        history = units.assignments(session, unit_id)
        assert [(a.village, a.start_on, a.end_on) for a in history] == [  # …but the assignment is still there
            (village_name, dt.date(2024, 3, 1), dt.date(2026, 6, 30))
        ]
        assert not history[0].current(TODAY) and history[0].current(dt.date(2026, 6, 30))
        assert (unit_id, "县 交通运输局") not in units.units_of_village(session, village_id, TODAY)
    with county.transaction() as session:  # helping it again later is a new assignment
        units.assign_village(session, unit_id, village_id, dt.date(2026, 11, 1))
    with county.session() as session:
        assert len(units.assignments(session, unit_id)) == 2
        assert next(u for u in units.list_units(session, TODAY) if u.id == unit_id).villages == [village_name]


def test_unit_names_are_unique_and_renaming_keeps_the_villages(county):
    with county.session() as session:
        first, second = units.list_units(session, TODAY)[:2]
    with county.transaction() as session:
        with pytest.raises(PovDeskError, match="已有名为"):
            units.add_unit(session, first.name)
        with pytest.raises(PovDeskError, match="已有名为"):
            units.edit_unit(session, second.id, first.name)
        with pytest.raises(PovDeskError, match="请填写"):
            units.add_unit(session, "  ")
    with county.transaction() as session:
        units.edit_unit(session, first.id, "县农业农村局", "县直部门")
    with county.session() as session:
        renamed = next(u for u in units.list_units(session, TODAY) if u.id == first.id)
        assert renamed.name == "县农业农村局" and renamed.villages == first.villages and renamed.cadres == first.cadres


def test_a_unit_can_only_help_villages(county):
    with county.transaction() as session:
        unit = units.list_units(session, TODAY)[0]
        township = session.scalars(select(Area).where(Area.level == "township")).first()
        with pytest.raises(PovDeskError, match="只能包到村"):
            units.assign_village(session, unit.id, township.id, TODAY)


def test_villages_of_an_area_follow_the_tree(county):
    with county.session() as session:
        township = session.scalars(select(Area).where(Area.level == "township").order_by(Area.id)).first()
        inside = units.villages(session, township.id)
        everything = units.villages(session)
        assert inside and len(inside) < len(everything)
        assert {t for _v, t, _n in inside} == {township.name}


def test_rotating_a_team_ends_the_old_one_and_its_members(county):
    with county.session() as session:
        village_team = next(v for v in teams.village_teams(session, today=TODAY) if v.team and v.team.first_secretary)
        old = village_team.team
        newcomer, captain = session.scalars(select(Cadre.id).where(Cadre.rank == "section").limit(2)).all()
    with county.transaction() as session:
        with pytest.raises(PovDeskError, match="已有第一书记"):
            teams.add_member(session, old.id, newcomer, "first_secretary", dt.date(2022, 1, 1))
        teams.add_member(session, old.id, captain, "captain", dt.date(2022, 1, 1))
    with county.session() as session:
        assert teams.teams_of_village(session, old.village_id, TODAY)[0].captain != ""
    with county.transaction() as session:
        teams.rotate(session, old.village_id, dt.date(2024, 6, 1), new_members=[(newcomer, "first_secretary")])
    with county.session() as session:
        history = teams.teams_of_village(session, old.village_id, TODAY)
        assert [(t.start_on, t.end_on) for t in history] == [
            (dt.date(2024, 6, 1), None),
            (old.start_on, dt.date(2024, 5, 31)),
        ]
        assert history[0].unit == old.unit  # the unit stays unless the clerk picks another
        secretary = teams.first_secretary(session, old.village_id, TODAY)
        assert secretary is not None and secretary.cadre_id == newcomer
        assert secretary.role_label == "第一书记"
        old_members = teams.members(session, old.id)
        assert old_members and all(m.end_on == dt.date(2024, 5, 31) for m in old_members)
        row = next(v for v in teams.village_teams(session, today=TODAY) if v.village_id == old.village_id)
        assert row.team.id == history[0].id and row.past_teams == 1
        assert session.scalar(select(func.count()).select_from(WorkTeamMember)) >= 3  # nothing deleted


def test_a_team_is_started_once_and_members_leave_with_a_date(county):
    with county.transaction() as session:
        village = _free_village(session) or session.scalars(select(Area).where(Area.level == "village")).first()
        session.execute(WorkTeam.__table__.delete().where(WorkTeam.village_id == village.id))
        cadre_id = session.scalars(select(Cadre.id).order_by(Cadre.id)).first()
        team = teams.start_team(session, village.id, None, dt.date(2025, 1, 1))
        with pytest.raises(PovDeskError, match="轮换"):
            teams.start_team(session, village.id, None, dt.date(2025, 2, 1))
        member = teams.add_member(session, team.id, cadre_id, "member", dt.date(2025, 1, 1))
        with pytest.raises(PovDeskError, match="已是该工作队成员"):
            teams.add_member(session, team.id, cadre_id, "captain", dt.date(2025, 3, 1))
        with pytest.raises(PovDeskError, match="早于加入日期"):
            teams.end_member(session, member.id, dt.date(2024, 12, 1))
        teams.end_member(session, member.id, dt.date(2025, 8, 31))
        assert teams.members(session, team.id, include_ended=False) == []
        assert [m.end_on for m in teams.members(session, team.id)] == [dt.date(2025, 8, 31)]
        assert teams.first_secretary(session, village.id, TODAY) is None


def _cadre(session, **where) -> Cadre:
    query = select(Cadre).order_by(Cadre.id)
    for key, value in where.items():
        query = query.where(getattr(Cadre, key) == value)
    return session.scalars(query).first()


def test_cadres_are_found_by_pinyin_initials_full_pinyin_name_and_id(county):
    with county.session() as session:
        cadre = _cadre(session)
        initials = "".join(s[0] for s in cadre.name_pinyin.split())
        for text in (initials, initials.upper(), cadre.name_pinyin.replace(" ", ""), cadre.name[:1], cadre.name,
                     cadre.name[1:], cadre.id_number[:8]):  # fmt: skip
            found = cadres.cadre_ids(session, CadreQuery(text=text))
            assert cadre.id in found, text
        rows = cadres.fetch_rows(session, cadres.cadre_ids(session, CadreQuery(text=initials)))
        pinyins = {r.id: session.get(Cadre, r.id).name_pinyin for r in rows.values()}
        assert all("".join(s[0] for s in p.split()).startswith(initials) for p in pinyins.values())
        assert cadres.cadre_ids(session, CadreQuery(text="qqqqzz")) == []


def test_cadre_filters_and_sorts(county):
    with county.session() as session:
        everyone = cadres.cadre_ids(session, CadreQuery())
        section = cadres.cadre_ids(session, CadreQuery(rank="section"))
        assert section and set(section) < set(everyone)
        assert {r.rank for r in cadres.fetch_rows(session, section).values()} == {"section"}
        unit_id = _cadre(session, rank="general").unit_id
        of_unit = cadres.fetch_rows(session, cadres.cadre_ids(session, CadreQuery(unit_id=unit_id)))
        assert of_unit and {r.unit_id for r in of_unit.values()} == {unit_id}
        by_load = cadres.cadre_ids(session, CadreQuery(sort="load", descending=True))
        rows = cadres.fetch_rows(session, by_load)
        loads = [rows[i].load for i in by_load]
        assert loads == sorted(loads, reverse=True) and loads[0] > 0
        by_rank = cadres.cadre_ids(session, CadreQuery(sort="rank"))
        order = ["county_leader", "section", "general", "township", "village"]
        ranks = [order.index(rows[i].rank) for i in by_rank]
        assert ranks == sorted(ranks)
        names = [rows[i].name for i in cadres.cadre_ids(session, CadreQuery(sort="name"))]
        assert len(names) == len(everyone)


def test_a_cadre_row_shows_load_against_the_scheme_quota(county):
    with county.session() as session:
        helper = session.execute(
            select(Pairing.cadre_id, func.count())
            .join(Cadre, Cadre.id == Pairing.cadre_id)
            .where(Pairing.end_on.is_(None), Cadre.rank == "township")
            .group_by(Pairing.cadre_id)
        ).first()
        row = cadres.get_row(session, helper[0])
        assert row.load == helper[1] and row.quota is None and row.load_text == f"{helper[1]} / 兜底"
        section = cadres.get_row(session, _cadre(session, rank="section").id)
        assert section.quota == 2 and section.load_text.endswith("/ 2")


def test_saving_a_cadre_checks_the_id_number_and_keeps_it_unique(county):
    number = idnumber.make("532901", dt.date(1980, 5, 6), 123)  # odd sequence: a man
    with county.session() as session:
        unit_id = _cadre(session, rank="general").unit_id
        taken = _cadre(session)
    draft = CadreDraft(name="李 红", id_number=number, unit_id=unit_id, rank="section", phone=" 13800000000 ")
    with county.transaction() as session:
        cadre_id = cadres.save_cadre(session, draft).id
    with county.session() as session:
        stored = session.get(Cadre, cadre_id)
        assert (stored.name, stored.name_pinyin, stored.sex, stored.phone) == ("李红", "li hong", "male", "13800000000")
        assert cadre_id in cadres.cadre_ids(session, CadreQuery(text="lh"))
    bad = [
        (
            CadreDraft(name="王五", id_number=number[:-1] + ("0" if number[-1] != "0" else "1"), rank="general"),
            "校验位",
        ),
        (CadreDraft(name="王五", id_number=taken.id_number, rank="general"), "已登记为干部"),
        (CadreDraft(name="王五", id_number=number, sex="female", rank="general"), "性别与身份证号不符"),
        (CadreDraft(name="", rank="general"), "请填写干部姓名"),
        (CadreDraft(name="王五", rank="township"), "请选择所在乡镇"),
    ]
    for wrong, message in bad:
        with county.transaction() as session, pytest.raises(PovDeskError, match=message):
            cadres.save_cadre(session, wrong)
    with county.transaction() as session:  # the cadre keeps their own number when edited
        cadres.save_cadre(session, CadreDraft(**{**vars(draft), "position": "科长"}), cadre_id)
    with county.session() as session:
        assert session.get(Cadre, cadre_id).position == "科长"
        assert cadres.load_draft(session, cadre_id).id_number == number


def test_deactivating_a_cadre_hides_them_and_reports_their_households(county):
    with county.session() as session:
        cadre_id, load = session.execute(
            select(Pairing.cadre_id, func.count()).where(Pairing.end_on.is_(None)).group_by(Pairing.cadre_id)
        ).first()
    with county.transaction() as session:
        assert cadres.set_active(session, cadre_id, False) == load
    with county.session() as session:
        assert cadre_id not in cadres.cadre_ids(session, CadreQuery())
        assert cadre_id in cadres.cadre_ids(session, CadreQuery(active=False))
        assert cadre_id not in [r.id for r in cadres.search(session, session.get(Cadre, cadre_id).name)]
        # the pairings are not ended by deactivation: the reassignment screen ends and re-pairs them
        assert session.scalar(
            select(func.count()).select_from(Pairing).where(Pairing.cadre_id == cadre_id, Pairing.end_on.is_(None))
        ) == load  # fmt: skip
