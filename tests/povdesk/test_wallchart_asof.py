"""The registry as of the end of a year: a household that moved and exited is counted where and as it was then;
members, monitoring and pairings by date; and the 0009 upgrade with data."""

import datetime as dt

import pytest
from sqlalchemy import select
from upgrades import database_at

from povdesk import areas, codes, history
from povdesk.households.display import history as household_history
from povdesk.model import Cadre, ChangeLog, Household, Member, MonitoredHousehold, Pairing
from povdesk.wallchart import figures
from povdesk.wallchart.population import set_population

TODAY = dt.date(2026, 12, 1)


def _member(s, household, name, relation="head", birth=dt.date(1970, 1, 1), removed_on=None):
    s.add(
        Member(
            household_id=household.id,
            name=name,
            relation=relation,
            birth_date=birth,
            removed_on=removed_on,
            sex="female" if relation == "spouse" else "male",
        )
    )


@pytest.fixture
def county(db):
    """云岭县 › 甲镇 › 一村 (一组), 二村 (二组), with five households whose story the tests tell year by year."""
    with db.transaction() as s:
        c = areas.add_area(s, None, "云岭县")
        t = areas.add_area(s, c.id, "甲镇")
        v1, v2 = areas.add_area(s, t.id, "一村"), areas.add_area(s, t.id, "二村")
        g1, g2 = areas.add_area(s, v1.id, "一组"), areas.add_area(s, v2.id, "二组")
        set_population(s, v1.id, 2019, 1000)
        set_population(s, v2.id, 2019, 500)
        ids = {"county": c.id, "town": t.id, "v1": v1.id, "v2": v2.id, "g1": g1.id, "g2": g2.id}
        # H1: poor in 一村 since 2015; moved to 二村 in May 2020; exited in December 2021 (plan: 2021)
        h1 = Household(
            number="H1",
            village_id=v2.id,
            group_id=g2.id,
            status="exited",
            year_identified=2015,
            year_exited=2021,
            plan_exit_year=2021,
            attribute="general",
            main_cause="illness",
        )
        # H2: exited in 2018, in 一村 throughout; one member moved out in June 2019
        h2 = Household(
            number="H2",
            village_id=v1.id,
            group_id=g1.id,
            status="exited",
            year_identified=2014,
            year_exited=2018,
            plan_exit_year=2018,
            attribute="low_income",
            main_cause="labor",
        )
        # H3: identified in 2020, still poor, in 二村
        h3 = Household(
            number="H3",
            village_id=v2.id,
            group_id=g2.id,
            status="poor",
            year_identified=2020,
            plan_exit_year=2027,
            attribute="general",
            main_cause="skills",
        )
        # H4: never registered as poor, monitored as marginal from March 2019 to February 2020
        h4 = Household(number="H4", village_id=v2.id, group_id=g2.id, status=None)
        # H5: exited in 2020 with no history at all (imported as it stands today)
        h5 = Household(
            number="H5",
            village_id=v1.id,
            group_id=g1.id,
            status="exited",
            year_identified=2016,
            year_exited=2020,
            attribute="extreme",
            main_cause="disability",
        )
        s.add_all([h1, h2, h3, h4, h5])
        s.flush()
        ids.update(h1=h1.id, h2=h2.id, h3=h3.id, h4=h4.id, h5=h5.id)
        _member(s, h1, "甲一")
        _member(s, h1, "甲二", "spouse")
        _member(s, h1, "甲三", "son", birth=dt.date(2020, 3, 1))  # born in 2020: not counted in 2019
        _member(s, h2, "乙一")
        _member(s, h2, "乙二", "son", removed_on=dt.date(2019, 6, 1))
        _member(s, h3, "丙一")
        _member(s, h3, "丙二", "spouse")
        _member(s, h4, "丁一")
        _member(s, h5, "戊一")
        moved = dt.datetime(2020, 5, 1, 10, 0)  # the clerk's edit of the day: no effective date, its time counts
        history.record(s, household_id=h1.id, kind="field", field="village_id", old=v1.id, new=v2.id, at=moved)
        history.record(s, household_id=h1.id, kind="field", field="group_id", old=g1.id, new=g2.id, at=moved)
        history.record(
            s,
            household_id=h1.id,
            kind="status",
            field="status",
            old="poor",
            new="exited",
            effective_on=dt.date(2021, 12, 20),
            at=dt.datetime(2022, 1, 5, 9, 0),
        )
        history.record(
            s,
            household_id=h2.id,
            kind="status",
            field="status",
            old="poor",
            new="exited",
            effective_on=dt.date(2018, 12, 20),
            at=dt.datetime(2018, 12, 21, 9, 0),
        )
        history.record(
            s,
            household_id=h3.id,
            kind="created",
            new="poor",
            effective_on=dt.date(2020, 10, 1),
            at=dt.datetime(2020, 10, 1, 9, 0),
        )
        s.add(
            MonitoredHousehold(
                household_id=h4.id,
                type="marginal",
                identified_on=dt.date(2019, 3, 1),
                risk_eliminated_on=dt.date(2020, 2, 1),
            )
        )
        cadre = Cadre(name="帮一", rank="general")
        s.add(cadre)
        s.flush()
        s.add(Pairing(cadre_id=cadre.id, household_id=h1.id, start_on=dt.date(2019, 7, 1)))
    return db, ids


