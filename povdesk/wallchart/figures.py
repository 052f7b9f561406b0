"""A wall chart's figures: an area's total, its child areas, the map's areas and (for a village) its households as
of the end of a year.

The figures of each village — of each group, on a village's sheet — are aggregated in SQL (aggregate.py) from the
households as they were at the cutoff (asof.py); today's of a county or township come from the per-village summary
(summary.py), which recomputes only the villages changed since it was stored. Python then adds the few hundred
places up along the area tree into villages, townships and the total, with the helping units and teams of each
village. Distinct counts do not add up: units and cadres are united as sets. A village's household roster is read in
roster.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from povdesk.errors import NotFound, RuleViolation
from povdesk.model import Area, AreaPopulation, UnitVillage, WorkTeam
from povdesk.wallchart import aggregate, asof, summary
from povdesk.wallchart import targets as targets_mod
from povdesk.wallchart.aggregate import Query, Sums
from povdesk.wallchart.model import METRICS, AreaRow, Dashboard, year_key
from povdesk.wallchart.roster import village_households

LEVELS = ("county", "township", "village")
NO_GROUP = "（未分组）"


@dataclass
class _Node:
    id: int
    parent_id: int | None
    level: str
    name: str
    code: str | None
    path: str
    sort_order: int
    children: list[_Node] = field(default_factory=list)


class _Tree:
    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(Area.id, Area.parent_id, Area.level, Area.name, Area.code, Area.path, Area.sort_order)
        ).all()
        self.nodes = {r.id: _Node(*r) for r in rows}
        for node in self.nodes.values():
            if node.parent_id in self.nodes:
                self.nodes[node.parent_id].children.append(node)
        for node in self.nodes.values():
            node.children.sort(key=lambda n: (n.sort_order, n.id))
        self.roots = sorted((n for n in self.nodes.values() if n.parent_id not in self.nodes),
                            key=lambda n: (n.sort_order, n.id))  # fmt: skip

    def under(self, root: _Node | None, level: str) -> list[_Node]:
        """The areas of a level in a subtree (or the whole tree), in tree order."""
        out: list[_Node] = []
        stack = list(reversed(root.children if root else self.roots))
        if root is not None and root.level == level:
            return [root]
        while stack:
            node = stack.pop()
            if node.level == level:
                out.append(node)
            else:
                stack.extend(reversed(node.children))
        return out

    def ancestor(self, node_id: int, level: str) -> _Node | None:
        node = self.nodes.get(node_id)
        while node is not None and node.level != level:
            node = self.nodes.get(node.parent_id)
        return node


def _village_resources(session: Session, cut: asof.Cutoff) -> tuple[dict[int, set], Counter]:
    """Helping units per village and work teams per village at the cutoff."""

    def active(model):
        return and_(or_(model.start_on.is_(None), model.start_on <= cut.on),
                    or_(model.end_on.is_(None), model.end_on > cut.on))  # fmt: skip

    units: dict[int, set] = defaultdict(set)
    for village, unit in session.execute(
        select(UnitVillage.village_id, UnitVillage.unit_id).where(active(UnitVillage))
    ):
        units[village].add(unit)
    teams = Counter(dict(session.execute(
        select(WorkTeam.village_id, func.count()).where(active(WorkTeam)).group_by(WorkTeam.village_id)
    ).all()))  # fmt: skip
    return units, teams


def _populations(session: Session, year: int) -> dict[int, int]:
    """Rural population per area: the year's figure, else the latest before it."""
    rows = session.execute(
        select(AreaPopulation.area_id, AreaPopulation.year, AreaPopulation.rural_population)
        .where(AreaPopulation.year <= year)
        .order_by(AreaPopulation.year)
    ).all()
    return {area_id: n for area_id, _, n in rows}


def _ratio(numerator, denominator) -> float | None:
    return numerator / denominator if denominator else None


def _values(s: Sums, years: list[int], rural: int | None) -> dict[str, int | float | None]:
    n = s.n
    values: dict[str, int | float | None] = {}
    for key in ("households", "persons", "poor_households", "poor_persons", "exited_households", "exited_persons",
                "returned_households", "exits_planned", "exits_actual", "guarantee_short_households",
                "paired_households", "visits_recent", "monitored_households", "monitored_unstable",
                "monitored_marginal", "monitored_sudden"):  # fmt: skip
        values[key] = n[key]
    for year in years:
        for pattern in ("exits_planned_{year}", "exits_actual_{year}"):
            values[year_key(pattern, year)] = n[year_key(pattern, year)]
    values["rural_population"] = rural
    values["incidence"] = _ratio(n["poor_persons"], rural)
    for name, metric in asof.GUARANTEES.items():
        values[metric] = _ratio(n[f"{name}:yes"], n[f"{name}:known"])
    values["units"] = len(s.units)
    values["teams"] = n["teams"]
    values["cadres"] = len(s.cadres)
    values["pairing_coverage"] = _ratio(n["paired_households"], n["households"])
    values["risk_eliminated_households"] = n["monitored_ever"] - n["monitored_households"]
    values["risk_elimination_rate"] = _ratio(values["risk_eliminated_households"], n["monitored_ever"])
    return values


def _ancestry(tree: _Tree, node: _Node | None, county_name: str) -> list[tuple[int | None, str]]:
    if node is None:
        return [(None, county_name)]
    ids = [int(part) for part in node.path.strip("/").split("/") if part]
    return [(i, tree.nodes[i].name) for i in ids if i in tree.nodes]


