"""kill -9 in the middle of a county's import: the database is intact and unchanged, and no temporary folder stays."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bigroster import make_roster
from test_roster_fixtures import write_roster

ROOT = Path(__file__).parents[2]
HOUSEHOLDS = 100_000


@pytest.fixture(scope="module")
def county_roster(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("county") / "全县花名册.xlsx"
    make_roster(path, HOUSEHOLDS)
    return path


def _main(url: str, *args: str, env: dict, **kwargs):
    command = [sys.executable, str(ROOT / "main.py"), "--db", url, *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True, cwd=ROOT, env=env, **kwargs)  # fmt: skip


def _stats(url: str, env: dict) -> dict:
    proc = _main(url, "stats", "--json", env=env)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out)


def _writing(db_path: Path) -> bool:
    """Whether another process holds the database's write lock (an import inside its transaction)."""
    conn = sqlite3.connect(db_path, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def _ours(temp: Path) -> list[Path]:
    return sorted(temp.glob("povdesk-roster-*"))


def test_kill_9_during_a_county_import_leaves_the_registry_as_it_was(county_roster, tmp_path):
    # GIVEN a registry with three households, and a temporary folder of its own for this PC
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    db_path = tmp_path / "povdesk.db"
    url = f"sqlite:///{db_path}"
    first = _main(url, "import", str(write_roster(tmp_path / "r.xlsx")), env=env)
    assert first.wait(timeout=300) == 0
    before = _stats(url, env)
    # WHEN the import of a 100,000-household roster is killed while it writes
    proc = _main(url, "import", str(county_roster), "--json", env=env)
    deadline = time.monotonic() + 600
    while not (_ours(temp) and _writing(db_path)):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.2)
    time.sleep(3)  # well into its rows
    assert proc.poll() is None, "the import ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert _ours(temp), "the killed import left no temporary workbook: nothing to clean up was tested"
    # THEN the database is intact, the next start finds the registry as it was and removes the stale folder
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert _stats(url, env) == before
    assert _ours(temp) == []
