"""Visits (走访): helpers record each visit and what it brought (the "four sends"); the office follows up helpers
who have not visited their households in N months (the office-wide setting "pairing.visit_months").

Who may be recorded as the visitor: any cadre. A visit by a cadre who never helped the household is allowed with a
warning, because first secretaries, work-team members and township cadres visit households they are not paired
with, and a register that refuses real visits loses them; but picking the wrong name from a list is the commoner
mistake, so the clerk confirms it. Only visits by a household's current helper count for the follow-up list.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from povdesk import codes, office_settings, registry
from povdesk.errors import NotFound, PovDeskError
from povdesk.model import Area, Cadre, HelpingUnit, Household, Member, Pairing, Visit, VisitKind
from povdesk.stats import households_in

MONTHS_SETTING = "pairing.visit_months"
DEFAULT_MONTHS = 6
MAX_MONTHS = 36
NOTE_LENGTH = 500


@dataclass
class VisitDraft:
    household_id: int | None = None
    cadre_id: int | None = None
    visited_on: dt.date | None = None
    kinds: list[str] = field(default_factory=list)  # codes.VISIT_KIND
    note: str = ""


@dataclass(frozen=True)
class VisitRow:
    id: int
    visited_on: dt.date
    household_id: int
    household_number: str
    head: str
    village: str
    cadre_id: int
    cadre: str
    unit: str
    kinds: list[str]
    note: str
    created_by: str

    @property
    def kinds_text(self) -> str:
        order = codes.VISIT_KIND.codes  # 送温暖、送政策、送技术、送项目, as the "four sends" are always said
        ordered = sorted(self.kinds, key=lambda k: order.index(k) if k in order else len(order))
        return "、".join(codes.VISIT_KIND.label_of(k) for k in ordered)


@dataclass(frozen=True)
class Overdue:
    """A current helper with no visit to any of their households since the cut-off."""

    cadre_id: int
    cadre: str
    rank: str
    position: str
    phone: str
    households: int  # helped today (in the area)
    last_visit: dt.date | None  # their last visit to one of those households, ever


@dataclass(frozen=True)
class UnitOverdue:
    unit_id: int | None
    unit: str  # the unit, or "乡镇干部（某镇）" for township cadres without one
    helpers: list[Overdue]


# -- the setting ----------------------------------------------------------------------------------------------------
def visit_months(session: Session) -> int:
    """N of "no visit in the last N months" (default 6), shared by every clerk of the database."""
    stored = office_settings.read(session, MONTHS_SETTING)
    if stored is None:
        return DEFAULT_MONTHS
    try:
        value = int(json.loads(stored))
    except (TypeError, ValueError):
        return DEFAULT_MONTHS
    return value if 1 <= value <= MAX_MONTHS else DEFAULT_MONTHS


def set_visit_months(session: Session, months: int) -> None:
    if not 1 <= int(months) <= MAX_MONTHS:
        raise PovDeskError(f"走访提醒的月数应在 1 到 {MAX_MONTHS} 之间（填写的是 {months}）")
    office_settings.write(session, MONTHS_SETTING, json.dumps(int(months)))


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (31 March less one month is the last day of February)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# -- recording ------------------------------------------------------------------------------------------------------
def _helped(session: Session, cadre_id: int, household_id: int) -> bool:
    return session.scalar(
        select(func.count())
        .select_from(Pairing)
        .where(Pairing.cadre_id == cadre_id, Pairing.household_id == household_id)
    ) > 0  # fmt: skip


def check_visit(session: Session, draft: VisitDraft, today: dt.date | None = None) -> list[str]:
    """Raise a PovDeskError for what makes the visit impossible; return warnings the clerk should confirm."""
    today = today or dt.date.today()
    if draft.household_id is None:
        raise PovDeskError("请选择走访的农户")
    household = session.get(Household, draft.household_id)
    if household is None:
        raise NotFound("所选农户不存在，可能已被他人删除")
    if draft.cadre_id is None:
        raise PovDeskError("请选择走访干部")
    cadre = session.get(Cadre, draft.cadre_id)
    if cadre is None:
        raise NotFound("所选干部不存在，可能已被他人删除")
    if draft.visited_on is None:
        raise PovDeskError("请填写走访日期")
    if draft.visited_on > today:
        raise PovDeskError(f"走访日期{draft.visited_on:%Y年%m月%d日}晚于今天，只能登记已经完成的走访")
    unknown = [k for k in draft.kinds if k not in codes.VISIT_KIND]
    if unknown:
        raise PovDeskError(f"未知的走访内容“{'、'.join(unknown)}”")
    if not draft.kinds:
        raise PovDeskError("请至少勾选一项走访内容（送温暖、送政策、送技术、送项目）")
    if len(draft.note.strip()) > NOTE_LENGTH:
        raise PovDeskError(f"备注太长（{len(draft.note.strip())}字），请控制在{NOTE_LENGTH}字以内")
    warnings = []
    if not _helped(session, cadre.id, household.id):
        warnings.append(f"{cadre.name}不是户编号{household.number}的帮扶责任人（现在和过去都不是）")
    if not cadre.active:
        warnings.append(f"{cadre.name}已停用")
    same_day = session.scalar(
        select(func.count())
        .select_from(Visit)
        .where(Visit.cadre_id == cadre.id, Visit.household_id == household.id, Visit.visited_on == draft.visited_on)
    )
    if same_day:
        warnings.append(f"{cadre.name}在{draft.visited_on:%Y年%m月%d日}走访该户的记录已经登记过")
    return warnings


def record_visit(session: Session, draft: VisitDraft, *, user: str, today: dt.date | None = None) -> Visit:
    """Store the visit (the caller has had the clerk confirm the warnings of `check_visit`)."""
    check_visit(session, draft, today)
    visit = Visit(cadre_id=draft.cadre_id, household_id=draft.household_id, visited_on=draft.visited_on,
                  note=draft.note.strip() or None, created_by=user or "",
                  kinds=[VisitKind(kind=k) for k in dict.fromkeys(draft.kinds)])  # fmt: skip
    session.add(visit)
    session.flush()
    return visit


def delete_visit(session: Session, visit_id: int) -> None:
    """Remove a visit entered by mistake (visits are a register of facts, not history to keep)."""
    visit = session.get(Visit, visit_id)
    if visit is not None:
        session.delete(visit)
        session.flush()


def current_helper(session: Session, household_id: int) -> int | None:
    """The cadre helping the household today."""
    return session.scalar(
        select(Pairing.cadre_id).where(Pairing.household_id == household_id, Pairing.end_on.is_(None))
    )


# -- lists ----------------------------------------------------------------------------------------------------------
def _visits(household_id: int | None, cadre_id: int | None, area: Area | None, since: dt.date | None) -> Select:
    stmt = select(Visit.id)
    if household_id is not None:
        stmt = stmt.where(Visit.household_id == household_id)
    if cadre_id is not None:
        stmt = stmt.where(Visit.cadre_id == cadre_id)
    if area is not None and area.parent_id is not None:
        stmt = stmt.where(Visit.household_id.in_(households_in(area)))
    if since is not None:
        stmt = stmt.where(Visit.visited_on >= since)
    return stmt


def visit_ids(session: Session, *, household_id: int | None = None, cadre_id: int | None = None,
              area_id: int | None = None, since: dt.date | None = None) -> list[int]:  # fmt: skip
    """Ids of the visits of a household, a cadre or an area (its households), newest first."""
    area = session.get(Area, area_id) if area_id is not None else None
    stmt = _visits(household_id, cadre_id, area, since).order_by(Visit.visited_on.desc(), Visit.id.desc())
    return list(session.scalars(stmt))


def fetch_visit_rows(session: Session, ids: list[int]) -> dict[int, VisitRow]:
    if not ids:
        return {}
    head = aliased(Member)
    village = aliased(Area)
    rows = session.execute(
        select(Visit, Household.number, head.name, village.name, Cadre.name, HelpingUnit.name)
        .options(selectinload(Visit.kinds))
        .join(Household, Household.id == Visit.household_id)
        .join(village, village.id == Household.village_id)
        .join(head, (head.household_id == Household.id) & (head.relation == "head") & head.removed_on.is_(None),
              isouter=True)
        .join(Cadre, Cadre.id == Visit.cadre_id)
        .join(HelpingUnit, HelpingUnit.id == Cadre.unit_id, isouter=True)
        .where(Visit.id.in_(ids))
    ).all()  # fmt: skip
    return {
        v.id: VisitRow(v.id, v.visited_on, v.household_id, number, head_name or "", village_name, v.cadre_id, cadre,
                       unit or "", v.kind_codes, v.note or "", v.created_by or "")
        for v, number, head_name, village_name, cadre, unit in rows
    }  # fmt: skip


def list_visits(session: Session, **filters) -> list[VisitRow]:
    """Every visit matching `visit_ids(**filters)`, newest first (for a household or a cadre: a short list)."""
    ids = visit_ids(session, **filters)
    rows = fetch_visit_rows(session, ids)
    return [rows[i] for i in ids if i in rows]


def helpers_without_visit(session: Session, months: int, today: dt.date | None = None,
                          area: Area | int | None = None) -> list[UnitOverdue]:  # fmt: skip
    """Current helpers (of households of the area) with no visit to any of their current households in the last
    `months` months, grouped by unit, those who never visited or visited longest ago first.

    A helper whose every current pairing started after the cut-off has not had the N months yet and is left out.
    """
    today = today or dt.date.today()
    cutoff = months_before(today, months)
    if isinstance(area, int):
        area = session.get(Area, area)
    current = select(Pairing.cadre_id, Pairing.household_id, Pairing.start_on).where(Pairing.end_on.is_(None))
    if area is not None and area.parent_id is not None:
        current = current.where(Pairing.household_id.in_(households_in(area)))
    current = current.subquery()
    helpers = session.execute(
        select(current.c.cadre_id, func.count(), func.min(current.c.start_on)).group_by(current.c.cadre_id)
    ).all()
    last = dict(
        session.execute(
            select(Visit.cadre_id, func.max(Visit.visited_on))
            .join(current, (current.c.cadre_id == Visit.cadre_id) & (current.c.household_id == Visit.household_id))
            .where(Visit.visited_on <= today)
            .group_by(Visit.cadre_id)
        ).all()
    )
    overdue = {
        cadre_id: (n, last.get(cadre_id))
        for cadre_id, n, first_start in helpers
        if first_start <= cutoff and (last.get(cadre_id) is None or last[cadre_id] < cutoff)
    }
    if not overdue:
        return []
    home = aliased(Area)
    groups: dict[tuple[int | None, str], list[Overdue]] = {}
    pinyin: dict[int, str] = {}
    # every cadre's columns in one pass (plain tuples): faster than tens of thousands of ids in IN lists
    for cadre_id, name, name_pinyin, rank, position, phone, unit_id, unit, home_name in session.execute(
        select(Cadre.id, Cadre.name, Cadre.name_pinyin, Cadre.rank, Cadre.position, Cadre.phone, Cadre.unit_id,
               HelpingUnit.name, home.name)
        .join(HelpingUnit, HelpingUnit.id == Cadre.unit_id, isouter=True)
        .join(home, home.id == Cadre.home_area_id, isouter=True)
    ):  # fmt: skip
        if cadre_id not in overdue:
            continue
        label = unit or (f"乡镇干部（{home_name}）" if home_name else "未填工作单位")
        n, last_visit = overdue[cadre_id]
        pinyin[cadre_id] = name_pinyin or name
        groups.setdefault((unit_id, label), []).append(
            Overdue(cadre_id, name, rank, position or "", phone or "", n, last_visit)
        )
    result = []
    for (unit_id, label), rows in sorted(groups.items(), key=lambda g: g[0][1]):
        rows.sort(key=lambda r: (r.last_visit is not None, r.last_visit or dt.date.min, pinyin[r.cadre_id], r.cadre_id))
        result.append(UnitOverdue(unit_id, label, rows))
    return result


@dataclass(frozen=True)
class HouseholdChoice:
    id: int
    number: str
    head: str
    place: str  # 乡镇 村
    helper_id: int | None  # the current helper


def find_households(session: Session, text: str, limit: int = 50) -> list[HouseholdChoice]:
    """Households whose number or a member's name (or initials, or ID number) matches, for the visit dialog."""
    text = text.strip()
    if not text:
        return []
    ids = registry.household_ids(session, registry.RegistryQuery(text=text))[:limit]
    return household_choices(session, ids)


def household_choices(session: Session, ids: list[int]) -> list[HouseholdChoice]:
    rows = registry.fetch_rows(session, ids, None)
    helpers = dict(
        session.execute(
            select(Pairing.household_id, Pairing.cadre_id).where(
                Pairing.household_id.in_(ids), Pairing.end_on.is_(None)
            )
        ).all()
    )
    return [
        HouseholdChoice(i, rows[i].number, rows[i].head, f"{rows[i].township} {rows[i].village}", helpers.get(i))
        for i in ids
        if i in rows
    ]


def area_label(session: Session, area_id: int | None) -> str:
    area = session.get(Area, area_id) if area_id is not None else None
    return area.name if area is not None else "全县"


def households_of_cadre(session: Session, cadre_id: int) -> list[HouseholdChoice]:
    """The households the cadre helps today, by household number."""
    ids = session.scalars(
        select(Pairing.household_id)
        .join(Household, Household.id == Pairing.household_id)
        .where(Pairing.cadre_id == cadre_id, Pairing.end_on.is_(None))
        .order_by(Household.number)
    ).all()
    return household_choices(session, list(ids))
