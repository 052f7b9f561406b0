"""No lost update: the version of household, member and pairing, checked by every writer; SQLite writes that wait."""

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from povdesk import db_errors, demo, households
from povdesk.db import open_database
from povdesk.households import EditConflict, VersionConflict
from povdesk.model import AuditLog, Household, Pairing
from povdesk.pairing import solver

ROOT = Path(__file__).resolve().parents[2]

# One clerk's editor in its own process: load, say so, wait for the go, change the phone, save, print the outcome.
CLERK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from povdesk import households
    from povdesk.db import open_database
    from povdesk.errors import PovDeskError
    url, hid, phone, go = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    db = open_database(url)
    with db.session() as s:
        draft = households.load(s, hid)
    print("loaded", flush=True)
    while not go.exists():
        time.sleep(0.02)
    draft.phone = phone
    try:
        households.save(db, draft, user=phone)
        print("saved", flush=True)
    except PovDeskError as exc:
        print("refused", exc, flush=True)
    """
)

# Another program's write unit: takes the write lock, holds it, commits.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from sqlalchemy import text
    from povdesk.db import open_database
    db = open_database(sys.argv[1])
    with db.transaction() as s:
        s.execute(text("UPDATE setting SET value = value WHERE key = 'none'"))
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    print("done", flush=True)
    """
)


def _process(script: str, *args) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


@pytest.fixture
def county(db):
    demo.generate(db, households=60, seed=5)
    return db


def _first(db) -> int:
    with db.session() as s:
        return s.scalars(select(Household.id).order_by(Household.id)).first()


def _load(db, hid):
    with db.session() as s:
        return households.load(s, hid)


def test_the_second_of_two_sqlite_processes_is_refused_and_nothing_is_lost(tmp_path):
    url = f"sqlite:///{tmp_path / 'povdesk.db'}"
    db = open_database(url)
    demo.generate(db, households=20, seed=3)
    hid = _first(db)
    go_a, go_b = tmp_path / "go-a", tmp_path / "go-b"
    a = _process(CLERK, url, hid, "13900000001", go_a)
    b = _process(CLERK, url, hid, "13900000002", go_b)
    assert a.stdout.readline().strip() == "loaded" and b.stdout.readline().strip() == "loaded"
    go_a.touch()
    out_a, err_a = a.communicate(timeout=60)
    go_b.touch()
    out_b, err_b = b.communicate(timeout=60)
    assert out_a.strip() == "saved", err_a
    assert out_b.startswith("refused 这户刚被“13900000001”修改过"), err_b
    assert _load(db, hid).phone == "13900000001"  # the first save stays; the second wrote nothing
    db.close()


@pytest.mark.postgres
def test_the_second_of_two_postgres_sessions_is_refused_and_nothing_is_lost(pg_db):
    demo.generate(pg_db, households=20, seed=3)
    other = open_database(pg_db.url)  # a second connection pool: another clerk's PC
    try:
        hid = _first(pg_db)
        mine, theirs = _load(pg_db, hid), _load(other, hid)
        theirs.address = "新村路8号"
        households.save(other, theirs, user="张三")
        mine.phone = "13900000009"
        with pytest.raises(VersionConflict, match="这户刚被“张三”修改过") as refused:
            households.save(pg_db, mine, user="李四")
        # both versions, field by field
        fields = {(f.label, f.yours, f.saved) for f in refused.value.fields}
        assert any(yours == "13900000009" for _label, yours, _saved in fields)
        assert any(saved == "新村路8号" for _label, _yours, saved in fields)
        saved = _load(pg_db, hid)
        assert (saved.address, saved.phone) == ("新村路8号", theirs.phone)
        # keep mine: saved over the new version, on purpose
        households.rebase(mine, refused.value)
        households.save(pg_db, mine, user="李四")
        assert _load(pg_db, hid).phone == "13900000009"
    finally:
        other.close()


def test_every_orm_update_bumps_the_version(county):
    hid = _first(county)
    before = _load(county, hid).version
    draft = _load(county, hid)
    draft.address = "新址"
    households.save(county, draft, user="甲")
    assert _load(county, hid).version == before + 1


