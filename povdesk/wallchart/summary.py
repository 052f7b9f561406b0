"""Today's figures per village, kept between charts: a county chart reads a few hundred stored rows instead of
every household, member, pairing and guarantee of the county.

A stored row is valid while its village's version (bumped by the database's triggers on every change that can move
a figure, migration 0012), the chart's year and the guarantees' data year are those it was computed at. Its visits
are kept by day from the first day of the three months the chart counted: a later day's chart adds up its own window
from them, which starts later (a chart dated earlier computes the row again). The rest
are computed in the chart's own session — so that a change it has not committed yet is counted, as the registry
shows it — and stored through a connection of their own, only where the committed version is still the one they
were computed at: a figure is never stored under a version it does not belong to. The version is read before the
figures, so a change committed in between leaves the stored row behind its version, to be computed again.

Storing is a courtesy: a database that is busy, read-only or not writable by this user (a village clerk) keeps the
figures computed for this chart only."""

from __future__ import annotations

import json
import logging
from bisect import bisect_left, bisect_right
from collections import Counter

from sqlalchemy import Engine, delete, insert, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from povdesk.db import BUSY_TIMEOUT_MS, WRITE_UNIT, Database
from povdesk.model import Area, WallchartSummary, WallchartVersion
from povdesk.wallchart import asof
from povdesk.wallchart.aggregate import Query, Sums, add_visit_days, exit_years, places

log = logging.getLogger(__name__)
CHUNK = 500  # village ids per IN list
VISIT_DAY = "visits:"  # aggregate.add_visit_days: n["visits:YYYY-MM-DD"]


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def encode(sums: Sums) -> str:
    """A village's figures as stored: the counts, the cadres, and the visits by day (sorted, as two lists)."""
    days = sorted(k for k in sums.n if k.startswith(VISIT_DAY))
    counts = {k: v for k, v in sums.n.items() if v and not k.startswith(VISIT_DAY)}
    return json.dumps({"n": counts, "cadres": sorted(sums.cadres), "visit_days": [d[len(VISIT_DAY) :] for d in days],
                       "visits": [sums.n[d] for d in days]}, separators=(",", ":"))  # fmt: skip


def decode(figures: str, cut: asof.Cutoff) -> Sums:
    """The figures of a stored row for a chart: its visits by day become the visits of the chart's window."""
    data = json.loads(figures)
    days, visits = data["visit_days"], data["visits"]
    window = slice(bisect_left(days, cut.visits_from.isoformat()), bisect_right(days, cut.on.isoformat()))
    n = Counter(data["n"])
    n["visits_recent"] = sum(visits[window])
    return Sums(n=n, cadres=set(data["cadres"]))


def village_sums(session: Session, cut: asof.Cutoff, hh, villages: list[int], years: list[int]) -> dict[int, Sums]:
    """The figures of today (`cut.live`) of these villages; `hh` is today's households (asof.households_table) and
    `years` the exit years of the chart."""
    guarantee_year = asof.guarantee_year(session, cut)
    versions: dict[int, int] = {}
    stored: dict[int, Sums] = {}
    for ids in _chunks(villages):
        versions.update(session.execute(
            select(WallchartVersion.village_id, WallchartVersion.n).where(WallchartVersion.village_id.in_(ids))
        ).all())  # fmt: skip
        for village, version, year, gyear, visits_from, figures in session.execute(
            select(WallchartSummary.village_id, WallchartSummary.version, WallchartSummary.year,
                   WallchartSummary.guarantee_year, WallchartSummary.visits_from, WallchartSummary.figures)
            .where(WallchartSummary.village_id.in_(ids))
        ):  # fmt: skip
            if (version, year, gyear) == (versions.get(village, 0), cut.year, guarantee_year) and (
                visits_from <= cut.visits_from
            ):
                stored[village] = decode(figures, cut)
    stale = [v for v in villages if v not in stored]
    if stale:
        everything = len(stale) == len(villages) and len(villages) > CHUNK  # a first chart: one pass over all
        query = Query(session, cut, hh, villages=None if everything else stale)
        computed = places(query, years, guarantee_year)
        add_visit_days(query, cut.visits_from, computed)
        encoded = {v: encode(computed.get((v, None), Sums())) for v in stale}
        _store(session, cut, guarantee_year, {v: (versions.get(v, 0), encoded[v]) for v in stale})
        stored |= {v: decode(encoded[v], cut) for v in stale}  # read back as a stored row is: one way to count
    return stored


def refresh(db: Database) -> None:
    """Compute and store today's figures of every village changed since they were stored: after a bulk load (an
    import, the demo), so that the first chart after a whole county's import does not wait for every village. Only an
    optimisation: a failure is logged, the work it follows is saved already."""
    try:
        with db.session() as session:
            cut = asof.cutoff(None)
            villages = list(session.scalars(select(Area.id).where(Area.level == "village")))
            with asof.households_table(session, cut) as hh:
                village_sums(session, cut, hh, villages, exit_years(session, cut.year))
    except SQLAlchemyError as exc:
        log.warning("wall chart summary not refreshed: %s", exc)


def _store(session: Session, cut: asof.Cutoff, guarantee_year: int | None, rows: dict[int, tuple[int, str]]) -> None:
    """Save computed rows whose committed version is still the one they were computed at, in a short transaction of
    their own; give up at once (the chart is already right) when the database is busy or refuses."""
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        return
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            driver = conn.connection.driver_connection  # a pragma outside SQLAlchemy's transaction
            if sqlite:
                driver.execute("PRAGMA busy_timeout=200")
            try:
                with conn.execution_options(**{WRITE_UNIT: True}).begin():
                    if not sqlite:
                        conn.execute(text("SET LOCAL lock_timeout = '1s'"))
                    _write(conn, cut, guarantee_year, rows)
            finally:
                if sqlite:
                    driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except DBAPIError as exc:
        log.info("wall chart summary not stored: %s", exc.orig)


def _write(conn, cut: asof.Cutoff, guarantee_year: int | None, rows: dict[int, tuple[int, str]]) -> None:
    ids = list(rows)
    current: dict[int, int] = {}
    for chunk in _chunks(ids):
        current.update(conn.execute(
            select(WallchartVersion.village_id, WallchartVersion.n).where(WallchartVersion.village_id.in_(chunk))
        ).all())  # fmt: skip
    keep = [v for v in ids if current.get(v, 0) == rows[v][0]]
    for chunk in _chunks(keep):
        conn.execute(delete(WallchartSummary).where(WallchartSummary.village_id.in_(chunk)))
    if keep:
        conn.execute(insert(WallchartSummary), [
            {"village_id": v, "version": rows[v][0], "year": cut.year, "guarantee_year": guarantee_year,
             "visits_from": cut.visits_from, "figures": rows[v][1]}
            for v in keep
        ])  # fmt: skip
