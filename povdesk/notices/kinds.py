"""What each kind of notice batch means: which households the registry proposes, who may be added, and what
issuing the county announcement changes in the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import and_, exists, extract, func, select
from sqlalchemy.orm import Session

from povdesk import codes, history
from povdesk.model import Area, ChangeLog, Household, MonitoredHousehold, NoticeBatch
from povdesk.stats import households_in


def _year_of(column, year: int):
    return extract("year", column) == year


def _returned_in(year: int):
    """A recorded change of status to "returned" effective in that year."""
    return exists().where(
        ChangeLog.household_id == Household.id,
        ChangeLog.kind == "status",
        ChangeLog.new_value == "returned",
        _year_of(ChangeLog.effective_on, year),
    )


def _episode(*conditions):
    return exists().where(MonitoredHousehold.household_id == Household.id, *conditions)


def proposal_condition(kind: str, year: int):
    """The registry's answer to "who belongs on this notice", as a SQL condition on Household."""
    if kind == "exit":
        return and_(Household.status.in_(codes.EXITED), Household.year_exited == year)
    if kind == "identify":
        return Household.year_identified == year
    if kind == "return":
        return and_(Household.status == "returned", _returned_in(year))
    if kind == "monitor_identify":
        return _episode(_year_of(MonitoredHousehold.identified_on, year))
    if kind == "risk_eliminated":
        return _episode(_year_of(MonitoredHousehold.risk_eliminated_on, year))
    raise ValueError(kind)


def latest_year(session: Session, kind: str, area: Area) -> int | None:
    """The latest year for which the registry proposes households of this kind in the area (the year a new batch
    most likely is for), or None."""
    ids = households_in(area)
    if kind == "exit":
        query = select(func.max(Household.year_exited)).where(Household.status.in_(codes.EXITED))
        query = query.where(Household.id.in_(ids))
    elif kind == "identify":
        query = select(func.max(Household.year_identified)).where(Household.id.in_(ids))
    elif kind == "return":
        query = select(func.max(extract("year", ChangeLog.effective_on))).where(
            ChangeLog.household_id.in_(ids), ChangeLog.kind == "status", ChangeLog.new_value == "returned"
        )
    else:
        column = (
            MonitoredHousehold.identified_on if kind == "monitor_identify" else MonitoredHousehold.risk_eliminated_on
        )
        query = select(func.max(extract("year", column))).where(MonitoredHousehold.household_id.in_(ids))
    year = session.scalar(query)
    return int(year) if year is not None else None


def propose(session: Session, kind: str, year: int, area: Area) -> list[int]:
    """Ids of the households of the area the registry proposes for a batch, in household-number order."""
    query = (
        select(Household.id)
        .where(Household.id.in_(households_in(area)), proposal_condition(kind, year))
        .order_by(Household.number)
    )
    return list(session.scalars(query))


def not_eligible(session: Session, batch: NoticeBatch, household: Household) -> str | None:
    """Why this household cannot be on the batch (in Chinese), or None if it can."""
    kind, year = batch.kind, batch.year
    status = codes.STATUS.label_of(household.status)
    if kind == "exit":
        if household.status is None:
            return "不是建档立卡贫困户，不能退出"
        if household.status in codes.EXITED and household.year_exited != year:
            return f"已于{household.year_exited}年脱贫"
    elif kind == "identify":
        if household.status is not None and household.year_identified not in (None, year):
            return f"已于{household.year_identified}年识别为贫困户（{status}）"
    elif kind == "return":
        if household.status not in (*codes.EXITED, "returned"):
            return f"当前为“{status or '非建档立卡户'}”，只有已脱贫户才能认定返贫"
    elif kind == "monitor_identify":
        if not _has_episode(session, household.id, MonitoredHousehold.risk_eliminated_on.is_(None)):
            return "没有正在监测的记录，请先登记监测对象"
    elif kind == "risk_eliminated":
        open_or_this_year = MonitoredHousehold.risk_eliminated_on.is_(None) | _year_of(
            MonitoredHousehold.risk_eliminated_on, year
        )
        if not _has_episode(session, household.id, open_or_this_year):
            return "没有需要消除风险的监测记录"
    return None


def _has_episode(session: Session, household_id: int, condition) -> bool:
    query = select(MonitoredHousehold.id).where(MonitoredHousehold.household_id == household_id, condition)
    return session.scalar(query.limit(1)) is not None


def _set(session, household: Household, values: dict, *, batch: NoticeBatch, on: dt.date, reason: str, user: str):
    for name, new in values.items():
        old = getattr(household, name)
        if old == new:
            continue
        setattr(household, name, new)
        history.record(
            session, household_id=household.id, kind="status" if name == "status" else "field", field=name, old=old,
            new=new, reason=reason, effective_on=on, user=user, notice_batch_id=batch.id,
        )  # fmt: skip


def apply_announcement(
    session: Session, batch: NoticeBatch, households: Iterable[Household], on: dt.date, reason: str, user: str = ""
) -> int:
    """Change the registry as the announcement decides, recording each change with the batch; returns how many
    households changed. Runs inside the caller's transaction."""
    changed = 0
    for household in households:
        n = len(session.new)  # every change adds a ChangeLog row
        if batch.kind == "exit":
            # a household that has exited already (不再享受政策 included) keeps its status; only the year is decided
            status = household.status if household.status in codes.EXITED else "exited"
            values = {"status": status, "year_exited": batch.year}
            _set(session, household, values, batch=batch, on=on, reason=reason, user=user)
        elif batch.kind == "identify":
            values = {"year_identified": batch.year}
            if household.status is None:
                values["status"] = "poor"
            _set(session, household, values, batch=batch, on=on, reason=reason, user=user)
        elif batch.kind == "return":
            _set(session, household, {"status": "returned"}, batch=batch, on=on, reason=reason, user=user)
        elif batch.kind == "monitor_identify":
            history.record(session, household_id=household.id, kind="monitoring", field="monitoring",
                           new="纳入监测（公告）", reason=reason, effective_on=on, user=user,
                           notice_batch_id=batch.id)  # fmt: skip
        elif batch.kind == "risk_eliminated":
            episodes = session.scalars(
                select(MonitoredHousehold).where(
                    MonitoredHousehold.household_id == household.id, MonitoredHousehold.risk_eliminated_on.is_(None)
                )
            )
            for episode in episodes:
                episode.risk_eliminated_on = on
                history.record(session, household_id=household.id, kind="monitoring", field="risk_eliminated_on",
                               new=on, reason=reason, effective_on=on, user=user,
                               notice_batch_id=batch.id)  # fmt: skip
        changed += len(session.new) > n
    return changed