def test_a_member_changed_by_someone_else_refuses_the_save(county):
    hid = _first(county)
    first, second = _load(county, hid), _load(county, hid)
    first.members[0].phone = "13700000001"
    households.save(county, first, user="甲")
    second.members[0].phone = "13700000002"
    with pytest.raises(VersionConflict) as refused:
        households.save(county, second, user="乙")
    assert [(f.yours, f.saved) for f in refused.value.fields] == [("13700000002", "13700000001")]


def test_a_core_update_bumps_the_version_and_refuses_an_older_editor(county):
    """The bulk writers (roster import's review flag, area merges, the pairing solver) add 1 to `version` too."""
    hid = _first(county)
    draft = _load(county, hid)
    with county.transaction() as s:  # as the roster importer flags households to verify
        s.execute(update(Household).where(Household.id == hid).values(needs_review=True, version=Household.version + 1))
    draft.phone = "13600000000"
    with pytest.raises(EditConflict):
        households.save(county, draft, user="甲")


def test_the_pairing_solver_bumps_the_version_of_the_pairings_it_ends(county):
    today = dt.date.today()
    with county.session() as s:
        pairing = s.scalars(select(Pairing).where(Pairing.end_on.is_(None)).order_by(Pairing.id)).first()
    if pairing is None:
        pytest.skip("the demo county has no current pairing")
    with county.transaction() as s:
        solver.apply(
            s, solver.Proposal(scheme=None, area_id=None, replan=True, ending=[pairing.id]), user="甲", today=today
        )
    with county.session() as s:
        assert s.get(Pairing, pairing.id).version == pairing.version + 1
        # a Core write the session hook does not see: one audit entry for the run
        entry = s.scalars(
            select(AuditLog).where(AuditLog.action == "pairing_plan").order_by(AuditLog.id.desc())
        ).first()
        assert (entry.user, json.loads(entry.detail)["ended"]) == ("甲", 1)


def test_a_sqlite_save_waits_for_another_process_writing_then_succeeds(tmp_path):
    url = f"sqlite:///{tmp_path / 'povdesk.db'}"
    db = open_database(url)
    demo.generate(db, households=20, seed=3)
    hid = _first(db)
    draft = _load(db, hid)
    holder = _process(HOLDER, url, 2.0)
    assert holder.stdout.readline().strip() == "holding"
    started = time.monotonic()
    draft.phone = "13500000000"
    households.save(db, draft, user="甲")  # waits for the other process's commit, then writes
    waited = time.monotonic() - started
    out, err = holder.communicate(timeout=30)
    assert out.strip() == "done", err
    assert waited > 1.0
    assert _load(db, hid).phone == "13500000000"
    db.close()


def test_sqlite_busy_past_the_timeout_is_told_plainly(tmp_path):
    path = tmp_path / "busy.db"
    first = sqlite3.connect(path, isolation_level=None)
    first.execute("CREATE TABLE t (x)")
    first.execute("BEGIN IMMEDIATE")
    second = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError) as locked:
            second.execute("BEGIN IMMEDIATE")
        explained = db_errors.explain(OperationalError("BEGIN IMMEDIATE", {}, locked.value))
        assert isinstance(explained, db_errors.DatabaseBusy)
        assert str(explained).startswith("另一个程序正在写入数据库（如正在导入花名册），请稍后再试")
    finally:
        first.close()
        second.close()


def test_reads_stay_deferred_while_another_process_writes(tmp_path):
    url = f"sqlite:///{tmp_path / 'povdesk.db'}"
    db = open_database(url)
    demo.generate(db, households=5, seed=3)
    holder = _process(HOLDER, url, 2.0)
    assert holder.stdout.readline().strip() == "holding"
    started = time.monotonic()
    with db.session() as s:
        assert s.scalar(select(Household.id).limit(1)) is not None
    assert time.monotonic() - started < 1.0  # WAL: a reader does not wait for the writer
    holder.communicate(timeout=30)
    db.close()
