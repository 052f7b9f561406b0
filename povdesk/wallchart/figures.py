"""A wall chart's figures: an area's total, its child areas, the map's areas and (for a village) its households as
of the end of a year.

Aggregation runs in SQL over the households of the subtree as they were at the cutoff (asof.py): one statement reads
every household once (members, pairing and guarantees by index lookups) grouped by village — by (village, group) on
a village's sheet — and status; a few small ones add monitoring, visits, units, teams and cadres. Python then adds the
few hundred rows up along the area tree into villages, townships and the total. Distinct counts do not add up:
helping units (a few hundred (village, unit) pairs) are united as sets, cadres are counted in SQL once per level shown.
A village's household roster is read in roster.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, case, distinct, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from povdesk import codes
from povdesk.errors import NotFound, RuleViolation
from povdesk.model import (
    Area,
    AreaPopulation,
    Household,
    HouseholdYear,
    Member,
    Pairing,
    UnitVillage,
    Visit,
    WorkTeam,
)
from povdesk.wallchart import asof
from povdesk.wallchart import targets as targets_mod
from povdesk.wallchart.model import METRICS, AreaRow, Dashboard, year_key
from povdesk.wallchart.roster import village_households

LEVELS = ("county", "township", "village")
NO_GROUP = "（未分组）"
Place = tuple[int, int | None]  # (village id, group id) of a household at the cutoff


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


@dataclass
class _Sums:
    """Additive figures and the distinct helping units of some places."""

    n: Counter = field(default_factory=Counter)
    units: set = field(default_factory=set)

    def add(self, other: _Sums) -> None:
        self.n.update(other.n)
        self.units |= other.units


def _sum(parts: Iterable[_Sums]) -> _Sums:
    total = _Sums()
    for part in parts:
        total.add(part)
    return total


def _flag(condition):
    """1 per row meeting a condition (portable: CASE, not a boolean cast)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class _Query:
    """The SQL side of one dashboard: the households at the cutoff in the subtree, grouped by place — by village, or
    by (village, group) for a village's sheet, whose children are its groups."""

    def __init__(self, session: Session, cut: asof.Cutoff, root: _Node | None, hh, *, by_group: bool) -> None:
        self.session, self.cut = session, cut
        self.hh = hh
        self.where = []
        if root is not None:
            subtree = select(Area.id).where(Area.path.startswith(root.path))
            self.where.append(self.hh.c.village_id.in_(subtree))
        self.keys = (self.hh.c.village_id, self.hh.c.group_id) if by_group else (self.hh.c.village_id,)
        self.place = self.keys if by_group else (*self.keys, literal(None))  # rows start (village, group or None)

    def grouped(self, *columns, joins=(), outer_joins=(), where=(), extra_group=()) -> list:
        query = select(*self.place, *extra_group, *columns).select_from(self.hh)
        for target, on in joins:
            query = query.join(target, on)
        for target, on in outer_joins:
            query = query.outerjoin(target, on)
        query = query.where(*self.where, *where).group_by(*self.keys, *extra_group)
        return self.session.execute(query).all()


