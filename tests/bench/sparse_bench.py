"""Benchmark: peak memory of importing small files whose cells lie far apart, next to a normal small roster.

    python tests/bench/sparse_bench.py

python-calamine fills a dense grid from the first to the last cell with a value: a 6 KB file with a value at row
1,000,000 took 0.8–1.7 GB, one at XFD1048576 aborted the process asking for 512 GB. Each file below is imported by
`main.py import FILE --json` in a fresh subprocess; the script prints its exit code, its peak memory (ru_maxrss of
the child, from wait4) and the ratio to the normal roster. Goal: every peak under 300 MB, no exit code other than 0 or 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "povdesk"))

from test_roster_fixtures import sample_households, write_roster  # noqa: E402


def _with(path: Path, change) -> Path:
    write_roster(path, sample_households())
    book = openpyxl.load_workbook(path)
    change(book.active)
    book.save(path)
    return path


def _files(folder: Path) -> dict[str, Path]:
    def deep(sheet):
        sheet["F1000000"] = "多余"

    def deep_wide(sheet):
        sheet["F1000000"] = "多余"
        sheet["IV1000000"] = 1

    def far(sheet):
        sheet["XFD1048576"] = "x"

    def styled(sheet):
        sheet["XFD1048576"].font = Font(bold=True)

    return {
        "normal roster": write_roster(folder / "normal.xlsx", sample_households()),
        "value at row 1,000,000": _with(folder / "deep.xlsx", deep),
        "values at F and IV of row 1,000,000": _with(folder / "deep_wide.xlsx", deep_wide),
        "value at XFD1048576": _with(folder / "far.xlsx", far),
        "styled empty XFD1048576": _with(folder / "styled.xlsx", styled),
    }


def _import(path: Path, folder: Path) -> tuple[int, float, str]:
    """Exit code, peak memory in MB (of this child alone: wait4) and the first line of stderr of one import."""
    db = folder / f"{path.stem}.db"
    child = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", f"sqlite:///{db}", "import", str(path),
                              "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    stdout, stderr = child.stdout.read(), child.stderr.read()  # both small
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stdout.close()
    child.stderr.close()
    del stdout
    return child.returncode, usage.ru_maxrss / 1024, (stderr.strip().splitlines() or [""])[0]


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        files = _files(folder)
        figures = {}
        for label, path in files.items():
            code, peak_mb, message = _import(path, folder)
            figures[label] = {"bytes": path.stat().st_size, "exit": code, "peak_mb": round(peak_mb),
                              "message": message}  # fmt: skip
        normal = figures["normal roster"]["peak_mb"]
        for label, row in figures.items():
            row["ratio"] = round(row["peak_mb"] / normal, 2)
            print(f"{label:38} {row['bytes']:>7} B  exit {row['exit']}  peak {row['peak_mb']:>4} MB  "
                  f"{row['ratio']:.2f}× normal  {row['message']}")  # fmt: skip
        print(json.dumps(figures, ensure_ascii=False))
        worst = max(row["peak_mb"] for row in figures.values())
        print(f"highest peak {worst} MB (goal < 300 MB)")


if __name__ == "__main__":
    main()
