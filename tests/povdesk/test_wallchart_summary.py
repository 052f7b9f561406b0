"""Today's county and township charts read a per-village summary kept by the database's triggers: after every kind
of change a clerk (or psql) makes, the next chart equals the chart computed from scratch; the stored rows are really
read; a chart never stores figures of a change not committed, and a busy database still gets its chart."""

import datetime as dt
import json
import sqlite3

import pytest
from charts import chart, chart_figures, forget_summary, fresh_chart
from national_rosters import build_e2016
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from povdesk import demo
from povdesk.bulk import bulk_insert
from povdesk.db import sqlite_path
from povdesk.model import (
    Area,
    Household,
    HouseholdYear,
    Member,
    MonitoredHousehold,
    Pairing,
    Visit,
    WallchartSummary,
    WallchartVersion,
)
from povdesk.roster.importer import import_roster
from povdesk.wallchart import figures

TODAY = dt.date.today()


@pytest.fixture
def county(db):
    demo.generate(db, households=300, seed=6)
    return db


def _poor_household(s, offset: int = 0) -> Household:
    return s.scalars(select(Household).where(Household.status == "poor").order_by(Household.id)).all()[offset]


def _change_status(s):
    _poor_household(s).status = "exited"


def _move_to_another_village(s):
    household = _poor_household(s, 1)
    household.village_id = s.scalar(
        select(Area.id).where(Area.level == "village", Area.id != household.village_id).order_by(Area.id.desc())
    )
    household.group_id = None


def _remove_and_add_members(s):
    first, second = _poor_household(s, 2), _poor_household(s, 3)
    member = s.scalar(select(Member).where(Member.household_id == first.id, Member.relation != "head"))
    member.removed_on = TODAY
    s.add_all(Member(household_id=second.id, name=name, relation="child", sex="2", birth_date=TODAY)
              for name in ("新生儿甲", "新生儿乙"))  # fmt: skip


def _end_a_pairing(s):
    pairing = s.scalar(select(Pairing).where(Pairing.end_on.is_(None)).order_by(Pairing.id))
    pairing.end_on, pairing.end_reason = TODAY, "调动"


def _a_guarantee_falls_short(s):
    row = s.scalar(select(HouseholdYear).where(HouseholdYear.housing_ok.is_(True))
                   .order_by(HouseholdYear.year.desc(), HouseholdYear.id))  # fmt: skip
    row.housing_ok = False


def _risk_eliminated(s):
    monitored = s.scalar(select(MonitoredHousehold).where(MonitoredHousehold.risk_eliminated_on.is_(None))
                         .order_by(MonitoredHousehold.id))  # fmt: skip
    monitored.risk_eliminated_on = TODAY


def _a_visit(s):
    pairing = s.scalar(select(Pairing).where(Pairing.end_on.is_(None)).order_by(Pairing.id.desc()))
    s.add(Visit(cadre_id=pairing.cadre_id, household_id=pairing.household_id, visited_on=TODAY, note="走访"))


def _delete_a_household(s):
    s.execute(delete(Household).where(Household.id == _poor_household(s, 4).id))


def _psql_update(s):  # what a technician types in psql or a SQLite browser: no ORM, no PovDesk
    s.execute(text("UPDATE household SET attribute = 'dibao', main_cause = 'disease' WHERE id = :id"),
              {"id": _poor_household(s, 5).id})  # fmt: skip


CHANGES = {
    "status": _change_status,
    "moved": _move_to_another_village,
    "members": _remove_and_add_members,
    "pairing": _end_a_pairing,
    "guarantee": _a_guarantee_falls_short,
    "monitoring": _risk_eliminated,
    "visit": _a_visit,
    "deleted": _delete_a_household,
    "psql": _psql_update,
}


def test_after_every_kind_of_change_the_next_chart_equals_one_computed_from_scratch(county):
    with county.session() as s:
        town = s.scalar(select(Area.id).where(Area.level == "township").order_by(Area.path))
    before = chart_figures(chart(county))
    for name, change in CHANGES.items():
        for area in (None, town):
            chart(county, area)  # every village stored as it is now
        with county.transaction() as s:
            change(s)
        after = chart_figures(chart(county))
        assert after != before, f"{name}: the chart did not move"
        assert after == chart_figures(fresh_chart(county)), name
        township = chart_figures(chart(county, town))
        assert township == chart_figures(fresh_chart(county, town)), name
        before = after


