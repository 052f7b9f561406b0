"""What the SQLite and PostgreSQL halves of backup and restore share: the errors, what a backup holds, and helpers."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from povdesk.errors import DatabaseTooNew, PovDeskError
from povdesk.files import OutputFileError, os_error_text

if TYPE_CHECKING:
    from povdesk.db import Database


class BackupError(PovDeskError):
    """A backup or a restore could not be made; nothing was replaced."""


class InvalidBackup(BackupError):
    """The file is not a usable PovDesk backup (damaged, truncated, not a backup at all)."""


class DamagedDatabase(BackupError):
    """The current database file cannot be read as a database at all."""


class ToolMissing(BackupError):
    """pg_dump, pg_restore or psql is not installed."""


@dataclass(frozen=True)
class BackupInfo:
    """A backup file and what it holds."""

    path: Path
    kind: str  # "sqlite" or "pg"
    revision: str | None  # the schema revision (alembic) of the database it holds
    households: int | None  # None when not counted
    size: int  # bytes
    seconds: float = 0.0  # how long making (or checking) it took
    modified: float = 0.0  # the file's modification time (seconds since the epoch)

    def unchanged(self) -> bool:
        """The file is still the one checked: same size, same modification time."""
        try:
            stat = self.path.stat()
        except OSError:
            return False
        return stat.st_size == self.size and stat.st_mtime == self.modified

    @property
    def kind_label(self) -> str:
        return "SQLite 数据库文件" if self.kind == "sqlite" else "PostgreSQL 数据库（pg_dump 自定义格式）"


@dataclass(frozen=True)
class RestoreInfo:
    """What a restore did: the database replaced, from which backup, and where the replaced database was kept."""

    target: str  # the database, for display (no password)
    backup: BackupInfo
    kept: Path | None  # the database as it was before, itself a backup; None when there was none (a new file)
    revision: str  # the schema revision after the restore (an older backup is upgraded)
    households: int
    seconds: float = 0.0


def human_size(size: int) -> str:
    """1234567 → "1.2 MB"."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def check_revision(path: Path, revision: str | None) -> None:
    """InvalidBackup without a schema revision, DatabaseTooNew for one this program does not know."""
    from alembic.script import ScriptDirectory

    from povdesk.migrate import alembic_config

    if not revision:
        raise InvalidBackup(f"“{path}”不是 PovDesk 数据库的备份（没有数据库结构版本），请选择正确的备份文件")
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if revision not in known:
        raise DatabaseTooNew(
            f"备份文件“{path}”由更新版本的 PovDesk 创建（数据库结构版本 {revision}），当前程序无法恢复它。"
            "请先升级 PovDesk，再恢复这个备份"
        )


@contextmanager
def temp_beside(out: Path) -> Iterator[Path]:
    """A new empty temporary file in the folder of `out`, removed unless it was renamed into place."""
    try:
        handle, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}-", suffix=".part")
    except OSError as exc:
        raise OutputFileError(f"无法保存“{out}”：{os_error_text(exc)}") from None
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
    finally:
        for leftover in (temp, temp.with_name(temp.name + "-journal")):
            with suppress(OSError):
                leftover.unlink()


def replace_file(temp: Path, out: Path) -> None:
    try:
        os.replace(temp, out)
    except OSError as exc:
        raise OutputFileError(f"无法保存“{out}”：{os_error_text(exc)}") from None


def url_of(db_or_url: Database | str | None) -> str:
    if db_or_url is None or isinstance(db_or_url, str):
        from povdesk.db import resolve_url

        return resolve_url(db_or_url)
    return db_or_url.url


def is_sqlite_url(url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> Path | None:
    from povdesk.db import sqlite_path

    return sqlite_path(url)


def display(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
