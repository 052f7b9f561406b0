"""The admin CLI as county IT staff run it: `python main.py …` in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=300,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("PovDesk 0.")


def test_demo_then_stats_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert run("--db", url, "demo", "--households", "300", "--seed", "1").returncode == 0
    result = run("--db", url, "stats", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert list(figures) == [
        "townships", "villages", "households", "persons", "households_by_status", "households_by_attribute",
        "households_by_cause", "monitored_households", "cadres", "paired_households",
    ]  # fmt: skip
    assert figures["households"] == 300
    assert set(figures["households_by_status"]) <= {"poor", "exited", "pre_exit", "returned", "exited_stable"}
    assert set(figures["households_by_attribute"]) <= {"general", "low_income", "extreme"}


def test_stats_for_one_area_and_plain_text(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    run("--db", url, "demo", "--households", "300")
    all_figures = json.loads(run("--db", url, "stats", "--json").stdout)
    from povdesk.db import open_database
    from povdesk.model import Area

    database = open_database(url)
    with database.session() as s:
        township = s.query(Area).filter_by(level="township").first().name
    database.close()
    area = json.loads(run("--db", url, "stats", "--area", township, "--json").stdout)
    assert 0 < area["households"] < all_figures["households"]
    text = run("--db", url, "stats").stdout
    assert "户" in text and "已脱贫" in text


def test_environment_variable_selects_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    assert run("demo", "--households", "10", env={"POVDESK_DB": url}).returncode == 0
    assert json.loads(run("--db", url, "stats", "--json").stdout)["households"] == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "--households", "abc"], "参数错误"),
        (["nosuchcommand"], "参数错误"),
        (["stats", "--area", "火星村", "--json"], "找不到名为“火星村”"),
        (["demo", "--households", "0"], "户数必须大于0"),
    ],
)
def test_bad_arguments_fail_with_a_chinese_message(tmp_path, args, message):
    result = run("--db", f"sqlite:///{tmp_path / 'a.db'}", *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unusable_database_fails_cleanly(tmp_path):
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not a database" * 100)
    for url in (f"sqlite:///{bad}", "postgresql+psycopg://nobody@127.0.0.1:1/x", "mysql://x"):
        result = run("--db", url, "stats", "--json")
        assert result.returncode == 1, url
        assert result.stderr.startswith("错误："), result.stderr
        assert "Traceback" not in result.stderr


def test_demo_into_a_database_with_data_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    run("--db", url, "demo", "--households", "10")
    result = run("--db", url, "demo", "--households", "10")
    assert result.returncode == 1 and "已有数据" in result.stderr
