"""Schema upgrades with Alembic: backup first (SQLite), one transaction, loud failure, refuse newer databases."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from povdesk.errors import DatabaseTooNew, MigrationFailed

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(path: Path, revision: str) -> Path:
    """A consistent copy of a live SQLite file (the backup API also copies what is still in the WAL)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.before-{revision}-{stamp}{path.suffix}")
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(target)) as dest:
        source.backup(dest)
    return target


def upgrade(engine: Engine, *, backup_path: Path | None = None) -> Path | None:
    """Bring the database to the newest schema. Returns the backup file made, if any."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    current = current_revision(engine)
    if current == head:
        return None
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise DatabaseTooNew(
            f"此数据库由更新版本的 PovDesk 创建（数据库结构版本 {current}），当前程序无法安全使用。请升级 PovDesk 后再打开。"
        )
    from povdesk.rls import check_may_upgrade

    check_may_upgrade(engine, current)  # PostgreSQL: only the owner upgrades; a clerk is told, nothing is changed
    backup = None
    if backup_path is not None and current is not None and backup_path.exists():
        backup = backup_sqlite(backup_path, current)
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except Exception as exc:
        where = f"；升级前的备份在“{backup}”" if backup else ""
        raise MigrationFailed(f"数据库升级失败，已撤销全部改动，数据库保持原样{where}。原因：{exc}") from exc
    return backup
