"""Benchmark: wall charts on the 120,000-household demo county. The county's aggregation (goal ≤ 300 ms) beside
the same figures as one plain GROUP BY over today's households, a past year (read back from the history), a
township and a village, and the county PDF (goal ≤ 3 s).

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

from county import demo_database  # noqa: E402
from sqlalchemy import case, func, select  # noqa: E402

from povdesk import codes  # noqa: E402
from povdesk.db import open_database  # noqa: E402
from povdesk.model import Area, Household, Member  # noqa: E402
from povdesk.pdf import wallchart as pdf_wallchart  # noqa: E402
from povdesk.wallchart import figures, targets, templates  # noqa: E402


def best_of(repeat: int, fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
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
    today = dt.date.today()
    label = "postgresql" if url.startswith("postgresql") else "sqlite"
    with database.session() as s:
        town = s.scalar(select(Area.id).where(Area.level == "township").order_by(Area.path))
        village = s.scalar(select(Area.id).where(Area.level == "village").order_by(Area.path))
        plain, _ = best_of(args.repeat, lambda: plain_group_by(s))
        county, dashboard = best_of(args.repeat, lambda: figures.build(s, None, today=today))
        past, _ = best_of(args.repeat, lambda: figures.build(s, None, 2019, today=today))
        township, _ = best_of(args.repeat, lambda: figures.build(s, town, today=today))
        village_s, small = best_of(args.repeat, lambda: figures.build(s, village, 2019, today=today))
        template, chosen = templates.load(s, "county"), targets.load(s)
    total = dashboard.total.values
    base = {"db": label, "households": total["households"], "persons": total["persons"]}
    print(json.dumps({**base, "what": "plain GROUP BY (households, poor, persons per township, today)",
                      "seconds": round(plain, 3)}, ensure_ascii=False))  # fmt: skip
    print(json.dumps({**base, "what": "county aggregation, this year (goal ≤ 0.3 s)", "seconds": round(county, 3),
                      "vs_plain": round(county / plain, 1)}, ensure_ascii=False))  # fmt: skip
    print(json.dumps({**base, "what": "county aggregation, 2019 from the history", "seconds": round(past, 3),
                      "vs_plain": round(past / plain, 1)}, ensure_ascii=False))  # fmt: skip
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
        with database.session() as s2:
            d = figures.build(s2, None, today=today)
        pdf_wallchart.write(d, template, chosen, io.BytesIO())

    both, _ = best_of(args.repeat, build_and_write)
    print(json.dumps({**base, "what": "county aggregation + PDF", "seconds": round(both, 3)},
                     ensure_ascii=False))  # fmt: skip
    database.close()


if __name__ == "__main__":
    main()