def _by_name(rows):
    return {r.name: r.values for r in rows}


def test_a_household_that_moved_in_2020_and_exited_in_2021_is_counted_where_and_as_it_was(county):
    db, ids = county
    with db.session() as s:
        y2019 = figures.build(s, ids["town"], 2019, today=TODAY)
        y2020 = figures.build(s, ids["town"], 2020, today=TODAY)
        y2021 = figures.build(s, ids["town"], 2021, today=TODAY)
    # 2019: H1 poor in its old village 一村, with the two members it had; H5 (exited in 2020) poor too
    v = _by_name(y2019.children)
    assert (v["一村"]["households"], v["一村"]["poor_households"], v["一村"]["poor_persons"]) == (3, 2, 3)
    assert (v["一村"]["exited_households"], v["一村"]["exited_persons"], v["一村"]["persons"]) == (1, 1, 4)
    assert v["一村"]["incidence"] == pytest.approx(3 / 1000)
    assert (v["二村"]["households"], v["二村"]["poor_households"], v["二村"]["monitored_households"]) == (1, 0, 1)
    assert v["二村"]["incidence"] == 0
    assert y2019.total.values["rural_population"] == 1500  # the township: the sum of its villages
    # 2020: H1 poor in its new village; H3 identified; H5 exited; H4's risk eliminated
    v = _by_name(y2020.children)
    assert (v["一村"]["households"], v["一村"]["poor_households"], v["一村"]["exited_households"]) == (2, 0, 2)
    assert (v["二村"]["households"], v["二村"]["poor_households"], v["二村"]["poor_persons"]) == (3, 2, 5)
    assert (v["二村"]["monitored_households"], v["二村"]["risk_eliminated_households"]) == (0, 1)
    assert v["二村"]["risk_elimination_rate"] == 1.0
    assert v["一村"]["exits_actual_2020"] == 1  # H5
    # 2021: H1 exited
    v = _by_name(y2021.children)
    assert (v["二村"]["poor_households"], v["二村"]["exited_households"], v["二村"]["exits_actual"]) == (1, 1, 1)
    assert y2021.total.values["exits_planned_2021"] == 1 and y2021.years == [2018, 2020, 2021]


def test_pairings_count_from_their_start_and_the_village_sheet_lists_households_as_they_were(county):
    db, ids = county
    with db.session() as s:
        y2018 = figures.build(s, ids["v1"], 2018, today=TODAY)
        y2019 = figures.build(s, ids["v1"], 2019, today=TODAY)
        now = figures.build(s, ids["v2"], today=TODAY)
    assert y2018.total.values["paired_households"] == 0
    assert (y2019.total.values["paired_households"], y2019.total.values["cadres"]) == (1, 1)
    rows = {h.values["number"]: h.values for h in y2019.households}
    assert set(rows) == {"H1", "H2", "H5"}
    assert rows["H1"]["status"] == "未脱贫" and rows["H1"]["persons"] == 2 and rows["H1"]["helper"] == "帮一"
    assert rows["H1"]["group"] == "一组" and rows["H1"]["plan_exit_year"] == "2021年"
    assert rows["H5"]["year_exited"] is None  # exited after 2019
    assert {h.values["number"] for h in now.households} == {"H1", "H3", "H4"}
    assert [c.name for c in now.children] == ["二组"] and now.path[-1] == (ids["v2"], "二村")
    assert now.as_of == TODAY and now.year == TODAY.year


