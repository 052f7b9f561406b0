"""Backup and restore of the whole database: SQLite through its online backup API, PostgreSQL through pg_dump and
pg_restore (custom format). A restore checks the backup before anything is replaced and keeps what it replaces."""

from __future__ import annotations

import datetime as dt
import glob
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import platformdirs

from povdesk import APP_NAME
from povdesk.errors import DatabaseError, DatabaseTooNew, PovDeskError
from povdesk.files import OutputFileError, check_writable, os_error_text
from povdesk.progress import Cancelled, Progress

if TYPE_CHECKING:
    from povdesk.db import Database

log = logging.getLogger(__name__)

ENV_VAR = "POVDESK_BACKUP_DIR"  # another folder for automatic backups (tests, or a PC whose profile folder is full)
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
PAGES_PER_STEP = 4096  # 16 MB of 4 KB pages between progress reports and cancel checks
MAX_RESTARTS = 3  # restarts by another writer before the rest is copied in one step
AUTO_PREFIX = "-auto-"
STAMP = "%Y%m%d-%H%M%S"
PG_TOOLS_HINT = (
    "请安装 PostgreSQL 客户端工具（pg_dump、pg_restore、psql）：Windows 上运行 PostgreSQL 安装程序，"
    "可只选“Command Line Tools”，并把其 bin 文件夹（如 C:\\Program Files\\PostgreSQL\\16\\bin）加入 PATH；"
    "Debian/Ubuntu 上运行 apt-get install postgresql-client。客户端版本不能低于服务器版本。"
)
# Before a PostgreSQL restore, in the same transaction: remove every object of the public schema, so that tables a
# newer schema added do not stay behind (the upgrade after restoring an older backup would trip over them).
# Objects belonging to an extension are left to it.
_PG_EMPTY_PUBLIC = """
DO $povdesk$
DECLARE
  statements text[];
  statement text;
BEGIN
  -- every name is spelled before anything is dropped: a cascade drops sequences and the like further down the list
  SELECT coalesce(array_agg(format('DROP %s IF EXISTS %s CASCADE', kind, name) ORDER BY step), '{}') INTO statements
  FROM (
    SELECT 1 AS step, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                     WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind, c.oid::regclass::text AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 2, 'TYPE', t.oid::regtype::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 3, 'ROUTINE', p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  ) AS objects;
  FOREACH statement IN ARRAY statements LOOP
    EXECUTE statement;
  END LOOP;
END
$povdesk$;
"""


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


