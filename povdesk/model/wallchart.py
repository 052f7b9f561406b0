"""The wall chart's per-village summary of today's figures, kept valid by a version per village that the database's
own triggers bump on every change that moves a figure (migration 0012)."""

from __future__ import annotations

from sqlalchemy import Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from povdesk.model.base import Base


class WallchartVersion(Base):
    """How many times the figures of a village's households have changed (bumped by triggers, never by Python)."""

    __tablename__ = "wallchart_version"

    village_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class WallchartSummary(Base):
    """A village's figures for a year as computed at a version: valid while the version, the year and the year of
    the guarantees' data are still those."""

    __tablename__ = "wallchart_summary"

    village_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    guarantee_year: Mapped[int | None] = mapped_column(Integer)
    figures: Mapped[str] = mapped_column(Text)  # JSON: {"n": {metric: count}, "cadres": [cadre id, …]}
