"""The wall chart's per-village summary of today's figures, kept valid by a version per village that the database's
own triggers bump on every change that moves a figure (migration 0012)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from povdesk.model.base import Base


class WallchartVersion(Base):
    """How many times the figures of a village's households have changed (bumped by triggers, never by Python)."""

    __tablename__ = "wallchart_version"

    village_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class WallchartSummary(Base):
    """A village's figures for a year as computed at a version: valid while the version, the year and the year of
    the guarantees' data are still those, and the chart's recent visits start on or after `visits_from`."""

    __tablename__ = "wallchart_summary"

    village_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    guarantee_year: Mapped[int | None] = mapped_column(Integer)
    visits_from: Mapped[dt.date] = mapped_column(Date)  # the first day of the visits `figures` keeps by day
    figures: Mapped[str] = mapped_column(
        Text
    )  # JSON: {"n": {metric: count, "visits:YYYY-MM-DD": count}, "cadres": […]}


# The tables whose rows move a village's figures, and the column leading to the village: the village itself, or the
# household. Migration 0012 keeps its own copy for the triggers it created; this one serves the bulk writers.
VILLAGE_OF = {
    "household": "village_id",
    "member": "household_id",
    "pairing": "household_id",
    "household_year": "household_id",
    "monitored_household": "household_id",
    "visit": "household_id",
}
_BUMP = " ON CONFLICT (village_id) DO UPDATE SET n = wallchart_version.n + 1"


def bump_statement(table: str) -> str:
    """SQLite: one statement that bumps the villages of a JSON array of `VILLAGE_OF[table]` values — what the row
    trigger `povdesk_wc_<table>_insert` does for each inserted row, done once for a bulk insert."""
    if table == "household":
        return (
            "INSERT INTO wallchart_version (village_id, n) SELECT DISTINCT value, 1 FROM json_each(?) WHERE true"
            + _BUMP
        )
    return (
        "INSERT INTO wallchart_version (village_id, n) SELECT DISTINCT h.village_id, 1 FROM household h "
        "WHERE h.id IN (SELECT value FROM json_each(?)) AND h.village_id IS NOT NULL" + _BUMP
    )
