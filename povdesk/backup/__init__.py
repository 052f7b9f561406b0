"""Backup and restore of the whole database: SQLite through its online backup API, PostgreSQL through pg_dump and
pg_restore (custom format). A restore checks the backup before anything is replaced and keeps what it replaces.

The SQLite half is in `sqlite`, the PostgreSQL half in `pg`; what they share (errors, BackupInfo) in `common`."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from povdesk import APP_NAME
from povdesk.backup import pg, sqlite
from povdesk.backup.common import (
    BackupError,
    BackupInfo,
    DamagedDatabase,
    InvalidBackup,
    RestoreInfo,
    ToolMissing,
    display,
    human_size,
    is_sqlite_url,
    replace_file,
    sqlite_file,
    temp_beside,
    url_of,
)
from povdesk.files import OutputFileError, check_writable, os_error_text
from povdesk.progress import Progress

if TYPE_CHECKING:
    from povdesk.db import Database

__all__ = [
    "BackupError",
    "BackupInfo",
    "DamagedDatabase",
    "InvalidBackup",
    "RestoreInfo",
    "ToolMissing",
    "auto_backup",
    "auto_backups",
    "backup",
    "default_backup_folder",
    "default_backup_name",
    "human_size",
    "restore",
    "verify",
]

log = logging.getLogger(__name__)

ENV_VAR = "POVDESK_BACKUP_DIR"  # another folder for automatic backups (tests, or a PC whose profile folder is full)
AUTO_PREFIX = "-auto-"
STAMP = "%Y%m%d-%H%M%S"


def default_backup_folder() -> Path:
    """Where automatic backups go: $POVDESK_BACKUP_DIR, else the folder `backups` in the user's data folder."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "backups"


def default_backup_name(db_or_url: Database | str, when: dt.date | None = None) -> str:
    """PovDesk备份-YYYYMMDD.db for SQLite, .dump for PostgreSQL."""
    suffix = ".db" if is_sqlite_url(url_of(db_or_url)) else ".dump"
    return f"PovDesk备份-{(when or dt.date.today()):%Y%m%d}{suffix}"


# ---------------------------------------------------------------------------------------------------------- backup


def backup(db_or_url: Database | str | None, out: str | os.PathLike, progress: Progress | None = None) -> BackupInfo:
    """Copy the whole database to `out`; consistent even while the application has it open.

    Written to a temporary file beside `out` and renamed when complete: a failed or cancelled backup leaves no half
    file (and an older backup of the same name is kept until the new one is whole)."""
    started = time.perf_counter()
    url = url_of(db_or_url)
    out = Path(out)
    check_writable(out)
    live = sqlite_file(url)
    if live is not None and out.resolve() == live.resolve():
        raise OutputFileError(f"不能把数据库备份到它自己（“{out}”），请另选文件名")
    with temp_beside(out) as temp:
        if live is not None:
            sqlite.copy(live, temp, progress, label="正在备份数据库")
            info = sqlite.verify(temp, full=False)
        else:
            pg.dump(url, temp, progress)
            info = pg.verify(temp, progress, count=False)
        replace_file(temp, out)
    log.info("backup of %s written to %s (%d bytes)", display(url), out, info.size)
    return replace(info, path=out, seconds=time.perf_counter() - started, modified=out.stat().st_mtime)


# ---------------------------------------------------------------------------------------------------------- verify


def verify(path: str | os.PathLike, progress: Progress | None = None) -> BackupInfo:
    """Check a backup file: it opens, is whole (integrity check; every block of a PostgreSQL dump read), holds a
    PovDesk database, and its schema is one this program knows (DatabaseTooNew when it was written by a newer one)."""
    path = Path(path)
    started = time.perf_counter()
    try:
        with path.open("rb") as handle:
            header = handle.read(len(sqlite.MAGIC))
    except OSError as exc:
        raise InvalidBackup(f"无法读取备份文件“{path}”：{os_error_text(exc)}") from None
    if header.startswith(sqlite.MAGIC):
        info = sqlite.verify(path, progress=progress)
    elif header.startswith(pg.MAGIC):
        info = pg.verify(path, progress)
    elif not header:
        raise InvalidBackup(f"备份文件“{path}”是空的（0 字节），不能用于恢复。请选择另一个备份文件")
    else:
        raise InvalidBackup(
            f"“{path}”不是 PovDesk 数据库备份（既不是 SQLite 数据库文件，也不是 pg_dump 备份），请选择正确的备份文件"
        )
    return replace(info, seconds=time.perf_counter() - started)


# ---------------------------------------------------------------------------------------------------------- restore


