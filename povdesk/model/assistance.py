"""Paired assistance (结对帮扶): helping units, village work teams, cadres, pairings and visits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povdesk.model.base import Base


class HelpingUnit(Base):
    """A county department or other body assigned to help villages (单位包村)."""

    __tablename__ = "helping_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str | None] = mapped_column(String(32))  # 县直部门, 乡镇, 企业, 省市单位…
    township_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))  # set for a township government


class UnitVillage(Base):
    __tablename__ = "unit_village"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("helping_unit.id", ondelete="CASCADE"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    start_on: Mapped[dt.date | None] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date)


class Cadre(Base):
    __tablename__ = "cadre"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    name_pinyin: Mapped[str] = mapped_column(String(128), default="", server_default="")  # sort key: "li hong"
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("helping_unit.id"), index=True)
    rank: Mapped[str] = mapped_column(String(16), index=True)  # codes.CADRE_RANK
    position: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[HelpingUnit | None] = relationship()


class WorkTeam(Base):
    """A village work team (驻村工作队), sent by a unit for a term."""

    __tablename__ = "work_team"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("helping_unit.id"))
    start_on: Mapped[dt.date | None] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date)


class WorkTeamMember(Base):
    __tablename__ = "work_team_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("work_team.id", ondelete="CASCADE"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")  # first_secretary, captain, member
    start_on: Mapped[dt.date | None] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date)


class Pairing(Base):
    """A cadre helping a household; ended pairings stay, with their end date."""

    __tablename__ = "pairing"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    end_reason: Mapped[str | None] = mapped_column(Text)

    cadre: Mapped[Cadre] = relationship()


class Visit(Base):
    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date, index=True)
    kinds: Mapped[str] = mapped_column(String(64), default="")  # comma-separated codes.VISIT_KIND
    note: Mapped[str | None] = mapped_column(Text)


class PairingQuota(Base):
    """The county's pairing table ("321", "532"…): households per cadre of each rank."""

    __tablename__ = "pairing_quota"

    rank: Mapped[str] = mapped_column(String(16), primary_key=True)
    households: Mapped[int] = mapped_column(Integer)
