"""The SQL side of a wall chart: the figures of each place — a village, or a (village, group) on a village's sheet —
from the households as they were at the cutoff (asof.py).

One statement reads every household once (members, pairing and guarantees by index lookups) grouped by place and
status; a few small ones add monitoring, the breakdowns by attribute, cause and status, the distinct cadres and the
recent visits. A place's figures are additive counts plus the sets of its helping units and cadres (distinct counts
do not add up: places are united as sets). figures.py adds places up along the area tree; summary.py keeps today's
per village."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from povdesk import codes
from povdesk.model import Area, Household, HouseholdYear, Member, Pairing, Visit
from povdesk.wallchart import asof
from povdesk.wallchart.model import year_key

Place = tuple[int, int | None]  # (village id, group id) of a household at the cutoff
# the total's households by attribute, cause and status, for the screen's charts: n["attribute:A"], …
BREAKDOWNS = {"attribute": codes.ATTRIBUTE, "cause": codes.CAUSE, "status": codes.STATUS}


@dataclass
class Sums:
    """Additive figures and the distinct helping units and cadres of some places."""

    n: Counter = field(default_factory=Counter)
    units: set = field(default_factory=set)
    cadres: set = field(default_factory=set)

    def add(self, other: Sums) -> None:
        self.n.update(other.n)
        self.units |= other.units
        self.cadres |= other.cadres


def total(parts: Iterable[Sums]) -> Sums:
    out = Sums()
    for part in parts:
        out.add(part)
    return out


def _flag(condition):
    """1 per row meeting a condition (portable: CASE, not a boolean cast)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class Query:
    """The households at the cutoff (`hh`, from asof.households_table) of a subtree (`path`) or of some villages,
    grouped by place: by village, or by (village, group) for a village's sheet, whose children are its groups."""

    def __init__(self, session: Session, cut: asof.Cutoff, hh, *, path: str | None = None,
                 villages: list[int] | None = None, by_group: bool = False) -> None:  # fmt: skip
        self.session, self.cut, self.hh = session, cut, hh
        self.where = []
        if path is not None:
            self.where.append(hh.c.village_id.in_(select(Area.id).where(Area.path.startswith(path))))
        self.few = villages is not None and len(villages) <= 20
        if villages is not None:
            self.where.append(hh.c.village_id.in_(villages))
        self.keys = (hh.c.village_id, hh.c.group_id) if by_group else (hh.c.village_id,)
        self.place = self.keys if by_group else (*self.keys, literal(None))  # rows start (village, group or None)

    def grouped(self, *columns, joins=(), outer_joins=(), where=(), extra_group=()) -> list:
        query = select(*self.place, *extra_group, *columns).select_from(self.hh)
        for target, on in joins:
            query = query.join(target, on)
        for target, on in outer_joins:
            query = query.outerjoin(target, on)
        query = query.where(*self.where, *where).group_by(*self.keys, *extra_group)
        return self.session.execute(query).all()


def exit_years(session: Session, year: int) -> list[int]:
    """The years of the exit columns: every planned or actual exit year of the registry up to `year` — a loose scan
    of each column's index, one probe per distinct year, instead of reading every household."""
    years: set[int] = set()
    for column in (Household.plan_exit_year, Household.year_exited):
        found = session.scalar(select(func.min(column)))
        while found is not None and found <= year:
            years.add(found)
            found = session.scalar(select(func.min(column)).where(column > found))
    return sorted(years)


def places(q: Query, years: list[int], guarantee_year: int | None) -> dict[Place, Sums]:
    """Every figure of each place but the recent visits (which depend on the day: `add_visits`); the exit columns
    of `years`, the guarantees of `guarantee_year` (asof.guarantee_year)."""
    sums: dict[Place, Sums] = defaultdict(Sums)
    _households(q, years, guarantee_year, sums)
    _monitoring(q, sums)
    _breakdowns(q, sums)
    _cadres(q, sums)
    return sums


