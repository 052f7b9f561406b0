"""Opening a database: the embedded SQLite file by default, or any SQLAlchemy URL (PostgreSQL for shared use)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.orm import Session, sessionmaker

from povdesk import APP_NAME, audit, db_errors, migrate  # noqa: F401 - audit: its session hook records every ORM write
from povdesk.errors import DatabaseError, NetworkShareError
from povdesk.files import os_error_text
from povdesk.logs import log_path

log = logging.getLogger(__name__)

ENV_VAR = "POVDESK_DB"
WRITE_UNIT = "povdesk_write_unit"  # execution option of the connection of Database.transaction()
BUSY_TIMEOUT_MS = 10000  # how long a SQLite writer waits for another
NETWORK_FS = {"cifs", "smb", "smb2", "smb3", "smbfs", "nfs", "nfs4", "afs", "ncpfs", "fuse.sshfs", "9p", "davfs"}


def default_url() -> str:
    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return f"sqlite:///{folder / 'povdesk.db'}"


def resolve_url(url: str | None = None) -> str:
    """The URL given on the command line, else $POVDESK_DB, else the embedded database."""
    return url or os.environ.get(ENV_VAR) or default_url()


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for other databases or in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _mount_fstype(path: Path) -> str | None:
    """Filesystem type of the mount holding `path`, from /proc/mounts (Linux)."""
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    best, fstype = "", None
    target = str(path.resolve())
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1].replace("\\040", " ")
        if (target == mount or target.startswith(mount.rstrip("/") + "/")) and len(mount) >= len(best):
            best, fstype = mount, parts[2]
    return fstype


def _windows_remote_drive(path: Path) -> bool:
    import ctypes

    drive = os.path.splitdrive(str(path.resolve()))[0]
    drive_remote = 4
    return bool(drive) and ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == drive_remote


def check_not_network_share(path: Path) -> None:
    """SQLite's file locking is unreliable over SMB/NFS: a shared file gets corrupted. Refuse it."""
    text = str(path)
    remote = text.startswith(("\\\\", "//"))
    if not remote and sys.platform == "win32":
        remote = _windows_remote_drive(path)
    elif not remote:
        remote = (_mount_fstype(path) or "") in NETWORK_FS
    if remote:
        raise NetworkShareError(
            f"数据库文件“{text}”位于网络共享盘上。SQLite 数据库文件在网络盘上多人同时使用会因文件锁不可靠而损坏数据，"
            "因此不能这样使用。\n请把数据库文件放在本机磁盘上单人使用；多人共享请在服务器上安装 PostgreSQL，"
            "并用 --db postgresql+psycopg://用户名@服务器地址:5432/数据库名 （或环境变量 POVDESK_DB）连接。"
        )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let SQLAlchemy, not pysqlite, decide where transactions start, so DDL is transactional too.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MB: index pages of a county stay in memory
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # A write unit takes the write lock first (waiting up to the busy timeout for another writer): a deferred
        # transaction that reads and then writes cannot wait, SQLite fails it at once with "database is locked".
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_UNIT) else "BEGIN")


def create_db_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"数据库地址“{url}”格式不正确，例如 sqlite:///D:/povdesk.db 或 postgresql+psycopg://用户@主机/库名"
        ) from None
    path = sqlite_path(url)
    if path is not None:
        check_not_network_share(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"无法创建数据库文件夹“{path.parent}”：{os_error_text(exc)}") from None
    try:
        engine = create_engine(parsed)
    except NoSuchModuleError:
        raise DatabaseError(f"不支持的数据库类型“{parsed.drivername}”，请使用 sqlite 或 postgresql+psycopg") from None
    except ImportError as exc:
        raise DatabaseError(f"缺少数据库驱动：{exc}") from None
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


class Database:
    """An open, up-to-date database: the engine and a factory of sessions (one per unit of work)."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.session_factory = sessionmaker(engine, expire_on_commit=False)

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        return self.session_factory()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back entirely on any error.

        On SQLite it starts with BEGIN IMMEDIATE: a save while another process writes waits (busy timeout, 10 s)
        and then goes on, or fails with db_errors.DatabaseBusy. Sessions from `session()` (reads) stay deferred.
        """
        with self.session_factory() as session, session.begin():
            if self.is_sqlite:
                session.connection(execution_options={WRITE_UNIT: True})
            yield session

    def refresh_statistics(self) -> None:
        """Let the query planner see the data as it is now; after a bulk load, and on SQLite when it has none.

        Without statistics SQLite guesses, and picks for example the index on `pairing.end_on` (nearly every pairing
        is open) over the one on `household_id`: 35 ms instead of 1 ms for a page of the household list.
        Only an optimisation: if the database refuses (read-only, locked by another writer), the work it follows
        has been saved already, so this is logged and not raised.
        """
        try:
            with self.engine.begin() as conn:
                if self.is_sqlite:
                    conn.exec_driver_sql("PRAGMA analysis_limit=1000")  # sampled: ~10 ms for a county of 120,000
                conn.exec_driver_sql("ANALYZE")
        except SQLAlchemyError as exc:
            log.warning("planner statistics not refreshed: %s", exc)

    def _lacks_statistics(self) -> bool:
        """SQLite: households are registered, but the planner has never been shown them."""
        with self.engine.connect() as conn:
            sql = conn.exec_driver_sql
            has_table = sql("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar()
            if has_table and sql("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'household'").scalar():
                return False
            return bool(sql("SELECT EXISTS (SELECT 1 FROM household)").scalar())

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, *, upgrade: bool = True) -> Database:
    """Open (creating or upgrading as needed) the database at `url`; raise DatabaseError in plain Chinese."""
    url = resolve_url(url)
    engine = create_db_engine(url)
    try:
        with engine.connect():
            pass
    except SQLAlchemyDatabaseError as exc:
        engine.dispose()
        detail = str(exc.orig).strip() if exc.orig else str(exc)
        log.error("could not connect to %s: %s", make_url(url).render_as_string(hide_password=True), detail)
        if "file is not a database" in detail:
            reason = "该文件不是 PovDesk 数据库（不是有效的 SQLite 文件），请检查文件路径"
        else:  # the driver's English stays in the log file
            reason = db_errors.connection_reason(detail) or f"数据库拒绝了连接，详细原因已写入日志文件“{log_path()}”"
        raise db_errors.ConnectionRefused(make_url(url).render_as_string(hide_password=True), reason) from None
    if upgrade:
        try:
            migrate.upgrade(engine, backup_path=sqlite_path(url))
        except Exception:
            engine.dispose()
            raise
    database = Database(url, engine)
    if upgrade and database.is_sqlite and database._lacks_statistics():
        database.refresh_statistics()
    return database
