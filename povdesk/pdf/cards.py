"""Household cards and forms, one village per PDF: 贫困户明白卡 with 帮扶联系卡 (one page per household, posted in
the home, so ID numbers are masked), and the 贫困户登记表 (the office's file copy, signed by the household)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk import codes, idnumber
from povdesk.errors import RuleViolation
from povdesk.model import (
    Area,
    AssistanceMeasure,
    Cadre,
    HelpingUnit,
    Household,
    HouseholdYear,
    Member,
    Pairing,
    WorkTeam,
    WorkTeamMember,
)
from povdesk.notices import settings as notice_settings
from povdesk.pdf import fonts as pdf_fonts
from povdesk.pdf.pages import SectionStart, numbered_canvas
from povdesk.pdf.tables import grid
from povdesk.pdf.text import TextBlock
from povdesk.progress import Progress
from povdesk.stats import households_in

MARGIN = 15 * mm
SIZE = 10
TITLE = 18


@dataclass
class _Card:
    household: Household
    group: str
    members: list[Member] = field(default_factory=list)
    years: list[HouseholdYear] = field(default_factory=list)
    measures: list[AssistanceMeasure] = field(default_factory=list)
    helpers: list[tuple[Cadre, str]] = field(default_factory=list)  # cadre, unit name

    @property
    def head(self) -> Member | None:
        return next((m for m in self.members if m.relation == "head"), self.members[0] if self.members else None)


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _load(session: Session, village: Area) -> tuple[list[_Card], list[tuple[str, str]], str]:
    """The village's households with members, figures, measures and helpers; the village's first secretaries."""
    if village.level != "village":
        raise RuleViolation(f"“{village.name}”不是行政村：明白卡和登记表按村打印，请选择一个村")
    groups = dict(session.execute(select(Area.id, Area.name).where(Area.parent_id == village.id)).all())
    order = dict(session.execute(select(Area.id, Area.sort_order).where(Area.parent_id == village.id)).all())
    households = session.scalars(select(Household).where(Household.id.in_(households_in(village)))).all()
    cards = {h.id: _Card(h, groups.get(h.group_id, "")) for h in households}
    ids = list(cards)
    for m in session.scalars(
        select(Member).where(Member.household_id.in_(ids), Member.removed_on.is_(None)).order_by(Member.id)
    ):
        cards[m.household_id].members.append(m)
    for y in session.scalars(
        select(HouseholdYear).where(HouseholdYear.household_id.in_(ids)).order_by(HouseholdYear.year)
    ):
        cards[y.household_id].years.append(y)
    measures = select(AssistanceMeasure).where(AssistanceMeasure.household_id.in_(ids))
    for a in session.scalars(measures.order_by(AssistanceMeasure.year, AssistanceMeasure.id)):
        cards[a.household_id].measures.append(a)
    helpers = (
        select(Pairing.household_id, Cadre, HelpingUnit.name)
        .join(Cadre, Cadre.id == Pairing.cadre_id)
        .outerjoin(HelpingUnit, HelpingUnit.id == Cadre.unit_id)
        .where(Pairing.household_id.in_(ids), Pairing.end_on.is_(None))
    )
    for hid, cadre, unit in session.execute(helpers):
        cards[hid].helpers.append((cadre, unit or "乡镇"))
    secretaries = session.execute(
        select(Cadre.name, Cadre.phone)
        .join(WorkTeamMember, WorkTeamMember.cadre_id == Cadre.id)
        .join(WorkTeam, WorkTeam.id == WorkTeamMember.team_id)
        .where(
            WorkTeam.village_id == village.id,
            WorkTeam.end_on.is_(None),
            WorkTeamMember.end_on.is_(None),
            WorkTeamMember.role == "first_secretary",
        )  # fmt: skip
    ).all()
    township = session.get(Area, village.parent_id)
    place = f"{township.name if township else ''}{village.name}"
    ordered = sorted(cards.values(), key=lambda c: (order.get(c.household.group_id, 0), c.household.number))
    if not ordered:
        raise RuleViolation(f"{village.name}没有建档立卡户")
    return ordered, [(n, p or "") for n, p in secretaries], place


def _title(text: str, fonts: pdf_fonts.FontChain) -> TextBlock:
    return TextBlock(text, fonts, TITLE, leading=TITLE * 1.6, align="center", space_after=2 * mm)


def _line(text: str, fonts: pdf_fonts.FontChain, size: float = SIZE, align: str = "left") -> TextBlock:
    return TextBlock(text, fonts, size, leading=size * 1.7, align=align)


def _span(row: int, first: int, last: int) -> tuple:
    return ("SPAN", (first, row), (last, row))


def _card_story(card: _Card, place: str, secretaries, hotline: str, fonts, width: float) -> list:
    h, head = card.household, card.head
    latest = card.years[-1] if card.years else None
    persons = len(card.members)
    c = [width * f for f in (0.15, 0.18, 0.15, 0.18, 0.16, 0.18)]
    causes = "、".join(codes.CAUSE.label_of(x) for x in (h.other_cause_1, h.other_cause_2) if x)
    basic = [
        ["户主姓名", head.name if head else "", "家庭人口", f"{persons}人", "贫困户属性", codes.ATTRIBUTE.label_of(h.attribute)],
        ["识别年度", str(h.year_identified or ""), "脱贫属性", codes.STATUS.label_of(h.status), "脱贫年度", str(h.year_exited or "")],
        ["主要致贫原因", codes.CAUSE.label_of(h.main_cause), "其他致贫原因", causes, "", ""],
    ]  # fmt: skip
    story = [
        _title("贫困户明白卡", fonts),
        _line(f"{place}{card.group}　　户编号：{h.number}", fonts),
        grid(basic, c, fonts, SIZE, header_rows=0, extra_style=[_span(2, 3, 5)]),
        Spacer(1, 3 * mm),
    ]
    members = [["序号", "姓名", "性别", "与户主关系", "身份证号", "健康状况", "劳动技能", "在校生状况"]]
    for i, m in enumerate(card.members, start=1):
        members.append([str(i), m.name, codes.SEX.label_of(m.sex), codes.RELATION.label_of(m.relation),
                        idnumber.mask(m.id_number), codes.HEALTH.label_of(m.health), codes.LABOR.label_of(m.labor),
                        codes.SCHOOL.label_of(m.school_status)])  # fmt: skip
    story += [grid(members, [width * f for f in (0.06, 0.12, 0.06, 0.12, 0.24, 0.13, 0.14, 0.13)], fonts, SIZE)]
    if latest is not None:
        figures = [
            [f"{latest.year}年收入（元）", "人均纯收入", "工资性收入", "生产经营性收入", "转移性收入", "家庭纯收入"],
            ["", _money(latest.per_capita_income), _money(latest.wage_income), _money(latest.business_income),
             _money(latest.transfer_income), _money(latest.net_income)],
            ["两不愁三保障", f"吃穿不愁：{_yes(latest.food_clothing_ok)}", f"义务教育：{_yes(latest.education_ok)}",
             f"基本医疗：{_yes(latest.medical_ok)}", f"住房安全：{_yes(latest.housing_ok)}", f"饮水安全：{_yes(latest.water_ok)}"],
        ]  # fmt: skip
        story += [Spacer(1, 3 * mm), grid(figures, c, fonts, SIZE, extra_style=[("SPAN", (0, 0), (0, 1))])]
    plan = [["年度", "帮扶措施", "内容", "金额（元）", "完成情况"]]
    for a in card.measures:
        plan.append(
            [str(a.year), codes.MEASURE.label_of(a.kind), a.content, _money(a.amount), "已完成" if a.done else "实施中"]
        )
    if len(plan) == 1:
        plan.append(["", "", "（尚未制定帮扶计划）", "", ""])
    story += [
        Spacer(1, 3 * mm),
        _line("帮扶措施（一户一策）", fonts),
        grid(plan, [width * f for f in (0.1, 0.16, 0.44, 0.14, 0.16)], fonts, SIZE),
    ]
    contact = [["帮扶责任人", "工作单位", "职务", "联系电话"]]
    contact += [[cadre.name, unit, cadre.position or "", cadre.phone or ""] for cadre, unit in card.helpers] or [
        ["", "", "", ""]
    ]
    contact += [[f"驻村第一书记：{name}", "", "", phone] for name, phone in secretaries]
    spans = [_span(r, 0, 2) for r in range(len(contact) - len(secretaries), len(contact))]
    story += [
        Spacer(1, 5 * mm),
        _title("帮扶联系卡", fonts),
        grid(contact, [width * f for f in (0.25, 0.35, 0.15, 0.25)], fonts, SIZE, extra_style=spans),
        _line(f"扶贫监督举报电话：{hotline}", fonts),
    ]
    return story


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _form_story(card: _Card, place: str, fonts, width: float) -> list:
    h, head = card.household, card.head
    c = [width * f for f in (0.11, 0.14, 0.11, 0.14, 0.11, 0.14, 0.11, 0.14)]
    causes = "、".join(codes.CAUSE.label_of(x) for x in (h.other_cause_1, h.other_cause_2) if x)
    basic = [
        ["户主姓名", head.name if head else "", "身份证号", head.id_number or "" if head else "", "联系电话", h.phone or "", "家庭人口", str(len(card.members))],
        ["开户银行", h.bank_name or "", "银行账号", h.bank_account or "", "识别标准", codes.IDENT_STANDARD.label_of(h.ident_standard), "贫困户属性", codes.ATTRIBUTE.label_of(h.attribute)],
        ["主要致贫原因", codes.CAUSE.label_of(h.main_cause), "其他致贫原因", causes, "脱贫属性", codes.STATUS.label_of(h.status), "识别/脱贫年度", f"{h.year_identified or ''}/{h.year_exited or ''}"],
        ["家庭住址", f"{place}{card.group}{h.address or ''}", "", "", "", "", "", ""],
    ]  # fmt: skip
    members = [["姓名", "性别", "身份证号", "与户主关系", "民族", "文化程度", "在校生状况", "健康状况", "劳动技能",
                "务工状况", "务工时间（月）", "医疗保险", "大病保险", "养老保险"]]  # fmt: skip
    for m in card.members:
        members.append([m.name, codes.SEX.label_of(m.sex), m.id_number or "", codes.RELATION.label_of(m.relation),
                        codes.ETHNICITY.label_of(m.ethnicity), codes.EDUCATION.label_of(m.education),
                        codes.SCHOOL.label_of(m.school_status), codes.HEALTH.label_of(m.health),
                        codes.LABOR.label_of(m.labor), codes.WORK.label_of(m.work_status), str(m.work_months or ""),
                        _yes(m.medical_insurance), _yes(m.serious_illness_insurance), _yes(m.pension_insurance)])  # fmt: skip
    member_widths = [
        width * f for f in (0.07, 0.04, 0.14, 0.07, 0.05, 0.08, 0.08, 0.08, 0.08, 0.08, 0.07, 0.06, 0.05, 0.05)
    ]
    income = [
        [
            "年度",
            "工资性收入",
            "生产经营性收入",
            "财产性收入",
            "转移性收入",
            "生产经营性支出",
            "家庭纯收入",
            "人均纯收入",
        ]
    ]
    for y in card.years:
        income.append([str(y.year), *(_money(v) for v in (y.wage_income, y.business_income, y.property_income,
                       y.transfer_income, y.production_cost, y.net_income, y.per_capita_income))])  # fmt: skip
    signatures = (
        "户主签字（按手印）：　　　　　　　　村委会（盖章）：　　　　　　　　乡镇人民政府（盖章）：　　　　　　　　"
    )
    return [
        _title("贫困户登记表", fonts),
        _line(f"户编号：{h.number}　　{place}{card.group}", fonts),
        grid(basic, c, fonts, SIZE - 1, header_rows=0, extra_style=[_span(3, 1, 7)]),
        Spacer(1, 3 * mm),
        _line("家庭成员", fonts),
        grid(members, member_widths, fonts, SIZE - 1),
        Spacer(1, 3 * mm),
        _line("收入情况（元）", fonts),
        grid(income, [width / 8] * 8, fonts, SIZE - 1),
        Spacer(1, 10 * mm),
        _line(signatures, fonts),
        _line("填表日期：　　　　年　　月　　日", fonts, align="right"),
    ]


def _write(out, pagesize, title: str, stories: list[list], fonts) -> int:
    doc = SimpleDocTemplate(
        str(out) if isinstance(out, Path) else out, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm, title=title, creator="PovDesk",
    )  # fmt: skip
    story: list = []
    for i, part in enumerate(stories):
        if i:
            story.append(PageBreak())
        story.append(SectionStart(i))
        story.extend(part)
    doc.build(story, canvasmaker=numbered_canvas(fonts.main))
    return doc.page


def render_cards(session: Session, village: Area, out: str | Path | BinaryIO, progress: Progress | None = None) -> int:
    """明白卡 and 帮扶联系卡 of every household of a village, one household per page; returns the page count."""
    progress = progress or Progress()
    fonts = pdf_fonts.chain()
    cards, secretaries, place = _load(session, village)
    hotline = notice_settings.load(session).hotline
    width = A4[0] - 2 * MARGIN
    progress.start(len(cards), f"正在排版{village.name}明白卡……")
    stories = []
    for i, card in enumerate(cards, start=1):
        stories.append(_card_story(card, place, secretaries, hotline, fonts, width))
        progress.update(i)
    return _write(out, A4, f"{place}贫困户明白卡", stories, fonts)


def render_registration_forms(
    session: Session, village: Area, out: str | Path | BinaryIO, progress: Progress | None = None
) -> int:
    """The 贫困户登记表 of every household of a village (landscape A4, full details for the file)."""
    progress = progress or Progress()
    fonts = pdf_fonts.chain()
    cards, _, place = _load(session, village)
    width = A4[1] - 2 * MARGIN
    progress.start(len(cards), f"正在排版{village.name}贫困户登记表……")
    stories = []
    for i, card in enumerate(cards, start=1):
        stories.append(_form_story(card, place, fonts, width))
        progress.update(i)
    return _write(out, landscape(A4), f"{place}贫困户登记表", stories, fonts)
