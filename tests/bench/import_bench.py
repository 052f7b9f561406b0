"""Benchmark: importing a 120,000-household roster next to python-calamine's own iter_rows() over the same file.

    python tests/bench/import_bench.py [--households 120000] [--file roster.xlsx] [--keep]

Builds a demo county, writes its roster in the national layout (a plain, fast .xlsx writer with shared strings, as
Excel saves them; the product's exporter writes the same cells through openpyxl), then in two fresh subprocesses
times (a) `for row in sheet.iter_rows()` and (b) the full import into an empty SQLite database, and prints seconds,
peak memory (ru_maxrss) and the ratios import / read. Goal: ≤ 1.2× the time and ≤ 1.3× the peak memory. Also
prints how long the import wizard waits for the header of the same file (open, find the header, close).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bigroster import make_roster  # noqa: E402

_READ = """
import resource, sys, time
from python_calamine import CalamineWorkbook
started = time.perf_counter()
sheet = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0)
rows = 0
for row in sheet.iter_rows():
    rows += 1
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, rows)
"""

_HEADER = """
import sys, time
sys.path.insert(0, sys.argv[2])
from povdesk.roster.reader import RosterSheet
started = time.perf_counter()
with RosterSheet(sys.argv[1]) as roster:
    header_row = roster.header.excel_row
print(time.perf_counter() - started, header_row)
"""

_IMPORT = """
import resource, sys, time
sys.path.insert(0, sys.argv[3])
from povdesk.db import open_database
from povdesk.roster.importer import import_roster
database = open_database(sys.argv[2])
started = time.perf_counter()
result = import_roster(database, sys.argv[1])
seconds = time.perf_counter() - started
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, result.persons_added, result.households_added,
      len(result.rejected), len(result.warnings))
"""


def _run(script: str, *args: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(out.stderr)
    return out.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=120_000)
    parser.add_argument("--file", type=Path, help="reuse (or keep) the roster at this path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.file or Path(folder) / "roster.xlsx"
        if not path.exists():
            started = time.perf_counter()
            persons = make_roster(path, args.households)
            print(f"roster written: {persons} persons, {path.stat().st_size / 2**20:.0f} MB, "
                  f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        read_s, read_kb, rows = _run(_READ, str(path))
        header_s, _ = _run(_HEADER, str(path), str(ROOT))
        db_url = f"sqlite:///{folder}/import.db"
        import_s, import_kb, persons_added, households_added, rejected, warnings = _run(
            _IMPORT, str(path), db_url, str(ROOT)
        )
        figures = {
            "rows": int(rows),
            "households_added": int(households_added),
            "persons_added": int(persons_added),
            "rejected": int(rejected),
            "warnings": int(warnings),
            "calamine_iter_rows_s": round(float(read_s), 2),
            "calamine_peak_mb": round(int(read_kb) / 1024),
            "wizard_header_s": round(float(header_s), 2),
            "import_s": round(float(import_s), 2),
            "import_peak_mb": round(int(import_kb) / 1024),
        }
        figures["time_ratio"] = round(figures["import_s"] / figures["calamine_iter_rows_s"], 2)
        figures["memory_ratio"] = round(int(import_kb) / int(read_kb), 2)
        print(json.dumps(figures))
        print(f"time {figures['time_ratio']}× (goal ≤ 1.2×), memory {figures['memory_ratio']}× (goal ≤ 1.3×)")


if __name__ == "__main__":
    main()
