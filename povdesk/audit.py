"""The audit log: every write through the ORM recorded by one session hook (who, when in UTC, what, old → new).

One mechanism, not per feature: an `after_flush` listener on every Session records each insert, update and delete of
each mapped table into audit_log, with the changed columns' old and new values as JSON. Core bulk writes (roster and
sheet imports) bypass the ORM; they write one entry per import through `entry()`, the same function.

Not audited: audit_log itself, and change_log, the household history, which only ever grows and is itself a record of
the changes the hook sees on household and member.
"""

from __future__ import annotations

import datetime as dt
import decimal
import getpass
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, event, insert, inspect, or_, select
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE

from povdesk.model import AuditLog
from povdesk.model.security import utc_now

USER = "user"  # session.info key: the user (a name, or a callable giving it) every entry is written under
SKIPPED = {"audit_log", "change_log"}  # see the module docstring
# what the log calls an ORM write; imports and other named actions keep their own action codes
ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除"}
# What a clerk calls the records of each table; a table not listed shows its own name
ENTITY_LABELS = {
    "household": "户", "member": "家庭成员", "household_year": "年度收入与保障", "assistance_measure": "帮扶措施",
    "monitored_household": "监测记录", "pairing": "结对", "visit": "走访", "visit_kind": "走访内容", "cadre": "帮扶干部",
    "helping_unit": "帮扶单位", "unit_village": "单位包村", "work_team": "驻村工作队", "work_team_member": "工作队队员",
    "notice_batch": "公示批次", "notice_stage": "公示环节", "notice_item": "公示农户", "objection": "异议",
    "area": "区划", "area_population": "农村人口", "monitoring_line": "监测收入线", "setting": "设置",
    "app_user": "用户", "pairing_scheme": "结对方案", "pairing_quota": "结对方案定额",
}  # fmt: skip
# Fields of the tables outside the household editor (whose labels are households.draft.FIELD_LABELS)
_MORE_LABELS = {
    "cadre_id": "帮扶干部", "household_id": "户", "start_on": "开始日期", "end_on": "结束日期", "end_reason": "结束原因",
    "visited_on": "走访日期", "created_by": "经办人", "version": "版本", "village_id": "所在村", "unit_id": "帮扶单位",
    "area_id": "区划", "value": "内容", "key": "设置项", "active": "在用", "role": "角色", "rank": "职级",
    "needs_review": "待核实", "unverified": "待核实的原值", "extra": "其他字段",
    "replan": "重新规划", "added": "新增结对", "ended": "结束结对", "file": "文件", "sheet": "工作表",
    "households_added": "新增户数", "households_updated": "更新户数", "persons_added": "新增人数",
    "persons_updated": "更新人数", "rejected": "未导入行数",
}  # fmt: skip


def now() -> dt.datetime:
    """The time of an entry: naive UTC, written by Python on both databases (never a server default)."""
    return utc_now()


def set_user(db, user: str | Callable[[], str]) -> None:
    """Name the user of every session `db` opens from now on: the logged-in user, or the 经办人 setting.

    Called once by the GUI after the login and by the command line; a callable is asked at each write, so a 经办人
    renamed in the settings is recorded from the next write on.
    """
    info = dict(db.session_factory.kw.get("info") or {})
    info[USER] = user
    db.session_factory.configure(info=info)


def user_of(session: Session) -> str:
    user = session.info.get(USER)
    if callable(user):
        user = user()
    return user or getpass.getuser()


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dict, list)):
        return value
    return str(value)


def entry(
    session: Session,
    action: str,
    entity: str | None,
    entity_id: int | None = None,
    detail: dict | None = None,
    *,
    household_id: int | None = None,
    user: str | None = None,
) -> AuditLog:
    """Add one named entry (an import, a merge…) to the session: the way every non-ORM write is audited."""
    row = AuditLog(
        at=now(),
        user=user or user_of(session),
        action=action,
        entity=entity,
        entity_id=entity_id,
        household_id=household_id,
        detail=None if detail is None else json.dumps(detail, ensure_ascii=False),
    )
    session.add(row)
    return row


def _row(mapper, action: str, obj: Any, changes: dict, at: dt.datetime, user: str) -> dict:
    table = mapper.persist_selectable.name
    key = mapper.primary_key_from_instance(obj)
    entity_id = key[0] if len(key) == 1 and isinstance(key[0], int) else None
    detail = changes if entity_id is not None else {"key": [_plain(k) for k in key], **changes}
    household_id = entity_id if table == "household" else obj.__dict__.get("household_id")  # never a lazy load
    return dict(at=at, user=user, action=action, entity=table, entity_id=entity_id, household_id=household_id,
                detail=json.dumps(detail, ensure_ascii=False))  # fmt: skip


