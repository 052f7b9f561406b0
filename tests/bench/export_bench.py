"""Benchmark: .xlsx writers side by side on the same roster rows, then the full export of a 120,000-household county.

    python tests/bench/export_bench.py [--rows 100000] [--households 120000] [--writers-only | --export-only]

Part 1 writes the same rows (a title row, an info row, a bold header on row 3, then --rows rows of 40 columns, four
of them text-formatted like 证件号码 and 户编号) with each candidate writer, each in a fresh subprocess, and prints
wall seconds, processor seconds (steadier on a shared machine: the load average is printed first), peak memory
(ru_maxrss), the file's size and the ratios to the best; every file is read back with python-calamine to check its
rows. Candidates: openpyxl write-only with lxml and without, xlsxwriter in constant_memory mode, pyexcelerate and
rustpy-xlsxwriter (skipped when not installed: `pip install xlsxwriter pyexcelerate rustpy-xlsxwriter`), the plain
zipfile writer of tests/bigroster.py (no styles), and PovDesk's streamed writer (povdesk/roster/xlsxstream.py).
"rows only" makes the rows and writes nothing: what every candidate pays before writing.

Part 2 builds (or reuses, in the temp folder; the same file as registry_bench's) a demo county of --households
households and times, each in a fresh subprocess: opening it (the memory floor: the app, the database and its page
cache), reading every roster row without writing it (the chunked SQL: the query side), the export in each layout,
and the export of an eighth, a quarter and half of the county (the peak memory levels off as SQLite's page cache
fills: memory is bounded by a chunk, not by the county).
Goal: 120,000 households (414,960 rows) in ≤ 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

from county import demo_database  # noqa: E402

COLUMNS = 40
TEXT_COLUMNS = (5, 7, 30, 31)  # 户编号, 证件号码, two phone numbers: written as text ("@")
WORDS = (
    "一般脱贫户 低保脱贫户 户主 配偶 之子 之女 汉族 白族 小学 初中 健康 长期慢性病 普通劳动力 无劳动力 是 否 因病 缺技术 "
    "已脱贫（享受政策） 边缘易致贫户"
).split()
WRITERS = (
    "openpyxl+lxml",
    "openpyxl",
    "xlsxwriter",
    "pyexcelerate",
    "rustpy-xlsxwriter",
    "zipfile floor",
    "povdesk xlsxstream",
    "rows only",
)
LAYOUTS = ("povdesk", "national-2016", "monitoring-2021")


def sample_rows(count: int):
    """Deterministic roster-like rows: area names, numbers as text, labels from small lists, money, blanks."""
    rng = random.Random(7)
    villages = [f"{rng.choice('东西南北上下')}{rng.choice('河山坪坝岭')}村" for _ in range(200)]
    for seq in range(1, count + 1):
        row = [
            seq,
            "云岭县",
            "龙山镇",
            villages[seq % 200],
            "第三组",
            f"53293010{seq // 3:06d}",
            "张建国",
            f"5329301980{seq % 12 + 1:02d}{seq % 28 + 1:02d}{seq % 9999:04d}",
            seq % 7 + 1,
        ]
        for i in range(len(row), COLUMNS):
            if i in TEXT_COLUMNS:
                row.append(f"138{seq:08d}")
            elif i % 5 == 0:
                row.append(round(rng.uniform(2000, 30000), 2))
            elif rng.random() < 0.15:
                row.append(None)
            else:
                row.append(WORDS[rng.randrange(len(WORDS))])
        yield row


def _headers() -> list[str]:
    return ["序号", "县", "乡", "村", "组", "户编号", "姓名", "证件号码", "人数"] + [
        f"字段{i}" for i in range(9, COLUMNS)
    ]


TITLE, INFO = "建档立卡人口花名册（云岭县）", "导出日期：2026-11-30"


def write_openpyxl(path: Path, rows) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append([TITLE])
    ws.append([INFO])
    header = []
    for text in _headers():
        cell = WriteOnlyCell(ws, text)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    template = WriteOnlyCell(ws, "")
    template.number_format = "@"
    for row in rows:
        for i in TEXT_COLUMNS:
            cell = WriteOnlyCell(ws, row[i])
            cell._style = template._style
            row[i] = cell
        ws.append(row)
    wb.save(path)


def write_xlsxwriter(path: Path, rows) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("花名册")
    text = wb.add_format({"num_format": "@"})
    bold = wb.add_format({"bold": True})
    for i in TEXT_COLUMNS:
        ws.set_column(i, i, 20, text)
    ws.write_string(0, 0, TITLE)
    ws.write_string(1, 0, INFO)
    for c, title in enumerate(_headers()):
        ws.write_string(2, c, title, bold)
    write_string, write_number = ws.write_string, ws.write_number
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if value is None:
                continue
            if c in TEXT_COLUMNS:
                write_string(r, c, value, text)
            elif isinstance(value, str):
                write_string(r, c, value)
            else:
                write_number(r, c, value)
    wb.close()


def write_pyexcelerate(path: Path, rows) -> None:
    from pyexcelerate import Font, Format, Style, Workbook

    wb = Workbook()
    data = [[TITLE], [INFO], _headers(), *rows]  # pyexcelerate takes the whole sheet at once
    ws = wb.new_sheet("花名册", data=data)
    for i in TEXT_COLUMNS:
        ws.set_col_style(i + 1, Style(format=Format("@")))
    ws.set_row_style(3, Style(font=Font(bold=True)))
    wb.save(str(path))


def write_rustpy(path: Path, rows) -> None:
    from rustpy_xlsxwriter import FastExcel, Format

    headers = _headers()
    text = Format().set_num_format("@")
    (
        FastExcel(str(path))
        .format(bold_headers=True)
        .sheet(
            "花名册",
            (dict(zip(headers, row, strict=True)) for row in rows),
            header_row=2,
            merge_ranges=[(0, 0, 0, 5, TITLE), (1, 0, 1, 5, INFO)],
            column_formats={headers[i]: text for i in TEXT_COLUMNS},
        )
        .save()
    )


def write_floor(path: Path, rows) -> None:
    from bigroster import write_xlsx

    def with_head():
        yield [TITLE]
        yield [INFO]
        yield _headers()
        yield from rows

    write_xlsx(path, with_head())


def write_xlsxstream(path: Path, rows) -> None:
    from povdesk.roster.xlsxstream import HEADER, SheetWriter
    from povdesk.roster.xlsxstream import TITLE as TITLE_STYLE

    writer = SheetWriter(path, "花名册", [10] * COLUMNS, text_columns=TEXT_COLUMNS, freeze_rows=3)
    writer.write([TITLE], TITLE_STYLE)
    writer.write([INFO])
    writer.write(_headers(), HEADER)
    for row in rows:
        writer.write(row)
    writer.close()


def generate_only(path: Path, rows) -> None:
    """The cost of making the sample rows, which every candidate pays: subtract it to compare the writers alone."""
    for _ in rows:
        pass
    path.write_bytes(b"")


WRITE = {
    "openpyxl+lxml": write_openpyxl,
    "openpyxl": write_openpyxl,
    "xlsxwriter": write_xlsxwriter,
    "pyexcelerate": write_pyexcelerate,
    "rustpy-xlsxwriter": write_rustpy,
    "zipfile floor": write_floor,
    "povdesk xlsxstream": write_xlsxstream,
    "rows only": generate_only,
}
MODULE = {"xlsxwriter": "xlsxwriter", "pyexcelerate": "pyexcelerate", "rustpy-xlsxwriter": "rustpy_xlsxwriter"}


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


class _Timer:
    """Wall and processor seconds (all threads) of a block: processor time is steadier on a shared machine."""

    def __enter__(self) -> _Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def figures(self) -> dict:
        return {"s": round(self.wall, 2), "cpu_s": round(self.cpu, 2), "peak_mb": _peak_mb()}


def _child_writer(name: str, rows: int, folder: Path) -> dict:
    path = folder / f"{name.replace('+', '_').replace(' ', '_')}.xlsx"
    with _Timer() as timer:
        WRITE[name](path, sample_rows(rows))
    figures = {"writer": name, **timer.figures()}
    if name != "rows only":
        from python_calamine import CalamineWorkbook

        figures["file_mb"] = _mb(path)
        figures["rows_read"] = sum(1 for _ in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    return figures


def _child_open(url: str) -> dict:
    """The floor under every export: the app's modules, the database opened, the households listed in order."""
    from povdesk.db import open_database
    from povdesk.roster import exporter

    database = open_database(url)
    with database.session() as session:
        households = len(exporter._household_ids(session, None, None))
    return {"households": households, "peak_mb": _peak_mb()}


