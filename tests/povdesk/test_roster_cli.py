"""`main.py import` and `main.py export` as county IT staff run them, and files that cannot be read at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import xlwt
from test_roster_fixtures import roster_rows, sample_households, write_roster

from povdesk.db import open_database
from povdesk.model import Household
from povdesk.roster.importer import import_roster
from povdesk.roster.reader import RosterReadError

ROOT = Path(__file__).parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT,
                          stdin=subprocess.DEVNULL, timeout=300, env=dict(os.environ))  # fmt: skip


def test_import_json_then_export_of_one_township(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    households = sample_households()
    households[0]["members"][1]["姓名"] = None
    roster = write_roster(tmp_path / "r.xlsx", households)
    result = run("--db", url, "import", str(roster), "--json", "--report", str(tmp_path / "rejects.xlsx"))
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert list(figures) == ["households_added", "households_updated", "persons_added", "persons_updated", "rejected",
                             "warnings", "kept_columns", "attributes_derived", "income_year", "income_year_from"]  # fmt: skip
    assert (figures["households_added"], figures["persons_added"]) == (3, 5)
    assert figures["rejected"] == [{"row": 6, "reason": "姓名：缺少姓名"}]
    assert (tmp_path / "rejects.xlsx").exists()
    out = tmp_path / "qingshan.xlsx"
    exported = run("--db", url, "export", str(out), "--area", "青山镇")
    assert exported.returncode == 0, exported.stderr
    assert "2 户 4 人" in exported.stdout
    again = json.loads(run("--db", url, "import", str(out), "--json").stdout)
    # the export says household 1 has 2 people now that 张建国's row was refused: its size is the one update
    assert (again["households_added"], again["households_updated"], again["persons_updated"]) == (0, 1, 0)
    assert json.loads(run("--db", url, "import", str(out), "--json").stdout)["households_updated"] == 0


def test_dry_run_and_strict(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    households = sample_households()
    households[2]["主要致贫原因"] = "因懒"  # an unknown cause is kept for review, not a reason to refuse the file
    households[2]["members"][0]["证件号码"] = None  # a person without an ID number is
    roster = write_roster(tmp_path / "r.xlsx", households)
    dry = run("--db", url, "import", str(roster), "--dry-run")
    assert dry.returncode == 0 and "预检" in dry.stdout and "第10行" in dry.stdout
    strict = run("--db", url, "import", str(roster), "--strict", "--json")
    assert strict.returncode == 1
    assert json.loads(strict.stdout)["households_added"] == 0
    assert strict.stderr.startswith("错误：") and "--strict" in strict.stderr
    database = open_database(url)
    with database.session() as s:
        assert s.query(Household).count() == 0
    database.close()


def _encrypted_like(path: Path) -> Path:
    """What Excel saves with a password: an OLE compound file holding an EncryptionInfo stream, named .xlsx."""
    body = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1016)
    body += "EncryptionInfo".encode("utf-16-le") + b"\0" * 3000
    path.write_bytes(bytes(body))
    return path


def _files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "notes.xlsx"
    text.write_text("这不是表格", encoding="utf-8")
    good = write_roster(tmp_path / "good.xlsx")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    empty_sheet = tmp_path / "empty.xls"
    book = xlwt.Workbook()
    book.add_sheet("Sheet1")
    book.save(str(empty_sheet))
    no_header = tmp_path / "noheader.xlsx"
    book = openpyxl.Workbook()
    for row in roster_rows(sample_households())[0]:  # the data rows of a roster whose header was deleted
        book.active.append(row)
    book.save(no_header)
    html = tmp_path / "web.xls"
    html.write_text("<html><table><tr><td>姓名</td></tr></table></html>", encoding="utf-8")
    return {
        "not a spreadsheet": (text, "不是有效的 Excel 文件"),
        "encrypted": (_encrypted_like(tmp_path / "locked.xlsx"), "密码"),
        "truncated": (truncated, "不完整"),
        "empty": (empty_sheet, "是空的"),
        "no header": (no_header, "找不到花名册表头"),
        "web page": (html, "网页"),
        "zero bytes": (tmp_path / "zero.xlsx", "空文件"),
        "csv": (tmp_path / "a.csv", "不是 Excel 表格文件"),
    }


@pytest.mark.parametrize("case", ["not a spreadsheet", "encrypted", "truncated", "empty", "no header", "web page",
                                  "zero bytes", "csv"])  # fmt: skip
def test_unreadable_files_give_one_clear_message_and_change_nothing(db, tmp_path, case):
    path, words = _files(tmp_path)[case]
    if case in ("zero bytes", "csv"):
        path.write_bytes(b"")
        if case == "csv":
            path.write_text("姓名,身份证号\n", encoding="utf-8")
    with pytest.raises(RosterReadError, match=words):
        import_roster(db, path)
    with db.session() as s:
        assert s.query(Household).count() == 0


def test_unreadable_file_on_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    bad = tmp_path / "bad.xlsx"
    bad.write_text("hello")
    result = run("--db", url, "import", str(bad))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "bad.xlsx" in lines[0]
    missing = run("--db", url, "import", str(tmp_path / "nope.xlsx"), "--sheet", "x")
    assert missing.returncode == 1 and "找不到文件" in missing.stderr
    sheet = run("--db", url, "import", str(write_roster(tmp_path / "r.xlsx")), "--sheet", "2022年")
    assert sheet.returncode == 1 and "没有名为“2022年”的工作表" in sheet.stderr


def _stats(url: str) -> dict:
    result = run("--db", url, "stats", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("where", ["missing folder", "a folder", "not xlsx"])
def test_a_report_that_cannot_be_written_is_refused_before_importing(tmp_path, where):
    # GIVEN a roster with a rejected row, and a report path that cannot be written
    url = f"sqlite:///{tmp_path / 'a.db'}"
    households = sample_households()
    households[0]["members"][1]["姓名"] = None
    roster = write_roster(tmp_path / "r.xlsx", households)
    report = {"missing folder": tmp_path / "没有这个文件夹" / "未导入.xlsx", "a folder": tmp_path,
              "not xlsx": tmp_path / "未导入.xls"}[where]  # fmt: skip
    before = _stats(url)
    # WHEN it is imported with that report
    result = run("--db", url, "import", str(roster), "--json", "--report", str(report))
    # THEN nothing is imported, and one Chinese line says why
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("错误：无法保存") and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert _stats(url) == before


def test_a_report_that_fails_after_the_import_says_the_import_is_saved(tmp_path, monkeypatch, capsys):
    # GIVEN a report path that passes the check, but whose writing fails once the import is committed
    from povdesk import cli
    from povdesk.cli import importexport
    from povdesk.files import OutputFileError

    def fail(result, path):
        raise OutputFileError(f"无法保存“{path}”：所在磁盘或文件夹是只读的")

    monkeypatch.setattr(importexport, "write_reject_report", fail)
    households = sample_households()
    households[0]["members"][1]["姓名"] = None
    roster = write_roster(tmp_path / "r.xlsx", households)
    url = f"sqlite:///{tmp_path / 'a.db'}"
    # WHEN it is imported
    code = cli.main(["--db", url, "import", str(roster), "--report", str(tmp_path / "未导入.xlsx")])
    # THEN the summary is printed, the clerk is told the import is saved, and the exit code says only the report failed
    out, err = capsys.readouterr()
    assert code == importexport.EXIT_REPORT_FAILED == 3
    assert "导入完成：新增 3 户 5 人" in out and "第6行：姓名：缺少姓名" in out and "已保存到" not in out
    assert err.startswith("错误：导入结果已保存，只是未导入行报告没有写成：无法保存")
    assert _stats(url)["households"] == 3


def test_the_demo_county_exported_and_imported_again_changes_nothing(tmp_path):
    # GIVEN the demo county (monitoring risks, pairings, yearly figures) and its full export
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert run("--db", url, "demo", "--households", "300").returncode == 0
    out = tmp_path / "all.xlsx"
    assert run("--db", url, "export", str(out)).returncode == 0
    # WHEN the export is imported into the same database THEN nothing would change
    figures = json.loads(run("--db", url, "import", str(out), "--dry-run", "--json").stdout)
    assert (figures["households_added"], figures["households_updated"]) == (0, 0)
    assert (figures["persons_added"], figures["persons_updated"], figures["rejected"]) == (0, 0, [])
