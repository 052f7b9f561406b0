"""Benchmark: wall charts on the 120,000-household demo county. The county's aggregation (goal ≤ 300 ms) beside
the same figures as one plain GROUP BY over today's households: when nothing changed since the last chart (the
per-village summary is read), after one household changed (its village is computed again) and with nothing stored
(every village computed); a past year (read back from the history), a township and a village, and the county PDF
(goal ≤ 3 s). Every chart is built in a session of its own, as the window and the CLI do. The county is given three
visits per paired household in the last three months first (county.with_recent_visits).

    python tests/bench/wallchart_bench.py [--households 120000] [--repeat 3] [--db URL]

The demo county is generated once (tests/bench/county.py) and reused. Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from county import demo_database, with_recent_visits  # noqa: E402
from sqlalchemy import case, delete, func, select  # noqa: E402

from povdesk import codes  # noqa: E402
from povdesk.db import open_database  # noqa: E402
from povdesk.model import Area, Household, Member, WallchartSummary  # noqa: E402
from povdesk.pdf import wallchart as pdf_wallchart  # noqa: E402
from povdesk.wallchart import figures, targets, templates  # noqa: E402


def best_of(repeat: int, fn, before=None) -> tuple[float, object]:
    """The best time of `fn` (after `before`, untimed, each round) and its last result."""
    times, result = [], None
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def plain_group_by(session) -> list:
    """Households, poor households and persons per township today: one GROUP BY, no history, no other table."""
    township = Area.parent_id
    persons = (
        select(Member.household_id, func.count().label("n"))
        .where(Member.removed_on.is_(None))
        .group_by(Member.household_id)
        .subquery()
    )
    return session.execute(
        select(township, func.count(), func.sum(case((Household.status.in_(codes.POOR), 1), else_=0)),
               func.sum(persons.c.n))
        .join(Area, Area.id == Household.village_id)
        .join(persons, persons.c.household_id == Household.id)
        .group_by(township)
    ).all()  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=120_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", help="a database URL instead of the generated SQLite demo county")
    args = parser.parse_args()
    url = args.db or demo_database(args.households)
    database = open_database(url)
    visits = with_recent_visits(database)
    today = dt.date.today()
    label = "postgresql" if url.startswith("postgresql") else "sqlite"
    with database.session() as s:
        town = s.scalar(select(Area.id).where(Area.level == "township").order_by(Area.path))
        village = s.scalar(select(Area.id).where(Area.level == "village").order_by(Area.path))
        edited = s.scalar(select(Household.id).where(Household.status == "poor").order_by(Household.id))
        plain, _ = best_of(args.repeat, lambda: plain_group_by(s))
        template, chosen = templates.load(s, "county"), targets.load(s)

    def build(area=None, year=None):
        with database.session() as session:
            return figures.build(session, area, year, today=today)

    def forget():  # the summary as right after the upgrade (or after a restore from an older version)
        with database.transaction() as session:
            session.execute(delete(WallchartSummary))

    def edit():  # one clerk's change: a household's status, back and forth
        with database.transaction() as session:
            household = session.get(Household, edited)
            household.status = "exited" if household.status == "poor" else "poor"

    cold, _ = best_of(args.repeat, build, before=forget)
    county, dashboard = best_of(args.repeat, build)
    after_edit, _ = best_of(args.repeat, build, before=edit)
    past, _ = best_of(args.repeat, lambda: build(None, 2019))
    township, _ = best_of(args.repeat, lambda: build(town))
    village_s, small = best_of(args.repeat, lambda: build(village, 2019))
    total = dashboard.total.values
    base = {"db": label, "households": total["households"], "persons": total["persons"], "recent_visits": visits}
    print(json.dumps({**base, "what": "plain GROUP BY (households, poor, persons per township, today)",
                      "seconds": round(plain, 3)}, ensure_ascii=False))  # fmt: skip
    for what, seconds in (
        ("county aggregation, this year, nothing changed since the last chart (goal ≤ 0.3 s)", county),
        ("county aggregation, this year, after one household changed", after_edit),
        ("county aggregation, this year, nothing stored yet (every village computed, then stored)", cold),
        ("county aggregation, 2019 from the history", past),
    ):
        print(json.dumps({**base, "what": what, "seconds": round(seconds, 3), "vs_plain": round(seconds / plain, 2)},
                         ensure_ascii=False))  # fmt: skip
    print(json.dumps({**base, "what": "township aggregation, this year", "seconds": round(township, 3)},
                     ensure_ascii=False))  # fmt: skip
    print(json.dumps({**base, "what": "village aggregation with its household roster, 2019",
                      "seconds": round(village_s, 3), "village_households": len(small.households)},
                     ensure_ascii=False))  # fmt: skip
    buffer = io.BytesIO()

    def write_pdf():
        buffer.seek(0)
        buffer.truncate()
        pdf_wallchart.write(dashboard, template, chosen, buffer)

    pdf, _ = best_of(args.repeat, write_pdf)
    print(json.dumps({**base, "what": "county PDF, A3 (goal ≤ 3 s)", "seconds": round(pdf, 3),
                      "kb": len(buffer.getvalue()) // 1024}, ensure_ascii=False))  # fmt: skip

    def build_and_write():
        pdf_wallchart.write(build(), template, chosen, io.BytesIO())

    both, _ = best_of(args.repeat, build_and_write)
    print(json.dumps({**base, "what": "county aggregation + PDF", "seconds": round(both, 3)},
                     ensure_ascii=False))  # fmt: skip
    database.close()


if __name__ == "__main__":
    main()
