"""Broken and misleading roster files, built here: error cells, far-away cells, text files under Excel names, damaged
workbooks, leftover temporary folders. Each is read to its rows or refused with one Chinese line, never a crash."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from test_roster_fixtures import COL, sample_households, write_roster

from povdesk.files import os_error_text
from povdesk.roster import slices
from povdesk.roster.cells import NO_CACHED_VALUE, CellError
from povdesk.roster.reader import RosterReadError, RosterSheet, sheet_names
from povdesk.roster.slices import SlicedSheet, remove_stale_temp_folders

ROOT = Path(__file__).parents[2]
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def sliced(monkeypatch, tmp_path):
    """A switch between whole and sliced reading; slices of a few hundred bytes, the temp folder under tmp_path."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(slices, "SLICE_BYTES", 300)

    def use(on: bool) -> None:
        monkeypatch.setattr(slices, "MIN_SPLIT_BYTES", 0 if on else 1 << 62)

    return use


def _english(message: str, *allowed: str) -> list[str]:
    """Words of Latin letters in a message other than file names and the product names a clerk knows."""
    for word in (*allowed, "Excel", "WPS", "XML", ".xlsx", ".xls", ".ods"):
        message = message.replace(word, "")
    return re.findall(r"[A-Za-z]{3,}", message)


def _refused(path: Path, *words: str) -> str:
    with pytest.raises(RosterReadError) as error:
        RosterSheet(path).close()
    message = str(error.value)
    assert "\n" not in message and path.name in message
    assert not _english(message, str(path), path.name, path.stem, *words), message
    for word in words:
        assert word in message, message
    return message