def default_backup_folder() -> Path:
    """Where automatic backups go: $POVDESK_BACKUP_DIR, else the folder `backups` in the user's data folder."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "backups"


def default_backup_name(db_or_url: Database | str, when: dt.date | None = None) -> str:
    """PovDesk备份-YYYYMMDD.db for SQLite, .dump for PostgreSQL."""
    suffix = ".db" if _is_sqlite_url(_url_of(db_or_url)) else ".dump"
    return f"PovDesk备份-{(when or dt.date.today()):%Y%m%d}{suffix}"


# ---------------------------------------------------------------------------------------------------------- backup


def backup(db_or_url: Database | str | None, out: str | os.PathLike, progress: Progress | None = None) -> BackupInfo:
    """Copy the whole database to `out`; consistent even while the application has it open.

    Written to a temporary file beside `out` and renamed when complete: a failed or cancelled backup leaves no half
    file (and an older backup of the same name is kept until the new one is whole)."""
    started = time.perf_counter()
    url = _url_of(db_or_url)
    out = Path(out)
    check_writable(out)
    live = _sqlite_file(url)
    if live is not None and out.resolve() == live.resolve():
        raise OutputFileError(f"不能把数据库备份到它自己（“{out}”），请另选文件名")
    with _temp_beside(out) as temp:
        if live is not None:
            _sqlite_copy(live, temp, progress, label="正在备份数据库")
            info = _verify_sqlite(temp, full=False)
        else:
            _pg_dump(url, temp, progress)
            info = _verify_pg(temp, progress, count=False)
        _replace(temp, out)
    log.info("backup of %s written to %s (%d bytes)", _display(url), out, info.size)
    return replace(info, path=out, seconds=time.perf_counter() - started, modified=out.stat().st_mtime)


class _KeptRestarting(Exception):
    """Another program keeps writing while a backup copies step by step."""


def _sqlite_copy(source: Path, target: Path, progress: Progress | None, *, label: str) -> None:
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
        raise BackupError(f"无法读取数据库文件“{source}”：{_sqlite_reason(exc)}") from None
    except sqlite3.DatabaseError as exc:  # not a database, malformed: the file itself, not a passing lock
        raise DamagedDatabase(f"数据库文件“{source}”已损坏，无法读取：{_sqlite_reason(exc)}") from None
    except OSError as exc:
        raise OutputFileError(f"无法写入“{target}”：{os_error_text(exc)}") from None


@contextmanager
def _temp_beside(out: Path) -> Iterator[Path]:
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


def _replace(temp: Path, out: Path) -> None:
    try:
        os.replace(temp, out)
    except OSError as exc:
        raise OutputFileError(f"无法保存“{out}”：{os_error_text(exc)}") from None


# ---------------------------------------------------------------------------------------------------------- verify


def verify(path: str | os.PathLike, progress: Progress | None = None) -> BackupInfo:
    """Check a backup file: it opens, is whole (integrity check; every block of a PostgreSQL dump read), holds a
    PovDesk database, and its schema is one this program knows (DatabaseTooNew when it was written by a newer one)."""
    path = Path(path)
    started = time.perf_counter()
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise InvalidBackup(f"无法读取备份文件“{path}”：{os_error_text(exc)}") from None
    if header.startswith(SQLITE_MAGIC):
        info = _verify_sqlite(path, progress=progress)
    elif header.startswith(PG_MAGIC):
        info = _verify_pg(path, progress)
    elif not header:
        raise InvalidBackup(f"备份文件“{path}”是空的（0 字节），不能用于恢复。请选择另一个备份文件")
    else:
        raise InvalidBackup(
            f"“{path}”不是 PovDesk 数据库备份（既不是 SQLite 数据库文件，也不是 pg_dump 备份），请选择正确的备份文件"
        )
    return replace(info, seconds=time.perf_counter() - started)


def _check_revision(path: Path, revision: str | None) -> None:
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


def _verify_sqlite(path: Path, *, full: bool = True, progress: Progress | None = None) -> BackupInfo:
    uri = f"file:{quote(str(path.resolve()).replace(os.sep, '/'))}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
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
            _check_revision(path, revision)
            if "household" not in tables:
                raise InvalidBackup(f"备份文件“{path}”中没有户表，不是完整的 PovDesk 数据库，不能用于恢复")
            households = conn.execute("SELECT count(*) FROM household").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if progress is not None and progress.cancelled:
            raise Cancelled() from None
        raise InvalidBackup(f"无法打开备份文件“{path}”：{_sqlite_reason(exc)}") from None
    except sqlite3.DatabaseError as exc:
        raise InvalidBackup(
            f"备份文件“{path}”已损坏（{_sqlite_reason(exc)}），不能用于恢复。请选择另一个备份文件"
        ) from None
    stat = path.stat()
    return BackupInfo(path, "sqlite", revision, households, stat.st_size, modified=stat.st_mtime)


def _sqlite_reason(exc: sqlite3.Error) -> str:
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


def _verify_pg(path: Path, progress: Progress | None = None, *, count: bool = True) -> BackupInfo:
    """Read the whole dump through pg_restore (a truncated file fails there), picking up the schema revision and,
    when `count`, the number of households from the script it writes."""
    command = [_tool("pg_restore"), "--file=-", str(path)]
    if not count:
        command[1:1] = ["--data-only", "--table=alembic_version"]
    revision, households = None, 0
    section = None
    with _process(command, progress, "正在检查备份文件", stdout=subprocess.PIPE) as proc:
        for line in proc.stdout:
            if section is None:
                if line.startswith(b"COPY public.alembic_version "):
                    section = "alembic"
                elif line.startswith(b"COPY public.household "):
                    section = "household"
            elif line == b"\\.\n":
                section = None
            elif section == "alembic":
                revision = line.decode("utf-8", "replace").strip()
            else:
                households += 1
        stderr = proc.communicate()[1]
    if proc.returncode:
        raise InvalidBackup(
            f"备份文件“{path}”已损坏或不完整（pg_restore：{_first_error(stderr)}），不能用于恢复。请选择另一个备份文件"
        )
    _check_revision(path, revision)
    stat = path.stat()
    return BackupInfo(path, "pg", revision, households if count else None, stat.st_size, modified=stat.st_mtime)


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
    live = _sqlite_file(url)
    stamp = dt.datetime.now().strftime(STAMP)
    if _is_sqlite_url(url):
        if info.kind != "sqlite":
            raise InvalidBackup(
                f"“{backup_path}”是 PostgreSQL 数据库的备份，不能恢复到本机 SQLite 数据库文件。"
                "请用 --db 指定要恢复到的 PostgreSQL 数据库"
            )
        if live is None:
            raise BackupError("内存数据库不能恢复备份，请指定数据库文件")
        if live.exists() and backup_path.resolve() == live.resolve():
            raise BackupError(f"“{backup_path}”就是当前数据库文件本身，不能用它恢复自己")
        kept, damaged = None, False
        if live.exists() and live.stat().st_size > 0:
            kept = live.with_name(f"{live.stem}.before-restore-{stamp}{live.suffix or '.db'}")
            with _temp_beside(kept) as temp:
                try:
                    _sqlite_copy(live, temp, progress, label="正在保留当前数据库")
                except DamagedDatabase:  # what is restored over: kept byte for byte, for whoever may rescue it
                    log.warning("current database %s is damaged: kept as it is, then replaced whole", live)
                    damaged = True
                    _copy_file(live, temp)
                _replace(temp, kept)
        else:
            live.parent.mkdir(parents=True, exist_ok=True)
        if damaged:
            _remove_sqlite_file(live)  # the backup API cannot write into a file that is not a database
        _sqlite_restore(backup_path, live, progress)
    else:
        if info.kind != "pg":
            raise InvalidBackup(
                f"“{backup_path}”是 SQLite 数据库文件的备份，不能直接恢复到 PostgreSQL 服务器。"
                "请用 --db sqlite:///文件路径 恢复到一个数据库文件"
            )
        folder = Path(keep_folder) if keep_folder else default_backup_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputFileError(f"无法创建文件夹“{folder}”：{os_error_text(exc)}") from None
        kept = folder / f"{_pg_database_name(url)}.before-restore-{stamp}.dump"
        with _temp_beside(kept) as temp:
            _pg_dump(url, temp, progress, label="正在保留当前数据库")
            _replace(temp, kept)
        _pg_restore(url, backup_path, progress)
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
    log.info("restored %s from %s; previous database kept in %s", _display(url), backup_path, kept)
    return RestoreInfo(_display(url), info, kept, revision, households, time.perf_counter() - started)


def _copy_file(source: Path, target: Path) -> None:
    try:
        shutil.copyfile(source, target)
    except OSError as exc:
        raise OutputFileError(f"无法保留当前数据库文件“{source}”：{os_error_text(exc)}") from None


def _remove_sqlite_file(path: Path) -> None:
    for part in (path, *(path.with_name(path.name + tail) for tail in ("-wal", "-shm", "-journal"))):
        try:
            part.unlink(missing_ok=True)
        except OSError as exc:
            raise BackupError(f"无法替换数据库文件“{part}”：{os_error_text(exc)}。请关闭使用它的程序后重试") from None


def _sqlite_restore(backup_path: Path, live: Path, progress: Progress | None) -> None:
    """The backup API from the backup file into the live file: one write transaction on the live file, so a failure
    or a cancel leaves it as it was."""

    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            if progress.total != total:
                progress.start(total, "正在恢复数据库")
            progress.update(total - remaining)

    uri = f"file:{quote(str(backup_path.resolve()).replace(os.sep, '/'))}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as src, closing(sqlite3.connect(live, timeout=30)) as dest:
            dest.execute("PRAGMA busy_timeout=30000")
            src.backup(dest, pages=PAGES_PER_STEP, progress=step)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupError(
                f"数据库文件“{live}”正被其他程序使用，无法恢复。请关闭所有使用它的 PovDesk 窗口后重试；数据库未改动"
            ) from None
        raise BackupError(f"恢复失败，数据库未改动：{_sqlite_reason(exc)}") from None
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"恢复失败，数据库未改动：{_sqlite_reason(exc)}") from None


# ---------------------------------------------------------------------------------------------------------- automatic


def auto_backups(folder: str | os.PathLike, db_or_url: Database | str) -> list[Path]:
    """The automatic backups of this database in `folder`, oldest first."""
    return [path for _key, path in _auto_backups(Path(folder), _url_of(db_or_url))]


def _auto_backups(folder: Path, url: str) -> list[tuple[tuple[str, int], Path]]:
    """(time stamp, number within that second) and path of each automatic backup of this database, oldest first."""
    live = _sqlite_file(url)
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
    url = _url_of(db)
    live = _sqlite_file(url)
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


# ---------------------------------------------------------------------------------------------------------- PostgreSQL


def _tool(name: str) -> str:
    """pg_dump, pg_restore or psql: the newest of Debian's /usr/lib/postgresql/*/bin, else on PATH, else in
    Windows' usual place. ToolMissing (naming what to install) when there is none."""
    exe = name + (".exe" if sys.platform == "win32" else "")
    versions = glob.glob(f"/usr/lib/postgresql/*/bin/{exe}") + glob.glob(
        os.path.join(os.environ.get("PROGRAMFILES", r"C:\Program Files"), "PostgreSQL", "*", "bin", exe)
    )
    found = sorted(versions, key=lambda p: _version_key(Path(p).parent.parent.name))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise ToolMissing(f"未找到 PostgreSQL 客户端工具 {name}，无法备份或恢复 PostgreSQL 数据库。{PG_TOOLS_HINT}")


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)) or (0,)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq connection string for `url` without its password, and the environment carrying the password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    fields = {"host": parsed.host, "port": parsed.port, "user": parsed.username, "dbname": parsed.database}
    for key, value in parsed.query.items():
        fields[key] = value if isinstance(value, str) else value[-1]
    conninfo = " ".join(f"{key}={_libpq_quote(str(value))}" for key, value in fields.items() if value not in (None, ""))
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password  # the child's environment only: never on a command line
    env.setdefault("PGCONNECT_TIMEOUT", "15")
    return conninfo, env


