"""The two-notices-one-announcement workflow: batches, their households, stages in fixed order, objections.

Every rule of the procedure is enforced here; `why_not` tells the GUI in Chinese why a step is not allowed yet.
Functions work inside the caller's session and transaction (`with db.transaction() as s:`), so issuing the
announcement and the registry changes it causes are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from povdesk import codes
from povdesk.bulk import bulk_insert
from povdesk.errors import NotFound, RuleViolation
from povdesk.model import Area, Household, Member, NoticeBatch, NoticeItem, NoticeStage, Objection
from povdesk.notices import kinds
from povdesk.notices import settings as notice_settings
from povdesk.stats import households_in

STAGES: tuple[str, ...] = tuple(codes.NOTICE_STAGE.codes)
NOTICE_STAGES = frozenset({"village_notice", "township_notice", "county_announcement"})  # posted, with a period
ANNOUNCEMENT = "county_announcement"
CHUNK = 900  # ids per IN (...) list, below every database's parameter limit


def stage_label(stage: str) -> str:
    return codes.NOTICE_STAGE.label_of(stage)


def date_text(day: dt.date) -> str:
    """Dates as Chinese documents write them: 2019年12月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class StageInfo:
    """One row of the timeline as the GUI shows it."""

    stage: str
    label: str
    state: str  # pending, running (notice period not over), ended (notice over), done (review recorded)
    started_on: dt.date | None
    ended_on: dt.date | None
    period_days: int | None
    issuer: str | None
    note: str | None
    open_objections: int

    @property
    def summary(self) -> str:
        if self.started_on is None:
            return "未开始"
        if self.stage in NOTICE_STAGES:
            word = "公告" if self.stage == ANNOUNCEMENT else "公示"
            return f"{word}{date_text(self.started_on)}至{date_text(self.ended_on)}（{self.period_days}天）"
        return f"{date_text(self.started_on)}完成" + (f"：{self.note}" if self.note else "")


# -- batches -----------------------------------------------------------------------------------------------------
def batch_title(batch: NoticeBatch, area: Area, subjects: dict[str, str] | None = None) -> str:
    subject = (subjects or notice_settings.SUBJECTS).get(batch.kind, codes.NOTICE_KIND.label_of(batch.kind))
    return f"{area.name}{batch.year}年{subject}"


def create_batch(
    session: Session, *, kind: str, year: int, area: Area, household_ids: Sequence[int] | None = None, user: str = ""
) -> NoticeBatch:
    """A new batch with its five stages; households proposed from the registry unless given."""
    if kind not in codes.NOTICE_KIND:
        raise RuleViolation(f"未知的公示类型“{kind}”，可用：{'、'.join(c.label for c in codes.NOTICE_KIND)}")
    if not 2010 <= year <= 2100:
        raise RuleViolation(f"年度“{year}”不合理")
    batch = NoticeBatch(kind=kind, year=year, area_id=area.id)
    batch.title = batch_title(batch, area, notice_settings.load(session).subjects)
    session.add(batch)
    for seq, stage in enumerate(STAGES, start=1):
        session.add(NoticeStage(batch=batch, stage=stage, seq=seq))
    session.flush()
    proposed = household_ids is None
    ids = kinds.propose(session, kind, year, area) if proposed else list(household_ids)
    add_households(session, batch, ids, check_eligibility=not proposed, user=user)
    return batch


def get_batch(session: Session, batch_id: int) -> NoticeBatch:
    batch = session.get(NoticeBatch, batch_id)
    if batch is None:
        raise NotFound(f"公示批次 {batch_id} 不存在，可能已被删除")
    return batch


def find_batches(session: Session, *, area: Area | None = None, year: int | None = None) -> list[NoticeBatch]:
    """Batches of an area and everything under it (or all), newest year first."""
    query = select(NoticeBatch).join(Area, Area.id == NoticeBatch.area_id)
    if area is not None:
        query = query.where(Area.path.startswith(area.path))
    if year is not None:
        query = query.where(NoticeBatch.year == year)
    return list(session.scalars(query.order_by(NoticeBatch.year.desc(), Area.path, NoticeBatch.id)))


