"""The wall chart's figures on the demo county: the current year equals `stats`, every metric is filled at every
level, the map and the breadcrumb follow the area tree, targets give lights and are the office's to change."""

import datetime as dt

import pytest
from sqlalchemy import select

from povdesk import demo, stats
from povdesk.errors import RuleViolation
from povdesk.model import Area
from povdesk.wallchart import figures, targets
from povdesk.wallchart.model import METRICS, year_key

STATS_KEYS = ("households", "persons", "monitored_households", "paired_households")


@pytest.fixture
def county(db):
    demo.generate(db, households=400, seed=4)
    return db


def _first(session, level):
    return session.scalar(select(Area).where(Area.level == level).order_by(Area.path))


def test_this_years_figures_equal_stats_for_the_county_a_township_and_a_village(county):
    with county.session() as s:
        for area in (None, _first(s, "township"), _first(s, "village")):
            dashboard = figures.build(s, area.id if area else None)
            expected = stats.compute(s, area)
            assert {k: dashboard.total.values[k] for k in STATS_KEYS} == {k: expected[k] for k in STATS_KEYS}
            # the children add up to the total
            for key in ("households", "persons", "poor_households", "paired_households"):
                assert sum(c.values[key] for c in dashboard.children) == dashboard.total.values[key], key


def test_every_metric_is_filled_for_the_total_the_children_and_the_map(county):
    with county.session() as s:
        dashboard = figures.build(s, None, 2019, today=dt.date(2026, 12, 1))
    wanted = {k for k in METRICS if "{year}" not in k}
    wanted |= {year_key(p, y) for p in ("exits_planned_{year}", "exits_actual_{year}") for y in dashboard.years}
    for row in (dashboard.total, *dashboard.children, *dashboard.map_areas):
        assert wanted <= set(row.values), row.name
    assert dashboard.years and max(dashboard.years) <= 2019
    assert dashboard.as_of == dt.date(2019, 12, 31) and dashboard.level == "county"
    assert dashboard.total.values["incidence"] is not None  # the demo has rural population
    assert "attribute" in dashboard.breakdowns and sum(dashboard.breakdowns["attribute"].values()) <= 400


def test_levels_children_map_and_breadcrumb_follow_the_area_tree(county):
    with county.session() as s:
        county_area, town, village = _first(s, "county"), _first(s, "township"), _first(s, "village")
        top = figures.build(s, None)
        townships = s.scalars(select(Area.name).where(Area.level == "township").order_by(Area.sort_order)).all()
        assert [c.name for c in top.children] == townships
        assert {m.level for m in top.map_areas} == {"village"} and all(m.parent_name for m in top.map_areas)
        middle = figures.build(s, town.id)
        assert middle.level == "township" and middle.path == [(county_area.id, county_area.name), (town.id, town.name)]
        assert middle.map_areas == middle.children and {c.level for c in middle.children} == {"village"}
        bottom = figures.build(s, village.id)
        assert bottom.level == "village" and {c.level for c in bottom.children} == {"group"}
        assert bottom.map_areas[0] is bottom.total
        assert len(bottom.households) == bottom.total.values["households"]
        assert all("id_number" not in h.values for h in bottom.households)
        group = s.scalar(select(Area).where(Area.level == "group"))
        with pytest.raises(RuleViolation, match="村民小组"):
            figures.build(s, group.id)
        with pytest.raises(RuleViolation, match="2027年还没有到"):
            figures.build(s, None, 2027, today=dt.date(2026, 12, 1))


def test_lights_follow_the_targets_and_the_office_can_change_them(county):
    incidence = targets.DEFAULTS[0]
    assert [targets.light(incidence, v) for v in (0.019, 0.02, 0.025, 0.031, None)] == [
        "green", "green", "amber", "red", None,
    ]  # fmt: skip
    coverage = targets.DEFAULTS[1]
    assert [targets.light(coverage, v) for v in (1.0, 0.96, 0.5)] == ["green", "amber", "red"]
    with county.transaction() as s:
        assert targets.load(s) == list(targets.DEFAULTS)
        targets.save(s, [targets.WEST_INCIDENCE, *targets.DEFAULTS[1:]])
    with county.session() as s:
        assert targets.load(s)[0].green == 0.03
        dashboard = figures.build(s, None)
        value = dashboard.total.values["incidence"]
        assert dashboard.total.lights["incidence"] == targets.light(targets.WEST_INCIDENCE, value)
    with pytest.raises(RuleViolation, match="no_such_metric"), county.transaction() as s:
        targets.save(s, [targets.Target("x", "x", "no_such_metric", "lower", 1, 2)])
