"""What a wall chart shows, as plain data: the metrics, an area's figures as of the end of a year, the map's
areas and the dashboard that the screen, the PDF and the CLI all draw from (no Qt, no reportlab here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["count", "percent", "money", "text"]
Level = Literal["county", "township", "village"]
Light = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class Metric:
    """One figure an area has; `key` is what templates, targets and the map's indicator name."""

    key: str
    label: str
    kind: Kind = "count"


# Every figure of an area row. Per-year exit figures are flattened as "exits_planned_2019" / "exits_actual_2019"
# for each year in Dashboard.years (see year_key); a template column whose key contains "{year}" is repeated for
# each of those years.
METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("households", "建档立卡户数"),
        Metric("persons", "建档立卡人数"),
        Metric("poor_households", "未脱贫户数"),
        Metric("poor_persons", "未脱贫人数"),
        Metric("exited_households", "已脱贫户数"),
        Metric("exited_persons", "已脱贫人数"),
        Metric("returned_households", "返贫户数"),
        Metric("rural_population", "农村人口"),
        Metric("incidence", "贫困发生率", "percent"),
        Metric("exits_planned", "计划脱贫户数（本年）"),
        Metric("exits_actual", "实际脱贫户数（本年）"),
        Metric("exits_planned_{year}", "{year}年计划脱贫户数"),
        Metric("exits_actual_{year}", "{year}年实际脱贫户数"),
        Metric("food_clothing_rate", "不愁吃不愁穿达标率", "percent"),
        Metric("education_rate", "义务教育有保障达标率", "percent"),
        Metric("medical_rate", "基本医疗有保障达标率", "percent"),
        Metric("housing_rate", "住房安全有保障达标率", "percent"),
        Metric("water_rate", "饮水安全达标率", "percent"),
        Metric("guarantee_short_households", "“两不愁三保障”未达标户数"),
        Metric("units", "帮扶单位数"),
        Metric("teams", "驻村工作队数"),
        Metric("cadres", "帮扶干部数"),
        Metric("paired_households", "已结对户数"),
        Metric("pairing_coverage", "结对覆盖率", "percent"),
        Metric("visits_recent", "近三个月走访次数"),
        Metric("monitored_households", "监测对象户数"),
        Metric("monitored_unstable", "脱贫不稳定户"),
        Metric("monitored_marginal", "边缘易致贫户"),
        Metric("monitored_sudden", "突发严重困难户"),
        Metric("risk_eliminated_households", "已消除风险户数"),
        Metric("risk_elimination_rate", "风险消除率", "percent"),
    )
}
# The household roster of a village sheet: keys of HouseholdRow.values.
HOUSEHOLD_COLUMNS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("number", "户编号", "text"),
        Metric("group", "村民小组", "text"),
        Metric("head", "户主姓名", "text"),
        Metric("persons", "人口数"),
        Metric("status", "脱贫属性", "text"),
        Metric("attribute", "贫困户属性", "text"),
        Metric("cause", "主要致贫原因", "text"),
        Metric("plan_exit_year", "计划脱贫年度", "text"),
        Metric("year_exited", "脱贫年度", "text"),
        Metric("helper", "帮扶责任人", "text"),
        Metric("helper_unit", "帮扶单位", "text"),
        Metric("helper_phone", "联系电话", "text"),
        Metric("measures", "帮扶措施", "text"),
        Metric("per_capita_income", "人均纯收入（元）", "money"),
        Metric("monitor_type", "监测对象类型", "text"),
    )
}


def year_key(pattern: str, year: int) -> str:
    """The flat key of a per-year metric: exits_planned_{year} → exits_planned_2019."""
    return pattern.replace("{year}", str(year))


@dataclass
class AreaRow:
    """An area's figures as of the end of the dashboard's year (values keyed by METRICS, None when unknown, e.g.
    the incidence of an area with no rural population entered)."""

    area_id: int | None  # None: the whole database
    name: str
    level: str  # codes.AREA_LEVEL
    code: str | None = None
    parent_name: str | None = None  # the township of a village, for the schematic map's grouping
    values: dict[str, int | float | None] = field(default_factory=dict)
    lights: dict[str, Light] = field(default_factory=dict)  # target key → light, see targets.py


@dataclass
class HouseholdRow:
    household_id: int
    values: dict[str, int | float | str | None]


@dataclass
class Dashboard:
    """Everything one wall chart shows: the area's total, a row per child area (townships of the county, villages of
    a township, groups of a village), the areas of the map, and for a village its households."""

    level: Level
    year: int
    as_of: dt.date  # the end of the year, or today for the current year
    total: AreaRow
    children: list[AreaRow]
    map_areas: list[AreaRow]  # villages for a county or township, the village itself (and its groups) for a village
    years: list[int]  # the years of the exit columns, e.g. 2014…2020
    households: list[HouseholdRow] = field(default_factory=list)  # village level only
    path: list[tuple[int | None, str]] = field(default_factory=list)  # breadcrumb from the top: (area_id, name)
    office: str = ""  # the issuing office printed on the sheet
    # The total's households by a code list, labels not codes, for the screen's "by attribute" / "by cause" charts:
    # {"attribute": {"一般贫困户": 120, …}, "cause": {"因病": 80, …}} (households counted in the year, as of its end)
    breakdowns: dict[str, dict[str, int]] = field(default_factory=dict)
