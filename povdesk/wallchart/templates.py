"""The wall chart's tables as templates the office can change (which columns, their titles, their order), kept as
data in the Setting table, and `table()`: the one place the tables' cells are formatted (PDF and screen call it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session

from povdesk import office_settings
from povdesk.errors import RuleViolation
from povdesk.wallchart.model import HOUSEHOLD_COLUMNS, METRICS, AreaRow, Dashboard, Level, Metric, year_key

SETTING_KEY = "wallchart.templates"
Rows = Literal["children", "households", "years"]
LEVELS: tuple[str, ...] = ("county", "township", "village")
NONE = "—"
TOTAL = "合计"
# The first column of a table of child areas is the area's name; of a table of years, the year.
NAME_KEY = "name"
YEAR_KEY = "year"
CHILD_TITLE = {"county": "乡镇", "township": "村", "village": "村民小组"}


@dataclass(frozen=True)
class Column:
    key: str  # a METRICS key ("{year}" ones are repeated per year), a HOUSEHOLD_COLUMNS key, "name" or "year"
    title: str


@dataclass(frozen=True)
class TableTemplate:
    key: str
    title: str
    rows: Rows
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class SheetTemplate:
    level: Level
    title: str = "{area}{year}年脱贫攻坚作战图"
    map_metric: str = "incidence"
    tables: tuple[TableTemplate, ...] = field(default_factory=tuple)


def _cols(*keys: str, first: str = "") -> tuple[Column, ...]:
    """Columns with the metrics' own labels; `first` is the title of the name column."""
    out = [Column(NAME_KEY, first)] if first else []
    for key in keys:
        metric = METRICS.get(key) or HOUSEHOLD_COLUMNS.get(key)
        out.append(Column(key, metric.label if metric else ("年度" if key == YEAR_KEY else key)))
    return tuple(out)


_BASE = ("households", "persons", "poor_households", "poor_persons", "rural_population", "incidence")
_EXITS = ("exits_planned_{year}", "exits_actual_{year}")
_ASSIST = ("units", "teams", "cadres", "paired_households", "pairing_coverage", "visits_recent")
_MONITOR = ("monitored_households", "monitored_unstable", "monitored_marginal", "monitored_sudden",
            "risk_eliminated_households", "risk_elimination_rate")  # fmt: skip


def _defaults() -> dict[str, SheetTemplate]:
    county, township = CHILD_TITLE["county"], CHILD_TITLE["township"]
    return {
        "county": SheetTemplate("county", tables=(
            TableTemplate("base", "表一　贫困人口基本情况（分乡镇）", "children", _cols(*_BASE, first=county)),
            TableTemplate("exits", "表二　脱贫计划与完成情况（分乡镇、分年度）", "children",
                          _cols(*_EXITS, "exited_households", "poor_households", first=county)),
            TableTemplate("assistance", "表三　帮扶力量覆盖情况（分乡镇）", "children", _cols(*_ASSIST, first=county)),
            TableTemplate("monitoring", "表四　防返贫监测与风险消除（分乡镇）", "children",
                          _cols(*_MONITOR, first=county)),
        )),
        "township": SheetTemplate("township", tables=(
            TableTemplate("base", "表一　贫困人口基本情况（分村）", "children", _cols(*_BASE, first=township)),
            TableTemplate("exits", "表二　脱贫进度（分村、分年度）", "children",
                          _cols(*_EXITS, "exited_households", "poor_households", first=township)),
            TableTemplate("responsibility", "表三　帮扶责任落实情况（分村）", "children",
                          _cols("units", "teams", "cadres", "paired_households", "pairing_coverage", first=township)),
        )),
        "village": SheetTemplate("village", map_metric="poor_households", tables=(
            TableTemplate("roster", "表一　贫困户花名册（脱贫属性与计划）", "households",
                          _cols("number", "group", "head", "persons", "attribute", "cause", "status",
                                "plan_exit_year", "year_exited")),
            TableTemplate("helpers", "表二　帮扶责任人（到户）", "households",
                          _cols("number", "head", "helper", "helper_unit", "helper_phone")),
            TableTemplate("measures", "表三　帮扶措施（到户）", "households",
                          _cols("number", "head", "measures", "per_capita_income", "monitor_type")),
            TableTemplate("plan", "表四　脱贫计划（分年度）", "years",
                          (Column(YEAR_KEY, "年度"), Column("exits_planned_{year}", "计划脱贫户数"),
                           Column("exits_actual_{year}", "实际脱贫户数"))),
        )),
    }  # fmt: skip


DEFAULTS: dict[str, SheetTemplate] = _defaults()


# --- validation and storage -------------------------------------------------------------------------------------


def _allowed(rows: str) -> set[str]:
    if rows == "children":
        return {NAME_KEY, "code", *METRICS}
    if rows == "households":
        return set(HOUSEHOLD_COLUMNS)
    return {YEAR_KEY, *(k for k in METRICS if "{year}" in k)}


def check(template: SheetTemplate) -> None:
    """A clear error naming every unknown key of a template."""
    problems: list[str] = []
    if template.level not in LEVELS:
        problems.append(f"层级“{template.level}”")
    if template.map_metric not in METRICS or "{year}" in template.map_metric:
        problems.append(f"地图指标“{template.map_metric}”")
    for table in template.tables:
        if table.rows not in ("children", "households", "years"):
            problems.append(f"表“{table.title}”的行类型“{table.rows}”")
            continue
        unknown = [c.key for c in table.columns if c.key not in _allowed(table.rows)]
        if unknown:
            problems.append(f"表“{table.title}”的列 {'、'.join(unknown)}")
        if not table.columns:
            problems.append(f"表“{table.title}”没有任何列")
    if problems:
        raise RuleViolation(f"作战图模板（{template.level}）中有未知的指标：{'；'.join(problems)}")


