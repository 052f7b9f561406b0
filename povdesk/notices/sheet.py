"""What a notice sheet says: per village (or for the whole batch) the title, issuing body, text, dates and rows.

Pure data, no PDF: povdesk.pdf.notice_sheet lays it out. Only columns from settings.COLUMNS can appear, and the
ID number is always masked, so nothing here can put a full ID number, phone or bank account on a notice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from povdesk import codes, idnumber
from povdesk.errors import RuleViolation
from povdesk.model import Area, Household, HouseholdYear, Member, MonitoredHousehold, NoticeBatch
from povdesk.notices import settings as notice_settings
from povdesk.notices.workflow import (
    ANNOUNCEMENT,
    NOTICE_STAGES,
    active_household_ids,
    chunks,
    date_text,
    earliest_start,
    stage_row,
)
from povdesk.stats import households_in

RIGHT_ALIGNED = {"seq", "persons", "income"}


@dataclass
class Section:
    """One posted sheet: for a village notice, one village."""

    title: str
    issuer: str
    text: str
    date: dt.date
    columns: list[tuple[str, str]]  # (code, header)
    rows: list[list[str]]
    households: int
    persons: int
    village: str = ""

    @property
    def date_text(self) -> str:
        return date_text(self.date)

    @property
    def totals_text(self) -> str:
        return f"共 {self.households} 户 {self.persons} 人"


@dataclass
class Sheet:
    stage: str
    kind: str
    year: int
    sections: list[Section] = field(default_factory=list)
    font_size: float = 10.5

    @property
    def households(self) -> int:
        return sum(s.households for s in self.sections)


@dataclass
class Row:
    household_id: int
    number: str
    village_id: int
    village: str
    village_order: int
    township: str
    group: str
    group_order: int
    head: str
    id_number: str | None
    attribute: str | None
    cause: str | None
    status: str | None
    persons: int = 0
    income: float | None = None
    monitor_type: str | None = None
    risk: str | None = None

    def value(self, column: str, seq: int) -> str:
        if column == "seq":
            return str(seq)
        if column == "id":
            return idnumber.mask(self.id_number)
        if column == "income":
            return "" if self.income is None else f"{self.income:,.0f}"
        simple = {
            "village": self.village, "township": self.township, "group": self.group, "head": self.head,
            "number": self.number, "persons": str(self.persons), "attribute": codes.ATTRIBUTE.label_of(self.attribute),
            "cause": codes.CAUSE.label_of(self.cause), "status": codes.STATUS.label_of(self.status),
            "monitor_type": codes.MONITOR_TYPE.label_of(self.monitor_type), "risk": self.risk or "",
        }  # fmt: skip
        return simple[column]


def load_rows(session: Session, batch: NoticeBatch, ids: list[int]) -> list[Row]:
    village, township, group = aliased(Area), aliased(Area), aliased(Area)
    head = aliased(Member)
    rows: dict[int, Row] = {}
    for chunk in chunks(ids):
        query = (
            select(
                Household.id,
                Household.number,
                Household.village_id,
                village.name,
                village.sort_order,
                township.name,
                group.name,
                group.sort_order,
                head.name,
                head.id_number,
                Household.attribute,
                Household.main_cause,
                Household.status,
            )  # fmt: skip
            .join(village, village.id == Household.village_id)
            .outerjoin(township, township.id == village.parent_id)
            .outerjoin(group, group.id == Household.group_id)
            .outerjoin(
                head, (head.household_id == Household.id) & (head.relation == "head") & head.removed_on.is_(None)
            )
            .where(Household.id.in_(chunk))
        )
        for r in session.execute(query):
            if r[0] not in rows:
                rows[r[0]] = Row(r[0], r[1], r[2], r[3], r[4], r[5] or "", r[6] or "", r[7] or 0, r[8] or "", *r[9:])
        members = select(Member.household_id, func.count()).where(
            Member.household_id.in_(chunk), Member.removed_on.is_(None)
        )
        for hid, n in session.execute(members.group_by(Member.household_id)):
            rows[hid].persons = n
        figures = select(HouseholdYear.household_id, HouseholdYear.persons, HouseholdYear.per_capita_income).where(
            HouseholdYear.household_id.in_(chunk), HouseholdYear.year == batch.year
        )
        for hid, persons, income in session.execute(figures):
            rows[hid].persons = persons or rows[hid].persons  # household size in the data year of the notice
            rows[hid].income = income
        episodes = select(MonitoredHousehold.household_id, MonitoredHousehold.type, MonitoredHousehold.risk).where(
            MonitoredHousehold.household_id.in_(chunk)
        )
        for hid, kind, risk in session.execute(episodes.order_by(MonitoredHousehold.identified_on)):
            rows[hid].monitor_type, rows[hid].risk = kind, risk  # the latest episode
    return sorted(rows.values(), key=lambda r: (r.village_order, r.village_id, r.group_order, r.number))


def planned_start(batch: NoticeBatch, stage: str, today: dt.date) -> dt.date:
    """The stage's start date, or for a stage not yet started the first day it could start (not before today)."""
    row = stage_row(batch, stage)
    if row.started_on is not None:
        return row.started_on
    first = earliest_start(batch, stage)
    return max(today, first) if first else today