def _rewrite_sheet(path: Path, change) -> Path:
    """The workbook with its first sheet's XML passed through `change` (bytes → bytes)."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            zout.writestr(info, change(data) if info.filename == SHEET else data)
    return path


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", f"sqlite:///{db}", *args],
                          capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=300)  # fmt: skip


def _rows(path: Path) -> dict[int, list]:
    with RosterSheet(path) as roster:
        return {number: list(cells) for number, cells in roster.rows()}


# -- (4) error cells and formulas without a result ------------------------------------------------------------------


def _roster_with_errors(tmp_path: Path) -> Path:
    path = write_roster(tmp_path / "errors.xlsx", sample_households())
    book = openpyxl.load_workbook(path)
    sheet = book.active
    income, name = COL["人均纯收入"] + 1, COL["姓名"] + 1
    sheet.cell(5, income).value = "#N/A"  # openpyxl writes error strings as error cells (t="e")
    sheet.cell(8, income).value = "#DIV/0!"
    sheet.cell(6, name).value = "=VLOOKUP(A6,其他表!A:B,2,0)"  # a formula saved without its result
    sheet.cell(1, 30).value = "#REF!"  # in the title row, above the header
    sheet.cell(14, 3).value = "=A1"  # below the last row with a value: calamine reads nothing there
    book.save(path)
    return path


@pytest.mark.parametrize("slicing", [False, True], ids=["whole", "sliced"])
def test_error_cells_and_unsaved_formulas_are_handed_out_as_errors(tmp_path, sliced, slicing):
    # GIVEN a roster with #N/A and #DIV/0! incomes, a name that is a formula without its result, errors above the
    # header and an unsaved formula below the data
    path = _roster_with_errors(tmp_path)
    sliced(slicing)
    # WHEN it is read whole and in slices
    with RosterSheet(path) as roster:
        assert isinstance(roster.source, SlicedSheet) is slicing
        assert roster.header.excel_row == 3 and roster.header.texts[COL["姓名"]] == "姓名"
        offset = roster.col_offset
        rows = {number: [""] * offset + list(cells) for number, cells in roster.rows()}
    # THEN each error is a CellError at its row and column, never a blank
    income, name = COL["人均纯收入"], COL["姓名"]
    assert rows[5][income] == CellError("#N/A") and rows[8][income] == CellError("#DIV/0!")
    assert rows[6][name] == CellError(NO_CACHED_VALUE) and rows[6][name].message.startswith("是公式")
    assert rows[14][2] == CellError(NO_CACHED_VALUE)
    assert rows[7][name] == "张小明" and rows[7][income] not in ("", None)
    errors = sorted((n, c) for n, cells in rows.items() for c, v in enumerate(cells) if isinstance(v, CellError))
    assert errors == [(5, income), (6, name), (8, income), (14, 2)]


def test_a_text_formula_whose_result_is_empty_is_a_blank(tmp_path):
    # GIVEN a cell =IF(…,"",…) that Excel saved with its (empty) text result
    path = write_roster(tmp_path / "r.xlsx", sample_households())
    ref = f"{get_column_letter(COL['人均纯收入'] + 1)}5".encode()
    cell = b'<c r="' + ref + b'" t="str"><f>IF(1,"",1)</f><v></v></c>'
    _rewrite_sheet(path, lambda xml: re.sub(rb'<c r="' + ref + rb'"[^>]*>.*?</c>', cell, xml, count=1))
    # WHEN it is read THEN it is blank, not an error
    assert _rows(path)[5][COL["人均纯收入"]] == ""


# -- (8) cells far away -----------------------------------------------------------------------------------------------


def test_a_value_at_xfd1048576_is_refused_with_its_address(tmp_path):
    # GIVEN a 6 KB roster with one value in the very last cell of the sheet (calamine would ask for 512 GB)
    path = write_roster(tmp_path / "far.xlsx", sample_households())
    book = openpyxl.load_workbook(path)
    book.active["XFD1048576"] = "x"
    book.save(path)
    assert path.stat().st_size < 10_000
    # WHEN it is opened THEN the clerk reads which cell to delete
    _refused(path, "XFD1048576", "删除")


@pytest.mark.parametrize("slicing", [False, True], ids=["whole", "sliced"])
def test_formatting_far_away_is_ignored(tmp_path, sliced, slicing):
    # GIVEN a roster as WPS saves it: a styled empty cell at XFD1048576 and a dimension covering the whole sheet
    path = write_roster(tmp_path / "styled.xlsx", sample_households())
    book = openpyxl.load_workbook(path)
    book.active["XFD1048576"].font = Font(bold=True)
    book.active["IV3000"].font = Font(bold=True)
    book.save(path)
    _rewrite_sheet(path, lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml))
    sliced(slicing)
    # WHEN it is read THEN the rows are those of the roster
    rows = _rows(path)
    assert rows[5][COL["姓名"]] == "张建国" and max(len(r) for r in rows.values()) < 60


@pytest.mark.parametrize("slicing", [False, True], ids=["whole", "sliced"])
def test_a_value_a_million_rows_down_is_read_without_the_rows_between(tmp_path, sliced, slicing):
    # GIVEN a roster and one stray value at row 1,000,000 (read whole, calamine fills a million blank rows)
    path = write_roster(tmp_path / "deep.xlsx", sample_households())
    book = openpyxl.load_workbook(path)
    book.active["F1000000"] = "多余"
    book.save(path)
    sliced(slicing)
    # WHEN it is read THEN the sheet is read in slices cut at the gap and the stray row keeps its number
    with RosterSheet(path) as roster:
        assert isinstance(roster.source, SlicedSheet)
        offset = roster.col_offset
        rows = {n: [""] * offset + list(cells) for n, cells in roster.rows()}
    assert rows[5][COL["姓名"]] == "张建国"
    assert rows[1_000_000][COL["姓名"]] == "多余"
    assert len(rows) < 20


def test_the_command_line_refuses_a_far_value_and_imports_a_deep_one(tmp_path):
    far = write_roster(tmp_path / "far.xlsx", sample_households())
    book = openpyxl.load_workbook(far)
    book.active["XFD1048576"] = 1
    book.save(far)
    db = tmp_path / "a.db"
    # WHEN the far one is imported THEN exit 1 with one Chinese line naming the cell, and nothing imported
    result = _cli(db, "import", str(far), "--json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "XFD1048576" in result.stderr
    # WHEN the roster with a stray cell a million rows down is imported THEN the good rows are in
    deep = write_roster(tmp_path / "deep.xlsx", sample_households())
    book = openpyxl.load_workbook(deep)
    book.active["F1000000"] = "多余"
    book.save(deep)
    result = _cli(db, "import", str(deep), "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["persons_added"] == 6 and figures["households_added"] == 3


# -- (11) what a file really is --------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, delimiter, name", [("gb18030", ",", "导出.xls"), ("utf-8-sig", "\t", "导出.xlsx"),
                                                       ("utf-16", "\t", "unicode.xls")])  # fmt: skip
def test_a_text_roster_under_an_excel_name_is_read(tmp_path, encoding, delimiter, name):
    # GIVEN a roster saved by another system as CSV or tab-separated text, named like a workbook
    lines = [["户编号", "姓名", "证件号码", "与户主关系", "人均纯收入"],
             ["5329301001000001", "张建国", "53293019650312011X", "户主", "4500.5"],
             ["5329301001000001", "王秀英", "532930196708020227", "配偶", ""]]  # fmt: skip
    path = tmp_path / name
    path.write_bytes("\r\n".join(delimiter.join(line) for line in lines).encode(encoding))
    # WHEN it is read THEN its rows arrive as texts, the ID numbers whole
    assert sheet_names(path) == [path.stem]
    with RosterSheet(path) as roster:
        assert roster.header.excel_row == 1
        rows = list(roster.rows())
    assert rows[0] == (2, lines[1]) and rows[1][1][1] == "王秀英"


def test_a_text_file_without_a_roster_says_it_is_text(tmp_path):
    path = tmp_path / "说明.xlsx"
    path.write_text("这不是表格，只是一段说明文字。", encoding="gb18030")
    _refused(path, "文本文件", "另存为")


# -- (11, 12) damaged and misleading files: one Chinese line each ----------------------------------------------------


def _encrypted(path: Path) -> Path:
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1016 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 3000
    path.write_bytes(body)
    return path


def _broken(tmp_path: Path) -> dict[str, tuple[Path, tuple[str, ...]]]:
    good = write_roster(tmp_path / "good.xlsx", sample_households())
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    not_workbook = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(not_workbook, "w") as zf:
        zf.writestr("photo.txt", "not a workbook")
    missing_part = tmp_path / "missing.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(missing_part, "w") as zout:
        for info in zin.infolist():
            if info.filename != SHEET:
                zout.writestr(info, zin.read(info))
    html = tmp_path / "网页.xls"
    html.write_text("<html><body><table><tr><td>姓名</td></tr></table></body></html>", encoding="utf-8")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    return {
        "truncated": (truncated, ("不完整",)),
        "zip, not a workbook": (not_workbook, ("不是",)),
        "missing sheet part": (missing_part, ("损坏",)),
        "web page": (html, ("网页", "另存为")),
        "encrypted .xlsx named .xls": (_encrypted(tmp_path / "加密.xls"), ("加密", "密码")),
        "empty": (empty, ("空文件",)),
        "folder": (folder, ("文件夹",)),
        "missing": (tmp_path / "nowhere.xlsx", ("找不到",)),
    }


@pytest.mark.parametrize("case", ["truncated", "zip, not a workbook", "missing sheet part", "web page",
                                  "encrypted .xlsx named .xls", "empty", "folder", "missing"])  # fmt: skip
def test_a_broken_file_is_one_chinese_line(tmp_path, case):
    path, words = _broken(tmp_path)[case]
    _refused(path, *words)


def test_a_sheet_with_malformed_xml_is_one_chinese_line(tmp_path):
    path = write_roster(tmp_path / "bad.xlsx", sample_households())
    _rewrite_sheet(path, lambda xml: xml.replace(b"</row>", b"</rox>", 6))
    try:
        rows = _rows(path)  # calamine may read past a wrong closing tag; then the rows are there
    except RosterReadError as error:
        assert not _english(str(error), path.name) and "bad.xlsx" in str(error)
    else:
        assert rows


def test_a_file_with_only_a_header_has_no_rows(tmp_path):
    path = tmp_path / "header.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["户编号", "姓名", "证件号码", "与户主关系"])
    book.save(path)
    assert _rows(path) == {}


def test_operating_system_errors_are_said_in_chinese():
    for code in (errno.ENOENT, errno.EACCES, errno.EROFS, errno.ENOSPC, errno.EIO, 9999):
        text = os_error_text(OSError(code, "Some English text"))
        assert text and not _english(text), text
    assert "占用" in os_error_text(OSError(errno.EBUSY, "Device or resource busy"))


def test_the_command_line_says_what_a_web_page_is(tmp_path):
    path = tmp_path / "下载.xls"
    path.write_text("<html><table><tr><td>1</td></tr></table></html>", encoding="utf-8")
    result = _cli(tmp_path / "a.db", "import", str(path), "--json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "网页" in result.stderr


# -- (9) temporary folders left by killed imports ---------------------------------------------------------------------

_HOLD = """
import sys, tempfile, time
sys.path.insert(0, sys.argv[3])
from povdesk.roster import slices
from povdesk.roster.reader import RosterSheet
tempfile.tempdir = sys.argv[2]
slices.MIN_SPLIT_BYTES, slices.SLICE_BYTES = 0, 300
roster = RosterSheet(sys.argv[1])
print("open", flush=True)
time.sleep(120)
"""


def test_folders_of_killed_imports_are_removed_and_live_ones_kept(tmp_path, sliced):
    path = write_roster(tmp_path / "r.xlsx", sample_households() * 20)
    temp = tmp_path / "temp"
    temp.mkdir()
    # GIVEN an import killed (SIGKILL) while its slices are being read
    child = subprocess.Popen([sys.executable, "-c", _HOLD, str(path), str(temp), str(ROOT)], stdout=subprocess.PIPE,
                             text=True)  # fmt: skip
    try:
        assert child.stdout.readline().strip() == "open"
        killed = list(temp.glob("povdesk-roster-*"))
        assert len(killed) == 1
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    # AND an import running in this process, and a folder being created this moment (no lock yet)
    sliced(True)
    tempfile.tempdir = str(temp)
    live = RosterSheet(path)
    try:
        young = temp / "povdesk-roster-young"
        young.mkdir()
        old = temp / "povdesk-roster-old"
        old.mkdir()
        os.utime(old, (time.time() - 7200, time.time() - 7200))
        others = temp / "someone-else"
        others.mkdir()
        running = set(temp.glob("povdesk-roster-*")) - {killed[0], young, old}
        assert len(running) == 1
        # WHEN the application starts
        removed = remove_stale_temp_folders()
        # THEN the killed import's folder and the old unlocked one are gone; the others stay
        assert removed == 2
        assert not killed[0].exists() and not old.exists()
        assert young.exists() and others.exists() and all(p.exists() for p in running)
        assert next(live.rows())[1][COL["姓名"]] == "张建国"  # the live import reads on
    finally:
        live.close()
    assert not any(p.exists() for p in running)


# -- the acceptance: every broken file through the command line ------------------------------------------------------


def _stats(db: Path) -> dict:
    result = _cli(db, "stats", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_broken_file_is_one_chinese_line_or_only_its_good_rows(tmp_path):
    # GIVEN a registry, and the corpus of broken files clerks receive
    db = tmp_path / "a.db"
    assert _cli(db, "import", str(write_roster(tmp_path / "registry.xlsx", sample_households()[:1]))).returncode == 0
    corpus = {case: path for case, (path, _) in _broken(tmp_path).items()}
    corpus["error cells"] = _roster_with_errors(tmp_path)
    far = write_roster(tmp_path / "far.xlsx", sample_households())
    book = openpyxl.load_workbook(far)
    book.active["XFD1048576"] = 1
    book.save(far)
    corpus["value at XFD1048576"] = far
    text = tmp_path / "文本.xlsx"
    text.write_text("户编号,姓名\n1,张三\n", encoding="gb18030")
    corpus["text without the required columns"] = text
    for case, path in corpus.items():
        before = _stats(db)
        # WHEN it is imported from the command line
        result = _cli(db, "import", str(path), "--json")
        # THEN exit 1 with one Chinese line and the registry unchanged, or exit 0 with the good rows only
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, (case, result.stderr)
        if result.returncode == 1:
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("错误："), (case, lines)
            assert not _english(lines[0], str(path), path.name, path.stem, "XFD1048576"), (case, lines)
            assert _stats(db) == before, case
        else:
            figures = json.loads(result.stdout)
            assert case == "error cells", (case, figures)
            assert figures["rejected"] and all("公式" in r["reason"] for r in figures["rejected"]), figures