def find_batch(session: Session, kind: str, year: int, area: Area) -> NoticeBatch | None:
    """The latest batch of exactly this kind, year and area."""
    query = select(NoticeBatch).where(
        NoticeBatch.kind == kind, NoticeBatch.year == year, NoticeBatch.area_id == area.id
    )
    return session.scalars(query.order_by(NoticeBatch.id.desc()).limit(1)).first()


def batches_for(session: Session, kind: str, year: int, area: Area) -> list[NoticeBatch]:
    """The batches holding the households of `area`: the latest one of the area or of an area above it, else
    the batches of the areas under it (e.g. one per village of a township)."""
    above = [int(p) for p in area.path.strip("/").split("/")]
    query = select(NoticeBatch).where(NoticeBatch.kind == kind, NoticeBatch.year == year)
    covering = session.scalars(
        query.join(Area, Area.id == NoticeBatch.area_id).where(NoticeBatch.area_id.in_(above))
        .order_by(func.length(Area.path).desc(), NoticeBatch.id.desc()).limit(1)
    ).first()  # fmt: skip
    if covering is not None:
        return [covering]
    below = query.join(Area, Area.id == NoticeBatch.area_id).where(Area.path.startswith(area.path))
    return list(session.scalars(below.order_by(Area.path, NoticeBatch.id)))


def delete_batch(session: Session, batch: NoticeBatch) -> None:
    """Only a batch not yet posted may be deleted; after that its record is evidence and stays."""
    if stage_row(batch, "village_notice").started_on is not None:
        raise RuleViolation("村公示已开始的批次不能删除；如不再进行，请撤回其中的农户")
    session.delete(batch)


# -- households of a batch ----------------------------------------------------------------------------------------
def chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _describe(session: Session, household_id: int) -> str:
    row = session.execute(
        select(Household.number, Member.name)
        .outerjoin(Member, (Member.household_id == Household.id) & (Member.relation == "head"))
        .where(Household.id == household_id)
    ).first()
    if row is None:
        return f"户 {household_id}"
    return f"{row.name or ''}（户编号 {row.number}）"


def add_households(
    session: Session,
    batch: NoticeBatch,
    household_ids: Sequence[int],
    *,
    check_eligibility: bool = True,
    user: str = "",
) -> int:
    """Put households on the batch before the village notice starts; all or none. Returns how many were added."""
    if stage_row(batch, "village_notice").started_on is not None:
        raise RuleViolation("村公示已开始，不能再增加农户。新的农户请另建一个公示批次，从村公示开始")
    ids = list(dict.fromkeys(household_ids))
    area = session.get(Area, batch.area_id)
    problems: list[str] = []
    existing = {item.household_id: item for item in batch.items}
    for chunk in chunks(ids):
        inside = set(
            session.scalars(select(Household.id).where(Household.id.in_(chunk), Household.id.in_(households_in(area))))
        )
        others = dict(
            session.execute(
                select(NoticeItem.household_id, NoticeBatch.title)
                .join(NoticeBatch, NoticeBatch.id == NoticeItem.batch_id)
                .where(
                    NoticeItem.household_id.in_(chunk), NoticeItem.withdrawn_on.is_(None), NoticeBatch.kind == batch.kind,
                    NoticeBatch.completed_on.is_(None), NoticeBatch.id != batch.id,
                )
            ).all()
        )  # fmt: skip
        for hid in chunk:
            if hid not in inside:
                problems.append(f"{_describe(session, hid)}不在{area.name}")
            elif hid in others:
                problems.append(f"{_describe(session, hid)}已在“{others[hid]}”批次中")
            elif check_eligibility:
                reason = kinds.not_eligible(session, batch, session.get(Household, hid))
                if reason:
                    problems.append(f"{_describe(session, hid)}{reason}")
    if problems:
        more = f"等{len(problems)}户" if len(problems) > 10 else ""
        raise RuleViolation("以下农户不能加入本批次：\n" + "\n".join(problems[:10]) + (f"\n……{more}" if more else ""))
    added = 0
    for hid in ids:
        item = existing.get(hid)
        if item is not None and item.withdrawn_on is not None:
            item.withdrawn_on, item.withdrawn_reason = None, None
            added += 1
    new = [{"batch_id": batch.id, "household_id": hid} for hid in ids if hid not in existing]
    session.flush()
    bulk_insert(session, NoticeItem, new)  # a county's exit list is 20,000 rows: not one ORM object each
    if new:
        session.expire(batch, ["items"])
    return added + len(new)


