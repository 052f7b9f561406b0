"""Paired assistance (结对帮扶): helping units, village work teams, cadres, pairings and visits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
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
    """A helper (帮扶责任人). `home_area_id`: the township of a township cadre, the village of a village cadre; other
    cadres work in the villages their unit helps."""

    __tablename__ = "cadre"
    __table_args__ = (Index("uq_cadre_id_number", "id_number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    name_pinyin: Mapped[str] = mapped_column(String(128), default="", server_default="")  # sort key: "li hong"
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("helping_unit.id"), index=True)
    rank: Mapped[str] = mapped_column(String(16), index=True)  # codes.CADRE_RANK
    position: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sex: Mapped[str | None] = mapped_column(String(8))  # codes.SEX
    id_number: Mapped[str | None] = mapped_column(String(18))  # re-imports match by it
    political_status: Mapped[str | None] = mapped_column(String(32))  # as written: 中共党员, 群众…
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)

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
    """A cadre helping a household; ended pairings stay, with their end date. The database keeps at most one current
    (not ended) pairing per household."""

    __tablename__ = "pairing"
    __table_args__ = (
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="end_after_start"),
        Index("uq_pairing_current_household", "household_id", unique=True,
              sqlite_where=text("end_on IS NULL"), postgresql_where=text("end_on IS NULL")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    end_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64), default="", server_default="")  # who made the pairing
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))  # as on Household

    __mapper_args__ = {"version_id_col": version}

    cadre: Mapped[Cadre] = relationship()


class Visit(Base):
    __tablename__ = "visit"
    # a household's visits of some months: an index-only range, which the wall charts count per household
    __table_args__ = (Index("ix_visit_household_id_visited_on", "household_id", "visited_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"))
    visited_on: Mapped[dt.date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64), default="", server_default="")

    kinds: Mapped[list[VisitKind]] = relationship(cascade="all, delete-orphan", order_by="VisitKind.kind")

    @property
    def kind_codes(self) -> list[str]:
        return [k.kind for k in self.kinds]


class VisitKind(Base):
    """One of the "four sends" a visit brought (codes.VISIT_KIND); a visit may bring several."""

    __tablename__ = "visit_kind"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)


class PairingScheme(Base):
    """A named pairing table ("321", "532", "54321"…); which one the county uses is the setting "pairing.scheme"."""

    __tablename__ = "pairing_scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    note: Mapped[str | None] = mapped_column(Text)

    quotas: Mapped[list[PairingQuota]] = relationship(cascade="all, delete-orphan", order_by="PairingQuota.rank")


class PairingQuota(Base):
    """Households per cadre of a rank under a scheme. A rank without a row takes no households; township cadres with
    `households` NULL take every household left in their township (兜底), with a number that is their cap."""

    __tablename__ = "pairing_quota"

    scheme_id: Mapped[int] = mapped_column(ForeignKey("pairing_scheme.id", ondelete="CASCADE"), primary_key=True)
    rank: Mapped[str] = mapped_column(String(16), primary_key=True)
    households: Mapped[int | None] = mapped_column(Integer)
