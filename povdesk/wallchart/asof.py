"""The registry as of the end of a year: each household's status, attribute, cause, village and group then, its
members then, and its monitoring, pairing, visits and guarantees then — as SQL the wall chart aggregates.

A past year Y (before the current one) is read back from the change history: a field's value at the end of Y is the
`old_value` of its earliest change dated after 31 December Y (date = effective_on, else the local day it was recorded);
with no such change, a status falls back to that year's `household_year.status`, then to "poor" for a household
that exited after Y, then to today's value. The current year is today's registry as it stands."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from povdesk import codes
from povdesk.history import local_day_start
from povdesk.model import Area, ChangeLog, Household, HouseholdYear, Member, MonitoredHousehold, Pairing, Visit

HISTORY_FIELDS = ("status", "village_id", "group_id", "attribute", "main_cause")
VISIT_MONTHS = 3


@dataclass(frozen=True)
class Cutoff:
    """The moment a chart shows: the end of a past year, or today for the current year (`live`)."""

    year: int
    on: dt.date
    live: bool

    @property
    def visits_from(self) -> dt.date:
        """The first day of the visits counted as recent: VISIT_MONTHS months before `on`."""
        month = self.on.month - VISIT_MONTHS
        year = self.on.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        day = min(self.on.day, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day) + dt.timedelta(days=1)


def cutoff(year: int | None, today: dt.date | None = None) -> Cutoff:
    today = today or dt.date.today()
    if year is None or year >= today.year:
        return Cutoff(today.year if year is None else year, today, True)
    return Cutoff(year, dt.date(year, 12, 31), False)


def _effective_date() -> ColumnElement:
    """The date a change took effect, for ordering changes: its effective date, else the day it was recorded."""
    return func.coalesce(ChangeLog.effective_on, func.date(ChangeLog.at))


def _after(cut: Cutoff) -> ColumnElement:
    """A change that took effect after the cutoff: by its effective date, else by the moment it was recorded (UTC)
    compared with the start of the next local day — a change typed at 00:30 on 1 January in China is 16:30 UTC on
    31 December, and belongs to the new year."""
    next_day = local_day_start(cut.on + dt.timedelta(days=1))
    return or_(ChangeLog.effective_on > cut.on, and_(ChangeLog.effective_on.is_(None), ChangeLog.at >= next_day))


def _as_int(session: Session, text: ColumnElement) -> ColumnElement:
    """A stored text as an integer id; None where it is not digits (PostgreSQL refuses to cast such text)."""
    if session.get_bind().dialect.name == "postgresql":
        return case((text.op("~")("^[0-9]+$"), cast(text, Integer)))
    return cast(text, Integer)  # SQLite turns a name into 0, which matches no area


def _first_changes(cut: Cutoff, candidates: Select | None = None):
    """Per household: the old value of each field's earliest change after the cutoff, and whether there is one."""
    eff = _effective_date()
    ranked = (
        select(
            ChangeLog.household_id,
            ChangeLog.field,
            ChangeLog.old_value,
            func.row_number()
            .over(partition_by=(ChangeLog.household_id, ChangeLog.field), order_by=(eff, ChangeLog.at, ChangeLog.id))
            .label("rn"),
        )
        .where(
            ChangeLog.household_id.is_not(None),
            ChangeLog.member_id.is_(None),
            ChangeLog.field.in_(HISTORY_FIELDS),
            _after(cut),
            *(() if candidates is None else (ChangeLog.household_id.in_(candidates),)),
        )
        .subquery("ranked")
    )
    columns = []
    for name in HISTORY_FIELDS:
        columns.append(func.max(case((ranked.c.field == name, ranked.c.old_value))).label(f"{name}_old"))
        columns.append(func.max(case((ranked.c.field == name, 1), else_=0)).label(f"{name}_has"))
    return (
        select(ranked.c.household_id, *columns)
        .where(ranked.c.rn == 1)
        .group_by(ranked.c.household_id)
        .subquery("first_change")
    )


