"""The pairing solver on a small county built by hand, so that every expected pair can be worked out on paper:

township 甲: villages 甲一 (10 households, helped by unit 一局), 甲二 (6); township cadres 甲干部1, 甲干部2
township 乙: village 乙一 (8, helped by 二局); township cadre 乙干部
township 丙: village 丙一 (5); no township cadre
一局: county leader (3), section (2), two general staff (1 + 1) → 7 of 甲一's 10
二局: one general staff (1) → 1 of 乙一's 8
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from povdesk.model import Area, Cadre, HelpingUnit, Household, Pairing, UnitVillage
from povdesk.pairing import coverage, schemes, solver
from povdesk.stats import find_area

TODAY = dt.date(2026, 3, 1)


def _area(s, parent, level, name, order):
    area = Area(parent=parent, level=level, name=name, sort_order=order, path="")
    s.add(area)
    s.flush()
    area.path = f"{parent.path if parent else ''}{area.id}/"
    return area


def build_county(db, *, extra=None) -> dict[str, int]:
    """The county above; returns cadre ids by name. `extra(session, areas, units)` adds to it."""
    with db.transaction() as s:
        county = _area(s, None, "county", "样板县", 0)
        towns = {name: _area(s, county, "township", name, i) for i, name in enumerate(("甲镇", "乙乡", "丙乡"))}
        villages = {}
        for i, (name, town, n) in enumerate((("甲一村", "甲镇", 10), ("甲二村", "甲镇", 6), ("乙一村", "乙乡", 8),
                                              ("丙一村", "丙乡", 5))):  # fmt: skip
            villages[name] = village = _area(s, towns[town], "village", name, i)
            for k in range(n):
                s.add(Household(number=f"{village.id:04d}{k:04d}", village_id=village.id))
        units = {name: HelpingUnit(name=name) for name in ("一局", "二局", "三局")}
        s.add_all(units.values())
        s.flush()
        s.add(UnitVillage(unit_id=units["一局"].id, village_id=villages["甲一村"].id, start_on=dt.date(2020, 1, 1)))
        s.add(UnitVillage(unit_id=units["二局"].id, village_id=villages["乙一村"].id))
        cadres = [
            Cadre(name="局长", rank="county_leader", unit_id=units["一局"].id),
            Cadre(name="科长", rank="section", unit_id=units["一局"].id),
            Cadre(name="干事一", rank="general", unit_id=units["一局"].id),
            Cadre(name="干事二", rank="general", unit_id=units["一局"].id),
            Cadre(name="干事三", rank="general", unit_id=units["二局"].id),
            Cadre(name="甲干部1", rank="township", home_area_id=towns["甲镇"].id),
            Cadre(name="甲干部2", rank="township", home_area_id=towns["甲镇"].id),
            Cadre(name="乙干部", rank="township", home_area_id=towns["乙乡"].id),
            Cadre(name="村干部", rank="village", home_area_id=villages["丙一村"].id),  # "321" gives village cadres none
        ]
        s.add_all(cadres)
        if extra:
            extra(s, {**towns, **villages}, units)
        s.flush()
        return {c.name: c.id for c in s.scalars(select(Cadre))}


def pair(db, scheme="321", area=None, *, replan=False, today=TODAY):
    with db.transaction() as s:
        found = find_area(s, area) if area else None
        proposal = solver.propose(s, schemes.current_scheme(s, scheme), found, replan=replan, today=today)
        solver.apply(s, proposal, user="tester", today=today)
        return proposal


def current(db) -> dict[str, list[str]]:
    """Village names of each cadre's current households."""
    with db.session() as s:
        rows = s.execute(
            select(Cadre.name, Area.name)
            .join(Pairing, Pairing.cadre_id == Cadre.id)
            .join(Household, Household.id == Pairing.household_id)
            .join(Area, Area.id == Household.village_id)
            .where(Pairing.end_on.is_(None))
            .order_by(Household.number)
        )
        result: dict[str, list[str]] = {}
        for cadre, village in rows:
            result.setdefault(cadre, []).append(village)
        return result


