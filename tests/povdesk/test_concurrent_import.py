"""Two PCs on one PostgreSQL server importing at once: one Chinese line, nothing half-saved, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from test_roster_fixtures import write_roster

from povdesk.roster.importer import IMPORT_LOCK_KEY

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.postgres


def _start_import(url: str, roster: Path, log_dir: Path) -> subprocess.Popen:
    env = dict(os.environ, POVDESK_LOG_DIR=str(log_dir))
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", url, "import", str(roster), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL)  # fmt: skip


def _households(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM household"))
    finally:
        engine.dispose()


def test_an_import_while_another_runs_is_refused_at_once(pg_db, tmp_path):
    # GIVEN another PC's import in progress (it holds the import lock in its open transaction)
    roster = write_roster(tmp_path / "r.xlsx")
    other = create_engine(pg_db.url)
    with other.connect() as conn, conn.begin():
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
        # WHEN this PC imports the same roster
        proc = _start_import(pg_db.url, roster, tmp_path)
        out, err = proc.communicate(timeout=120)
    other.dispose()
    # THEN it is refused with one Chinese line saying what to do, and nothing is saved
    assert proc.returncode == 1 and out == ""
    assert err.strip() == "错误：另一台电脑正在导入花名册，本次未导入任何数据，数据库未改动。请等它完成后重试"
    assert _households(pg_db.url) == 0


def test_a_household_written_meanwhile_by_another_pc_undoes_the_import_with_one_line(pg_db, tmp_path):
    # GIVEN another PC that has written (not yet committed) a household with a number the roster also has
    roster = write_roster(tmp_path / "r.xlsx")
    other = create_engine(pg_db.url)
    with other.connect() as conn:
        trans = conn.begin()
        conn.execute(text("INSERT INTO area (id, level, name, path, sort_order, is_poor_village) "
                          "VALUES (9001, 'village', '别处村', '9001/', 0, false)"))  # fmt: skip
        conn.execute(text("INSERT INTO household (number, village_id) VALUES ('5329301001000001', 9001)"))
        # WHEN this PC imports the roster: its bulk insert waits for the other transaction …
        proc = _start_import(pg_db.url, roster, tmp_path)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with other.connect() as watcher:  # a fresh transaction: pg_stat_activity is a snapshot per transaction
                waiting = watcher.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                              "AND datname = current_database()"))  # fmt: skip
            if waiting or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert waiting, proc.communicate()
        trans.commit()  # … which then commits first
        out, err = proc.communicate(timeout=120)
    other.dispose()
    # THEN the import is undone as a whole and the clerk reads one Chinese line; the detail is in the log file
    assert proc.returncode == 1 and out == ""
    assert err.startswith("错误：另一台电脑（或另一个窗口）同时写入了相同的记录") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "数据库未改动" in err
    assert _households(pg_db.url) == 1
    assert "UniqueViolation" in (tmp_path / "povdesk.log").read_text(encoding="utf-8")


def test_a_roster_imported_once_by_two_pcs_one_after_the_other_is_stored_once(pg_db, tmp_path):
    roster = write_roster(tmp_path / "r.xlsx")
    first = _start_import(pg_db.url, roster, tmp_path)
    assert first.wait(timeout=120) == 0
    second = _start_import(pg_db.url, roster, tmp_path)
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0 and json.loads(out)["households_added"] == 0
    assert _households(pg_db.url) == 3
