"""Benchmark: cold start of PovDesk to its shown main window, against a bare PySide6 window with a QTableView.

    python tests/bench/startup_bench.py --rounds 5 --households 5000

Each round starts both in fresh processes, alternating (so a busy disk or CPU slows both alike), and measures from
launching the process until its window is shown, painted and the event loop runs. PovDesk starts as `main.py --db URL` does
(on a demo county, settings and log in a temporary folder). Prints the medians and the ratio of the time to
PovDesk's shown window (goal: ≤ 2), and the time until it is filled in.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from county import demo_database  # noqa: E402

GOAL_RATIO = 2.0

# Both children print "shown" once their window is visible and "ready" once it is filled in, painted and the event
# loop runs (the bare window is ready as soon as it shows; PovDesk's frame shows first, then attaches the database).
PROBE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
def probe(seen=set()):
    for widget in app.topLevelWidgets():
        if type(widget).__name__ == WINDOW and widget.isVisible() and widget.windowHandle().isExposed():
            if "shown" not in seen:
                app.processEvents()  # its first paint
                seen.add("shown"); print("shown", flush=True)
            if getattr(widget, "ready", True):
                app.processEvents()  # its first paint and the work it queued for right after showing
                print("ready", flush=True); app.quit(); return
    QTimer.singleShot(2, probe)
QTimer.singleShot(0, probe)
"""
POVDESK = (
    PROBE.replace("WINDOW", '"MainWindow"')
    + """
sys.path.insert(0, ROOT)  # ahead of the editable install's finder
from povdesk.cli import main
assert main.__module__ == "povdesk.cli" and sys.modules["povdesk"].__file__.startswith(ROOT), "wrong checkout"
sys.exit(main(["--db", URL]))
"""
)
BARE = (
    PROBE.replace("WINDOW", '"QMainWindow"')
    + """
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QMainWindow, QTableView
window = QMainWindow()
view = QTableView()
model = QStandardItemModel(50, 10)
view.setModel(model)
window.setCentralWidget(view)
window.resize(1280, 800)
window.show()
sys.exit(app.exec())
"""
)


def launch(code: str, env: dict[str, str]) -> dict[str, float]:
    """Seconds from launching `python -c code` to each line it prints."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    marks = {}
    assert process.stdout is not None
    for line in process.stdout:
        marks[line.strip()] = time.perf_counter() - started
    if process.wait(timeout=120) != 0 or "shown" not in marks:
        raise SystemExit(f"the child failed (exit code {process.returncode})")
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--root", type=Path, default=ROOT, help="the PovDesk checkout to start (default: this one)")
    args = parser.parse_args()
    url = demo_database(args.households)
    home = tempfile.mkdtemp(prefix="povdesk-startup-")
    env = {**os.environ, "XDG_CONFIG_HOME": home, "POVDESK_LOG_DIR": home, "APPDATA": home}
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    povdesk_code = POVDESK.replace("ROOT", repr(str(args.root.resolve()))).replace("URL", repr(url))
    bare, shown, ready = [], [], []
    for n in range(args.rounds):
        order = ("bare", "povdesk") if n % 2 == 0 else ("povdesk", "bare")
        for which in order:
            marks = launch(BARE if which == "bare" else povdesk_code, env)
            if which == "bare":
                bare.append(marks["ready"])
            else:
                shown.append(marks["shown"])
                ready.append(marks["ready"])

    def line(label: str, times: list[float]) -> float:
        median = statistics.median(times)
        print(f"{label}: {median:.2f} s (median of {len(times)}: {', '.join(f'{t:.2f}' for t in times)})")
        return median

    bare_s = line("bare PySide6 window with a QTableView", bare)
    shown_s = line(f"PovDesk main window shown ({args.households} households)", shown)
    ready_s = line("PovDesk main window filled in (area tree, menus, registry)", ready)
    ratio = shown_s / bare_s
    print(
        f"ratio shown/bare {ratio:.2f} (goal ≤ {GOAL_RATIO:.0f}): {'met' if ratio <= GOAL_RATIO else 'NOT met'}; "
        f"filled in/bare {ready_s / bare_s:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