def test_321_fills_quotas_in_the_units_villages_and_township_cadres_take_the_rest(db):
    build_county(db)
    proposal = pair(db)
    got = current(db)
    assert got["局长"] == ["甲一村"] * 3 and got["科长"] == ["甲一村"] * 2
    assert got["干事一"] == ["甲一村"] and got["干事二"] == ["甲一村"] and got["干事三"] == ["乙一村"]
    # 甲镇 has 3 of 甲一村 and 6 of 甲二村 left: two township cadres, evenly, each share in one block
    assert sorted(got["甲干部1"] + got["甲干部2"]) == ["甲一村"] * 3 + ["甲二村"] * 6
    assert {len(got["甲干部1"]), len(got["甲干部2"])} == {4, 5}
    assert got["甲干部1"] == sorted(got["甲干部1"], key=["甲一村", "甲二村"].index)
    assert got["乙干部"] == ["乙一村"] * 7
    assert "村干部" not in got
    # 丙乡 has no township cadre and no one has room left: said, never broken
    assert [(f.township, f.households) for f in proposal.shortfalls] == [("丙乡", 5)]
    assert "没有在岗的乡镇干部" in proposal.shortfalls[0].reason
    assert proposal.by_rank() == {"county_leader": 3, "section": 2, "general": 3, "township": 16}
    with db.session() as s:
        state = coverage.state(s, schemes.current_scheme(s))
        starts = set(s.scalars(select(Pairing.start_on)))
        makers = set(s.scalars(select(Pairing.created_by)))
    assert state == {
        "scheme": "321",
        "households": 29,
        "paired": 24,
        "unpaired": 5,
        "by_rank": {"county_leader": 3, "section": 2, "general": 3, "township": 16},
        "over_quota_cadres": 0,
        "township_cadres_outside_own_township": 0,
        "shortfalls": [{"township": "丙乡", "households": 5}],
    }
    assert starts == {TODAY} and makers == {"tester"}


def test_the_same_data_gives_the_same_plan(db):
    build_county(db)
    with db.session() as s:
        scheme = schemes.current_scheme(s)
        plans = [[(a.household_id, a.cadre_id, a.reason) for a in solver.propose(s, scheme).assignments]
                 for _ in range(2)]  # fmt: skip
    assert plans[0] == plans[1] and len(plans[0]) == 24


def test_existing_pairs_are_kept_and_count_against_the_quota(db):
    ids = build_county(db)
    with db.transaction() as s:
        first = s.scalars(select(Household.id).order_by(Household.number)).first()
        s.add(Pairing(cadre_id=ids["局长"], household_id=first, start_on=dt.date(2019, 5, 1), created_by="手工"))
    pair(db)
    with db.session() as s:
        kept = s.scalars(select(Pairing).where(Pairing.household_id == first)).all()
    assert [(p.cadre_id, p.start_on, p.end_on) for p in kept] == [(ids["局长"], dt.date(2019, 5, 1), None)]
    assert len(current(db)["局长"]) == 3  # two more, not three


def test_a_unit_cadre_with_room_left_helps_a_township_without_township_cadres(db):
    def leaders(s, areas, units):
        s.add(UnitVillage(unit_id=units["三局"].id, village_id=areas["乙一村"].id))
        s.add_all(Cadre(name=f"三局领导{i}", rank="county_leader", unit_id=units["三局"].id) for i in range(3))

    build_county(db, extra=leaders)
    proposal = pair(db)
    got = current(db)
    # leaders choose first: 三局's three take 乙一村's 8 (3, 3, 2), and the third has room for one more; 干事三 of 二局
    # finds 乙一村 taken and 乙乡 has no other village: both help 丙乡, which has no township cadre
    assert [len(got[f"三局领导{i}"]) for i in range(3)] == [3, 3, 3]
    assert got["三局领导2"] == ["乙一村", "乙一村", "丙一村"] and got["干事三"] == ["丙一村"]
    assert "乙干部" not in got
    assert [(f.township, f.households) for f in proposal.shortfalls] == [("丙乡", 3)]
    reasons = Counter(a.reason for a in proposal.assignments)
    assert reasons[solver.RELIEF] == 2