def withdraw(session: Session, batch: NoticeBatch, household_id: int, reason: str, on: dt.date) -> NoticeItem:
    """Take a household off the batch with the reason (kept on record); not after the announcement."""
    if batch.completed_on is not None:
        raise RuleViolation("县公告已发布，不能再撤回农户")
    if not (reason or "").strip():
        raise RuleViolation("撤回农户必须填写原因")
    item = session.scalar(
        select(NoticeItem).where(NoticeItem.batch_id == batch.id, NoticeItem.household_id == household_id)
    )
    if item is None:
        raise NotFound(f"{_describe(session, household_id)}不在本批次中")
    if item.withdrawn_on is not None:
        raise RuleViolation(f"{_describe(session, household_id)}已于{date_text(item.withdrawn_on)}撤回")
    item.withdrawn_on, item.withdrawn_reason = on, reason.strip()
    return item


def active_household_ids(session: Session, batch: NoticeBatch, *, as_of_stage: str | None = None) -> list[int]:
    """Households on the batch; for a stage already posted, those that were on it when it was posted."""
    query = select(NoticeItem.household_id).where(NoticeItem.batch_id == batch.id)
    started = stage_row(batch, as_of_stage).started_on if as_of_stage else None
    if started is None:
        query = query.where(NoticeItem.withdrawn_on.is_(None))
    else:
        query = query.where(NoticeItem.withdrawn_on.is_(None) | (NoticeItem.withdrawn_on > started))
    return list(session.scalars(query))


def counts(session: Session, batch: NoticeBatch) -> tuple[int, int]:
    """(households, persons) on the batch now; persons are current members."""
    ids = select(NoticeItem.household_id).where(NoticeItem.batch_id == batch.id, NoticeItem.withdrawn_on.is_(None))
    households = session.scalar(select(func.count()).select_from(ids.subquery()))
    persons = session.scalar(
        select(func.count()).select_from(Member).where(Member.household_id.in_(ids), Member.removed_on.is_(None))
    )
    return households, persons


# -- stages ----------------------------------------------------------------------------------------------------------
def stage_row(batch: NoticeBatch, stage: str) -> NoticeStage:
    for row in batch.stages:
        if row.stage == stage:
            return row
    raise RuleViolation(f"未知的公示环节“{stage}”")


def _open_objections(session: Session, batch: NoticeBatch, stage: str) -> int:
    query = select(func.count()).select_from(Objection)
    return session.scalar(
        query.where(Objection.batch_id == batch.id, Objection.stage == stage, Objection.resolved_on.is_(None))
    )


def stage_info(session: Session, batch: NoticeBatch, today: dt.date | None = None) -> list[StageInfo]:
    today = today or dt.date.today()
    result = []
    for row in sorted(batch.stages, key=lambda r: r.seq):
        if row.started_on is None:
            state = "pending"
        elif row.stage in NOTICE_STAGES:
            state = "running" if row.ended_on >= today else "ended"
        else:
            state = "done"
        result.append(StageInfo(row.stage, stage_label(row.stage), state, row.started_on, row.ended_on,
                                row.period_days, row.issuer, row.note, _open_objections(session, batch, row.stage)))  # fmt: skip
    return result