def test_a_village_merge_writes_ids_and_the_history_still_names_the_merged_village(county):
    db, ids = county
    with db.transaction() as s:
        areas.merge_villages(s, ids["v1"], ids["v2"])
    with db.session() as s:
        entry = s.scalars(select(ChangeLog).where(ChangeLog.household_id == ids["h2"], ChangeLog.field == "village_id")
                          ).one()  # fmt: skip
        assert (entry.old_value, entry.new_value) == (str(ids["v1"]), str(ids["v2"]))
        shown = [r for r in household_history(s, ids["h2"]) if "村合并" in r.reason][0]
        assert (shown.old, shown.new) == ("一村", "二村")
        # the merged village's population joined the other's; a past chart places its households in the village
        # that exists (the merged one is gone)
        y2019 = figures.build(s, ids["town"], 2019, today=TODAY)
    assert [c.name for c in y2019.children] == ["二村"]
    assert y2019.children[0].values["rural_population"] == 1500
    assert y2019.children[0].values["households"] == 4


def test_upgrade_to_0009_turns_merge_names_into_ids(tmp_path):
    """A merge recorded by 0008's PovDesk (names in the change log) becomes ids; the new column and table exist."""
    database = database_at(
        tmp_path / "county.db",
        "0008",
        (
            "INSERT INTO area (id, level, name, path, sort_order, is_poor_village) VALUES (2, 'village', '二村', '2/', 0, 0)",
            "INSERT INTO household (id, number, village_id, needs_review) VALUES (1, '0001', 2, 0)",
            "INSERT INTO change_log (household_id, kind, field, old_value, new_value, reason, user, at) VALUES "
            "(1, 'field', 'village_id', '一村', '二村', '村合并：一村并入二村', '', '2024-03-01 10:00:00')",
            "INSERT INTO audit_log (user, action, entity, entity_id, detail, at) VALUES ('', 'area_merge', 'area', 2, "
            '\'{"source_id": 7, "source": "一村", "target": "二村"}\', \'2024-03-01 10:00:00\')',
        ),
    )
    with database.session() as s:
        entry = s.scalar(select(ChangeLog))
        assert (entry.old_value, entry.new_value) == ("7", "2")
        assert s.get(Household, 1).plan_exit_year is None
        assert shown_name(s) == "一村"
    database.close()


def shown_name(s) -> str:
    return [r for r in household_history(s, 1) if r.reason.startswith("村合并")][0].old


def test_the_planned_exit_year_is_edited_with_history_and_read_from_rosters(county):
    import povdesk.households as households
    from povdesk.roster import normalize
    from povdesk.roster.layout import match_header

    db, ids = county
    with db.session() as s:
        draft = households.load(s, ids["h3"])
    assert draft.plan_exit_year == 2027
    draft.plan_exit_year = 2025
    households.save(db, draft, user="李会计")
    with db.session() as s:
        assert s.get(Household, ids["h3"]).plan_exit_year == 2025
        shown = [r for r in household_history(s, ids["h3"]) if r.what == "计划脱贫年度"]
        assert [(r.old, r.new, r.user) for r in shown] == [("2027", "2025", "李会计")]
    assert match_header("计划脱贫年度") == match_header("计划脱贫年份") == "plan_exit_year"
    for cell in ("2015年", 2015, "2015", 2015.0):
        assert normalize.year(cell, today=TODAY, epoch=dt.date(1899, 12, 30)) == 2015


@pytest.fixture
def china_time(monkeypatch):
    """This computer's clock in China Standard Time (a POSIX rule: no time zone database needed)."""
    import time

    monkeypatch.setenv("TZ", "CST-8")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_change_typed_after_midnight_on_new_years_day_in_china_belongs_to_the_new_year(county, china_time):
    db, ids = county
    with db.transaction() as s:  # 00:30 on 1 January 2020 in China is 16:30 UTC on 31 December 2019
        history.record(s, household_id=ids["h1"], kind="field", field="attribute", old="low_income", new="general",
                       at=dt.datetime(2019, 12, 31, 16, 30))  # fmt: skip
    with db.session() as s:
        y2019 = figures.build(s, ids["town"], 2019, today=TODAY)
    # H1 was still 低保户 at the end of 2019, like H2
    assert y2019.breakdowns["attribute"][codes.ATTRIBUTE.label_of("low_income")] == 2
    assert codes.ATTRIBUTE.label_of("general") not in y2019.breakdowns["attribute"]