def test_a_cap_on_township_cadres_is_never_broken_and_the_shortfall_is_exact(db):
    build_county(db)
    with db.transaction() as s:
        schemes.save_scheme(s, "限额", {"county_leader": 3, "section": 2, "general": 1, "township": 2})
    proposal = pair(db, "限额")
    got = current(db)
    assert len(got["甲干部1"]) == len(got["甲干部2"]) == 2 and len(got["乙干部"]) == 2
    assert [(f.township, f.households) for f in proposal.shortfalls] == [("甲镇", 5), ("乙乡", 5), ("丙乡", 5)]
    assert "每人2户" in proposal.shortfalls[0].reason
    with db.session() as s:
        assert coverage.state(s, schemes.current_scheme(s, "限额"))["over_quota_cadres"] == 0


def test_replanning_an_area_changes_only_what_the_scheme_no_longer_allows(db):
    ids = build_county(db)
    pair(db)
    with db.transaction() as s:
        s.get(Cadre, ids["干事二"]).active = False  # transferred
        before = {p.household_id: p.id for p in s.scalars(select(Pairing).where(Pairing.end_on.is_(None)))}
    later = TODAY + dt.timedelta(days=30)
    proposal = pair(db, area="甲镇", replan=True, today=later)
    with db.session() as s:
        pairings = s.scalars(select(Pairing).order_by(Pairing.id)).all()
    ended = [p for p in pairings if p.end_on is not None]
    now = {p.household_id: p for p in pairings if p.end_on is None}
    assert [(p.cadre_id, p.end_on, p.end_reason) for p in ended] == [(ids["干事二"], later, solver.REPLAN_REASON)]
    household = ended[0].household_id
    assert now[household].cadre_id in (ids["甲干部1"], ids["甲干部2"]) and now[household].start_on == later
    assert all(now[h].id == pid for h, pid in before.items() if h != household)  # the others keep their pairing
    assert proposal.kept == 15 and len(now) == 24


def test_replanning_under_a_smaller_quota_frees_the_households_over_it(db):
    ids = build_county(db)
    pair(db)
    with db.transaction() as s:
        schemes.save_scheme(s, "211", {"county_leader": 2, "section": 1, "general": 1, "township": None})
    pair(db, "211", replan=True)
    got = current(db)
    assert len(got["局长"]) == 2 and len(got["科长"]) == 1
    with db.session() as s:
        history = s.scalars(select(Pairing).where(Pairing.end_on.is_not(None))).all()
    assert sorted(p.cadre_id for p in history) == [ids["局长"], ids["科长"]]
    assert len(got["甲干部1"]) + len(got["甲干部2"]) == 11


def test_replanning_under_a_larger_quota_gives_unit_cadres_more_and_township_cadres_less(db):
    ids = build_county(db)
    pair(db)
    proposal = pair(db, "532", replan=True)  # 丙乡 is still unpaired: re-planning it as well must work
    got = current(db)
    # 一局 (5 + 3 + 2 + 2 = 12) takes all of 甲一村 and two of 甲二村; 二局's 干事三 two of 乙一村
    assert [len(got[n]) for n in ("局长", "科长", "干事一", "干事二", "干事三")] == [5, 3, 2, 2, 2]
    assert sorted(got["甲干部1"] + got["甲干部2"]) == ["甲二村"] * 4 and len(got["乙干部"]) == 6
    assert [(f.township, f.households) for f in proposal.shortfalls] == [("丙乡", 5)]
    with db.session() as s:
        ended = s.scalars(select(Pairing.cadre_id).where(Pairing.end_on.is_not(None))).all()
    # the 6 households the units take now, and 2 that move between 甲镇's township cadres to keep their loads even
    assert set(ended) <= {ids["甲干部1"], ids["甲干部2"], ids["乙干部"]} and len(ended) == len(proposal.ending) == 8


def test_the_database_refuses_a_second_current_pairing_and_an_end_before_the_start(db):
    ids = build_county(db)
    with db.session() as s:
        household = s.scalars(select(Household.id)).first()
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(Pairing(cadre_id=ids["局长"], household_id=household, start_on=TODAY))
        s.flush()
        s.add(Pairing(cadre_id=ids["科长"], household_id=household, start_on=TODAY))
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(Pairing(cadre_id=ids["局长"], household_id=household, start_on=TODAY, end_on=TODAY - dt.timedelta(1)))
    with db.transaction() as s:  # an ended pairing and a current one: history, allowed
        s.add(Pairing(cadre_id=ids["局长"], household_id=household, start_on=TODAY, end_on=TODAY, end_reason="调动"))
        s.add(Pairing(cadre_id=ids["科长"], household_id=household, start_on=TODAY))
