"""Upgrade tests' starting point: a SQLite database at an older schema revision holding some rows."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from povdesk import db as dbmod
from povdesk import migrate


def database_at(path: Path, revision: str, statements: tuple[str, ...]) -> dbmod.Database:
    """A database file downgraded to `revision`, the `statements` run on it, then opened (and so upgraded to the
    newest schema) as PovDesk opens it."""
    url = f"sqlite:///{path}"
    dbmod.open_database(url).close()
    engine = dbmod.create_db_engine(url)
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()
    return dbmod.open_database(url)
