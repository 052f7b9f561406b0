"""Backup and restore: SQLite through the online backup API, PostgreSQL through pg_dump/pg_restore, from the core
and from `python main.py backup/restore` in a subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from povdesk import backup, demo
from povdesk.backup import pg as pg_backup
from povdesk.backup import sqlite as sqlite_backup
from povdesk.db import open_database
from povdesk.errors import DatabaseTooNew
from povdesk.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]
HOUSEHOLDS = 60


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def count_households(url_or_path) -> int:
    engine = create_engine(url_or_path if "://" in str(url_or_path) else f"sqlite:///{url_or_path}")
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM household")).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def county(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'county.db'}")
    demo.generate(db, households=HOUSEHOLDS, seed=2)
    yield db
    db.close()


def test_backup_while_a_write_transaction_is_open(county, tmp_path):
    # GIVEN a session that has changed households and not committed yet
    with county.session() as session:
        session.execute(text("DELETE FROM household WHERE id IN (SELECT id FROM household LIMIT 10)"))
        # WHEN the database is backed up meanwhile
        info = backup.backup(county, tmp_path / "out.db")
        session.rollback()
    # THEN the backup holds the committed state, whole, in one file with no -wal beside it
    assert info.kind == "sqlite" and info.households == HOUSEHOLDS and info.revision == head_revision()
    assert info.size == (tmp_path / "out.db").stat().st_size > 0
    assert not (tmp_path / "out.db-wal").exists()
    assert backup.verify(tmp_path / "out.db").households == HOUSEHOLDS
    assert not list(tmp_path.glob(".out-*.part"))  # the temporary file was renamed into place


def test_restore_brings_the_households_back_and_keeps_the_replaced_file(county, tmp_path):
    backup.backup(county, tmp_path / "out.db")
    with county.transaction() as session:  # the clerk then loses data
        session.execute(text("DELETE FROM household WHERE id IN (SELECT id FROM household LIMIT 25)"))
    url = county.url
    county.close()

    result = backup.restore(url, tmp_path / "out.db")

    assert count_households(tmp_path / "county.db") == HOUSEHOLDS == result.households
    assert result.revision == head_revision()
    assert result.kept is not None and result.kept.parent == tmp_path
    assert result.kept.name.startswith("county.before-restore-") and result.kept.suffix == ".db"
    assert count_households(result.kept) == HOUSEHOLDS - 25  # what was replaced is itself a backup


def test_restore_into_a_missing_file_creates_it(county, tmp_path):
    backup.backup(county, tmp_path / "out.db")
    result = backup.restore(f"sqlite:///{tmp_path / 'new' / 'fresh.db'}", tmp_path / "out.db")
    assert result.kept is None and result.households == HOUSEHOLDS


def _truncated(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    return target


def _newer(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    return target


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (_truncated, backup.InvalidBackup, "损坏"),
        (lambda _s, t: t.write_text("这不是数据库\n" * 100, encoding="utf-8") and t, backup.InvalidBackup, "不是"),
        (lambda _s, t: t.write_bytes(b"") or t, backup.InvalidBackup, "空的"),
        (_newer, DatabaseTooNew, "更新版本"),
    ],
    ids=["truncated", "text", "empty", "newer-schema"],
)
def test_a_bad_backup_is_refused_and_nothing_is_replaced(county, tmp_path, make, error, words):
    backup.backup(county, tmp_path / "good.db")
    bad = make(tmp_path / "good.db", tmp_path / "bad.db")
    with county.transaction() as session:
        session.execute(text("DELETE FROM household WHERE id IN (SELECT id FROM household LIMIT 5)"))
    url = county.url
    county.close()
    before = (tmp_path / "county.db").read_bytes()

    with pytest.raises(error, match=words):
        backup.restore(url, bad)

    assert (tmp_path / "county.db").read_bytes() == before
    assert count_households(tmp_path / "county.db") == HOUSEHOLDS - 5
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_a_file_that_is_not_povdesk_is_refused(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(backup.InvalidBackup, match="不是 PovDesk"):
        backup.verify(other)


def test_backup_cancelled_leaves_no_file(county, tmp_path):
    from povdesk.progress import Cancelled, Progress

    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        backup.backup(county, tmp_path / "out.db", progress)
    assert not (tmp_path / "out.db").exists()
    assert not list(tmp_path.glob(".out-*"))


def test_backup_onto_the_database_itself_is_refused(county, tmp_path):
    from povdesk.files import OutputFileError

    with pytest.raises(OutputFileError, match="自己"):
        backup.backup(county, tmp_path / "county.db")


def test_auto_backup_keeps_the_last_n(county, tmp_path):
    folder = tmp_path / "auto"
    made = [backup.auto_backup(county, folder, keep=3) for _ in range(5)]
    kept = backup.auto_backups(folder, county)
    assert kept == made[-3:]  # the newest three, oldest first
    assert all(path.name.startswith("county-auto-") for path in kept)
    assert backup.verify(kept[-1]).households == HOUSEHOLDS


def test_auto_backup_leaves_other_files_alone(county, tmp_path):
    folder = tmp_path / "auto"
    folder.mkdir()
    (folder / "other-auto-20200101-000000.db").write_bytes(b"x")  # another database's
    (folder / "county-手工备份.db").write_bytes(b"x")
    for _ in range(3):
        backup.auto_backup(county, folder, keep=1)
    assert len(list(folder.iterdir())) == 3
    assert len(backup.auto_backups(folder, county)) == 1
    assert (folder / "other-auto-20200101-000000.db").exists() and (folder / "county-手工备份.db").exists()


def test_auto_backup_of_a_server_database_is_none():
    assert backup.auto_backup("postgresql+psycopg://u@h/db", "/nonexistent") is None


def test_default_backup_name():
    assert backup.default_backup_name("sqlite:///x.db").endswith(".db")
    assert backup.default_backup_name("postgresql+psycopg://u@h/db").startswith("PovDesk备份-")
    assert backup.default_backup_name("postgresql+psycopg://u@h/db").endswith(".dump")


def test_libpq_conninfo_keeps_the_password_out_of_the_command_line():
    conninfo, env = pg_backup.libpq("postgresql+psycopg://clerk:s3cr'et@db.example:5433/county?sslmode=require")
    assert "s3cr" not in conninfo and env["PGPASSWORD"] == "s3cr'et"
    assert conninfo == "host='db.example' port='5433' user='clerk' dbname='county' sslmode='require'"


# ------------------------------------------------------------------------------------------------- CLI, SQLite


def test_cli_backup_and_restore_sqlite(county, tmp_path):
    url = county.url
    county.close()
    out = tmp_path / "备份" / "PovDesk备份.db"
    out.parent.mkdir()
    done = run("--db", url, "backup", str(out))
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout and ("MB" in done.stdout or "KB" in done.stdout)
    stats_before = run("--db", url, "stats", "--json").stdout

    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    open_database(empty).close()  # a database in use, empty: the restore keeps it before replacing it
    refused = run("--db", empty, "restore", str(out))  # no --yes, no terminal: refuse and say how
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    restored = run("--db", empty, "restore", str(out), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "另存为" in restored.stdout
    assert run("--db", empty, "stats", "--json").stdout == stats_before


def test_cli_refuses_a_corrupted_backup(county, tmp_path):
    url = county.url
    backup.backup(county, tmp_path / "good.db")
    county.close()
    bad = _truncated(tmp_path / "good.db", tmp_path / "bad.db")
    before = (tmp_path / "county.db").read_bytes()
    done = run("--db", url, "restore", str(bad), "--yes")
    assert done.returncode == 1
    assert done.stderr.startswith("错误：") and "损坏" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert (tmp_path / "county.db").read_bytes() == before


def test_cli_backup_to_a_missing_folder_is_one_line(county, tmp_path):
    done = run("--db", county.url, "backup", str(tmp_path / "no" / "such" / "out.db"))
    assert done.returncode == 1 and "不存在" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------------------------------------- PostgreSQL


def _pg_tools_or_skip() -> None:
    try:
        for tool in ("pg_dump", "pg_restore", "psql"):
            pg_backup.tool(tool)
    except backup.ToolMissing as exc:
        pytest.skip(f"PostgreSQL client tools not installed (.ci/run installs the postgresql package): {exc}")


def _new_pg_database(pg_server, name: str) -> str:
    admin, base = pg_server
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))  # empty: not even the schema
    return f"{base}/{name}"


@pytest.mark.postgres
def test_cli_pg_backup_restore_round_trip(pg_server, tmp_path):
    _pg_tools_or_skip()
    source = _new_pg_database(pg_server, f"povdesk_bk_src_{os.getpid()}")
    target = _new_pg_database(pg_server, f"povdesk_bk_dst_{os.getpid()}")
    open_database(target).close()  # a database in use, empty: the restore keeps it before replacing it
    db = open_database(source)
    demo.generate(db, households=HOUSEHOLDS, seed=4)
    db.close()
    dump = tmp_path / "county.dump"

    done = run("--db", source, "backup", str(dump))
    assert done.returncode == 0, done.stderr
    assert dump.read_bytes().startswith(b"PGDMP")
    info = backup.verify(dump)
    assert (info.kind, info.households, info.revision) == ("pg", HOUSEHOLDS, head_revision())

    keep = tmp_path / "kept"
    restored = run("--db", target, "restore", str(dump), "--yes", "--keep-folder", str(keep))
    assert restored.returncode == 0, restored.stderr
    assert json.loads(run("--db", target, "stats", "--json").stdout) == json.loads(
        run("--db", source, "stats", "--json").stdout
    )
    kept = list(keep.glob("*.before-restore-*.dump"))
    assert len(kept) == 1 and backup.verify(kept[0]).households == 0  # the empty database it replaced

    # a damaged dump is refused and the database is untouched
    bad = tmp_path / "bad.dump"
    bad.write_bytes(dump.read_bytes()[: dump.stat().st_size * 2 // 3])
    with create_engine(target).begin() as conn:
        conn.execute(text("DELETE FROM household WHERE id IN (SELECT id FROM household LIMIT 7)"))
    refused = run("--db", target, "restore", str(bad), "--yes", "--keep-folder", str(keep))
    assert refused.returncode == 1 and "损坏" in refused.stderr, refused.stderr
    assert count_households(target) == HOUSEHOLDS - 7
    assert len(list(keep.glob("*.dump"))) == 1

    # a SQLite backup does not go into a server database
    sqlite_file = tmp_path / "local.db"
    local = open_database(f"sqlite:///{sqlite_file}")
    local.close()
    wrong = run("--db", target, "restore", str(sqlite_file), "--yes", "--keep-folder", str(keep))
    assert wrong.returncode == 1 and "SQLite" in wrong.stderr


@pytest.mark.postgres
def test_pg_restore_of_a_backup_replaces_every_table(pg_server, tmp_path):
    """Tables the current database has and the backup does not (a newer schema, a stray table) go away in the
    restore; a failure half-way would have left everything as it was."""
    _pg_tools_or_skip()
    url = _new_pg_database(pg_server, f"povdesk_bk_stray_{os.getpid()}")
    db = open_database(url)
    demo.generate(db, households=20, seed=5)
    db.close()
    backup.backup(url, tmp_path / "a.dump")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE stray (x int)"))
        conn.execute(text("DELETE FROM household"))
    engine.dispose()
    result = backup.restore(url, tmp_path / "a.dump", keep_folder=tmp_path)
    assert result.households == 20 == count_households(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('public.stray')")).scalar() is None
    engine.dispose()


def test_a_backup_of_an_older_schema_is_upgraded_after_restore(county, tmp_path):
    from alembic import command

    from povdesk.migrate import alembic_config

    old_file = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old_file}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008")  # a database written by an older PovDesk
    engine.dispose()
    assert backup.verify(old_file).revision == "0008"
    url = county.url
    county.close()

    result = backup.restore(url, old_file)

    assert result.revision == head_revision() and result.households == 0


@pytest.mark.postgres
def test_pg_restore_onto_a_new_server_creates_the_roles_it_grants_to(pg_server, tmp_path):
    """A dump grants to PovDesk's group roles; a new server has none yet: the restore creates them (without login)."""
    _pg_tools_or_skip()
    if os.environ.get("POVDESK_TEST_PG"):
        pytest.skip("needs a second PostgreSQL cluster of its own (not with POVDESK_TEST_PG)")
    from pgserver import PgServer

    url = _new_pg_database(pg_server, f"povdesk_bk_roles_{os.getpid()}")
    db = open_database(url)
    demo.generate(db, households=15, seed=6)
    db.close()
    backup.backup(url, tmp_path / "a.dump")
    assert pg_backup.grantees(tmp_path / "a.dump")  # the schema grants to group roles

    server = PgServer().start()
    try:
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE county"))
        result = backup.restore(server.url("county"), tmp_path / "a.dump", keep_folder=tmp_path / "kept")
        assert result.households == 15
        with admin.connect() as conn:
            roles = set(conn.execute(text("SELECT rolname FROM pg_roles WHERE NOT rolcanlogin")).scalars())
        assert set(pg_backup.grantees(tmp_path / "a.dump")) <= roles
        admin.dispose()
    finally:
        server.stop()


