"""Table templates as data: the default sheets, cells formatted in one place, year columns expanded, the office's
changes saved and reset, unknown metrics refused by name; map colours from targets or a ramp."""

import datetime as dt
import json

import pytest

from povdesk.errors import RuleViolation
from povdesk.model import Setting
from povdesk.wallchart import colors, targets, templates
from povdesk.wallchart.model import AreaRow, Dashboard, HouseholdRow
from povdesk.wallchart.templates import Column, SheetTemplate, TableTemplate


def _exits(*counts: int) -> dict[str, int]:
    """exits planned and actual of 2019 and 2020."""
    keys = ("exits_planned_2019", "exits_actual_2019", "exits_planned_2020", "exits_actual_2020")
    return dict(zip(keys, counts, strict=True))


def _dashboard() -> Dashboard:
    a = AreaRow(1, "甲镇", "township", values={"households": 1234, "incidence": 0.0213, **_exits(5, 4, 3, 6)})
    b = AreaRow(2, "乙乡", "township", values={"households": 10, "incidence": None, **_exits(0, 1, 2, 2)})
    total = AreaRow(None, "云岭县", "county", values={"households": 1244, "incidence": 0.02, **_exits(5, 5, 5, 8)})
    household = HouseholdRow(7, {"number": "001", "head": "张三", "persons": 3, "per_capita_income": 5230.5})
    return Dashboard("county", 2020, dt.date(2020, 12, 31), total, [a, b], [a, b], [2019, 2020], [household])


def test_defaults_have_the_issues_tables_per_level():
    assert [len(templates.DEFAULTS[level].tables) for level in ("county", "township", "village")] == [4, 3, 4]
    assert {t.rows for t in templates.DEFAULTS["village"].tables} == {"households", "years"}
    for template in templates.DEFAULTS.values():
        templates.check(template)
        assert template.title == "{area}{year}年脱贫攻坚作战图"


def test_cells_are_formatted_and_year_columns_repeat_for_each_year():
    table = TableTemplate("t", "表", "children", (Column("name", "乡镇"), Column("households", "户数"),
                          Column("incidence", "发生率"), Column("exits_planned_{year}", "{year}年计划")))  # fmt: skip
    headers, rows, total = templates.table(_dashboard(), table)
    assert headers == ["乡镇", "户数", "发生率", "2019年计划", "2020年计划"]
    assert rows == [["甲镇", "1,234", "2.13%", "5", "3"], ["乙乡", "10", "—", "0", "2"]]
    assert total == ["合计", "1,244", "2.00%", "5", "5"]


def test_a_years_table_has_a_row_per_year_and_a_households_table_no_total():
    plan = templates.DEFAULTS["village"].tables[3]
    headers, rows, total = templates.table(_dashboard(), plan)
    assert headers == ["年度", "计划脱贫户数", "实际脱贫户数"]
    assert rows == [["2019年", "5", "5"], ["2020年", "5", "8"]] and total == ["合计", "10", "13"]
    roster = TableTemplate("r", "花名册", "households", (Column("head", "户主"), Column("persons", "人数"),
                           Column("per_capita_income", "人均纯收入"), Column("helper", "帮扶人")))  # fmt: skip
    assert templates.table(_dashboard(), roster) == (["户主", "人数", "人均纯收入", "帮扶人"],
                                                    [["张三", "3", "5,230.50", "—"]], None)  # fmt: skip


def test_the_office_changes_a_template_and_resets_it(sqlite_db):
    county = templates.DEFAULTS["county"]
    changed = SheetTemplate("county", "{area}挂图作战（{year}年）", "poor_households",
                            (TableTemplate("only", "唯一的表", "children",
                                           (Column("name", "乡镇"), Column("poor_persons", "贫困人口"))),))  # fmt: skip
    with sqlite_db.transaction() as s:
        templates.save(s, changed)
    with sqlite_db.session() as s:
        assert templates.load(s, "county") == changed
        assert templates.load(s, "village") == templates.DEFAULTS["village"]
    with sqlite_db.transaction() as s:
        assert templates.reset(s, "county") == county
    with sqlite_db.session() as s:
        assert templates.load(s, "county") == county


def test_unknown_metrics_are_refused_by_name(sqlite_db):
    bad = SheetTemplate("township", tables=(TableTemplate("x", "表X", "children",
                                                          (Column("name", "村"), Column("poverty_rate", "率"))),))  # fmt: skip
    with pytest.raises(RuleViolation, match="poverty_rate"), sqlite_db.transaction() as s:
        templates.save(s, bad)
    with sqlite_db.transaction() as s:  # written by hand or by an older PovDesk: refused when loaded
        s.merge(Setting(key=templates.SETTING_KEY, value=json.dumps({"township": templates.to_json(bad)})))
    with pytest.raises(RuleViolation, match="表X.*poverty_rate"), sqlite_db.session() as s:
        templates.load(s, "township")


def test_map_colours_come_from_targets_or_a_ramp():
    assert colors.fill("incidence", 0.01, [], targets.DEFAULTS) == targets.COLORS["green"]
    assert colors.fill("incidence", 0.05, [], targets.DEFAULTS) == targets.COLORS["red"]
    assert colors.fill("incidence", None, [], targets.DEFAULTS) == colors.NO_DATA
    values = list(range(1, 11))
    fills = [colors.fill("poor_households", v, values, targets.DEFAULTS) for v in values]
    assert fills[0] == colors.RAMP[0] and fills[-1] == colors.RAMP[-1] and len(set(fills)) == 5
    assert fills == sorted(fills, key=colors.RAMP.index)
    # most villages at 0 (a village map by group): 0 is the lightest, not the middle of the ramp
    few = [2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1]
    assert [colors.fill("poor_households", v, few, []) for v in (0, 1, 2)] == [
        colors.RAMP[0], colors.RAMP[2], colors.RAMP[-1]
    ]  # fmt: skip
    legend = colors.legend("poor_households", [*values, None], targets.DEFAULTS)
    assert len(legend) == 6 and legend[-1] == (colors.NO_DATA, "无数据")
    assert [c for c, _ in colors.legend("incidence", [0.01], targets.DEFAULTS)] == [
        targets.COLORS[k] for k in ("green", "amber", "red")
    ]
