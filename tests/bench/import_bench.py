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
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="2"><xf/><xf numFmtId="49" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def write_xlsx(path: Path, rows) -> int:
    """A minimal .xlsx with shared strings; numbers as numbers, everything else as text. Returns the row count."""
    strings: dict[str, int] = {}
    letters = [_column_letter(i) for i in range(200)]
    count = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            out = []
            out.append(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for r, cells in enumerate(rows, start=1):
                count += 1
                out.append(f'<row r="{r}">')
                for c, value in enumerate(cells):
                    if value is None or value == "":
                        continue
                    ref = f"{letters[c]}{r}"
                    if isinstance(value, bool):
                        out.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
                    elif isinstance(value, int | float):
                        out.append(f'<c r="{ref}"><v>{value}</v></c>')
                    else:
                        text = str(value)
                        index = strings.setdefault(text, len(strings))
                        out.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
                out.append("</row>")
                if len(out) > 20000:
                    raw.write("".join(out).encode())
                    out.clear()
            out.append("</sheetData></worksheet>")
            raw.write("".join(out).encode())
        shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        zf.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>',
        )
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
    return count


def make_roster(path: Path, households: int) -> int:
    """Generate a demo county in a temporary database and write its roster; returns the number of person rows."""
    from povdesk import demo
    from povdesk.db import open_database
    from povdesk.roster.exporter import roster_rows
    from povdesk.roster.layout import export_headers

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{folder}/source.db")
        demo.generate(database, households=households, seed=1)
        with database.session() as session:
            _, rows = roster_rows(session)

            def numbered():
                yield ["云岭县建档立卡人口花名册"]
                yield ["填报单位：云岭县乡村振兴局"]
                yield export_headers()
                for seq, cells in enumerate(rows, start=1):
                    cells[0] = seq
                    yield [c.isoformat() if hasattr(c, "isoformat") else c for c in cells]

            count = write_xlsx(path, numbered()) - 3
        database.close()
    return count


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
