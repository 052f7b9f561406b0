"""Recording changes: every edit of a household or member leaves a ChangeLog row (who, when, old → new, why)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from povdesk.model import ChangeLog

_MOMENT = "povdesk_change_time"


def _moment(session: Session) -> dt.datetime:
    """The UTC time (naive) of the session's current transaction: one save, one moment in the history.

    UTC on both databases, written here rather than by a server default; the screens show it in local time."""
    if _MOMENT not in session.info:
        session.info[_MOMENT] = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return session.info[_MOMENT]


moment = _moment  # for the bulk writers of ChangeLog rows


def local_day_start(day: dt.date) -> dt.datetime:
    """The UTC moment (naive, as stored) at which the local day `day` begins on this computer."""
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC).replace(tzinfo=None)


@event.listens_for(Session, "after_transaction_end")
def _forget_moment(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_MOMENT, None)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def record(
    session: Session,
    *,
    household_id: int | None,
    kind: str,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    member_id: int | None = None,
    reason: str | None = None,
    effective_on: dt.date | None = None,
    user: str = "",
    notice_batch_id: int | None = None,
    at: dt.datetime | None = None,
) -> ChangeLog:
    """Append one change (kind from codes.CHANGE_KIND); values are stored as text, codes as codes.

    The time is UTC at the first change of the transaction, set here: the column's server default is UTC on
    SQLite but local on PostgreSQL.
    """
    entry = ChangeLog(
        at=at or _moment(session),
        household_id=household_id,
        member_id=member_id,
        kind=kind,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        reason=reason,
        effective_on=effective_on,
        user=user,
        notice_batch_id=notice_batch_id,
    )
    session.add(entry)
    return entry


def apply_changes(
    session: Session,
    obj: Any,
    values: dict[str, Any],
    *,
    household_id: int,
    user: str = "",
    kind: str = "field",
    member_id: int | None = None,
    reason: str | None = None,
) -> list[str]:
    """Set the attributes of `obj` that differ from `values`, recording each; returns the names changed.

    A change of `status` is recorded with kind "status" whatever `kind` says.
    """
    changed = []
    for name, new in values.items():
        old = getattr(obj, name)
        if old == new:
            continue
        setattr(obj, name, new)
        record(
            session,
            household_id=household_id,
            member_id=member_id,
            kind="status" if name == "status" else kind,
            field=name,
            old=old,
            new=new,
            reason=reason,
            user=user,
        )
        changed.append(name)
    return changed