def test_the_stored_rows_are_what_the_chart_reads_until_their_village_changes(county):
    chart(county)
    with county.transaction() as s:
        village = s.scalar(select(Household.village_id).where(Household.status == "poor").order_by(Household.id))
        stored = s.get(WallchartSummary, village)
        figures_of_village = json.loads(stored.figures)
        figures_of_village["n"]["households"] = 9
        stored.figures = json.dumps(figures_of_village)
    # a stored row that no change made stale is read as it is (here, tampered with: 9 households)
    households = chart(county).total.values["households"]
    assert households == 300 - _village_households(county, village) + 9
    with county.transaction() as s:  # a real change in that village: its row is computed again
        s.scalar(select(Household).where(Household.village_id == village, Household.status == "poor")).status = "exited"
    assert chart(county).total.values["households"] == 300


def _village_households(db, village: int) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).where(Household.village_id == village))


def test_a_row_of_another_year_is_not_used(county):
    chart(county, today=TODAY)
    with county.transaction() as s:
        s.execute(update(WallchartSummary).values(figures='{"n":{"households":1},"cadres":[]}'))
    next_year = chart(county, today=dt.date(TODAY.year + 1, 1, 5))
    assert next_year.total.values["households"] == 300
    with county.session() as s:
        assert set(s.scalars(select(WallchartSummary.year))) == {TODAY.year + 1}


def test_a_change_not_yet_committed_is_counted_by_its_own_session_and_never_stored(county):
    forget_summary(county)
    original = chart_figures(chart(county))
    poor = original["rows"][next(iter(original["rows"]))]["poor_households"]
    with county.session() as s:
        _change_status(s)
        s.flush()
        assert figures.build(s, None).total.values["poor_households"] == poor - 1
        s.rollback()
    # another change of that village, committed, brings it to the version the rolled-back one had: the chart must
    # show this change, not figures computed with the one rolled back
    with county.transaction() as s:
        household = _poor_household(s)
        s.execute(update(Member).where(Member.household_id == household.id).values(removed_on=TODAY))
    after = chart_figures(chart(county))
    assert after != original and after == chart_figures(fresh_chart(county))


def test_the_triggers_bump_the_village_of_each_change(county):
    with county.session() as s:
        household = _poor_household(s)
        village, versions = household.village_id, dict(s.execute(select(WallchartVersion.village_id,
                                                                         WallchartVersion.n)).all())  # fmt: skip
    with county.session() as s:  # the demo's inserts gave every village with households a version
        assert set(versions) == set(s.scalars(select(Household.village_id).distinct()))
    with county.transaction() as s:
        s.get(Household, household.id).phone = "13800000000"  # not a figure: no new version
        s.execute(update(Member).where(Member.household_id == household.id).values(education="primary"))  # nor this
    with county.session() as s:
        assert dict(s.execute(select(WallchartVersion.village_id, WallchartVersion.n)).all()) == versions
    with county.transaction() as s:
        s.execute(update(Member).where(Member.household_id == household.id).values(removed_on=TODAY))
    with county.session() as s:
        now = dict(s.execute(select(WallchartVersion.village_id, WallchartVersion.n)).all())
    assert {v for v in now if now[v] != versions[v]} == {village}


