"""`main.py wallchart` as county IT staff run it: the contract of issue 13, in a subprocess, on SQLite and
PostgreSQL."""

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from povdesk import demo
from povdesk.model import Area

ROOT = Path(__file__).parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=300,
    )  # fmt: skip


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def county(db):
    demo.generate(db, households=300, seed=6)
    with db.session() as s:
        names = {level: s.scalar(select(Area.name).where(Area.level == level).order_by(Area.path))
                 for level in ("county", "township", "village")}  # fmt: skip
        townships = s.scalars(select(Area.name).where(Area.level == "township")).all()
    return db.url, names, townships


def test_the_county_sheet_as_written_in_the_issue_with_a_png(county, tmp_path):
    url, names, townships = county
    out, png = tmp_path / "县作战图.pdf", tmp_path / "县作战图.png"
    done = run("--db", url, "wallchart", "--level", "county", "--area", names["county"], "--year", "2020",
               "--out", str(out), "--png", str(png))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "已生成" in done.stdout and str(out) in done.stdout
    text = pdf_text(out)
    assert f"{names['county']}2020年脱贫攻坚作战图" in text.replace("\n", "")
    assert all(name in text for name in townships)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_township_and_village_sheets_and_the_level_must_match_the_area(county, tmp_path):
    url, names, _ = county
    for level in ("township", "village"):
        out = tmp_path / f"{level}.pdf"
        done = run("wallchart", "--level", level, "--area", names[level], "--out", str(out), "--db", url)
        assert done.returncode == 0, done.stderr
        assert names[level] in pdf_text(out)
    wrong = run("--db", url, "wallchart", "--level", "village", "--area", names["township"], "--out",
                str(tmp_path / "x.pdf"))  # fmt: skip
    assert wrong.returncode == 1 and "请把 --level 改为 township" in wrong.stderr
    assert not (tmp_path / "x.pdf").exists()
    unknown = run(
        "--db", url, "wallchart", "--level", "village", "--area", "没有这个村", "--out", str(tmp_path / "y.pdf")
    )
    assert unknown.returncode == 1 and "找不到" in unknown.stderr


def test_population_import_from_a_sheet_sets_the_incidences_denominator(county, tmp_path):
    from openpyxl import Workbook

    from povdesk.db import open_database
    from povdesk.model import AreaPopulation

    url, names, _ = county
    database = open_database(url)
    with database.session() as s:
        village = s.scalar(select(Area).where(Area.name == names["village"]))
        township = s.get(Area, village.parent_id).name
        code = village.code
    book = Workbook()
    sheet = book.active
    sheet.append(["各村农村人口统计表"])
    sheet.append(["乡镇", "村", "区划代码", "年度", "农村户籍人口"])
    sheet.append([township, names["village"], None, 2020, 1234])
    sheet.append([None, None, code, "2021年", "1,300"])
    sheet.append([township, "没有这个村", None, 2020, 99])
    sheet.append([township, names["village"], None, 2022, "很多"])
    book.save(tmp_path / "人口.xlsx")
    done = run("--db", url, "population", "import", str(tmp_path / "人口.xlsx"))
    assert done.returncode == 0, done.stderr
    assert (
        "已导入 2 个区划" in done.stdout
        and "第5行找不到" in done.stdout
        and "第6行农村人口“很多”不是数字" in done.stdout
    )
    with database.session() as s:
        rows = s.execute(select(AreaPopulation.year, AreaPopulation.rural_population)
                         .where(AreaPopulation.area_id == village.id, AreaPopulation.year >= 2020)
                         .order_by(AreaPopulation.year)).all()  # fmt: skip
    database.close()
    assert [tuple(r) for r in rows] == [(2020, 1234), (2021, 1300)]