def _households(q: Query, years: list[int], gyear: int | None, sums: dict[Place, Sums]) -> None:
    """Households and persons by status, pairing, exits and guarantees: one statement reads every household once —
    its members, pairing and guarantees by index lookups — grouped by place and status, so that persons are counted
    once per household and split by status in Python."""
    session, cut, hh = q.session, q.cut, q.hh
    y = cut.year
    # Persons: PostgreSQL counts members per household first and hash-joins them (a correlated count per household
    # is twice as slow there); SQLite is faster with the correlated count, one index probe per household, and so is
    # PostgreSQL for a few villages. "IN (pairings)" is hashed once on both, where a correlated EXISTS would probe
    # per household: for a few villages that is what we want.
    joins = []
    if session.get_bind().dialect.name == "postgresql" and not q.few:
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
    pairings = select(Pairing.household_id).where(asof.pairing_filter(cut))
    paired = pairings.where(Pairing.household_id == hh.c.id).exists() if q.few else hh.c.id.in_(pairings)
    columns = [func.count(), func.coalesce(func.sum(persons), 0), _flag(paired),
               _flag(hh.c.plan_exit_year == y), _flag(hh.c.year_exited == y)]  # fmt: skip
    keys = ["households", "persons", "paired_households", "exits_planned", "exits_actual"]
    for year in years:
        columns += [_flag(hh.c.plan_exit_year == year), _flag(hh.c.year_exited == year)]
        keys += [year_key("exits_planned_{year}", year), year_key("exits_actual_{year}", year)]
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
        c.update({k: x for k, x in zip(keys, n, strict=True) if x})
        households, people = n[0], n[1]
        if status is not None:
            c["registered"] += households
        for kind, statuses in (("poor", codes.POOR), ("exited", codes.EXITED), ("returned", ("returned",))):
            if status in statuses:
                c[f"{kind}_households"] += households
                if kind != "returned":
                    c[f"{kind}_persons"] += people


def _monitoring(q: Query, sums: dict[Place, Sums]) -> None:
    mon = asof.monitoring(q.cut)
    types = codes.MONITOR_TYPE.codes
    for v, g, ever, ongoing, *by_type in q.grouped(
        func.count(), func.sum(mon.c.ongoing), *(func.sum(mon.c[t]) for t in types),
        joins=((mon, mon.c.household_id == q.hh.c.id),),
    ):  # fmt: skip
        c = sums[v, g].n
        c["monitored_ever"] += ever
        c["monitored_households"] += int(ongoing or 0)
        for t, n in zip(types, by_type, strict=True):
            c[f"monitored_{t}"] += int(n or 0)


def _breakdowns(q: Query, sums: dict[Place, Sums]) -> None:
    """Households by attribute, cause and status: three GROUP BYs (each an index-only scan of the registry on SQLite,
    where one over the three codes is five times slower)."""
    hh = q.hh
    for kind, column in (("attribute", hh.c.attribute), ("cause", hh.c.main_cause), ("status", hh.c.status)):
        for v, g, code, n in q.grouped(func.count(), where=(column.is_not(None),), extra_group=(column,)):
            sums[v, g].n[f"{kind}:{code}"] += n


def _cadres(q: Query, sums: dict[Place, Sums]) -> None:
    """The cadres pairing households of each place at the cutoff (a cadre may help households of several places)."""
    query = (
        select(*q.place, Pairing.cadre_id)
        .distinct()
        .select_from(q.hh)
        .join(Pairing, and_(Pairing.household_id == q.hh.c.id, asof.pairing_filter(q.cut)))
        .where(*q.where)
    )
    for v, g, cadre in q.session.execute(query):
        sums[v, g].cadres.add(cadre)


def add_visits(q: Query, sums: dict[Place, Sums]) -> None:
    """The visits of the last months before the cutoff, per place."""
    for v, g, n in q.grouped(func.count(), joins=((Visit, Visit.household_id == q.hh.c.id),),
                             where=(asof.visit_filter(q.cut),)):  # fmt: skip
        sums[v, g].n["visits_recent"] += n


def add_visit_days(q: Query, since: dt.date, sums: dict[Place, Sums]) -> None:
    """The visits from `since` on, per place and day, as n["visits:YYYY-MM-DD"] (summary.py keeps them; a chart
    adds up the days of its window)."""
    for v, g, day, n in q.grouped(func.count(), joins=((Visit, Visit.household_id == q.hh.c.id),),
                                  where=(Visit.visited_on >= since,), extra_group=(Visit.visited_on,)):  # fmt: skip
        sums[v, g].n[f"visits:{day.isoformat()}"] += n


def breakdowns(s: Sums) -> dict[str, dict[str, int]]:
    """The households of some places by attribute, cause and status, as {kind: {label: n}} in the code lists' order."""
    out: dict[str, dict[str, int]] = {}
    for kind, code_list in BREAKDOWNS.items():
        prefix = f"{kind}:"
        found = {k.removeprefix(prefix): n for k, n in s.n.items() if k.startswith(prefix) and n}
        order = {c: i for i, c in enumerate(code_list.codes)}
        out[kind] = {code_list.label_of(c): found[c] for c in sorted(found, key=lambda c: order.get(c, len(order)))}
    return out