def build(
    session: Session, batch: NoticeBatch, stage: str, *, within: Area | None = None, today: dt.date | None = None,
    settings: notice_settings.NoticeSettings | None = None,
) -> Sheet:  # fmt: skip
    """The sheet of a notice stage: one section per village for the village and township notices, one for the
    county announcement; `within` keeps only the households of one area (a village of a township batch).
    A stage not yet started gets its earliest possible dates, so a draft can be printed."""
    if stage not in NOTICE_STAGES:
        raise RuleViolation("只有村公示、乡镇公示和县公告有公示单")
    settings = settings or notice_settings.load(session)
    today = today or dt.date.today()
    area = session.get(Area, batch.area_id)
    chain = _ancestors(session, area)
    row = stage_row(batch, stage)
    start = planned_start(batch, stage, today)
    days = row.period_days or settings.period_days
    end = row.ended_on or start + dt.timedelta(days=days - 1)
    ids = active_household_ids(session, batch, as_of_stage=stage)
    if within is not None and within.id != area.id:
        inside = set(session.scalars(households_in(within)))
        ids = [i for i in ids if i in inside]
    rows = load_rows(session, batch, ids)
    if not rows:
        raise RuleViolation(f"“{batch.title}”在此范围内没有农户，无法生成公示单")
    template = settings.stages[stage]
    context = dict(county=chain.get("county", ""), year=batch.year, subject=settings.subjects[batch.kind],
                   list_name=settings.list_names[batch.kind], days=days, start=date_text(start), end=date_text(end),
                   hotline=settings.hotline)  # fmt: skip
    base_columns = settings.columns_for(batch.kind)
    sheet = Sheet(stage, batch.kind, batch.year, font_size=settings.font_size)
    if stage == ANNOUNCEMENT:
        groups = {None: rows}
    else:
        groups = defaultdict(list)
        for r in rows:
            groups[r.village_id].append(r)
    for key, members in groups.items():
        first = members[0]
        villages = {r.village_id for r in members}
        townships = {r.township for r in members}
        place = first.village if len(villages) == 1 else (first.township if len(townships) == 1 else area.name)
        ctx = dict(context, township=first.township if len(townships) == 1 else chain.get("township", ""),
                   village=first.village if key is not None or len(villages) == 1 else place, place=place)  # fmt: skip
        ctx.update(households=len(members), persons=sum(r.persons for r in members))
        # a village's sheet names the village's own contact; the township's and the county's the office-wide one
        village_id = key if stage == "village_notice" and key is not None else None
        ctx["contact"] = notice_settings.contact_text(settings.contact_for(village_id))
        issuer = (row.issuer if len(groups) == 1 else None) or template.issuer.format(**ctx)
        ctx["issuer"] = issuer
        ctx["address"] = settings.address.format(**ctx)
        columns = _columns(base_columns, len(villages) > 1, len(townships) > 1)
        sheet.sections.append(
            Section(
                title=template.title.format(**ctx), issuer=issuer, text=_as_laid_out(template.text.format(**ctx)),
                date=start,
                columns=[(c, notice_settings.COLUMNS[c]) for c in columns],
                rows=[[r.value(c, i) for c in columns] for i, r in enumerate(members, start=1)],
                households=ctx["households"], persons=ctx["persons"], village=place,
            )
        )  # fmt: skip
    return sheet


def _as_laid_out(text: str) -> str:
    """The list follows the text directly on the sheet: templates saved before say it is attached (附后)."""
    return text.replace("名单附后", "名单如下")


def _columns(columns: list[str], many_villages: bool, many_townships: bool) -> list[str]:
    """A sheet covering several villages (or townships) says which one each household is in."""
    result = list(columns)
    where = 1 if result and result[0] == "seq" else 0
    if many_villages and "village" not in result:
        result.insert(where, "village")
    if many_townships and "township" not in result:
        result.insert(where, "township")
    return result


def _ancestors(session: Session, area: Area) -> dict[str, str]:
    """Names of the area and the areas above it, by level."""
    ids = [int(p) for p in area.path.strip("/").split("/") if p]
    return {a.level: a.name for a in session.scalars(select(Area).where(Area.id.in_(ids)))}


def merge(sheets: list[Sheet]) -> Sheet:
    """Several batches' sheets of one stage printed as one document (one section each)."""
    first = sheets[0]
    return Sheet(first.stage, first.kind, first.year, [s for sheet in sheets for s in sheet.sections], first.font_size)
