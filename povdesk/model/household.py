"""Registered households (建档立卡户), their members, yearly figures, assistance plan and change history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povdesk.model.base import Base, Money, Timestamped


class Household(Timestamped, Base):
    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # 户编号
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    bank_name: Mapped[str | None] = mapped_column(String(64))
    bank_account: Mapped[str | None] = mapped_column(String(32))
    ident_standard: Mapped[str | None] = mapped_column(String(16))  # codes.IDENT_STANDARD
    attribute: Mapped[str | None] = mapped_column(String(16), index=True)  # codes.ATTRIBUTE
    main_cause: Mapped[str | None] = mapped_column(String(16), index=True)  # codes.CAUSE
    other_cause_1: Mapped[str | None] = mapped_column(String(16))
    other_cause_2: Mapped[str | None] = mapped_column(String(16))
    # None: a household followed only by monitoring (e.g. marginal), never registered as poor.
    status: Mapped[str | None] = mapped_column(String(16), index=True)  # codes.STATUS
    year_identified: Mapped[int | None] = mapped_column(Integer, index=True)
    year_exited: Mapped[int | None] = mapped_column(Integer, index=True)
    plan_exit_year: Mapped[int | None] = mapped_column(Integer, index=True)  # 计划脱贫年度: the wall charts' exit plan
    # What a roster said that PovDesk could not read into a coded field: field key → the text as written (待核实).
    unverified: Mapped[dict | None] = mapped_column(JSON)
    # Roster columns PovDesk does not model, kept as written: original header → value (written back by export).
    extra: Mapped[dict | None] = mapped_column(JSON)
    # The household or one of its members has an unverified value: the household list's 待核实 filter.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"), index=True)
    # Bumped by every UPDATE (the ORM through version_id_col, Core writers by `version = version + 1`): a save from
    # an editor that loaded an older version is refused instead of overwriting (no lost update).
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}

    members: Mapped[list[Member]] = relationship(back_populates="household", order_by="Member.id")
    years: Mapped[list[HouseholdYear]] = relationship(back_populates="household", order_by="HouseholdYear.year")
    measures: Mapped[list[AssistanceMeasure]] = relationship(back_populates="household")


class Member(Timestamped, Base):
    __tablename__ = "member"
    __table_args__ = (
        # A person belongs to one household only: unique among members not removed.
        Index(
            "uq_member_id_number_active",
            "id_number",
            unique=True,
            sqlite_where=text("removed_on IS NULL"),
            postgresql_where=text("removed_on IS NULL"),
        ),
        # The household list sorted by head: an index-only scan of current heads in pinyin order.
        Index(
            "ix_member_head_pinyin",
            "name_pinyin",
            "household_id",
            sqlite_where=text("relation = 'head' AND removed_on IS NULL"),
            postgresql_where=text("relation = 'head' AND removed_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(32), index=True)
    name_pinyin: Mapped[str] = mapped_column(String(128), default="", index=True)  # sort key, "zhang jian guo"
    name_initials: Mapped[str] = mapped_column(String(32), default="", index=True)  # search key, "zjg"
    sex: Mapped[str | None] = mapped_column(String(8))  # codes.SEX
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    relation: Mapped[str] = mapped_column(String(16), default="other")  # codes.RELATION
    ethnicity: Mapped[str | None] = mapped_column(String(4))  # codes.ETHNICITY
    education: Mapped[str | None] = mapped_column(String(16))
    school_status: Mapped[str | None] = mapped_column(String(16))
    health: Mapped[str | None] = mapped_column(String(64))  # codes.HEALTH, several joined by ","
    labor: Mapped[str | None] = mapped_column(String(16))
    work_status: Mapped[str | None] = mapped_column(String(16))
    work_months: Mapped[int | None] = mapped_column(Integer)
    medical_insurance: Mapped[bool | None] = mapped_column(Boolean)  # 城乡居民基本医疗保险
    serious_illness_insurance: Mapped[bool | None] = mapped_column(Boolean)  # 大病保险
    pension_insurance: Mapped[bool | None] = mapped_column(Boolean)  # 城乡居民基本养老保险
    low_income_support: Mapped[str | None] = mapped_column(String(16))  # codes.LOW_INCOME_SUPPORT (享受低保政策情况)
    extreme_support: Mapped[str | None] = mapped_column(String(16))  # codes.EXTREME_SUPPORT (享受特困供养政策情况)
    phone: Mapped[str | None] = mapped_column(String(32))
    unverified: Mapped[dict | None] = mapped_column(JSON)  # as on Household
    extra: Mapped[dict | None] = mapped_column(JSON)  # as on Household: the person-level columns kept as written
    removed_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_reason: Mapped[str | None] = mapped_column(String(16))  # codes.REMOVAL_REASON
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))  # as on Household

    __mapper_args__ = {"version_id_col": version}

    household: Mapped[Household] = relationship(back_populates="members")


class HouseholdYear(Base):
    """What a household looked like in one data year: income, guarantees, the eight haves."""

    __tablename__ = "household_year"
    __table_args__ = (
        UniqueConstraint("household_id", "year"),
        # The household list sorted by a year's per-capita income: an index-only scan in income order.
        Index("ix_household_year_year_income", "year", "per_capita_income", "household_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str | None] = mapped_column(String(16))  # status at the end of that year
    persons: Mapped[int | None] = mapped_column(Integer)  # household size used for per-capita figures
    wage_income: Mapped[float | None] = mapped_column(Money)  # 工资性收入
    business_income: Mapped[float | None] = mapped_column(Money)  # 生产经营性收入
    property_income: Mapped[float | None] = mapped_column(Money)  # 财产性收入
    transfer_income: Mapped[float | None] = mapped_column(Money)  # 转移性收入
    production_cost: Mapped[float | None] = mapped_column(Money)  # 生产经营性支出
    net_income: Mapped[float | None] = mapped_column(Money)  # 家庭纯收入
    per_capita_income: Mapped[float | None] = mapped_column(Money, index=True)  # 人均纯收入
    # 两不愁三保障 and safe drinking water
    food_clothing_ok: Mapped[bool | None] = mapped_column(Boolean)
    education_ok: Mapped[bool | None] = mapped_column(Boolean)
    medical_ok: Mapped[bool | None] = mapped_column(Boolean)
    housing_ok: Mapped[bool | None] = mapped_column(Boolean)
    water_ok: Mapped[bool | None] = mapped_column(Boolean)
    # the rest of the "eight haves" (safe housing and water are above)
    has_farmland: Mapped[bool | None] = mapped_column(Boolean)
    has_industry: Mapped[bool | None] = mapped_column(Boolean)
    has_skilled_person: Mapped[bool | None] = mapped_column(Boolean)
    has_social_security: Mapped[bool | None] = mapped_column(Boolean)
    has_surplus_grain: Mapped[bool | None] = mapped_column(Boolean)
    has_surplus_cash: Mapped[bool | None] = mapped_column(Boolean)

    household: Mapped[Household] = relationship(back_populates="years")


class AssistanceMeasure(Base):
    """One measure of the "one household, one policy" plan."""

    __tablename__ = "assistance_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # codes.MEASURE
    content: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[float | None] = mapped_column(Money)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)

    household: Mapped[Household] = relationship(back_populates="measures")


class ChangeLog(Base):
    """Every change to a household or member: who, when, old → new, why. Never updated, only appended."""

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SET NULL: the history outlives a deleted household, named by the two columns below, which a trigger on household
    # fills as the row goes (migration 0011), whoever deletes it
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"), index=True)
    household_number: Mapped[str | None] = mapped_column(String(32))
    household_name: Mapped[str | None] = mapped_column(String(32))  # the head's name
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    # naive UTC, written by Python (history._moment); shown in local time
    at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    user: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16))  # codes.CHANGE_KIND
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    effective_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    notice_batch_id: Mapped[int | None] = mapped_column(ForeignKey("notice_batch.id", ondelete="SET NULL"))
