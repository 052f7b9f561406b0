"""Benchmark: cold start of PovDesk to its shown main window, against a bare PySide6 window with a QTableView.

    python tests/bench/startup_bench.py --rounds 5 --households 5000

Each round starts both in fresh processes, alternating (so a busy disk or CPU slows both alike), and measures from
launching the process until its window is shown, painted and the event loop runs. PovDesk starts as `main.py --db URL` does
(on a demo county, settings and log in a temporary folder). Prints the medians and the ratio (goal: ≤ 2), and the
time to PovDesk's splash.
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

# Both children print "shown" once their window is visible, painted and the event loop runs; PovDesk's also "splash".
PROBE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
def probe(seen=set()):
    for widget in app.topLevelWidgets():
        if widget.objectName() == "splash" and widget.isVisible() and "splash" not in seen:
            seen.add("splash"); print("splash", flush=True)
        if type(widget).__name__ == WINDOW and widget.isVisible():
            app.processEvents()  # its first paint and the work it queued for right after showing
            print("shown", flush=True); app.quit(); return
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
    bare, povdesk, splash = [], [], []
    for n in range(args.rounds):
        first, second = (
            ((BARE, bare), (povdesk_code, povdesk)) if n % 2 == 0 else ((povdesk_code, povdesk), (BARE, bare))
        )
        for code, results in (first, second):
            marks = launch(code, env)
            results.append(marks["shown"])
            if "splash" in marks:
                splash.append(marks["splash"])
    bare_s, povdesk_s = statistics.median(bare), statistics.median(povdesk)
    print(f"bare PySide6 window with a QTableView: {bare_s:.2f} s (median of {len(bare)}: "
          f"{', '.join(f'{t:.2f}' for t in bare)})")  # fmt: skip
    print(f"PovDesk main window ({args.households} households): {povdesk_s:.2f} s (median of {len(povdesk)}: "
          f"{', '.join(f'{t:.2f}' for t in povdesk)})")  # fmt: skip
    if splash:
        print(f"PovDesk splash shown after {statistics.median(splash):.2f} s")
    ratio = povdesk_s / bare_s
    print(f"ratio {ratio:.2f} (goal ≤ {GOAL_RATIO:.0f}): {'met' if ratio <= GOAL_RATIO else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