def test_a_busy_sqlite_database_still_gets_its_chart_and_stores_nothing(sqlite_db):
    demo.generate(sqlite_db, households=120, seed=2)
    forget_summary(sqlite_db)
    expected = chart_figures(fresh_chart(sqlite_db))
    forget_summary(sqlite_db)
    other = sqlite3.connect(sqlite_path(sqlite_db.url), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another PC's import holds the write lock
        assert chart_figures(chart(sqlite_db)) == expected
        other.execute("ROLLBACK")
    finally:
        other.close()
    with sqlite_db.session() as s:
        assert s.scalar(select(func.count()).select_from(WallchartSummary)) == 0
    chart(sqlite_db)
    with sqlite_db.session() as s:
        assert s.scalar(select(func.count()).select_from(WallchartSummary)) == s.scalar(
            select(func.count()).where(Area.level == "village")
        )


def _stored_and_valid(db) -> tuple[int, int]:
    """(villages with households, villages whose stored row is valid for today)."""
    with db.session() as s:
        villages = set(s.scalars(select(Household.village_id).distinct()))
        valid = s.execute(
            select(func.count())
            .select_from(WallchartSummary)
            .join(WallchartVersion, WallchartVersion.village_id == WallchartSummary.village_id)
            .where(WallchartSummary.version == WallchartVersion.n, WallchartSummary.year == TODAY.year,
                   WallchartSummary.village_id.in_(villages))
        ).scalar()  # fmt: skip
    return len(villages), valid


def test_an_import_leaves_every_village_stored_for_the_first_chart(sqlite_db, tmp_path):
    roster = build_e2016(tmp_path)
    result = import_roster(sqlite_db, roster.path)
    assert result.committed and result.households_added
    villages, valid = _stored_and_valid(sqlite_db)
    assert villages > 1 and valid == villages
    assert chart_figures(chart(sqlite_db)) == chart_figures(fresh_chart(sqlite_db))


def test_the_demo_leaves_every_village_stored(county):
    villages, valid = _stored_and_valid(county)
    assert villages > 10 and valid == villages


def _triggers(db) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())


def test_a_bulk_insert_on_sqlite_bumps_its_villages_once_and_keeps_the_triggers(sqlite_db):
    demo.generate(sqlite_db, households=60, seed=3)
    triggers = _triggers(sqlite_db)
    with sqlite_db.session() as s:
        household = s.scalar(select(Household).order_by(Household.id))
        before = dict(s.execute(select(WallchartVersion.village_id, WallchartVersion.n)).all())
    rows = [{"household_id": household.id, "name": f"新成员{i}", "relation": "child"} for i in range(3)]
    with sqlite_db.transaction() as s:
        bulk_insert(s, Member, rows)
    with sqlite_db.session() as s:
        after = dict(s.execute(select(WallchartVersion.village_id, WallchartVersion.n)).all())
    assert {v: after[v] - before[v] for v in after if after[v] != before[v]} == {household.village_id: 1}
    assert _triggers(sqlite_db) == triggers
    with pytest.raises(IntegrityError), sqlite_db.transaction() as s:  # a refused bulk insert: all rolled back
        bulk_insert(s, Member, [{"household_id": 10**9, "name": "无此户", "relation": "head"}])
    assert _triggers(sqlite_db) == triggers
    assert chart_figures(chart(sqlite_db)) == chart_figures(fresh_chart(sqlite_db))


def test_a_later_days_chart_counts_its_own_three_months_of_visits_from_the_stored_days(county):
    day = dt.date(2026, 6, 1)
    with county.transaction() as s:
        pairing = s.scalar(select(Pairing).where(Pairing.end_on.is_(None)).order_by(Pairing.id))
        for ago in (100, 80, 10):  # the first is just before the three months of `day`
            s.add(Visit(cadre_id=pairing.cadre_id, household_id=pairing.household_id,
                        visited_on=day - dt.timedelta(days=ago), note="走访"))  # fmt: skip
    forget_summary(county)
    assert chart(county, today=day).total.values["visits_recent"] == 2
    with county.session() as s:
        stored = dict(s.execute(select(WallchartSummary.village_id, WallchartSummary.visits_from)).all())
    later = day + dt.timedelta(days=20)  # the visit of 80 days before is now 100 days old
    assert chart(county, today=later).total.values["visits_recent"] == 1
    with county.session() as s:  # read from the stored days, not computed again
        assert dict(s.execute(select(WallchartSummary.village_id, WallchartSummary.visits_from)).all()) == stored
    assert chart_figures(chart(county, today=later)) == chart_figures(fresh_chart(county, today=later))
    earlier = day - dt.timedelta(days=30)  # a chart dated before the stored days: computed again
    assert chart(county, today=earlier).total.values["visits_recent"] == 2
    assert chart_figures(chart(county, today=earlier)) == chart_figures(fresh_chart(county, today=earlier))