def to_json(template: SheetTemplate) -> dict:
    return {
        "level": template.level,
        "title": template.title,
        "map_metric": template.map_metric,
        "tables": [
            {"key": t.key, "title": t.title, "rows": t.rows, "columns": [[c.key, c.title] for c in t.columns]}
            for t in template.tables
        ],
    }


def from_json(data: dict) -> SheetTemplate:
    try:
        tables = tuple(
            TableTemplate(
                t["key"], t["title"], t["rows"], tuple(Column(str(k), str(title)) for k, title in t["columns"])
            )
            for t in data["tables"]
        )
        return SheetTemplate(data["level"], data.get("title", SheetTemplate.title), data.get("map_metric", "incidence"),
                             tables)  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleViolation(f"作战图模板设置已损坏（{exc!r}），请在“作战图设置”中恢复默认") from exc


def _stored(session: Session) -> dict[str, dict]:
    stored = office_settings.read(session, SETTING_KEY)
    if stored is None:
        return {}
    try:
        data = json.loads(stored)
    except ValueError as exc:
        raise RuleViolation(f"作战图模板设置已损坏（{exc}），请在“作战图设置”中恢复默认") from exc
    return data if isinstance(data, dict) else {}


def _write(session: Session, data: dict[str, dict]) -> None:
    office_settings.write(session, SETTING_KEY, json.dumps(data, ensure_ascii=False))


def load(session: Session, level: str) -> SheetTemplate:
    """The office's template of a level, or the default one; a saved template naming unknown metrics is an error."""
    if level not in LEVELS:
        raise RuleViolation(f"没有“{level}”层级的作战图模板（应为 county、township 或 village）")
    data = _stored(session).get(level)
    if data is None:
        return DEFAULTS[level]
    template = from_json(data)
    check(template)
    return template


def save(session: Session, template: SheetTemplate) -> None:
    check(template)
    data = _stored(session)
    data[template.level] = to_json(template)
    _write(session, data)


def reset(session: Session, level: str) -> SheetTemplate:
    """Back to the default template of a level; returns it."""
    data = _stored(session)
    if data.pop(level, None) is not None:
        _write(session, data)
    return DEFAULTS[level]


# --- formatting -------------------------------------------------------------------------------------------------


def format_value(value: object, kind: str = "count") -> str:
    """A cell's text: "1,234", "2.13%", "5,230.50"; "—" for an unknown value."""
    if value is None or value == "":
        return NONE
    if isinstance(value, str):
        return value
    if kind == "percent":
        return f"{value * 100:.2f}%"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "text":
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _metric(key: str) -> Metric | None:
    if key in METRICS:
        return METRICS[key]
    if key in HOUSEHOLD_COLUMNS:
        return HOUSEHOLD_COLUMNS[key]
    return None


def expand(template: TableTemplate, years: list[int]) -> list[tuple[str, Column]]:
    """(value key, column) per printed column: a "{year}" column of a table of areas repeats for each year."""
    out: list[tuple[str, Column]] = []
    for column in template.columns:
        if "{year}" in column.key and template.rows != "years":
            for year in years:
                title = year_key(column.title, year) if "{year}" in column.title else f"{year}年{column.title}"
                out.append((year_key(column.key, year), Column(column.key, title)))
        else:
            out.append((column.key, column))
    return out


def _area_cell(row: AreaRow, key: str, pattern: str) -> str:
    if key == NAME_KEY:
        return row.name
    if key == "code":
        return row.code or NONE
    metric = METRICS.get(pattern)
    return format_value(row.values.get(key), metric.kind if metric else "count")


def table(dashboard: Dashboard, template: TableTemplate) -> tuple[list[str], list[list[str]], list[str] | None]:
    """(headers, rows, total row or None) as text cells, the template's columns expanded over the dashboard's
    years."""
    if template.rows == "years":
        headers = [c.title for c in template.columns]
        rows: list[list[str]] = []
        sums: dict[str, float] = {}
        for year in dashboard.years:
            cells = []
            for column in template.columns:
                if column.key == YEAR_KEY:
                    cells.append(f"{year}年")
                    continue
                key = year_key(column.key, year)
                value = dashboard.total.values.get(key)
                if isinstance(value, int | float):
                    sums[column.key] = sums.get(column.key, 0) + value
                metric = _metric(column.key)
                cells.append(format_value(value, metric.kind if metric else "count"))
            rows.append(cells)
        total = [TOTAL if c.key == YEAR_KEY else format_value(sums.get(c.key)) for c in template.columns]
        return headers, rows, total if rows else None

    if template.rows == "households":
        headers = [c.title for c in template.columns]
        rows = []
        for household in dashboard.households:
            cells = []
            for column in template.columns:
                metric = HOUSEHOLD_COLUMNS.get(column.key)
                cells.append(format_value(household.values.get(column.key), metric.kind if metric else "text"))
            rows.append(cells)
        return headers, rows, None

    columns = expand(template, dashboard.years)
    headers = [c.title for _, c in columns]
    rows = [[_area_cell(child, key, c.key) for key, c in columns] for child in dashboard.children]
    total = [TOTAL if c.key == NAME_KEY else ("" if c.key == "code" else _area_cell(dashboard.total, key, c.key))
             for key, c in columns]  # fmt: skip
    return headers, rows, total
