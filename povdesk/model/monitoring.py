"""Dynamic monitoring (防返贫动态监测): the yearly income line and the "three types" of households."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povdesk.model.base import Base, Money
from povdesk.model.household import Household


class MonitoringLine(Base):
    """The monitoring income line set by the province for one county and year (e.g. 6,500 yuan)."""

    __tablename__ = "monitoring_line"
    __table_args__ = (UniqueConstraint("area_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[float] = mapped_column(Money)


class MonitoredHousehold(Base):
    """One monitoring episode of a household, from identification to risk elimination."""

    __tablename__ = "monitored_household"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16), index=True)  # codes.MONITOR_TYPE
    identified_on: Mapped[dt.date] = mapped_column(Date)
    risk: Mapped[str | None] = mapped_column(Text)  # the risk found (illness, disaster, income drop…)
    risk_eliminated_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    elimination_method: Mapped[str | None] = mapped_column(String(16))  # codes.ELIMINATION_METHOD (风险消除方式)
    note: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household] = relationship()