def earliest_start(batch: NoticeBatch, stage: str) -> dt.date | None:
    """The first day a stage may start: the day after the previous notice ends, or the day of the previous review."""
    index = STAGES.index(stage)
    if index == 0:
        return None
    previous = stage_row(batch, STAGES[index - 1])
    if previous.ended_on is None:
        return None
    return previous.ended_on + dt.timedelta(days=1) if previous.stage in NOTICE_STAGES else previous.ended_on


def why_not(
    session: Session, batch: NoticeBatch, stage: str, on: dt.date | None = None, today: dt.date | None = None
) -> str | None:
    """Why `stage` cannot be started (on date `on`), in Chinese for the clerk; None when it can."""
    today = today or dt.date.today()
    row = stage_row(batch, stage)
    label = stage_label(stage)
    if row.started_on is not None:
        return f"“{label}”已于{date_text(row.started_on)}开始"
    if batch.completed_on is not None:
        return "县公告已发布，本批次已结束"
    index = STAGES.index(stage)
    if index > 0:
        previous = stage_row(batch, STAGES[index - 1])
        plabel = stage_label(previous.stage)
        if previous.started_on is None:
            return f"请先完成“{plabel}”"
        if previous.stage in NOTICE_STAGES and previous.ended_on >= today:
            return f"“{plabel}”的公示期到{date_text(previous.ended_on)}才结束，结束后才能进行“{label}”"
        pending = _open_objections(session, batch, previous.stage)
        if pending:
            return f"“{plabel}”期间收到的{pending}条异议尚未处理完毕，处理后才能进行“{label}”"
    if not active_household_ids(session, batch):
        return "本批次中没有农户"
    first = earliest_start(batch, stage)
    if on is not None and first is not None and on < first:
        return f"“{label}”的日期不能早于{date_text(first)}"
    if on is not None and stage not in NOTICE_STAGES and on > today:
        return f"“{label}”的日期不能晚于今天"
    return None


def start_stage(
    session: Session, batch: NoticeBatch, stage: str, on: dt.date, *, period_days: int | None = None,
    issuer: str | None = None, note: str | None = None, user: str = "", today: dt.date | None = None,
) -> NoticeStage:  # fmt: skip
    """Start a notice (its period runs from `on`) or record a review/approval done on `on`. Issuing the county
    announcement also changes the households' statuses in the registry, with the batch as the reason."""
    reason = why_not(session, batch, stage, on, today)
    if reason:
        raise RuleViolation(reason)
    row = stage_row(batch, stage)
    if stage in NOTICE_STAGES:
        days = period_days or notice_settings.load(session).period_days
        if not 1 <= days <= 60:
            raise RuleViolation(f"公示期应在1至60天之间，现为{days}天")
        row.period_days, row.ended_on = days, on + dt.timedelta(days=days - 1)
    else:
        row.period_days, row.ended_on = None, on
    row.started_on, row.issuer, row.note, row.recorded_by = on, issuer, note, user or None
    if stage == ANNOUNCEMENT:
        ids = active_household_ids(session, batch)
        households = [
            h for chunk in chunks(ids) for h in session.scalars(select(Household).where(Household.id.in_(chunk)))
        ]
        kinds.apply_announcement(session, batch, households, on, f"{batch.title}公告", user)
        batch.completed_on = on
    session.flush()
    return row