def test_backup_finishes_while_another_program_keeps_writing(county, tmp_path, monkeypatch, caplog):
    caplog.set_level("INFO", logger="povdesk.backup")
    import threading
    import time

    from povdesk.progress import Progress

    monkeypatch.setattr(sqlite_backup, "PAGES_PER_STEP", 1)  # many steps: every commit between two restarts the copy
    path = Path(county.url.removeprefix("sqlite:///"))
    stop = threading.Event()
    writes = []

    def writer() -> None:
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            conn.isolation_level = None
            conn.execute("CREATE TABLE scratch (x BLOB)")
            while not stop.is_set():
                conn.execute("INSERT INTO scratch VALUES (randomblob(100))")
                writes.append(1)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while not writes:
            pass
        # a slow disk: the writer gets its turn between two steps
        slow = Progress(lambda *_a: time.sleep(0.002), interval=0)
        info = backup.backup(county, tmp_path / "out.db", slow)
    finally:
        stop.set()
        thread.join()
    assert info.households == HOUSEHOLDS
    assert backup.verify(tmp_path / "out.db").households == HOUSEHOLDS
    assert "copying in one step" in caplog.text  # the writer did restart it


def test_restore_over_a_damaged_database_keeps_it_as_it_was(county, tmp_path):
    backup.backup(county, tmp_path / "out.db")
    county.close()
    live = tmp_path / "county.db"
    live.write_bytes(b"garbage " * 4096)  # a disk error, a copy cut short
    (tmp_path / "county.db-wal").unlink(missing_ok=True)

    result = backup.restore(f"sqlite:///{live}", tmp_path / "out.db")

    assert result.households == HOUSEHOLDS == count_households(live)
    assert result.kept.read_bytes() == b"garbage " * 4096