def _child_rows(url: str) -> dict:
    """The query side alone: every household and person of the county read by the chunked SQL, nothing written."""
    import datetime as dt

    from povdesk.db import open_database
    from povdesk.roster import exporter

    database = open_database(url)
    with _Timer() as timer, database.session() as session:
        ids = exporter._household_ids(session, None, None)
        names, queries, connection = exporter._AreaNames(session), exporter._queries(True), session.connection()
        rows = 0
        for start in range(0, len(ids), exporter.CHUNK):
            chunk = ids[start : start + exporter.CHUNK]
            rows += sum(
                len(members) for _, members in exporter._chunk(connection, queries, chunk, names, dt.date.today())
            )
    return {"households": len(ids), "rows": rows, **timer.figures()}


def _child_export(url: str, layout: str, folder: Path, share: float) -> dict:
    """The export of the county, or of the share of its households with the lowest ids."""
    from sqlalchemy import func, select

    from povdesk.db import open_database
    from povdesk.model import Household
    from povdesk.roster.exporter import export_roster

    database = open_database(url)
    with database.session() as session:
        last = int(session.scalar(select(func.max(Household.id))) * share)
    chosen = None if share == 1 else select(Household.id).where(Household.id <= last)
    path = folder / f"{layout}.xlsx"
    with _Timer() as timer:
        result = export_roster(database, path, layout=layout, household_ids=chosen)
    figures = {"layout": layout, "share": share, "households": result.households, "rows": result.persons}
    return {**figures, **timer.figures(), "file_mb": _mb(path)}


