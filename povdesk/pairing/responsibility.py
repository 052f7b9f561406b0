"""The responsibility table (帮扶责任人一览表): every household of an area with its current helper, from one query.

Households without a current helper are listed too, with the helper's cells blank, so that the gap shows. The
PDF (povdesk.pdf.responsibility) and the Excel export (povdesk.pairing.export) both read these rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, aliased

from povdesk import codes
from povdesk.model import Area, Cadre, HelpingUnit, Household, Member, Pairing
from povdesk.stats import households_in

FETCH = 5000  # rows fetched from the driver at a time when streaming


@dataclass(frozen=True, slots=True)
class Row:
    """One household of the table; the helper's fields are empty when the household has no current pairing."""

    household_id: int
    village_id: int
    township: str
    village: str
    household_number: str
    head: str
    head_id_number: str
    members: int
    helper: str
    helper_id_number: str
    unit: str
    position: str
    rank: str  # codes.CADRE_RANK code, "" without a helper
    phone: str
    start_on: dt.date | None
    end_on: dt.date | None

    @property
    def paired(self) -> bool:
        return bool(self.helper)

    @property
    def rank_label(self) -> str:
        return codes.CADRE_RANK.label_of(self.rank) if self.rank else ""


def query(area: Area | None = None) -> Select:
    """The table's statement: households of the area joined to their head, member count and current helper,
    sorted as the area tree shows townships and villages, then by household number."""
    ids = households_in(area)
    # One pass over the current members gives each household's size and its head (the first member when the
    # roster named none, as the household cards do).
    people = select(
        Member.household_id.label("household_id"),
        func.count().label("members"),
        func.coalesce(func.min(case((Member.relation == "head", Member.id))), func.min(Member.id)).label("head_id"),
    ).where(Member.removed_on.is_(None))
    if area is not None:
        people = people.where(Member.household_id.in_(ids))
    people = people.group_by(Member.household_id).subquery("people")
    head = aliased(Member, name="head")
    village = aliased(Area, name="village")
    township = aliased(Area, name="township")
    statement = (
        select(
            Household.id,
            Household.village_id,
            func.coalesce(township.name, ""),
            village.name,
            Household.number,
            func.coalesce(head.name, ""),
            func.coalesce(head.id_number, ""),
            func.coalesce(people.c.members, 0),
            func.coalesce(Cadre.name, ""),
            func.coalesce(Cadre.id_number, ""),
            func.coalesce(HelpingUnit.name, ""),
            func.coalesce(Cadre.position, ""),
            func.coalesce(Cadre.rank, ""),
            func.coalesce(Cadre.phone, ""),
            Pairing.start_on,
            Pairing.end_on,
        )
        .join(village, village.id == Household.village_id)
        .outerjoin(township, township.id == village.parent_id)
        .outerjoin(people, people.c.household_id == Household.id)
        .outerjoin(head, head.id == people.c.head_id)
        .outerjoin(Pairing, (Pairing.household_id == Household.id) & Pairing.end_on.is_(None))
        .outerjoin(Cadre, Cadre.id == Pairing.cadre_id)
        .outerjoin(HelpingUnit, HelpingUnit.id == Cadre.unit_id)
        .order_by(township.sort_order, township.id, village.sort_order, village.id, Household.number)
    )
    if area is not None:
        statement = statement.where(Household.id.in_(ids))
        if area.level != "group":
            # Implied by `ids`, but tells PostgreSQL's planner how few villages (hence households) are wanted:
            # without it, it joins every household of the county before filtering (0.7 s instead of 10 ms).
            statement = statement.where(village.path.startswith(area.path))
    return statement


def rows(session: Session, area: Area | None = None) -> list[Row]:
    """All rows of the table for an area (county, township or village; None: the whole database)."""
    return list(stream(session, area))


def stream(session: Session, area: Area | None = None) -> Iterator[Row]:
    """The rows one by one, fetched from the database in batches (bounded memory for a whole county)."""
    result = session.execute(query(area).execution_options(yield_per=FETCH))
    for values in result:
        yield Row(*values)


def count(session: Session, area: Area | None = None) -> tuple[int, int]:
    """(households, households with a current helper) of the area."""
    ids = households_in(area)
    households = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    paired = session.scalar(
        select(func.count()).select_from(Pairing).where(Pairing.end_on.is_(None), Pairing.household_id.in_(ids))
    )
    return households, paired or 0


def by_village(table: list[Row]) -> list[list[Row]]:
    """The rows of each village, in the table's order."""
    return [list(group) for _, group in groupby(table, key=lambda r: r.village_id)]
