"""The area tree as plain data for any client: areas in display order, and household/person counts per subtree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from povdesk.model import Area, Household, Member


@dataclass(frozen=True)
class AreaNode:
    id: int
    parent_id: int | None
    level: str  # codes.AREA_LEVEL
    name: str
    code: str | None
    is_poor_village: bool


@dataclass
class Counts:
    households: int = 0
    persons: int = 0


def load_tree(session: Session) -> list[AreaNode]:
    """Every area, parents before children, siblings in their sort order (then by name)."""
    rows = session.execute(
        select(Area.id, Area.parent_id, Area.level, Area.name, Area.code, Area.is_poor_village).order_by(
            Area.sort_order, Area.code, Area.name, Area.id
        )
    ).all()
    children: dict[int | None, list[AreaNode]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(AreaNode(*row))
    ordered: list[AreaNode] = []
    stack = list(reversed(children[None]))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children[node.id]))
    return ordered


def subtree_counts(session: Session) -> dict[int, Counts]:
    """Households and current members in each area's subtree, in two grouped queries (no per-area query)."""
    households = session.execute(
        select(Household.village_id, Household.group_id, func.count()).group_by(
            Household.village_id, Household.group_id
        )
    ).all()
    persons = session.execute(
        select(Household.village_id, Household.group_id, func.count())
        .join(Member, Member.household_id == Household.id)
        .where(Member.removed_on.is_(None))
        .group_by(Household.village_id, Household.group_id)
    ).all()
    ancestors = {
        area_id: [int(part) for part in path.split("/") if part]
        for area_id, path in session.execute(select(Area.id, Area.path))
    }
    counts: dict[int, Counts] = defaultdict(Counts)
    for rows, field in ((households, "households"), (persons, "persons")):
        for village_id, group_id, n in rows:
            chain = ancestors.get(village_id, [village_id])
            if group_id is not None and group_id != village_id:
                chain = [*chain, group_id]
            for area_id in chain:
                setattr(counts[area_id], field, getattr(counts[area_id], field) + n)
    return dict(counts)
