"""Benchmark: generating the demo county (`main.py demo`) on SQLite and, if reachable, PostgreSQL.

    python tests/bench/demo_bench.py --households 120000 [--pg postgresql+psycopg://user@127.0.0.1:5432/postgres]

Prints one JSON line per database: seconds, households and rows per second, peak memory. The goal is "well under
a minute" for 120,000 households; the row count beside it shows how much work that is.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from povdesk import demo  # noqa: E402
from povdesk.db import open_database  # noqa: E402
from povdesk.model import Base  # noqa: E402


def _rows(database) -> int:
    with database.session() as s:
        return sum(s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables)


def measure(url: str, households: int, label: str) -> dict:
    database = open_database(url)
    started = time.perf_counter()
    demo.generate(database, households=households, seed=1)
    seconds = time.perf_counter() - started
    rows = _rows(database)
    database.close()
    return {
        "database": label,
        "households": households,
        "seconds": round(seconds, 2),
        "rows": rows,
        "rows_per_s": round(rows / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=120_000)
    parser.add_argument("--pg", help="admin URL of a PostgreSQL server; a database povdesk_bench is (re)created")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(measure(f"sqlite:///{folder}/bench.db", args.households, "sqlite")), flush=True)
    if args.pg:
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS povdesk_bench"))
            conn.execute(text("CREATE DATABASE povdesk_bench"))
        admin.dispose()
        print(json.dumps(measure(args.pg.rsplit("/", 1)[0] + "/povdesk_bench", args.households, "postgresql")))


if __name__ == "__main__":
    main()