def test_cli_restore_needs_no_open_database(county, tmp_path, capsys):
    """`restore` is the way out when the current database cannot be opened: its function takes db=None."""
    import argparse

    from povdesk.cli import backup as cli

    backup.backup(county, tmp_path / "out.db")
    url = county.url
    county.close()
    (tmp_path / "county.db").write_text("坏了", encoding="utf-8")
    args = argparse.Namespace(db=url, backup_file=str(tmp_path / "out.db"), yes=True, keep_folder=None)
    assert cli.run_restore(args, None) == 0
    assert "另存为" in capsys.readouterr().out
    assert count_households(tmp_path / "county.db") == HOUSEHOLDS


def test_cli_restore_rescues_a_database_that_no_longer_opens(county, tmp_path):
    # GIVEN a backup, then the database file damaged beyond opening
    backup.backup(county, tmp_path / "good.db")
    url, path = county.url, tmp_path / "county.db"
    stats_before = run("--db", url, "stats", "--json").stdout
    county.close()
    path.write_bytes(b"not a database any more" * 100)
    assert run("--db", url, "stats").returncode == 1
    # WHEN the clerk restores from the command line THEN the database is back and the damaged file is kept
    restored = run("--db", url, "restore", str(tmp_path / "good.db"), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert run("--db", url, "stats", "--json").stdout == stats_before
    assert [p.read_bytes()[:23] for p in tmp_path.glob("county.before-restore-*")] == [b"not a database any more"]
