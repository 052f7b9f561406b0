"""Visits: recording with their kinds, the rules a visit must follow, the lists, and helpers overdue for a visit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from povdesk import demo
from povdesk.errors import PovDeskError
from povdesk.model import Area, Cadre, Household, Pairing, Visit, VisitKind
from povdesk.pairing import visits
from povdesk.pairing.visits import VisitDraft

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def county(db):
    demo.generate(db, households=300, seed=5)
    return db


def _pairing(session, n: int = 0) -> Pairing:
    return session.scalars(select(Pairing).where(Pairing.end_on.is_(None)).order_by(Pairing.id).offset(n)).first()


def _overdue_ids(session, months=6, today=TODAY, area=None) -> dict[int, dt.date | None]:
    return {
        h.cadre_id: h.last_visit for g in visits.helpers_without_visit(session, months, today, area) for h in g.helpers
    }


def test_a_visit_is_stored_with_its_kinds_and_listed(county):
    with county.session() as session:
        pairing = _pairing(session)
        household = session.get(Household, pairing.household_id)
    draft = VisitDraft(
        pairing.household_id, pairing.cadre_id, dt.date(2026, 11, 20), ["policy", "warmth"], " 送米面油 "
    )
    with county.transaction() as session:
        assert visits.check_visit(session, draft, TODAY) == []
        visit_id = visits.record_visit(session, draft, user="clerk", today=TODAY).id
    with county.session() as session:
        stored = session.get(Visit, visit_id)
        assert sorted(stored.kind_codes) == ["policy", "warmth"]
        assert (stored.note, stored.created_by) == ("送米面油", "clerk")
        kinds = session.scalars(select(VisitKind.kind).where(VisitKind.visit_id == visit_id)).all()
        assert sorted(kinds) == ["policy", "warmth"]  # child rows, not a comma string
        for filters in ({"household_id": household.id}, {"cadre_id": pairing.cadre_id},
                        {"area_id": household.village_id}):  # fmt: skip
            rows = visits.list_visits(session, **filters)
            assert [r.id for r in rows] == [visit_id], filters
        row = rows[0]
        assert row.household_number == household.number and row.head
        assert row.kinds_text == "送温暖、送政策"  # as the four sends are said
        other_village = session.scalars(select(Area.id).where(Area.level == "village", Area.id != household.village_id))
        assert visits.list_visits(session, area_id=other_village.first()) == []


def test_a_visit_must_be_complete_and_in_the_past(county):
    with county.session() as session:
        pairing = _pairing(session)
    good = VisitDraft(pairing.household_id, pairing.cadre_id, dt.date(2026, 11, 20), ["warmth"])
    wrong = [
        (VisitDraft(None, pairing.cadre_id, good.visited_on, ["warmth"]), "请选择走访的农户"),
        (VisitDraft(pairing.household_id, None, good.visited_on, ["warmth"]), "请选择走访干部"),
        (VisitDraft(pairing.household_id, pairing.cadre_id, None, ["warmth"]), "请填写走访日期"),
        (VisitDraft(pairing.household_id, pairing.cadre_id, dt.date(2026, 12, 2), ["warmth"]), "晚于今天"),
        (VisitDraft(pairing.household_id, pairing.cadre_id, good.visited_on, []), "至少勾选一项"),
        (VisitDraft(pairing.household_id, pairing.cadre_id, good.visited_on, ["money"]), "未知的走访内容"),
    ]
    with county.transaction() as session:
        for draft, message in wrong:
            with pytest.raises(PovDeskError, match=message):
                visits.record_visit(session, draft, user="clerk", today=TODAY)
        assert session.scalars(select(Visit)).all() == []


def test_a_visit_by_someone_who_never_helped_the_household_is_a_warning(county):
    with county.session() as session:
        pairing = _pairing(session)
        stranger = session.scalars(
            select(Cadre).where(
                Cadre.id.not_in(select(Pairing.cadre_id).where(Pairing.household_id == pairing.household_id))
            )
        ).first()
    draft = VisitDraft(pairing.household_id, stranger.id, dt.date(2026, 11, 2), ["technology"])
    with county.transaction() as session:
        warnings = visits.check_visit(session, draft, TODAY)
        assert len(warnings) == 1 and stranger.name in warnings[0] and "不是" in warnings[0]
        visits.record_visit(session, draft, user="clerk", today=TODAY)  # allowed once the clerk confirmed
        assert any("已经登记过" in w for w in visits.check_visit(session, draft, TODAY))
    with county.session() as session:
        # it does not count as the helper's visit
        assert pairing.cadre_id in _overdue_ids(session)


def test_the_no_visit_list_shrinks_when_a_helper_visits(county):
    with county.session() as session:
        pairing = _pairing(session)
        overdue = _overdue_ids(session)
        helpers = {c for (c,) in session.execute(select(Pairing.cadre_id).where(Pairing.end_on.is_(None)).distinct())}
        assert set(overdue) == helpers  # the demo has no visits yet: every helper is overdue
        assert overdue[pairing.cadre_id] is None
    with county.transaction() as session:  # a visit long ago does not help…
        draft = VisitDraft(pairing.household_id, pairing.cadre_id, dt.date(2025, 3, 1), ["warmth"])
        visits.record_visit(session, draft, user="clerk", today=TODAY)
    with county.session() as session:
        assert _overdue_ids(session)[pairing.cadre_id] == dt.date(2025, 3, 1)
        assert pairing.cadre_id not in _overdue_ids(session, months=24)  # …unless N is long enough
    with county.transaction() as session:  # …a recent one does
        draft = VisitDraft(pairing.household_id, pairing.cadre_id, dt.date(2026, 9, 15), ["project"])
        visits.record_visit(session, draft, user="clerk", today=TODAY)
    with county.session() as session:
        after = _overdue_ids(session)
        assert pairing.cadre_id not in after and len(after) == len(overdue) - 1
        assert pairing.cadre_id in _overdue_ids(session, today=dt.date(2027, 4, 1))  # six months later, due again


def test_no_visit_list_is_grouped_by_unit_and_follows_the_area(county):
    with county.session() as session:
        groups = visits.helpers_without_visit(session, 6, TODAY)
        assert groups and all(g.helpers for g in groups)
        for group in groups:
            units = {session.get(Cadre, h.cadre_id).unit_id for h in group.helpers}
            assert units == {group.unit_id}
        assert any(g.unit.startswith("乡镇干部（") for g in groups)  # township cadres: per township
        village = session.get(Household, _pairing(session).household_id).village_id
        inside = visits.helpers_without_visit(session, 6, TODAY, village)
        helpers_there = {
            c for (c,) in session.execute(
                select(Pairing.cadre_id).join(Household, Household.id == Pairing.household_id)
                .where(Pairing.end_on.is_(None), Household.village_id == village)
            )
        }  # fmt: skip
        assert {h.cadre_id for g in inside for h in g.helpers} == helpers_there
        assert all(h.households >= 1 for g in inside for h in g.helpers)


def test_a_helper_paired_recently_is_not_overdue_yet(county):
    with county.transaction() as session:
        pairing = _pairing(session)
        cadre_id = pairing.cadre_id
        for p in session.scalars(select(Pairing).where(Pairing.cadre_id == cadre_id)):
            p.start_on = dt.date(2026, 10, 1)
    with county.session() as session:
        assert cadre_id not in _overdue_ids(session)


def test_the_months_setting_is_shared_and_checked(county):
    with county.session() as session:
        assert visits.visit_months(session) == 6
    with county.transaction() as session:
        visits.set_visit_months(session, 3)
        with pytest.raises(PovDeskError, match="1 到 36"):
            visits.set_visit_months(session, 0)
    with county.session() as session:
        assert visits.visit_months(session) == 3


def test_months_before_keeps_the_day_where_it_can():
    assert visits.months_before(dt.date(2026, 12, 1), 6) == dt.date(2026, 6, 1)
    assert visits.months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert visits.months_before(dt.date(2026, 2, 15), 14) == dt.date(2024, 12, 15)