def _mb(path: Path) -> float:
    return round(path.stat().st_size / 2**20, 1)


def _run(*args: str, env: dict | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.splitlines()[-1])


def _installed(name: str) -> bool:
    module = MODULE.get(name)
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def compare_writers(rows: int, folder: Path) -> None:
    results = []
    for name in WRITERS:
        if not _installed(name):
            print(f"{name}: not installed, skipped", flush=True)
            continue
        env = {"OPENPYXL_LXML": "False"} if name == "openpyxl" else None
        figures = _run("writer", name, str(rows), str(folder), env=env)
        print(json.dumps(figures, ensure_ascii=False), flush=True)
        if name == "rows only":
            making = figures
            continue
        assert figures["rows_read"] == rows + 3, f"{name} wrote {figures['rows_read']} rows"
        results.append(figures)
    fastest = min(r["s"] for r in results)
    least_cpu = min(r["cpu_s"] - making["cpu_s"] for r in results)
    leanest = min(r["peak_mb"] for r in results)
    print(f"\n{rows} rows × {COLUMNS} columns; processor time less the {making['cpu_s']} s of making the rows")
    print(f"{'writer':20} {'wall s':>8} {'×':>6} {'cpu s':>8} {'×':>6} {'peak MB':>8} {'×':>6} {'file MB':>8}")
    for r in sorted(results, key=lambda r: r["cpu_s"]):
        cpu = r["cpu_s"] - making["cpu_s"]
        print(
            f"{r['writer']:20} {r['s']:8.1f} {r['s'] / fastest:6.1f} {cpu:8.1f} {cpu / least_cpu:6.1f} "
            f"{r['peak_mb']:8.0f} {r['peak_mb'] / leanest:6.1f} {r['file_mb']:8.1f}"
        )


def full_export(households: int, folder: Path) -> None:
    url = demo_database(households)
    floor = _run("open", url)
    query = _run("rows", url)
    print(json.dumps({"opened": floor, "query_side": query}, ensure_ascii=False), flush=True)
    for layout in LAYOUTS:
        figures = _run("export", url, layout, str(folder), "1")
        print(json.dumps(figures, ensure_ascii=False), flush=True)
        goal = "met" if figures["s"] <= 60 else "MISSED"
        print(
            f"  {layout}: {figures['rows']} rows in {figures['s']} s (goal ≤ 60 s: {goal}), {figures['cpu_s']} s of "
            f"processor, the query side's {query['cpu_s']} s ({query['cpu_s'] / figures['cpu_s']:.0%}) included; "
            f"peak {figures['peak_mb']} MB, the opened database alone {floor['peak_mb']} MB",
            flush=True,
        )
    # the peak levels off once SQLite's page cache (64 MB) is full: memory is bounded by a chunk, not by the county
    for share in ("0.125", "0.25", "0.5"):
        figures = _run("export", url, "national-2016", str(folder), share)
        print(f"  national-2016 of {figures['households']} households: {figures['s']} s, peak {figures['peak_mb']} MB")


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        kind, *rest = sys.argv[2:]
        if kind == "writer":
            figures = _child_writer(rest[0], int(rest[1]), Path(rest[2]))
        elif kind == "open":
            figures = _child_open(rest[0])
        elif kind == "rows":
            figures = _child_rows(rest[0])
        else:
            figures = _child_export(rest[0], rest[1], Path(rest[2]), float(rest[3]))
        print(json.dumps(figures, ensure_ascii=False))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--households", type=int, default=120_000)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--writers-only", action="store_true")
    only.add_argument("--export-only", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} processors", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        if not args.export_only:
            compare_writers(args.rows, Path(folder))
        if not args.writers_only:
            full_export(args.households, Path(folder))


if __name__ == "__main__":
    main()