def restore(
    db_url: str | None,
    backup_path: str | os.PathLike,
    progress: Progress | None = None,
    *,
    keep_folder: str | os.PathLike | None = None,
    checked: BackupInfo | None = None,
) -> RestoreInfo:
    """Replace the database at `db_url` by the backup: verified first (nothing is replaced when it fails), the
    current database kept as a backup (SQLite: `<name>.before-restore-YYYYMMDD-HHMMSS.db` beside it; PostgreSQL: a
    dump in `keep_folder`, by default the automatic backups' folder), then replaced in one transaction and opened
    once, which upgrades an older schema. Every connection to the database must be closed first.

    `checked`: what verify() said about this file a moment ago (before asking the clerk); the check is not repeated
    when the file has not changed since."""
    from povdesk.db import open_database, resolve_url

    started = time.perf_counter()
    url = resolve_url(db_url)
    backup_path = Path(backup_path)
    if checked is not None and checked.path.resolve() == backup_path.resolve() and checked.unchanged():
        info = checked
    else:
        info = verify(backup_path, progress)
    live = sqlite_file(url)
    stamp = dt.datetime.now().strftime(STAMP)
    if is_sqlite_url(url):
        if info.kind != "sqlite":
            raise InvalidBackup(
                f"“{backup_path}”是 PostgreSQL 数据库的备份，不能恢复到本机 SQLite 数据库文件。"
                "请用 --db 指定要恢复到的 PostgreSQL 数据库"
            )
        if live is None:
            raise BackupError("内存数据库不能恢复备份，请指定数据库文件")
        kept = sqlite.replace_live(backup_path, live, stamp, progress)
    else:
        if info.kind != "pg":
            raise InvalidBackup(
                f"“{backup_path}”是 SQLite 数据库文件的备份，不能直接恢复到 PostgreSQL 服务器。"
                "请用 --db sqlite:///文件路径 恢复到一个数据库文件"
            )
        folder = Path(keep_folder) if keep_folder else default_backup_folder()
        kept = pg.replace_database(url, backup_path, folder, stamp, progress)
    if progress is not None:
        progress.start(0, "正在打开恢复后的数据库")
    db = open_database(url)  # upgrades a backup of an older schema, like any database opened by this program
    try:
        from sqlalchemy import text

        from povdesk.migrate import current_revision

        if not db.is_sqlite:  # a SQLite file brings its planner statistics along; a dump does not
            db.refresh_statistics()
        revision = current_revision(db.engine) or ""
        with db.engine.connect() as conn:
            households = conn.execute(text("SELECT count(*) FROM household")).scalar_one()
    finally:
        db.close()
    log.info("restored %s from %s; previous database kept in %s", display(url), backup_path, kept)
    return RestoreInfo(display(url), info, kept, revision, households, time.perf_counter() - started)


# ---------------------------------------------------------------------------------------------------------- automatic


def auto_backups(folder: str | os.PathLike, db_or_url: Database | str) -> list[Path]:
    """The automatic backups of this database in `folder`, oldest first."""
    return [path for _key, path in _auto_backups(Path(folder), url_of(db_or_url))]


def _auto_backups(folder: Path, url: str) -> list[tuple[tuple[str, int], Path]]:
    """(time stamp, number within that second) and path of each automatic backup of this database, oldest first."""
    live = sqlite_file(url)
    if live is None or not folder.is_dir():
        return []
    pattern = re.compile(
        re.escape(live.stem + AUTO_PREFIX) + r"(\d{8}-\d{6})(?:-(\d+))?" + re.escape(live.suffix or ".db")
    )
    found = []
    for path in folder.iterdir():
        match = pattern.fullmatch(path.name)
        if match:
            found.append(((match[1], int(match[2] or 1)), path))
    return sorted(found)


def auto_backup(db: Database | str, folder: str | os.PathLike | None = None, keep: int = 10) -> Path | None:
    """A backup named with the date and time in `folder` (default: default_backup_folder()), then the oldest
    automatic backups of the same database beyond `keep` removed. SQLite only: None for a server database."""
    url = url_of(db)
    live = sqlite_file(url)
    if live is None or not live.exists():
        return None
    folder = Path(folder) if folder else default_backup_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"无法创建自动备份文件夹“{folder}”：{os_error_text(exc)}") from None
    stamp = dt.datetime.now().strftime(STAMP)
    base, suffix = f"{live.stem}{AUTO_PREFIX}{stamp}", live.suffix or ".db"
    out, n = folder / f"{base}{suffix}", 1
    same_second = [number for (when, number), _path in _auto_backups(folder, url) if when == stamp]
    if same_second or out.exists():  # numbered after every other one of the same second
        n = max([*same_second, 1]) + 1
        out = folder / f"{base}-{n}{suffix}"
    backup(url, out)
    for old in auto_backups(folder, url)[: -max(keep, 1)]:
        try:
            old.unlink()
        except OSError as exc:
            log.warning("old automatic backup %s not removed: %s", old, exc)
    return out