def households(session: Session, cut: Cutoff, villages: Select | None = None) -> Select:
    """One row per household counted at the cutoff: id, number, village_id, group_id, status, attribute,
    main_cause, plan_exit_year, year_exited — as they were then. Use it as a subquery.

    `villages` (ids) narrows a past year's reading to the households that may have been there: those there today and
    those that changed village since; the caller still filters on the village they had then."""
    if cut.live:
        return select(
            Household.id.label("id"),
            Household.number.label("number"),
            Household.village_id.label("village_id"),
            Household.group_id.label("group_id"),
            Household.status.label("status"),
            Household.attribute.label("attribute"),
            Household.main_cause.label("main_cause"),
            Household.plan_exit_year.label("plan_exit_year"),
            Household.year_exited.label("year_exited"),
        )
    candidates = None
    if villages is not None:
        moved = select(ChangeLog.household_id).where(ChangeLog.field == "village_id", _after(cut))
        candidates = select(Household.id).where(or_(Household.village_id.in_(villages), Household.id.in_(moved)))
    first = _first_changes(cut, candidates)
    hy = aliased(HouseholdYear)
    old_village, old_group = aliased(Area), aliased(Area)
    status = case(
        (first.c.status_has == 1, first.c.status_old),
        (hy.status.is_not(None), hy.status),
        (and_(Household.status.in_(codes.EXITED), Household.year_exited > cut.year), literal("poor")),
        else_=Household.status,
    )
    village = case((and_(first.c.village_id_has == 1, old_village.id.is_not(None)), old_village.id),
                   else_=Household.village_id)  # fmt: skip
    group = case(
        (first.c.group_id_has == 1, old_group.id),
        (and_(first.c.village_id_has == 1, old_village.id.is_not(None)), None),  # moved: its old group is unknown
        else_=Household.group_id,
    )
    attribute = case((first.c.attribute_has == 1, first.c.attribute_old), else_=Household.attribute)
    cause = case((first.c.main_cause_has == 1, first.c.main_cause_old), else_=Household.main_cause)
    return (
        select(
            Household.id.label("id"),
            Household.number.label("number"),
            village.label("village_id"),
            group.label("group_id"),
            status.label("status"),
            attribute.label("attribute"),
            cause.label("main_cause"),
            Household.plan_exit_year.label("plan_exit_year"),
            Household.year_exited.label("year_exited"),
        )
        .outerjoin(first, first.c.household_id == Household.id)
        .outerjoin(hy, and_(hy.household_id == Household.id, hy.year == cut.year))
        .outerjoin(old_village, and_(first.c.village_id_has == 1,
                                     old_village.id == _as_int(session, first.c.village_id_old)))
        .outerjoin(old_group, and_(first.c.group_id_has == 1, old_group.id == _as_int(session, first.c.group_id_old)))
        .where(
            or_(Household.year_identified.is_(None), Household.year_identified <= cut.year),
            *(() if candidates is None else (Household.id.in_(candidates),)),
        )
    )  # fmt: skip


def member_filter(cut: Cutoff) -> ColumnElement:
    """Members of their household at the cutoff: not removed by then and born by then (today: not removed)."""
    if cut.live:
        return Member.removed_on.is_(None)
    return and_(
        or_(Member.removed_on.is_(None), Member.removed_on > cut.on),
        or_(Member.birth_date.is_(None), Member.birth_date <= cut.on),
    )


def pairing_filter(cut: Cutoff) -> ColumnElement:
    """Pairings in force at the cutoff."""
    if cut.live:
        return Pairing.end_on.is_(None)
    return and_(Pairing.start_on <= cut.on, or_(Pairing.end_on.is_(None), Pairing.end_on > cut.on))


def visit_filter(cut: Cutoff) -> ColumnElement:
    return and_(Visit.visited_on >= cut.visits_from, Visit.visited_on <= cut.on)


def monitoring(cut: Cutoff):
    """Per household monitored by the cutoff: ongoing (1/0), its ongoing type flags, risk eliminated (1/0: every
    episode identified by then was closed by then)."""
    m = MonitoredHousehold
    if cut.live:
        ongoing = m.risk_eliminated_on.is_(None)
    else:
        ongoing = or_(m.risk_eliminated_on.is_(None), m.risk_eliminated_on > cut.on)
    flag = {t: func.max(case((and_(ongoing, m.type == t), 1), else_=0)).label(t) for t in codes.MONITOR_TYPE.codes}
    query = select(m.household_id, func.max(case((ongoing, 1), else_=0)).label("ongoing"), *flag.values())
    if not cut.live:
        query = query.where(m.identified_on <= cut.on)
    return query.group_by(m.household_id).subquery("monitoring")


def guarantee_year(session: Session, cut: Cutoff) -> int | None:
    """The data year of the guarantees: the chart's year, or (before its figures are entered) the latest one before;
    None when no year has any."""
    known = or_(*(getattr(HouseholdYear, f).is_not(None) for f in GUARANTEES))
    if session.scalar(select(HouseholdYear.id).where(HouseholdYear.year == cut.year, known).limit(1)) is not None:
        return cut.year
    return session.scalar(select(func.max(HouseholdYear.year)).where(HouseholdYear.year <= cut.year, known))


# 两不愁三保障 and safe water: HouseholdYear column → the metric of its share
GUARANTEES = {
    "food_clothing_ok": "food_clothing_rate",
    "education_ok": "education_rate",
    "medical_ok": "medical_rate",
    "housing_ok": "housing_rate",
    "water_ok": "water_rate",
}


_TEMP_NAMES = itertools.count(1)


@contextlib.contextmanager
def households_table(session: Session, cut: Cutoff, villages: Select | None = None) -> Iterator[FromClause]:
    """`households()` as something to select from: for the current year a subquery of the registry; for a past year
    the history is read back once into a temporary table (keyed by household id) that every query of a dashboard
    reads, and dropped afterwards."""
    if cut.live:
        yield households(session, cut, villages).subquery("hh")
        return
    table = Table(
        f"wallchart_hh_{os.getpid()}_{next(_TEMP_NAMES)}",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("number", String(32)),
        Column("village_id", Integer),
        Column("group_id", Integer),
        Column("status", String(16)),
        Column("attribute", String(16)),
        Column("main_cause", String(16)),
        Column("plan_exit_year", Integer),
        Column("year_exited", Integer),
        prefixes=["TEMPORARY"],
    )
    connection = session.connection()
    table.create(connection)
    try:
        query = households(session, cut, villages)
        session.execute(table.insert().from_select([c.name for c in table.c], query))
        if connection.dialect.name == "postgresql":
            session.execute(text(f"ANALYZE {table.name}"))
        yield table
    finally:
        table.drop(connection, checkfirst=True)
