"""Saving a household draft: one transaction that writes the changes and a ChangeLog entry for each of them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from povdesk import db_errors, history, idnumber
from povdesk.db import Database
from povdesk.errors import DatabaseError, NotFound
from povdesk.households.draft import (
    CODE_FIELDS,
    FIELD_LABELS,
    HOUSEHOLD_FIELDS,
    ConflictField,
    EditConflict,
    HouseholdDraft,
    MeasureDraft,
    MemberDraft,
    VersionConflict,
    YearDraft,
    recompute,
)
from povdesk.households.review import store_review
from povdesk.households.status import MONITOR_ACTIONS, StatusChange
from povdesk.households.validation import ValidationFailed, validate
from povdesk.model import AssistanceMeasure, ChangeLog, Household, HouseholdYear, Member, MonitoredHousehold
from povdesk.names import pinyin_keys

_TEXT_FIELDS = {"number", "address", "phone", "bank_name", "bank_account", "name", "id_number", "content"}


def _clean(name: str, value: Any) -> Any:
    if name in _TEXT_FIELDS and isinstance(value, str):
        value = value.strip()
        if name == "id_number":
            value = idnumber.normalize(value)
        return value or (None if name not in ("number", "name", "content") else "")
    return value


def _check_unchanged_since_load(obj: Any, row: Any, names: list[str], what: str) -> None:
    """Refuse to overwrite a field that someone else saved after this draft was loaded."""
    for name in names:
        if row.original is not None and getattr(obj, name) != row.original[name]:
            now = getattr(obj, name)
            shown = CODE_FIELDS[name].label_of(now) if name in CODE_FIELDS else ("" if now is None else str(now))
            raise EditConflict(
                f"{what}的“{_label(name)}”已被其他人修改并保存（现为“{shown}”）。"
                "为免覆盖他人的修改，本次未保存任何内容；请关闭编辑窗口后重新打开该户再修改"
            )


def _label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def _shown(name: str, value: Any) -> str:
    if name in CODE_FIELDS:
        return CODE_FIELDS[name].label_of(value) or ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _last_writer(session: Session, household_id: int) -> str:
    """Who saved the household last, as its history says."""
    user = session.scalar(
        select(ChangeLog.user).where(ChangeLog.household_id == household_id).order_by(ChangeLog.id.desc()).limit(1)
    )
    return user or "其他人"


def _check_versions(session: Session, draft: HouseholdDraft, household: Household) -> None:
    """Refuse a save from a draft loaded before someone else saved the household (or a member it changes).

    Every writer bumps `version` (the ORM on each UPDATE, Core writers by `version = version + 1`); the household
    row is locked (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) so the check cannot race with another save.
    """
    stale: list[tuple[str, Any, Any, Any]] = []  # (key, draft row, saved object, label of the row)
    if (draft.changed_fields() or draft.status_changes) and household.version != draft.version:
        stale.append(("household", draft, household, "该户"))
    members = {m.id: m for m in household.members}
    for row in draft.members:
        if row.id is None or not row.changed_fields():
            continue
        member = members.get(row.id)
        if member is not None and member.version != row.version:
            stale.append((row.id, row, member, f"成员“{row.original['name']}”"))
    if not stale:
        return
    fields, versions, saved = [], {}, {}
    for key, row, obj, what in stale:
        versions[key] = obj.version
        saved[key] = {name: getattr(obj, name) for name in row.FIELDS}
        for name in row.FIELDS:
            mine, theirs = getattr(row, name), getattr(obj, name)
            if mine != theirs:
                fields.append(ConflictField(what, _label(name), _shown(name, mine), _shown(name, theirs)))
    by = _last_writer(session, household.id)
    raise VersionConflict(
        f"这户刚被“{by}”修改过（在您打开之后保存），为免覆盖他人的修改，本次未保存任何内容。"
        "请对比双方的内容，选择保留您的修改或采用已保存的内容",
        by=by, fields=fields, versions=versions, saved=saved,
    )  # fmt: skip


def rebase(draft: HouseholdDraft, conflict: VersionConflict) -> None:
    """The clerk keeps their version: take the saved versions, so that the next save writes the draft over them.

    Every field of a stale row whose saved value differs from the draft is then a change of this draft.
    """
    rows = {"household": draft, **{m.id: m for m in draft.members if m.id is not None}}
    for key, version in conflict.versions.items():
        row = rows.get(key)
        if row is None:
            continue
        row.version = version
        row.original = dict(conflict.saved[key])


class _Writer:
    def __init__(self, session: Session, draft: HouseholdDraft, user: str) -> None:
        self.s = session
        self.draft = draft
        self.user = user
        self.household: Household | None = None

    @property
    def hid(self) -> int:
        return self.household.id

    def log(self, **kwargs: Any) -> ChangeLog:
        return history.record(self.s, household_id=self.hid, user=self.user, **kwargs)

    # -- the household ---------------------------------------------------------------------------------------------
    def household_row(self) -> None:
        draft = self.draft
        values = {name: _clean(name, getattr(draft, name)) for name in HOUSEHOLD_FIELDS}
        if draft.id is None:
            self.household = Household(**values)
            self.s.add(self.household)
            self.s.flush()
            identified = next((c for c in draft.status_changes if c.action == "identified"), None)
            self.log(
                kind="created",
                new=draft.status,
                effective_on=identified.on if identified else dt.date.today(),
                reason=identified.reason if identified else "新建农户档案",
            )
            return
        self.household = self.s.get(Household, draft.id, with_for_update=True)
        if self.household is None:
            raise NotFound(f"户编号为{draft.original['number']}的户已被删除，无法保存")
        _check_versions(self.s, draft, self.household)
        changed = [name for name in draft.changed_fields() if name in HOUSEHOLD_FIELDS]
        history.apply_changes(
            self.s, self.household, {name: values[name] for name in changed}, household_id=self.hid, user=self.user
        )

    def status_change(self, change: StatusChange) -> None:
        household = self.household
        if change.action == "identified":
            if self.draft.id is not None:  # a new household's identification is its "created" entry
                self.log(
                    kind="status", field="status", old=None, new="poor", effective_on=change.on, reason=change.reason
                )
                self.log(
                    kind="status", field="year_identified", old=household.year_identified, new=change.on.year,
                    effective_on=change.on, reason=change.reason,
                )  # fmt: skip
            household.year_identified = change.on.year
            household.status = "poor"
            return
        if change.action in ("exited", "returned"):
            new = change.action
            self.log(
                kind="status", field="status", old=household.status, new=new, effective_on=change.on,
                reason=change.reason,
            )  # fmt: skip
            if new == "exited":
                if household.year_exited != change.on.year:
                    self.log(
                        kind="status", field="year_exited", old=household.year_exited, new=change.on.year,
                        effective_on=change.on, reason=change.reason,
                    )  # fmt: skip
                household.year_exited = change.on.year
            household.status = new
            return
        if change.action in MONITOR_ACTIONS:
            kind = MONITOR_ACTIONS[change.action]
            self.s.add(
                MonitoredHousehold(household_id=self.hid, type=kind, identified_on=change.on, risk=change.reason)
            )
            self.log(kind="monitoring", field="type", new=kind, effective_on=change.on, reason=change.reason)
            return
        self.s.flush()
        episode = self.s.scalars(
            select(MonitoredHousehold)
            .where(MonitoredHousehold.household_id == self.hid, MonitoredHousehold.risk_eliminated_on.is_(None))
            .order_by(MonitoredHousehold.identified_on.desc(), MonitoredHousehold.id.desc())
        ).first()
        if episode is None:
            raise EditConflict("该户的监测记录已被其他人标注风险消除；本次未保存任何内容，请重新打开该户")
        episode.risk_eliminated_on = change.on
        self.log(
            kind="monitoring", field="risk_eliminated_on", new=change.on, effective_on=change.on, reason=change.reason
        )

    # -- members ---------------------------------------------------------------------------------------------------
    def member(self, row: MemberDraft) -> None:
        values = {name: _clean(name, getattr(row, name)) for name in row.FIELDS}
        if row.id is None:
            member = Member(household_id=self.hid, **values)
            member.name_pinyin, member.name_initials = pinyin_keys(member.name)
            self.s.add(member)
            self.s.flush()
            self.log(kind="member_added", member_id=member.id, field="name", new=member.name,
                     reason=row.added_reason or None, effective_on=row.added_on)  # fmt: skip
            if member.removed_on:  # added and removed in one sitting: still two facts
                self.log(
                    kind="member_removed", member_id=member.id, field="removed_reason", new=member.removed_reason,
                    effective_on=member.removed_on,
                )  # fmt: skip
            return
        member = self.s.get(Member, row.id)
        if member is None or member.household_id != self.hid:
            raise EditConflict(f"成员“{row.name}”已被其他人移出本户；本次未保存任何内容，请重新打开该户")
        changed = row.changed_fields()
        removal = {name: values[name] for name in ("removed_on", "removed_reason") if name in changed}
        edits = {name: values[name] for name in changed if name not in removal}
        history.apply_changes(
            self.s, member, edits, household_id=self.hid, user=self.user, kind="member_changed", member_id=member.id
        )
        if "name" in edits:
            member.name_pinyin, member.name_initials = pinyin_keys(member.name)
        if removal:
            old_reason = member.removed_reason
            member.removed_on, member.removed_reason = row.removed_on, row.removed_reason
            self.log(
                kind="member_removed" if row.removed_on else "member_changed", member_id=member.id,
                field="removed_reason", old=old_reason, new=row.removed_reason, effective_on=row.removed_on,
            )  # fmt: skip

    # -- years, measures, episodes ----------------------------------------------------------------------------------
    def year(self, row: YearDraft, default_persons: int) -> None:
        if row.id is not None and not row.changed_fields():
            return
        # Figures are stored as computed at saving time, with the persons they were divided by.
        row = dataclasses.replace(row, persons=row.persons or default_persons)
        recompute(row, default_persons)
        changed = row.changed_fields()
        values = {name: getattr(row, name) for name in row.FIELDS}
        if row.id is None:
            self.s.add(HouseholdYear(household_id=self.hid, year=row.year, **values))
            for name in changed:
                self.log(kind="field", field=f"year:{row.year}:{name}", new=values[name])
            return
        obj = self.s.get(HouseholdYear, row.id)
        _check_unchanged_since_load(obj, row, changed, f"{row.year}年度数据")
        for name in changed:
            self.log(kind="field", field=f"year:{row.year}:{name}", old=getattr(obj, name), new=values[name])
            setattr(obj, name, values[name])

    def measure(self, row: MeasureDraft) -> None:
        values = {name: _clean(name, getattr(row, name)) for name in row.FIELDS}
        if row.id is None:
            obj = AssistanceMeasure(household_id=self.hid, **values)
            self.s.add(obj)
            self.s.flush()
            self.log(kind="field", field=f"measure:{obj.id}", new=row.summary())
            return
        obj = self.s.get(AssistanceMeasure, row.id)
        if obj is None:
            raise EditConflict("一项帮扶措施已被其他人删除；本次未保存任何内容，请重新打开该户")
        changed = row.changed_fields()
        _check_unchanged_since_load(obj, row, changed, "帮扶措施")
        for name in changed:
            self.log(kind="field", field=f"measure:{obj.id}:{name}", old=getattr(obj, name), new=values[name])
            setattr(obj, name, values[name])

    def removed_measure(self, row: MeasureDraft) -> None:
        obj = self.s.get(AssistanceMeasure, row.id)
        if obj is not None:
            self.log(kind="field", field=f"measure:{obj.id}", old=row.summary(), new=None)
            self.s.delete(obj)


def save(db: Database, draft: HouseholdDraft, user: str = "") -> int:
    """Validate and write the draft in one transaction with its history; returns the household id.

    Raises ValidationFailed (every problem listed), EditConflict, NotFound or DatabaseError; on any error nothing
    is written. Reload the draft after a successful save.
    """
    try:
        return _save(db, draft, user)
    except StaleDataError:
        # Another writer changed the row between this session's read and its UPDATE (the version_id_col check).
        raise EditConflict(
            "这户刚被其他人修改并保存，为免覆盖他人的修改，本次未保存任何内容；请关闭后重新打开该户再修改"
        ) from None
    except IntegrityError:
        # Someone saved the same household number, ID number or data year in the meantime.
        raise EditConflict(
            "保存时发现户编号、身份证号或年度数据刚被其他人登记，本次未保存任何内容；请关闭后重新打开该户核对"
        ) from None
    except OperationalError as exc:
        explained = db_errors.explain(exc)
        if isinstance(explained, db_errors.DatabaseBusy):
            raise explained from None
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(f"写入数据库失败，本次未保存任何内容：{reason}") from None


def _save(db: Database, draft: HouseholdDraft, user: str) -> int:
    with db.transaction() as session:
        problems = validate(draft, session)
        if problems:
            raise ValidationFailed(problems)
        writer = _Writer(session, draft, user)
        writer.household_row()
        for change in draft.status_changes:
            writer.status_change(change)
        for row in draft.members:
            if row.id is None or row.changed_fields():
                writer.member(row)
        store_review(session, draft, writer.household)
        persons = len(draft.active_members())
        for row in draft.years:
            writer.year(row, persons)
        for row in draft.removed_measures:
            writer.removed_measure(row)
        for row in draft.measures:
            if row.id is None or row.changed_fields():
                writer.measure(row)
        session.flush()
        return writer.hid
