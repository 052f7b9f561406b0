"""Wall chart helpers for tests: a chart's figures as plain data, and the same chart computed from scratch."""

from __future__ import annotations

from sqlalchemy import delete

from povdesk.model import WallchartSummary
from povdesk.wallchart import figures


def chart_figures(dashboard) -> dict:
    """Every figure a chart shows, by area name: the total, the children, the map's areas, and the breakdowns."""
    rows = {f"{row.level}:{row.name}": row.values for row in (dashboard.total, *dashboard.children,
                                                              *dashboard.map_areas)}  # fmt: skip
    return {"rows": rows, "years": dashboard.years, "breakdowns": dashboard.breakdowns}


def forget_summary(db) -> None:
    with db.transaction() as s:
        s.execute(delete(WallchartSummary))


def chart(db, area_id=None, **kwargs):
    """A chart built in a session of its own, as the window and the CLI build it."""
    with db.session() as s:
        return figures.build(s, area_id, **kwargs)


def fresh_chart(db, area_id=None, **kwargs):
    """The chart with nothing stored: every village computed from the registry."""
    forget_summary(db)
    return chart(db, area_id, **kwargs)