_COLUMN_KEYS: dict[Any, frozenset[str] | None] = {}
_UNRECORDED = {"version", "updated_at", "created_at"}  # bookkeeping, not data


def _keys(mapper) -> frozenset[str] | None:
    """The recorded columns of a mapped class; None for a table that is not audited."""
    if mapper not in _COLUMN_KEYS:
        skipped = mapper.persist_selectable.name in SKIPPED
        _COLUMN_KEYS[mapper] = None if skipped else frozenset(a.key for a in mapper.column_attrs) - _UNRECORDED
    return _COLUMN_KEYS[mapper]


def _value(value: Any) -> Any:
    return None if value is NO_VALUE or value is NEVER_SET else _plain(value)


@event.listens_for(Session, "after_flush")
def _record(session: Session, _flush: UOWTransaction) -> None:
    """Record what this flush wrote. After the flush, new rows have their ids, and each row's committed state still
    holds the values it replaced: the old values come from there, so only the changed columns are looked at."""
    if not (session.new or session.dirty or session.deleted):
        return
    at, user, rows = now(), None, []
    for action, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            state = inspect(obj)
            keys = _keys(state.mapper)
            if keys is None:
                continue
            values = state.dict
            if action == "update":
                changes = {}
                for key, old in state.committed_state.items():
                    if key in keys:
                        old, new = _value(old), _value(values.get(key))
                        if old != new:
                            changes[key] = [old, new]
                if not changes:
                    continue
                detail = {"changes": changes}
            else:
                found = {k: _plain(v) for k, v in values.items() if k in keys and v is not None}
                detail = {"new": found} if action == "insert" else {"old": found}
            user = user or user_of(session)
            rows.append(_row(state.mapper, action, obj, detail, at, user))
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


# -- reading -----------------------------------------------------------------------------------------------------------
@dataclass
class Filter:
    user: str | None = None
    since: dt.datetime | None = None  # UTC, inclusive
    until: dt.datetime | None = None  # UTC, exclusive
    entity: str | None = None  # a table name, or an import's entity
    action: str | None = None
    household_id: int | None = None


def query(where: Filter) -> Select:
    """The ids of the entries `where` selects, newest first (a lazy view fetches rows by id)."""
    stmt = select(AuditLog.id).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if where.user:
        stmt = stmt.where(AuditLog.user == where.user)
    if where.since is not None:
        stmt = stmt.where(AuditLog.at >= where.since)
    if where.until is not None:
        stmt = stmt.where(AuditLog.at < where.until)
    if where.entity:
        stmt = stmt.where(AuditLog.entity == where.entity)
    if where.action:
        stmt = stmt.where(AuditLog.action == where.action)
    if where.household_id is not None:
        stmt = stmt.where(
            or_(AuditLog.household_id == where.household_id,
                (AuditLog.entity == "household") & (AuditLog.entity_id == where.household_id))
        )  # fmt: skip
    return stmt


def entries(session: Session, ids: list[int]) -> list[AuditLog]:
    """The entries of these ids (a page of the lazy view), in no particular order."""
    return list(session.scalars(select(AuditLog).where(AuditLog.id.in_(ids))))


def users(session: Session) -> list[str]:
    return list(session.scalars(select(AuditLog.user).group_by(AuditLog.user).order_by(AuditLog.user)))


def entities(session: Session) -> list[str]:
    return [
        e for e in session.scalars(select(AuditLog.entity).group_by(AuditLog.entity).order_by(AuditLog.entity)) if e
    ]


def describe(row: AuditLog) -> str:
    """One line of what an entry changed: "phone: 139… → 138…; address: … → …", or an import's figures."""
    try:
        detail = json.loads(row.detail) if row.detail else {}
    except ValueError:
        return row.detail or ""
    if not isinstance(detail, dict):
        return str(detail)
    if "changes" in detail:
        return "；".join(f"{_label(k)}：{_text(old)} → {_text(new)}" for k, (old, new) in detail["changes"].items())
    if "new" in detail:
        return "；".join(f"{_label(k)}={_text(v)}" for k, v in detail["new"].items() if k != "id")
    if "old" in detail:
        return "；".join(f"{_label(k)}={_text(v)}" for k, v in detail["old"].items() if k != "id")
    return "；".join(f"{_label(k)}={_text(v)}" for k, v in detail.items())


def entity_label(entity: str | None) -> str:
    return ENTITY_LABELS.get(entity or "", entity or "")


def _label(field_name: str) -> str:
    from povdesk.households.draft import FIELD_LABELS  # the editor's words; draft imports the model this module hooks

    return FIELD_LABELS.get(field_name) or _MORE_LABELS.get(field_name, field_name)


def _text(value: Any) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
