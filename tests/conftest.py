"""Shared fixtures: databases on SQLite and on a real PostgreSQL server, Qt settings in a temporary INI file."""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("POVDESK_LOG_DIR", tempfile.mkdtemp(prefix="povdesk-test-log-"))  # never the user's log
os.environ.setdefault("POVDESK_BACKUP_DIR", tempfile.mkdtemp(prefix="povdesk-test-backups-"))  # nor their backups

from pgserver import PgServer  # noqa: E402

from povdesk.db import Database, open_database  # noqa: E402

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL cluster for the whole run, with a migrated template database to copy per test."""
    external = os.environ.get("POVDESK_TEST_PG")  # e.g. postgresql+psycopg://me@127.0.0.1:5432/postgres
    server = None if external else PgServer().start()
    admin_url = external or server.url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS povdesk_template"))
        conn.execute(text("CREATE DATABASE povdesk_template"))
    template = admin_url.rsplit("/", 1)[0] + "/povdesk_template"
    open_database(template).close()
    yield admin, template.rsplit("/", 1)[0]
    admin.dispose()
    if server:
        server.stop()


def _pg_database(pg_server) -> Database:
    admin, base = pg_server
    name = f"povdesk_test_{os.getpid()}_{next(_counter)}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE povdesk_template"))
    return open_database(f"{base}/{name}")


@pytest.fixture
def sqlite_db(tmp_path) -> Database:
    db = open_database(f"sqlite:///{tmp_path / 'povdesk.db'}")
    yield db
    db.close()


@pytest.fixture
def pg_db(pg_server) -> Database:
    db = _pg_database(pg_server)
    yield db
    db.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path) -> Database:
    """The same test on the embedded SQLite database and on PostgreSQL."""
    if request.param == "sqlite":
        database = open_database(f"sqlite:///{tmp_path / 'povdesk.db'}")
    else:
        database = _pg_database(request.getfixturevalue("pg_server"))
    yield database
    database.close()
