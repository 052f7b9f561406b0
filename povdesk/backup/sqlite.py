"""The SQLite half of backup and restore: the online backup API, the integrity check, and replacing the live file."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from povdesk.backup.common import (
    BackupError,
    BackupInfo,
    DamagedDatabase,
    InvalidBackup,
    check_revision,
    replace_file,
    temp_beside,
)
from povdesk.errors import DatabaseError
from povdesk.files import OutputFileError, os_error_text
from povdesk.progress import Cancelled, Progress

log = logging.getLogger(__name__)

MAGIC = b"SQLite format 3\x00"
PAGES_PER_STEP = 4096  # 16 MB of 4 KB pages between progress reports and cancel checks
MAX_RESTARTS = 3  # restarts by another writer before the rest is copied in one step


class _KeptRestarting(Exception):
    """Another program keeps writing while a backup copies step by step."""


def copy(source: Path, target: Path, progress: Progress | None, *, label: str) -> None:
    """The online backup API, a few MB at a time, with progress and cancel between steps.

    A write by another connection between two steps restarts the copy (it is never inconsistent); when that keeps
    happening (an import running meanwhile), the rest is copied in one step, inside one read transaction, which in WAL
    mode does not stop the writer. The copy is left in rollback-journal mode: one file, without -wal beside it."""
    if not source.is_file():
        raise DatabaseError(f"数据库文件“{source}”不存在")
    state = {"done": 0, "restarts": 0}

    def step(_status: int, remaining: int, total: int) -> None:
        done = total - remaining
        if done <= state["done"]:  # no step forward: another connection wrote, the copy started again
            state["restarts"] += 1
            if state["restarts"] >= MAX_RESTARTS:
                raise _KeptRestarting
        state["done"] = done
        if progress is not None:
            if progress.total != total:
                progress.start(total, label)
            progress.update(done)  # raises Cancelled: the backup API then stops and raises it

    try:
        with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(target)) as dest:
            if progress is not None:
                progress.start(0, label)
            try:
                src.backup(dest, pages=PAGES_PER_STEP, progress=step)
            except _KeptRestarting:
                log.info("backup of %s restarted %d times by another writer: copying in one step", source, MAX_RESTARTS)
                src.backup(dest, pages=-1)
            dest.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.OperationalError as exc:
        raise BackupError(f"无法读取数据库文件“{source}”：{_reason(exc)}") from None
    except sqlite3.DatabaseError as exc:  # not a database, malformed: the file itself, not a passing lock
        raise DamagedDatabase(f"数据库文件“{source}”已损坏，无法读取：{_reason(exc)}") from None
    except OSError as exc:
        raise OutputFileError(f"无法写入“{target}”：{os_error_text(exc)}") from None


def _read_only_uri(path: Path) -> str:
    return f"file:{quote(str(path.resolve()).replace(os.sep, '/'))}?mode=ro"


def verify(path: Path, *, full: bool = True, progress: Progress | None = None) -> BackupInfo:
    """Open the file read-only: integrity check (when `full`), schema revision, the number of households."""
    try:
        with closing(sqlite3.connect(_read_only_uri(path), uri=True)) as conn:
            if full:
                if progress is not None:
                    progress.start(0, "正在检查备份文件")
                    # integrity_check is one statement: the progress handler is where a cancel can stop it
                    conn.set_progress_handler(lambda: int(progress.cancelled), 100_000)
                problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
                conn.set_progress_handler(None, 0)
                if progress is not None:
                    progress.check()
                if problems != ["ok"]:
                    raise InvalidBackup(
                        f"备份文件“{path}”已损坏（{'；'.join(problems[:3])}），不能用于恢复。请选择另一个备份文件"
                    )
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
            check_revision(path, revision)
            if "household" not in tables:
                raise InvalidBackup(f"备份文件“{path}”中没有户表，不是完整的 PovDesk 数据库，不能用于恢复")
            households = conn.execute("SELECT count(*) FROM household").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if progress is not None and progress.cancelled:
            raise Cancelled() from None
        raise InvalidBackup(f"无法打开备份文件“{path}”：{_reason(exc)}") from None
    except sqlite3.DatabaseError as exc:
        raise InvalidBackup(f"备份文件“{path}”已损坏（{_reason(exc)}），不能用于恢复。请选择另一个备份文件") from None
    stat = path.stat()
    return BackupInfo(path, "sqlite", revision, households, stat.st_size, modified=stat.st_mtime)


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "file is not a database" in text:
        return "不是有效的 SQLite 数据库文件"
    if "malformed" in text:
        return "文件结构损坏，可能复制不完整"
    if "unable to open" in text:
        return "文件不存在或没有读取权限"
    if "locked" in text:
        return "数据库正被其他程序写入，请稍后重试"
    return text


def replace_live(backup_path: Path, live: Path, stamp: str, progress: Progress | None) -> Path | None:
    """Keep the live file as `<name>.before-restore-<stamp>.db` beside it, then restore the backup over it; the kept
    file, or None when there was none (a new or empty file)."""
    if live.exists() and backup_path.resolve() == live.resolve():
        raise BackupError(f"“{backup_path}”就是当前数据库文件本身，不能用它恢复自己")
    kept, damaged = None, False
    if live.exists() and live.stat().st_size > 0:
        kept = live.with_name(f"{live.stem}.before-restore-{stamp}{live.suffix or '.db'}")
        with temp_beside(kept) as temp:
            try:
                copy(live, temp, progress, label="正在保留当前数据库")
            except DamagedDatabase:  # what is restored over: kept byte for byte, for whoever may rescue it
                log.warning("current database %s is damaged: kept as it is, then replaced whole", live)
                damaged = True
                _copy_file(live, temp)
            replace_file(temp, kept)
    else:
        live.parent.mkdir(parents=True, exist_ok=True)
    if damaged:
        _remove_file(live)  # the backup API cannot write into a file that is not a database
    _restore(backup_path, live, progress)
    return kept


def _copy_file(source: Path, target: Path) -> None:
    try:
        shutil.copyfile(source, target)
    except OSError as exc:
        raise OutputFileError(f"无法保留当前数据库文件“{source}”：{os_error_text(exc)}") from None


def _remove_file(path: Path) -> None:
    for part in (path, *(path.with_name(path.name + tail) for tail in ("-wal", "-shm", "-journal"))):
        try:
            part.unlink(missing_ok=True)
        except OSError as exc:
            raise BackupError(f"无法替换数据库文件“{part}”：{os_error_text(exc)}。请关闭使用它的程序后重试") from None


def _restore(backup_path: Path, live: Path, progress: Progress | None) -> None:
    """The backup API from the backup file into the live file: one write transaction on the live file, so a failure
    or a cancel leaves it as it was."""

    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            if progress.total != total:
                progress.start(total, "正在恢复数据库")
            progress.update(total - remaining)

    try:
        uri = _read_only_uri(backup_path)
        with closing(sqlite3.connect(uri, uri=True)) as src, closing(sqlite3.connect(live, timeout=30)) as dest:
            dest.execute("PRAGMA busy_timeout=30000")
            src.backup(dest, pages=PAGES_PER_STEP, progress=step)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupError(
                f"数据库文件“{live}”正被其他程序使用，无法恢复。请关闭所有使用它的 PovDesk 窗口后重试；数据库未改动"
            ) from None
        raise BackupError(f"恢复失败，数据库未改动：{_reason(exc)}") from None
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"恢复失败，数据库未改动：{_reason(exc)}") from None
