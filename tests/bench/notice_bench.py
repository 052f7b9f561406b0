"""Benchmark: notice sheets. A 1,000-household notice next to a bare reportlab table of the same rows in the same
font (goal ≤ 1.5×), and the village notices of every village of a 120,000-household demo county.

    python tests/bench/notice_bench.py [--households 120000] [--db-file PATH] [--repeat 3]

The demo county is generated once into --db-file (default: the temp folder) and reused by later runs.
Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from povdesk import demo  # noqa: E402
from povdesk.db import open_database  # noqa: E402
from povdesk.model import Area, Household  # noqa: E402
from povdesk.notices import export, sheet, workflow  # noqa: E402
from povdesk.pdf import fonts, notice_sheet  # noqa: E402


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def bare_table(section: sheet.Section, font: str, size: float) -> bytes:
    """The same header and rows as a plain reportlab table: no title, text, wrapping, fallback fonts or page numbers."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4)
    table = Table([[h for _, h in section.columns], *section.rows], repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, size), ("GRID", (0, 0), (-1, -1), 0.6, "black")]))
    doc.build([table])
    return out.getvalue()


def county(path: Path, households: int):
    fresh = not path.exists()
    db = open_database(f"sqlite:///{path}")
    if fresh:
        started = time.perf_counter()
        demo.generate(db, households=households, seed=1)
        print(json.dumps({"step": "demo county generated", "households": households,
                          "seconds": round(time.perf_counter() - started, 1)}), flush=True)  # fmt: skip
    with db.transaction() as s:  # the file is the benchmark's own: drop batches an interrupted run left behind
        for batch in workflow.find_batches(s):
            workflow.delete_batch(s, batch)
    return db


def thousand_rows(db, repeat: int) -> None:
    with db.session() as s:
        area = s.scalars(select(Area).where(Area.level == "county")).one()
        exited = select(Household.id).where(Household.status == "exited", Household.year_exited == 2019)
        ids = list(s.scalars(exited.order_by(Household.id).limit(1000)))
        batch = workflow.create_batch(s, kind="exit", year=2019, area=area, household_ids=ids)
        started = time.perf_counter()
        whole = sheet.build(s, batch, "county_announcement", today=dt.date(2019, 12, 20))
        build_seconds = time.perf_counter() - started
        s.rollback()
    section = whole.sections[0]
    chain = fonts.chain()
    rendered: list = []
    ours = best_of(repeat, lambda: rendered.append(notice_sheet.render(whole, io.BytesIO())))
    bare = best_of(repeat, lambda: bare_table(section, chain.main, whole.font_size))
    print(json.dumps({
        "measure": "1,000-household notice", "rows": len(section.rows), "pages": rendered[-1].pages,
        "povdesk_seconds": round(ours, 3), "bare_reportlab_seconds": round(bare, 3), "ratio": round(ours / bare, 2),
        "goal_ratio": 1.5, "reading_rows_seconds": round(build_seconds, 3),
    }), flush=True)  # fmt: skip


def all_villages(db, folder: Path) -> None:
    with db.transaction() as s:
        area = s.scalars(select(Area).where(Area.level == "county")).one()
        started = time.perf_counter()
        batch = workflow.create_batch(s, kind="exit", year=2019, area=area)
        households, persons = workflow.counts(s, batch)
        batch_id = batch.id
        propose_seconds = time.perf_counter() - started
        villages = s.scalar(select(func.count()).select_from(Area).where(Area.level == "village"))
    try:
        started = time.perf_counter()
        files = export.export_sheets(db, [batch_id], "village_notice", folder, today=dt.date(2019, 12, 1))
        seconds = time.perf_counter() - started
    finally:
        with db.transaction() as s:
            workflow.delete_batch(s, workflow.get_batch(s, batch_id))
    size = sum(p.stat().st_size for p in files)
    print(json.dumps({
        "measure": "village notices of the whole county", "villages": villages, "files": len(files),
        "households": households, "persons": persons, "proposal_seconds": round(propose_seconds, 2),
        "export_seconds": round(seconds, 1), "ms_per_village": round(1000 * seconds / len(files), 1),
        "megabytes": round(size / 2**20, 1),
    }), flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=120_000)
    parser.add_argument("--db-file", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = args.db_file or Path(tempfile.gettempdir()) / f"povdesk-notice-bench-{args.households}.db"
    db = county(path, args.households)
    try:
        thousand_rows(db, args.repeat)
        with tempfile.TemporaryDirectory() as folder:
            all_villages(db, Path(folder))
    finally:
        db.close()


if __name__ == "__main__":
    main()
