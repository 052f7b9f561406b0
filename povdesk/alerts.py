"""Monitoring alerts: households whose income is under the year's line, whose guarantees are unmet, or who are at risk."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session, aliased

from povdesk import codes
from povdesk.errors import NotFound, RuleViolation
from povdesk.model import Area, Household, HouseholdYear, Member, MonitoringLine

# The national poverty standard (yuan per person per year) that applied before dynamic monitoring began in 2021.
NATIONAL_POVERTY_LINE = {2014: 2800, 2015: 2855, 2016: 3000, 2017: 3335, 2018: 3535, 2019: 3747, 2020: 4000}
# An exited household earning under this multiple of the line is watched for return to poverty.
AT_RISK_FACTOR = 1.5
GUARANTEES = (
    ("food_clothing_ok", "吃穿不愁"),
    ("education_ok", "义务教育有保障"),
    ("medical_ok", "基本医疗有保障"),
    ("housing_ok", "住房安全有保障"),
    ("water_ok", "饮水安全有保障"),
)
KINDS = (("below_line", "收入低于监测线"), ("guarantee", "“两不愁三保障”未达标"), ("exit_risk", "脱贫户返贫风险"))


@dataclass(frozen=True)
class IncomeLine:
    year: int
    amount: float
    source: str  # "监测线" set for the county, or "国家扶贫标准"


@dataclass(frozen=True)
class Alert:
    household_id: int
    number: str
    head: str
    village: str
    kind: str  # one of KINDS
    reason: str


def income_line(session: Session, year: int) -> IncomeLine | None:
    """The county's monitoring line for the year, else the national poverty standard of that year, else None."""
    amount = session.scalar(
        select(MonitoringLine.amount)
        .join(Area, Area.id == MonitoringLine.area_id)
        .where(MonitoringLine.year == year, Area.parent_id.is_(None))
        .order_by(Area.id)
    )
    if amount is not None:
        return IncomeLine(year, float(amount), "监测线")
    if year in NATIONAL_POVERTY_LINE:
        return IncomeLine(year, float(NATIONAL_POVERTY_LINE[year]), "国家扶贫标准")
    return None


def find_alerts(session: Session, year: int, area: Area | None = None) -> list[Alert]:
    """Every household of the area that needs attention in `year`, one alert per reason, by household number."""
    line = income_line(session, year)
    village, head = aliased(Area), aliased(Member)
    unmet = [getattr(HouseholdYear, field) == false() for field, _ in GUARANTEES]
    attention = or_(*unmet)
    if line is not None:
        attention = or_(
            attention,
            HouseholdYear.per_capita_income < line.amount,
            and_(Household.status.in_(codes.EXITED), HouseholdYear.per_capita_income < line.amount * AT_RISK_FACTOR),
        )
    stmt = (
        select(
            Household.id,
            Household.number,
            Household.status,
            head.name,
            village.name,
            HouseholdYear.per_capita_income,
            *(getattr(HouseholdYear, field) for field, _ in GUARANTEES),
        )  # fmt: skip
        .join(HouseholdYear, and_(HouseholdYear.household_id == Household.id, HouseholdYear.year == year))
        .join(village, village.id == Household.village_id)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head", head.removed_on.is_(None)))
        .where(attention)
        .order_by(Household.number)
    )
    if area is not None and area.parent_id is not None:
        stmt = stmt.where(village.path.startswith(area.path) | (village.id == area.parent_id))
        if area.level == "group":
            stmt = stmt.where(Household.group_id == area.id)
    found: list[Alert] = []
    for hid, number, status, head_name, village_name, income, *guarantees in session.execute(stmt):

        def add(kind: str, reason: str, hid=hid, number=number, head_name=head_name, village_name=village_name):
            found.append(Alert(hid, number, head_name or "", village_name, kind, reason))

        if line is not None and income is not None:
            if income < line.amount:
                add("below_line", f"{year}年人均纯收入 {income:,.2f} 元，低于{line.source} {line.amount:,.0f} 元")
            elif status in codes.EXITED and income < line.amount * AT_RISK_FACTOR:
                add(
                    "exit_risk",
                    f"已脱贫，{year}年人均纯收入 {income:,.2f} 元，不足{line.source}的 {AT_RISK_FACTOR:g} 倍",
                )
        missing = [label for (_field, label), ok in zip(GUARANTEES, guarantees, strict=True) if ok is False]
        if missing:
            add("guarantee", f"{year}年未达标：" + "、".join(missing))
    return found


def county_lines(session: Session) -> dict[int, float]:
    """The monitoring lines set for the county (the root area), by year."""
    county = session.scalar(select(Area.id).where(Area.parent_id.is_(None)).order_by(Area.id))
    rows = session.execute(select(MonitoringLine.year, MonitoringLine.amount).where(MonitoringLine.area_id == county))
    return {year: float(amount) for year, amount in rows}


def set_county_lines(session: Session, lines: dict[int, float]) -> None:
    """Replace the county's monitoring lines (the caller's transaction commits or rolls back all of them)."""
    county = session.scalar(select(Area.id).where(Area.parent_id.is_(None)).order_by(Area.id))
    if county is None:
        raise NotFound("数据库中还没有县级区划，无法设置监测线")
    for year, amount in lines.items():
        if not 2000 <= year <= 2100:
            raise RuleViolation(f"年度“{year}”不正确")
        if amount <= 0:
            raise RuleViolation(f"{year}年的监测线必须大于 0 元")
    existing = {
        line.year: line for line in session.scalars(select(MonitoringLine).where(MonitoringLine.area_id == county))
    }
    for year, line in existing.items():
        if year not in lines:
            session.delete(line)
    for year, amount in lines.items():
        if year in existing:
            existing[year].amount = amount
        else:
            session.add(MonitoringLine(area_id=county, year=year, amount=amount))