def _places(q: _Query, years_out: list[int]) -> dict[Place, _Sums]:
    """The additive figures per place. One statement reads every household once — its members, pairing and
    guarantees by index lookups — grouped by place and status (so that persons are counted once per household and
    split by status in Python); monitoring and visits, which concern few households, are two more."""
    session, cut = q.session, q.cut
    hh = q.hh
    sums: dict[Place, _Sums] = defaultdict(_Sums)
    y = cut.year
    years = _exit_years(session, y)
    years_out.extend(years)

    # Persons: PostgreSQL counts members per household first and hash-joins them (a correlated count per household
    # is twice as slow there); SQLite is faster with the correlated count, one index probe per household.
    # "IN (pairings)" is hashed once on both, where a correlated EXISTS would probe per household.
    joins = []
    if session.get_bind().dialect.name == "postgresql":
        members = (
            select(Member.household_id, func.count().label("n"))
            .where(asof.member_filter(cut))
            .group_by(Member.household_id)
            .subquery("members")
        )
        joins.append((members, members.c.household_id == hh.c.id))
        persons = members.c.n
    else:
        persons = select(func.count()).where(Member.household_id == hh.c.id, asof.member_filter(cut)).scalar_subquery()
    paired = hh.c.id.in_(select(Pairing.household_id).where(asof.pairing_filter(cut)))
    columns = [func.count(), func.coalesce(func.sum(persons), 0), _flag(paired),
               _flag(hh.c.plan_exit_year == y), _flag(hh.c.year_exited == y)]  # fmt: skip
    keys = ["households", "persons", "paired_households", "exits_planned", "exits_actual"]
    for year in years:
        columns += [_flag(hh.c.plan_exit_year == year), _flag(hh.c.year_exited == year)]
        keys += [year_key("exits_planned_{year}", year), year_key("exits_actual_{year}", year)]
    gyear = asof.guarantee_year(session, cut)
    if gyear is not None:
        for name in asof.GUARANTEES:
            column = getattr(HouseholdYear, name)
            columns += [_flag(column.is_(True)), _flag(column.is_not(None))]
            keys += [f"{name}:yes", f"{name}:known"]
        columns.append(_flag(or_(*(getattr(HouseholdYear, name).is_(False) for name in asof.GUARANTEES))))
        keys.append("guarantee_short_households")
        joins.append((HouseholdYear, and_(HouseholdYear.household_id == hh.c.id, HouseholdYear.year == gyear)))
    for v, g, status, *n in q.grouped(*columns, outer_joins=joins, extra_group=(hh.c.status,)):
        n = [int(x or 0) for x in n]  # PostgreSQL sums bigints as numeric
        c = sums[v, g].n
        c.update(dict(zip(keys, n, strict=True)))
        households, people = n[0], n[1]
        if status is not None:
            c["registered"] += households
        for kind, statuses in (("poor", codes.POOR), ("exited", codes.EXITED), ("returned", ("returned",))):
            if status in statuses:
                c[f"{kind}_households"] += households
                if kind != "returned":
                    c[f"{kind}_persons"] += people

    for v, g, n in q.grouped(func.count(), joins=((Visit, Visit.household_id == hh.c.id),),
                             where=(asof.visit_filter(cut),)):  # fmt: skip
        sums[v, g].n["visits_recent"] += n

    mon = asof.monitoring(cut)
    types = codes.MONITOR_TYPE.codes
    for v, g, ever, ongoing, *by_type in q.grouped(
        func.count(), func.sum(mon.c.ongoing), *(func.sum(mon.c[t]) for t in types),
        joins=((mon, mon.c.household_id == hh.c.id),),
    ):  # fmt: skip
        c = sums[v, g].n
        c["monitored_ever"] += ever
        c["monitored_households"] += int(ongoing or 0)
        for t, n in zip(types, by_type, strict=True):
            c[f"monitored_{t}"] += int(n or 0)
    return sums


def _exit_years(session: Session, year: int) -> list[int]:
    """The years of the exit columns: every planned or actual exit year of the registry up to `year`."""
    planned = select(Household.plan_exit_year.label("year")).where(Household.plan_exit_year <= year)
    exited = select(Household.year_exited.label("year")).where(Household.year_exited <= year)
    return sorted(session.scalars(planned.union(exited)))


def _distinct_cadres(q: _Query, by: str | None) -> dict:
    """Cadres pairing households at the cutoff, counted once per village, township or group (`by`), or in all
    (None → {None: n}): a cadre may help households of several places, so these do not add up."""
    session, cut, hh = q.session, q.cut, q.hh
    village = aliased(Area)
    key = {None: None, "township": village.parent_id, "village": hh.c.village_id, "group": hh.c.group_id}[by]
    cadres = func.count(distinct(Pairing.cadre_id))
    query = (
        select(cadres if key is None else key, *(() if key is None else (cadres,)))
        .select_from(hh)
        .join(Pairing, and_(Pairing.household_id == hh.c.id, asof.pairing_filter(cut)))
        .where(*q.where)
    )
    if by == "township":
        query = query.join(village, village.id == hh.c.village_id)
    if key is None:
        return {None: session.scalar(query) or 0}
    return dict(session.execute(query.group_by(key)).all())


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


