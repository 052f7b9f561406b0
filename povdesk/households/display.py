"""A household's change history as rows for display: who, when, what, old → new with Chinese labels, why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk import codes
from povdesk.areas import deleted_area_names
from povdesk.households.draft import CODE_FIELDS, FIELD_LABELS
from povdesk.households.status import status_label
from povdesk.model import Area, ChangeLog, Member

AREA_FIELDS = ("village_id", "group_id")


@dataclass(frozen=True)
class HistoryRow:
    id: int
    at: dt.datetime | None
    user: str
    kind: str  # codes.CHANGE_KIND
    kind_label: str
    what: str
    old: str
    new: str
    effective_on: dt.date | None
    reason: str


def field_label(field: str | None) -> str:
    """The Chinese name of a logged field, including per-year ("year:2020:wage_income") and measure fields."""
    if not field:
        return ""
    parts = field.split(":")
    if parts[0] == "year" and len(parts) == 3:
        return f"{parts[1]}年度 · {FIELD_LABELS.get(parts[2], parts[2])}"
    if parts[0] == "measure":
        return "帮扶措施" + (f" · {FIELD_LABELS.get(parts[2], parts[2])}" if len(parts) == 3 else "")
    return FIELD_LABELS.get(field, field)


def value_label(field: str | None, value: str | None, areas: dict[int, str] | None = None) -> str:
    """A stored value as the clerk reads it: code lists by their labels, areas by their names, money with commas."""
    if value is None:
        return ""
    name = (field or "").split(":")[-1]
    if name == "status":
        return status_label(value)
    if name in CODE_FIELDS:
        return CODE_FIELDS[name].label_of(value)
    if name in AREA_FIELDS and areas is not None and value.isdigit():
        return areas.get(int(value), value)
    if name.endswith(("_income", "_cost")) or name == "amount":
        try:
            return f"{float(value):,.2f}"
        except ValueError:
            return value
    return value


def history(session: Session, household_id: int) -> list[HistoryRow]:
    """Every ChangeLog entry of the household, newest first."""
    rows = session.execute(
        select(ChangeLog, Member.name)
        .outerjoin(Member, Member.id == ChangeLog.member_id)
        .where(ChangeLog.household_id == household_id)
        .order_by(ChangeLog.at.desc(), ChangeLog.id.desc())
    ).all()
    area_ids = {
        int(value)
        for entry, _ in rows
        if entry.field in AREA_FIELDS
        for value in (entry.old_value, entry.new_value)
        if value and value.isdigit()
    }
    areas = dict(session.execute(select(Area.id, Area.name).where(Area.id.in_(area_ids))).all()) if area_ids else {}
    if area_ids - set(areas):  # a village merged into another no longer exists: its name from the audit log
        areas.update(deleted_area_names(session, area_ids - set(areas)))
    out = []
    for entry, member_name in rows:
        if entry.kind == "created":
            what = "建立档案"
        elif entry.kind in ("member_added", "member_removed"):
            what = member_name or entry.new_value or ""
        elif entry.member_id is not None or entry.kind == "member_changed":
            what = f"{member_name or '成员'} · {field_label(entry.field)}"
        else:
            what = field_label(entry.field)
        old, new = entry.old_value, entry.new_value
        if entry.kind == "member_added":
            old, new = None, None
        out.append(
            HistoryRow(
                id=entry.id,
                at=entry.at,
                user=entry.user or "",
                kind=entry.kind,
                kind_label=codes.CHANGE_KIND.label_of(entry.kind),
                what=what,
                old=value_label(entry.field, old, areas),
                new=value_label("status" if entry.kind == "created" else entry.field, new, areas),
                effective_on=entry.effective_on,
                reason=entry.reason or "",
            )
        )
    return out