def _libpq_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pg_database_name(url: str) -> str:
    from sqlalchemy.engine import make_url

    return re.sub(r"[^\w.-]", "_", make_url(url).database or "postgres")


@contextmanager
def _process(command: list[str], progress: Progress | None, label: str, *, env=None, **kwargs):
    """A child process that a cancel kills; its stderr kept for the message."""
    if progress is not None:
        progress.start(0, label)
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console window flashing up from the GUI on Windows
    log.info("running %s", command[0])
    try:
        proc = subprocess.Popen(command, stderr=subprocess.PIPE, env=env, creationflags=flags, **kwargs)
    except OSError as exc:
        raise ToolMissing(f"无法运行 {command[0]}：{os_error_text(exc)}。{PG_TOOLS_HINT}") from None
    watcher = None
    if progress is not None:
        import threading

        def watch() -> None:
            while proc.poll() is None:
                if progress.cancelled:
                    proc.kill()
                    return
                time.sleep(0.1)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
    try:
        yield proc
    finally:
        if proc.poll() is None and sys.exc_info()[0] is not None:
            proc.kill()
        proc.wait()
        if watcher is not None:
            watcher.join()
        for stream in (proc.stdout, proc.stderr, proc.stdin):
            if stream is not None:
                stream.close()
    if progress is not None:
        progress.check()


