"""`main.py notice` as county IT staff run it: the contract of issue 5, in a subprocess."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from povdesk import demo
from povdesk.db import open_database
from povdesk.model import Area, Household, NoticeBatch
from povdesk.stats import households_in

ROOT = Path(__file__).parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=300,
    )  # fmt: skip


def notice(url: str, kind: str, year: int, area: str, stage: str, out) -> subprocess.CompletedProcess:
    """The contract: notice --kind exit|identify --year YYYY --area NAME --stage village|township|county --out FILE."""
    return run(
        "--db", url, "notice", "--kind", kind, "--year", str(year), "--area", area, "--stage", stage, "--out", str(out)
    )


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "county.db"
    db = open_database(f"sqlite:///{path}")
    demo.generate(db, households=600, seed=4)
    with db.session() as s:
        counts = s.execute(
            select(Household.village_id, func.count())
            .where(Household.status == "exited", Household.year_exited == 2019)
            .group_by(Household.village_id)
        ).all()
        village = s.get(Area, max(counts, key=lambda r: r[1])[0])
        township = s.get(Area, village.parent_id)
        expected = s.scalar(
            select(func.count()).where(
                Household.id.in_(households_in(village)), Household.status == "exited", Household.year_exited == 2019
            )
        )
    db.close()
    return f"sqlite:///{path}", village.name, township.name, expected


def test_exit_village_notice_is_proposed_and_written(county, tmp_path):
    url, village, township, expected = county
    out = tmp_path / "村公示.pdf"
    result = notice(url, "exit", 2019, village, "village", out)
    assert result.returncode == 0, result.stderr
    assert "已按登记数据拟定公示批次" in result.stdout and f"共 {expected} 户" in result.stdout
    text = pdf_text(out)
    assert f"{village}2019年贫困户退出公示" in text
    assert f"共 {expected} 户" in text.replace("\n", "")
    assert not re.search(r"\d{17}[\dX]", text)
    # the second run finds the batch instead of proposing another
    again = notice(url, "exit", 2019, village, "township", tmp_path / "b.pdf")
    assert again.returncode == 0, again.stderr
    assert "拟定" not in again.stdout
    assert f"{township}{village}2019年贫困户退出公示" in pdf_text(tmp_path / "b.pdf")
    db = open_database(url)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(NoticeBatch).where(NoticeBatch.kind == "exit")) == 1
    db.close()


def test_identify_county_announcement_for_a_township(county, tmp_path):
    url, _, township, _ = county
    out = tmp_path / "公告.pdf"
    result = notice(url, "identify", 2014, township, "county", out)
    assert result.returncode == 0, result.stderr
    text = pdf_text(out)
    assert "云岭县2014年贫困户识别公告" in text and "公告期7天" in text.replace("\n", "")
    assert "行政村" in text  # a township's announcement says which village each household is in


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "exit", "--year", "2019", "--area", "火星村", "--stage", "village"], "找不到名为“火星村”"),
        (["--kind", "exit", "--year", "2031", "--area", "{village}", "--stage", "village"], "没有符合退出公示条件的户"),
        (["--kind", "leave", "--year", "2019", "--area", "{village}", "--stage", "village"], "参数错误"),
        (["--kind", "exit", "--year", "2019", "--area", "{village}", "--stage", "city"], "参数错误"),
    ],
)
def test_mistakes_fail_with_one_chinese_line(county, tmp_path, args, message):
    url, village, _, _ = county
    args = [a.replace("{village}", village) for a in args]
    result = run("--db", url, "notice", *args, "--out", str(tmp_path / "x.pdf"))
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_unwritable_output_is_an_error_and_keeps_no_batch(county, tmp_path):
    url, village, _, _ = county
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = notice(url, "identify", 2015, village, "village", blocker / "x.pdf")
    assert result.returncode == 1 and result.stderr.startswith("错误：无法保存")
    assert "同名的文件" in result.stderr and "Errno" not in result.stderr
    db = open_database(url)
    with db.session() as s:
        assert not s.scalar(select(func.count()).select_from(NoticeBatch).where(NoticeBatch.year == 2015))
    db.close()