def build(session: Session, area_id: int | None, year: int | None = None, *, today: dt.date | None = None,
          office: str = "") -> Dashboard:  # fmt: skip
    """The dashboard of an area (None: the whole database as the county) for a year (None: the current year)."""
    cut = asof.cutoff(year, today)
    if year is not None and year > (today or dt.date.today()).year:
        raise RuleViolation(f"{year}年还没有到：作战图只能按今年或往年的情况绘制")
    tree = _Tree(session)
    root = None
    if area_id is not None:
        root = tree.nodes.get(area_id)
        if root is None:
            raise NotFound("找不到这个区划，可能已被删除或合并")
        if root.level not in LEVELS:
            raise RuleViolation(f"“{root.name}”是村民小组；作战图按县、乡镇、村三级绘制，请选择它所在的村")
    villages = None  # a township's or village's past year reads back only the households that may have been there
    if root is not None and root.level != "county":
        villages = select(Area.id).where(Area.path.startswith(root.path), Area.level == "village")
    with asof.households_table(session, cut, villages) as hh:
        by_group = root is not None and root.level == "village"
        return _build(Query(session, cut, hh, path=root.path if root else None, by_group=by_group), tree, root, office)


def _build(q: Query, tree: _Tree, root: _Node | None, office: str) -> Dashboard:
    session, cut = q.session, q.cut
    level = root.level if root else "county"
    counties = tree.under(None, "county")
    county_name = counties[0].name if len(counties) == 1 else "全部区划"

    years = aggregate.exit_years(session, cut.year)
    villages = tree.under(root, "village")
    if cut.live and level != "village":
        stored = summary.village_sums(session, cut, q.hh, [v.id for v in villages], years)
        places = {(v, None): sums for v, sums in stored.items()}
    else:
        places = aggregate.places(q, years, asof.guarantee_year(session, cut))
        aggregate.add_visits(q, places)
    units, teams = _village_resources(session, cut)
    rural = _populations(session, cut.year)

    by_village: dict[int, Sums] = defaultdict(Sums)
    if level == "village":  # its groups' figures add up to it
        for (village, _group), sums in places.items():
            by_village[village].add(sums)
    else:  # one place per village
        by_village.update((village, sums) for (village, _group), sums in places.items())
    for v in villages:
        by_village[v.id].units |= units.get(v.id, set())
        by_village[v.id].n["teams"] += teams.get(v.id, 0)

    pop_memo: dict[int, int | None] = {}

    def population(node: _Node) -> int | None:
        """Its own figure, else the sum of its children's when every child has one (never a partial sum)."""
        if node.id in pop_memo:
            return pop_memo[node.id]
        value = rural.get(node.id)
        if value is None and node.level in ("county", "township"):
            parts = [population(c) for c in node.children if c.level in ("township", "village")]
            value = sum(parts) if parts and all(p is not None for p in parts) else None  # type: ignore[misc]
        pop_memo[node.id] = value
        return value

    def row(node: _Node, sums: Sums, parent_name: str | None = None) -> AreaRow:
        return AreaRow(node.id, node.name, node.level, node.code, parent_name,
                       _values(sums, years, population(node)))  # fmt: skip

    if level == "county":
        children_nodes = tree.under(root, "township")
        children = []
        for t in children_nodes:
            children.append(row(t, aggregate.total(by_village[v.id] for v in tree.under(t, "village"))))
    elif level == "township":
        children = [row(v, by_village[v.id], root.name) for v in villages]
    else:
        groups = [g for g in root.children if g.level == "group"]
        group_sums = {g.id: Sums() for g in groups}
        loose = Sums()
        for (village, group), sums in places.items():
            if village == root.id:
                group_sums.get(group, loose).add(sums)
        children = [row(g, group_sums[g.id], root.name) for g in groups]
        if loose.n["households"]:
            children.append(AreaRow(None, NO_GROUP, "group", None, root.name, _values(loose, years, None)))

    total_sums = aggregate.total(by_village[v.id] for v in villages)
    if root is not None:
        total = row(root, total_sums, tree.nodes[root.parent_id].name if root.parent_id in tree.nodes else None)
    else:
        county_pop = population(counties[0]) if len(counties) == 1 else None
        if county_pop is None and len(counties) != 1:
            parts = [population(t) for t in tree.under(None, "township")]
            county_pop = sum(parts) if parts and all(p is not None for p in parts) else None  # type: ignore[misc]
        total = AreaRow(None, county_name, "county", counties[0].code if len(counties) == 1 else None, None,
                        _values(total_sums, years, county_pop))  # fmt: skip

    if level == "village":
        map_areas = [total, *(c for c in children if c.area_id is not None)]
    elif level == "township":
        map_areas = children
    else:
        map_areas = []
        for v in villages:
            township = tree.ancestor(v.id, "township")
            map_areas.append(row(v, by_village[v.id], township.name if township else None))

    chosen = targets_mod.load(session)
    for area_row in (total, *children, *map_areas):
        area_row.lights = targets_mod.lights(chosen, area_row.values)

    dashboard = Dashboard(
        level=level, year=cut.year, as_of=cut.on, total=total, children=children, map_areas=map_areas, years=years,
        path=_ancestry(tree, root, county_name), office=office,
    )  # fmt: skip
    dashboard.breakdowns = aggregate.breakdowns(total_sums)
    if level == "village":
        dashboard.households = village_households(q.session, q.cut, q.hh, root.id, tree.nodes)
    return dashboard


def default_office(dashboard: Dashboard) -> str:
    """The issuing office printed when the office named none: the county's poverty-alleviation office, the
    township's government, the village committee."""
    name = dashboard.total.name
    if dashboard.level == "county":
        return f"{name}扶贫开发领导小组办公室"
    if dashboard.level == "township":
        return f"{name}人民政府"
    return f"{name}民委员会" if name.endswith("村") else f"{name}村民委员会"


FILLED = tuple(k for k in METRICS if "{year}" not in k)
