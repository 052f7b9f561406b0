"""A failed database operation told as one Chinese sentence: what happened, that nothing was saved, what to do."""

from __future__ import annotations

import logging

from sqlalchemy import exc as sa_exc

from povdesk.errors import DatabaseError
from povdesk.logs import log_path

log = logging.getLogger(__name__)

UNDONE = "本次改动已全部撤销，数据库未改动"
_BUSY_STATES = {"40P01", "55P03", "40001", "57014"}  # deadlock, lock not available, serialization, lock timeout
_CONNECTION_STATES = ("08", "57P")  # connection exceptions, server shutting down


# What PostgreSQL's client says when a connection cannot be made, in the clerk's words; tried in order, the first
# needle found in the driver's (lower-cased) text wins
CONNECTION_REASONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("password authentication failed", "no password supplied"), "用户名或密码不正确"),
    (("no pg_hba.conf entry",), "数据库服务器不允许这台电脑以此账户登录（pg_hba.conf），请联系管理员"),
    (("not permitted to log in",), "该账户已停用，请联系县级管理员"),
    (('role "',), "用户名或密码不正确"),  # an unknown user reads as a wrong password: names are not given away
    (("does not exist",), "服务器上没有这个数据库，请检查数据库名称"),
    (
        ("could not connect", "connection refused", "could not translate host name", "timeout expired",
         "connection failed", "server closed the connection"),
        "无法连接数据库服务器，请检查服务器地址、端口和网络",
    ),
)  # fmt: skip


def connection_reason(text: str) -> str | None:
    """The Chinese reason for a failed connection, or None when the text is not a known case."""
    lower = text.lower()
    for needles, reason in CONNECTION_REASONS:
        if any(needle in lower for needle in needles):
            return reason
    return None


class ConnectionRefused(DatabaseError):
    """The database could not be opened; `reason` says why in the clerk's words (a login dialog shows only that)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"无法连接数据库 {where}：{reason}")
        self.reason = reason


class ConcurrentWrite(DatabaseError):
    """Another PC (or window) wrote the same records at the same time; this transaction was rolled back."""


class DatabaseBusy(DatabaseError):
    """The database was locked by another writer for too long."""


class ConnectionLost(DatabaseError):
    """The database server could not be reached, or the connection broke."""


def _code(orig: BaseException | None) -> tuple[str, str]:
    """(PostgreSQL SQLSTATE or SQLite error name, first line of the driver's text)."""
    if orig is None:
        return "", ""
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None) or ""
    text = (str(orig).strip().splitlines() or [""])[0]
    return code, text


def explain(exc: sa_exc.SQLAlchemyError) -> DatabaseError:
    """The clerk's version of a database error; the driver's own text goes to the log file."""
    log.error("database operation failed", exc_info=exc)
    orig = getattr(exc, "orig", None)
    code, text = _code(orig)
    lowered = text.lower()
    if isinstance(exc, sa_exc.IntegrityError):
        if code in ("23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY") or "unique" in lowered:
            return ConcurrentWrite(
                f"另一台电脑（或另一个窗口）同时写入了相同的记录（例如正在导入同一份花名册），{UNDONE}。请等它完成后重试"
            )
        return ConcurrentWrite(f"要写入的记录与库中数据冲突（可能刚被另一台电脑修改或删除），{UNDONE}。请刷新后重试")
    if code.startswith("SQLITE_BUSY"):  # SQLite: another process held the write lock past the busy timeout (10 s)
        return DatabaseBusy(f"另一个程序正在写入数据库（如正在导入花名册），请稍后再试。{UNDONE}")
    if code in _BUSY_STATES or "database is locked" in lowered or "database table is locked" in lowered:
        return DatabaseBusy(f"数据库正被另一台电脑（或另一个窗口）的导入、保存占用，{UNDONE}。请稍后重试")
    if code == "42501" and "row-level security" in lowered:  # PostgreSQL: a row outside the clerk's areas
        return DatabaseError(
            f"有数据不在您负责的乡镇或村内（例如花名册中有其他乡镇、村的户），{UNDONE}。请只处理本区划的数据，"
            "或请县级管理员操作"
        )
    if code == "42501":  # PostgreSQL: a read-only login, or a table that only the owner changes
        return DatabaseError(f"您的账户无权进行此操作（只读账户，或只有管理员可以做），{UNDONE}")
    if isinstance(exc, sa_exc.DataError) and code == "22001":
        return DatabaseError(f"有内容超过了数据库字段允许的长度，{UNDONE}。请检查过长的内容")
    if code.startswith(_CONNECTION_STATES) or (
        isinstance(exc, sa_exc.OperationalError) and getattr(exc, "connection_invalidated", False)
    ):
        return ConnectionLost(f"与数据库服务器的连接中断，{UNDONE}。请检查网络和服务器后重试")
    if code in ("SQLITE_FULL",) or "disk is full" in lowered:
        return DatabaseError(f"磁盘空间不足，无法写入数据库，{UNDONE}。请清理磁盘后重试")
    if isinstance(exc, sa_exc.OperationalError) and not code:
        return ConnectionLost(f"无法连接或使用数据库，{UNDONE}。请检查数据库地址、网络和服务器后重试")
    return DatabaseError(f"数据库操作失败，{UNDONE}。技术细节已写入日志文件“{log_path()}”，请告知技术人员")
