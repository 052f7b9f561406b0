"""What a roster gave as written: the values to verify (待核实) and the kept columns, named for the clerk; what a
saved draft settles of them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk.households.draft import FIELD_LABELS, HouseholdDraft, MemberDraft
from povdesk.model import Household, Member
from povdesk.roster.kept import header_of
from povdesk.roster.layout import BY_KEY


def field_name(key: str) -> str:
    """The official name of a field a value to verify belongs to: "work_status" → 务工状况."""
    column = BY_KEY.get(key)
    return column.header if column is not None else FIELD_LABELS.get(key, key)


def kept_values(draft: HouseholdDraft) -> list[tuple[MemberDraft | None, str, str]]:
    """(member, or None for the household; header; value) of every kept column, the household's first."""
    rows: list[tuple[MemberDraft | None, str, str]] = [(None, header_of(k), v) for k, v in draft.extra.items()]
    for member in draft.members:
        rows.extend((member, header_of(k), v) for k, v in member.extra.items())
    return rows


def _without(values: dict | None, keys: set[str]) -> dict | None:
    return {k: v for k, v in (values or {}).items() if k not in keys} or None


def store_review(session: Session, draft: HouseholdDraft, household: Household) -> None:
    """Drop the unverified texts the draft settles from the saved household and members, then recompute the
    household's needs_review from what is left on it and on its current members.

    Applied to the rows as they are now, so an entry a roster import added meanwhile is kept.
    """
    settled = draft.settled()
    if settled:
        household.unverified = _without(household.unverified, settled)
    for row in draft.members:
        settled = row.settled()
        if row.id is not None and settled:
            member = session.get(Member, row.id)
            member.unverified = _without(member.unverified, settled)
    session.flush()
    left = session.scalars(
        select(Member.unverified).where(Member.household_id == household.id, Member.removed_on.is_(None))
    )
    household.needs_review = bool(household.unverified) or any(left)