def _values(s: _Sums, years: list[int], rural: int | None) -> dict[str, int | float | None]:
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
    values["cadres"] = 0  # distinct: set by build() from _distinct_cadres
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
        return _build(
            _Query(session, cut, root, hh, by_group=root is not None and root.level == "village"), tree, root, office
        )


def _build(q: _Query, tree: _Tree, root: _Node | None, office: str) -> Dashboard:
    session, cut = q.session, q.cut
    level = root.level if root else "county"
    counties = tree.under(None, "county")
    county_name = counties[0].name if len(counties) == 1 else "全部区划"

    years: list[int] = []
    places = _places(q, years)
    units, teams = _village_resources(session, cut)
    rural = _populations(session, cut.year)

    by_village: dict[int, _Sums] = defaultdict(_Sums)
    for (village, _group), sums in places.items():
        by_village[village].add(sums)
    villages = tree.under(root, "village")
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

    def row(node: _Node, sums: _Sums, parent_name: str | None = None) -> AreaRow:
        return AreaRow(node.id, node.name, node.level, node.code, parent_name,
                       _values(sums, years, population(node)))  # fmt: skip

    if level == "county":
        children_nodes = tree.under(root, "township")
        children = []
        for t in children_nodes:
            children.append(row(t, _sum(by_village[v.id] for v in tree.under(t, "village"))))
    elif level == "township":
        children = [row(v, by_village[v.id], root.name) for v in villages]
    else:
        groups = [g for g in root.children if g.level == "group"]
        group_sums = {g.id: _Sums() for g in groups}
        loose = _Sums()
        for (village, group), sums in places.items():
            if village == root.id:
                group_sums.get(group, loose).add(sums)
        children = [row(g, group_sums[g.id], root.name) for g in groups]
        if loose.n["households"]:
            children.append(AreaRow(None, NO_GROUP, "group", None, root.name, _values(loose, years, None)))

    total_sums = _sum(by_village[v.id] for v in villages)
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

    total.values["cadres"] = _distinct_cadres(q, None)[None]
    child_key = {"county": "township", "township": "village", "village": "group"}[level]
    for rows, by in ((children, child_key), (map_areas if level == "county" else [], "village")):
        counts = _distinct_cadres(q, by) if rows else {}
        for area_row in rows:
            area_row.values["cadres"] = counts.get(area_row.area_id, 0)

    chosen = targets_mod.load(session)
    for area_row in (total, *children, *map_areas):
        area_row.lights = targets_mod.lights(chosen, area_row.values)

    dashboard = Dashboard(
        level=level, year=cut.year, as_of=cut.on, total=total, children=children, map_areas=map_areas, years=years,
        path=_ancestry(tree, root, county_name), office=office,
    )  # fmt: skip
    dashboard.breakdowns = _breakdowns(q)
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


def _breakdowns(q: _Query) -> dict[str, dict[str, int]]:
    """The total's households by attribute, cause and status (labels), for the screen's charts (three GROUP BYs:
    each an index-only scan of the registry on SQLite, where one over the three codes is five times slower)."""
    hh = q.hh
    out: dict[str, dict[str, int]] = {}
    for key, column, code_list in (("attribute", hh.c.attribute, codes.ATTRIBUTE),
                                   ("cause", hh.c.main_cause, codes.CAUSE),
                                   ("status", hh.c.status, codes.STATUS)):  # fmt: skip
        rows = q.session.execute(
            select(column, func.count()).select_from(hh).where(*q.where, column.is_not(None)).group_by(column)
        ).all()
        order = {c: i for i, c in enumerate(code_list.codes)}
        out[key] = {code_list.label_of(c): n for c, n in sorted(rows, key=lambda r: order.get(r[0], len(order)))}
    return out


# every metric a row carries, for a test that nothing is left out
FILLED = tuple(k for k in METRICS if "{year}" not in k)