def _first_error(stderr: bytes | None) -> str:
    lines = [line.strip() for line in (stderr or b"").decode("utf-8", "replace").splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower() or "错误" in line or "fatal" in line.lower():
            return line
    return lines[0] if lines else "未知原因"


_PG_REASONS = (
    (("password authentication failed", "no password supplied"), "用户名或密码不正确"),
    (
        ("could not connect", "connection refused", "could not translate host name", "timeout expired"),
        "无法连接数据库服务器，请检查服务器地址、端口和网络",
    ),
    (("server version mismatch", "unsupported version"), "PostgreSQL 客户端工具版本低于服务器版本。" + PG_TOOLS_HINT),
    (("row-level security",), "只有数据库管理员账号才能备份整个数据库（经办人账号只能看到本辖区的数据）"),
    (("must be owner", "permission denied"), "只有数据库管理员账号（表的所有者）才能备份或恢复整个数据库"),
    (("lock timeout",), "其他电脑或程序正在使用这个数据库，请让他们先关闭 PovDesk 后重试"),
)


def _pg_reason(stderr: bytes | None) -> str:
    """What pg_dump, pg_restore or psql said, in Chinese when it is a known case (the original text kept)."""
    line = _first_error(stderr)
    lower = line.lower()
    for needles, reason in _PG_REASONS:
        if any(needle in lower for needle in needles):
            return f"{reason}；原文：{line}"
    return line


def _pg_dump(url: str, out: Path, progress: Progress | None, *, label: str = "正在备份数据库") -> None:
    conninfo, env = _libpq(url)
    command = [_tool("pg_dump"), "--format=custom", "--no-password", f"--file={out}", f"--dbname={conninfo}"]
    with _process(command, progress, label, env=env, stdout=subprocess.DEVNULL) as proc:
        stderr = proc.communicate()[1]
    if proc.returncode:
        raise BackupError(f"备份 PostgreSQL 数据库 {_display(url)} 失败（{_pg_reason(stderr)}）")


def _pg_grantees(dump: Path) -> list[str]:
    """The roles the dump grants privileges to (PovDesk's group roles, for example)."""
    completed = subprocess.run(
        [_tool("pg_restore"), "--schema-only", "--no-owner", "--file=-", str(dump)],
        capture_output=True,
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        check=False,
    )
    roles: set[str] = set()
    for line in completed.stdout.decode("utf-8", "replace").splitlines():
        match = re.match(r"GRANT .+ TO (.+?)(?: WITH GRANT OPTION)?;$", line)
        if match:
            for name in match[1].split(","):
                name = name.strip()
                name = name[1:-1].replace('""', '"') if name.startswith('"') and name.endswith('"') else name
                if name.upper() != "PUBLIC":
                    roles.add(name)
    return sorted(roles)


def _pg_create_roles(roles: list[str]) -> str:
    """SQL creating, without login, each role the dump grants to that this server lacks (restoring onto a new
    server); needs a login that may create roles, as the first migration does."""
    checks = "".join(
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_sql_literal(name)}) THEN "
        f"CREATE ROLE {_sql_ident(name)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS; END IF; "
        for name in roles
    )
    return f"DO $povdesk$ BEGIN {checks}END $povdesk$;"


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_ident(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _pg_restore(url: str, dump: Path, progress: Progress | None) -> None:
    """pg_restore writes the dump as SQL; psql runs it after emptying the schema, all in one transaction: a failure
    anywhere leaves the database as it was."""
    conninfo, env = _libpq(url)
    env["PGOPTIONS"] = (
        env.get("PGOPTIONS", "") + " -c lock_timeout=30s -c client_min_messages=warning"
    ).strip()  # not forever behind other users
    script = [_tool("pg_restore"), "--no-owner", "--file=-", str(dump)]
    roles = _pg_grantees(dump)
    prologue = [f"--command={_pg_create_roles(roles)}"] if roles else []
    psql = [_tool("psql"), "--no-psqlrc", "--quiet", "--no-password", "--single-transaction", "--set=ON_ERROR_STOP=1"]
    psql += [*prologue, f"--command={_PG_EMPTY_PUBLIC}", "--file=-", f"--dbname={conninfo}"]
    with _process(script, progress, "正在恢复数据库", env=env, stdout=subprocess.PIPE) as reader:
        with _process(psql, None, "", env=env, stdin=reader.stdout, stdout=subprocess.DEVNULL) as writer:
            reader.stdout.close()  # psql owns it now: pg_restore sees a closed pipe if psql stops
            if progress is not None:
                while writer.poll() is None:
                    if progress.cancelled:
                        writer.kill()  # the server rolls the open transaction back
                    time.sleep(0.1)
            psql_err = writer.communicate()[1]
        restore_err = reader.communicate()[1]
    if writer.returncode:
        raise BackupError(f"恢复到 {_display(url)} 失败，已全部撤销，数据库保持原样（{_pg_reason(psql_err)}）")
    if reader.returncode:
        raise BackupError(f"读取备份文件“{dump}”失败，已全部撤销，数据库保持原样（{_first_error(restore_err)}）")


# ---------------------------------------------------------------------------------------------------------- helpers


def _url_of(db_or_url: Database | str | None) -> str:
    if db_or_url is None or isinstance(db_or_url, str):
        from povdesk.db import resolve_url

        return resolve_url(db_or_url)
    return db_or_url.url


def _is_sqlite_url(url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_file(url: str) -> Path | None:
    from povdesk.db import sqlite_path

    return sqlite_path(url)


def _display(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
