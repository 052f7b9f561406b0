"""Registry statistics for the whole database or one area: the figures of `main.py stats` and the area tree."""

from __future__ import annotations

from sqlalchemy import Select, distinct, func, or_, select
from sqlalchemy.orm import Session

from povdesk.errors import NotFound
from povdesk.model import Area, Cadre, Household, Member, MonitoredHousehold, Pairing


def find_area(session: Session, name: str) -> Area:
    """The township or village (or any area) of that name; a clear error when unknown or ambiguous."""
    found = session.scalars(select(Area).where(Area.name == name.strip()).order_by(Area.path)).all()
    if not found:
        raise NotFound(f"找不到名为“{name}”的乡镇或村，请检查名称")
    if len(found) > 1:
        places = "、".join(f"{a.parent.name if a.parent else ''}{a.name}" for a in found)
        raise NotFound(f"名为“{name}”的区划不止一个（{places}），请换用更完整的名称")
    return found[0]


def households_in(area: Area | None) -> Select:
    """Ids of households in an area (its subtree), or all households."""
    query = select(Household.id)
    if area is None:
        return query
    subtree = select(Area.id).where(Area.path.startswith(area.path))
    return query.where(or_(Household.village_id.in_(subtree), Household.group_id.in_(subtree)))


def _count_by(session: Session, column, ids: Select) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count()).where(Household.id.in_(ids), column.is_not(None)).group_by(column).order_by(column)
    ).all()
    return {code: n for code, n in rows}


def _sees_the_whole_county(session: Session) -> bool:
    """Whether this login sees every household: on a shared server a township or village clerk's rows are limited
    to their area, and then the county's cadre pool is not theirs to count (their area's helpers are)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    from povdesk import rls

    return not rls.row_security_active(session, "household") or rls.scope(session) == ""


def compute(session: Session, area: Area | None = None) -> dict:
    ids = households_in(area)
    areas = select(Area.level, func.count()).group_by(Area.level)
    if area is not None:
        areas = areas.where(Area.path.startswith(area.path))
    by_level = dict(session.execute(areas).all())
    households = session.scalar(select(func.count()).select_from(ids.subquery()))
    persons = session.scalar(
        select(func.count()).select_from(Member).where(Member.household_id.in_(ids), Member.removed_on.is_(None))
    )
    monitored = session.scalar(
        select(func.count(distinct(MonitoredHousehold.household_id))).where(
            MonitoredHousehold.household_id.in_(ids), MonitoredHousehold.risk_eliminated_on.is_(None)
        )
    )
    active_pairs = select(Pairing).where(Pairing.household_id.in_(ids), Pairing.end_on.is_(None)).subquery()
    paired = session.scalar(select(func.count(distinct(active_pairs.c.household_id))))
    if area is None and _sees_the_whole_county(session):
        cadres = session.scalar(select(func.count()).select_from(Cadre).where(Cadre.active.is_(True)))
    else:
        cadres = session.scalar(select(func.count(distinct(active_pairs.c.cadre_id))))
    return {
        "townships": by_level.get("township", 0),
        "villages": by_level.get("village", 0),
        "households": households,
        "persons": persons,
        "households_by_status": _count_by(session, Household.status, ids),
        "households_by_attribute": _count_by(session, Household.attribute, ids),
        "households_by_cause": _count_by(session, Household.main_cause, ids),
        "monitored_households": monitored,
        "cadres": cadres,
        "paired_households": paired,
    }