def undo_stage(session: Session, batch: NoticeBatch, stage: str) -> None:
    """Clear a stage entered by mistake: only the latest one, never the announcement, not once objections exist."""
    row = stage_row(batch, stage)
    if row.started_on is None:
        raise RuleViolation(f"“{stage_label(stage)}”尚未开始")
    if stage == ANNOUNCEMENT:
        raise RuleViolation("县公告已发布并已改变农户状态，不能撤销")
    later = [r for r in batch.stages if r.seq > row.seq and r.started_on is not None]
    if later:
        raise RuleViolation(f"请先撤销“{stage_label(later[-1].stage)}”")
    if session.scalar(
        select(func.count()).select_from(Objection).where(Objection.batch_id == batch.id, Objection.stage == stage)
    ):
        raise RuleViolation(f"“{stage_label(stage)}”已登记异议，不能撤销")
    row.started_on = row.ended_on = row.period_days = None
    row.issuer = row.note = row.recorded_by = None


# -- objections -------------------------------------------------------------------------------------------------------
def record_objection(
    session: Session, batch: NoticeBatch, stage: str, *, received_on: dt.date, content: str,
    raised_by: str | None = None, household_id: int | None = None,
) -> Objection:  # fmt: skip
    """An objection received during a notice period (who, what; about which household)."""
    row = stage_row(batch, stage)
    label = stage_label(stage)
    if stage not in NOTICE_STAGES:
        raise RuleViolation(f"“{label}”不是公示环节，异议应在公示期内登记")
    if row.started_on is None:
        raise RuleViolation(f"“{label}”尚未开始，不能登记异议")
    if not row.started_on <= received_on <= row.ended_on:
        raise RuleViolation(
            f"异议受理日期{date_text(received_on)}不在“{label}”期内（{date_text(row.started_on)}至{date_text(row.ended_on)}）"
        )
    if not (content or "").strip():
        raise RuleViolation("请填写异议内容")
    if household_id is not None and household_id not in {i.household_id for i in batch.items}:
        raise RuleViolation(f"{_describe(session, household_id)}不在本批次中")
    objection = Objection(batch_id=batch.id, stage=stage, household_id=household_id, received_on=received_on,
                          raised_by=(raised_by or "").strip() or None, content=content.strip())  # fmt: skip
    session.add(objection)
    session.flush()
    return objection


def resolve_objection(
    session: Session, objection_id: int, *, resolution: str, on: dt.date, withdraw_household: bool = False
) -> Objection:
    """Record how an objection was resolved; optionally withdraw the household it was about."""
    objection = session.get(Objection, objection_id)
    if objection is None:
        raise NotFound(f"异议 {objection_id} 不存在")
    if objection.resolved_on is not None:
        raise RuleViolation(f"该异议已于{date_text(objection.resolved_on)}处理")
    if not (resolution or "").strip():
        raise RuleViolation("请填写处理结果")
    if on < objection.received_on:
        raise RuleViolation(f"处理日期不能早于受理日期{date_text(objection.received_on)}")
    if withdraw_household:
        if objection.household_id is None:
            raise RuleViolation("该异议没有指明农户，无法撤回")
        withdraw(
            session,
            get_batch(session, objection.batch_id),
            objection.household_id,
            f"异议核实：{resolution.strip()}",
            on,
        )
    objection.resolution, objection.resolved_on = resolution.strip(), on
    return objection


def objections(session: Session, batch: NoticeBatch) -> list[Objection]:
    query = select(Objection).where(Objection.batch_id == batch.id)
    return list(session.scalars(query.order_by(Objection.received_on, Objection.id)))


def household_ids_by_number(session: Session, numbers: Sequence[str]) -> list[int]:
    """Household ids for household numbers (户编号) as a clerk pastes them; unknown numbers are an error."""
    numbers = [n.strip() for n in numbers if n.strip()]
    found: dict[str, int] = {}
    for part in chunks(numbers):
        found.update(session.execute(select(Household.number, Household.id).where(Household.number.in_(part))).all())
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise NotFound(f"找不到户编号：{'、'.join(unknown[:10])}{'等' if len(unknown) > 10 else ''}")
    return [found[n] for n in numbers]
