"""Benchmark: the 挂图作战 dashboard on screen, from choosing an area to the drawn dashboard (goal for the county of
120,000 households: ≤ 1 s), beside the plain GROUP BY of wallchart_bench and the aggregation alone.

    QT_QPA_PLATFORM=offscreen python tests/bench/dashboard_bench.py [--households 120000] [--repeat 3]

The window is opened once (on an empty area list it loads nothing heavy), then each round navigates to the county,
a township and a village, alternating, and to the county again with its per-village summary emptied (as after a whole
county's import: every village computed), and times until the dashboard's `loaded` signal: the worker thread's
aggregation plus drawing the map, tiles and charts on the GUI thread. Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from county import demo_database, with_recent_visits  # noqa: E402
from sqlalchemy import delete, select  # noqa: E402
from wallchart_bench import plain_group_by  # noqa: E402

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from povdesk.db import open_database  # noqa: E402
from povdesk.model import Area, WallchartSummary  # noqa: E402
from povdesk.wallchart import figures  # noqa: E402
from ui.settings import AppSettings  # noqa: E402
from ui.wallchart.dashboard import DashboardWindow  # noqa: E402


def shown(app: QApplication, window: DashboardWindow, area_id: int | None) -> float:
    """Seconds from navigating to `area_id` until the dashboard is drawn and painted."""
    loop = QEventLoop()
    window.loaded.connect(loop.quit)
    QTimer.singleShot(120_000, loop.quit)
    started = time.perf_counter()
    window.navigate(area_id)
    loop.exec()
    app.processEvents()  # the paint
    seconds = time.perf_counter() - started
    window.loaded.disconnect(loop.quit)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=120_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = demo_database(args.households)
    app = QApplication.instance() or QApplication(sys.argv)
    database = open_database(url)
    with_recent_visits(database)
    today = dt.date.today()
    with database.session() as s:
        town = s.scalar(select(Area.id).where(Area.level == "township").order_by(Area.path))
        village = s.scalar(select(Area.id).where(Area.level == "village").order_by(Area.path))
        county = s.scalar(select(Area.id).where(Area.level == "county"))
        plain = min(_timed(lambda: plain_group_by(s)) for _ in range(args.repeat))
        aggregation = min(_timed(lambda: figures.build(s, None, today=today)) for _ in range(args.repeat))
    settings = AppSettings(QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat))
    window = DashboardWindow(database, settings, village, today=today)
    window.show()
    shown(app, window, village)  # the first load, imports and fonts included: not measured
    times: dict[str, list[float]] = {"county": [], "township": [], "village": [], "county, nothing stored": []}
    for _ in range(args.repeat):
        for name, area_id in (("county", county), ("township", town), ("village", village)):
            times[name].append(shown(app, window, area_id))
        with database.transaction() as s:  # as right after a whole county's import: every village to compute
            s.execute(delete(WallchartSummary))
        times["county, nothing stored"].append(shown(app, window, county))
    base = {"households": args.households, "db": "postgresql" if url.startswith("postgresql") else "sqlite"}
    print(json.dumps({**base, "what": "plain GROUP BY (households, poor, persons per township)",
                      "seconds": round(plain, 3)}, ensure_ascii=False))  # fmt: skip
    print(json.dumps({**base, "what": "county aggregation alone", "seconds": round(aggregation, 3),
                      "vs_plain": round(aggregation / plain, 1)}, ensure_ascii=False))  # fmt: skip
    for name, values in times.items():
        goal = " (goal ≤ 1 s)" if name == "county" else ""
        print(json.dumps({**base, "what": f"dashboard shown: {name}{goal}", "median": round(statistics.median(values), 3),
                          "runs": [round(v, 3) for v in values],
                          "vs_plain": round(statistics.median(values) / plain, 1)}, ensure_ascii=False))  # fmt: skip
    window.close()
    database.close()


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
