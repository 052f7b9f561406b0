"""The PostgreSQL half of backup and restore: pg_dump, pg_restore and psql as child processes, found and run here."""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from povdesk.backup.common import (
    BackupError,
    BackupInfo,
    InvalidBackup,
    ToolMissing,
    check_revision,
    display,
    replace_file,
    temp_beside,
)
from povdesk.db_errors import CONNECTION_REASONS
from povdesk.files import OutputFileError, os_error_text
from povdesk.progress import Progress

log = logging.getLogger(__name__)

MAGIC = b"PGDMP"

TOOLS_HINT = (
    "请安装 PostgreSQL 客户端工具（pg_dump、pg_restore、psql）：Windows 上运行 PostgreSQL 安装程序，"
    "可只选“Command Line Tools”，并把其 bin 文件夹（如 C:\\Program Files\\PostgreSQL\\16\\bin）加入 PATH；"
    "Debian/Ubuntu 上运行 apt-get install postgresql-client。客户端版本不能低于服务器版本。"
)
# Before a PostgreSQL restore, in the same transaction: remove every object of the public schema, so that tables a
# newer schema added do not stay behind (the upgrade after restoring an older backup would trip over them).
# Objects belonging to an extension are left to it.
_EMPTY_PUBLIC = """
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


def tool(name: str) -> str:
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
    raise ToolMissing(f"未找到 PostgreSQL 客户端工具 {name}，无法备份或恢复 PostgreSQL 数据库。{TOOLS_HINT}")


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)) or (0,)


def libpq(url: str) -> tuple[str, dict[str, str]]:
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


def _database_name(url: str) -> str:
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
        raise ToolMissing(f"无法运行 {command[0]}：{os_error_text(exc)}。{TOOLS_HINT}") from None
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


_REASONS = (
    *CONNECTION_REASONS,
    (("server version mismatch", "unsupported version"), "PostgreSQL 客户端工具版本低于服务器版本。" + TOOLS_HINT),
    (("row-level security",), "只有数据库管理员账号才能备份整个数据库（经办人账号只能看到本辖区的数据）"),
    (("must be owner", "permission denied"), "只有数据库管理员账号（表的所有者）才能备份或恢复整个数据库"),
    (("lock timeout",), "其他电脑或程序正在使用这个数据库，请让他们先关闭 PovDesk 后重试"),
)


def _reason(stderr: bytes | None) -> str:
    """What pg_dump, pg_restore or psql said, in Chinese when it is a known case (the original text kept)."""
    line = _first_error(stderr)
    lower = line.lower()
    for needles, reason in _REASONS:
        if any(needle in lower for needle in needles):
            return f"{reason}；原文：{line}"
    return line


def dump(url: str, out: Path, progress: Progress | None, *, label: str = "正在备份数据库") -> None:
    conninfo, env = libpq(url)
    command = [tool("pg_dump"), "--format=custom", "--no-password", f"--file={out}", f"--dbname={conninfo}"]
    with _process(command, progress, label, env=env, stdout=subprocess.DEVNULL) as proc:
        stderr = proc.communicate()[1]
    if proc.returncode:
        raise BackupError(f"备份 PostgreSQL 数据库 {display(url)} 失败（{_reason(stderr)}）")


def grantees(dump_file: Path) -> list[str]:
    """The roles the dump grants privileges to (PovDesk's group roles, for example)."""
    completed = subprocess.run(
        [tool("pg_restore"), "--schema-only", "--no-owner", "--file=-", str(dump_file)],
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


def _create_roles(roles: list[str]) -> str:
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


def _restore(url: str, dump_file: Path, progress: Progress | None) -> None:
    """pg_restore writes the dump as SQL; psql runs it after emptying the schema, all in one transaction: a failure
    anywhere leaves the database as it was."""
    conninfo, env = libpq(url)
    env["PGOPTIONS"] = (
        env.get("PGOPTIONS", "") + " -c lock_timeout=30s -c client_min_messages=warning"
    ).strip()  # not forever behind other users
    script = [tool("pg_restore"), "--no-owner", "--file=-", str(dump_file)]
    roles = grantees(dump_file)
    prologue = [f"--command={_create_roles(roles)}"] if roles else []
    psql = [tool("psql"), "--no-psqlrc", "--quiet", "--no-password", "--single-transaction", "--set=ON_ERROR_STOP=1"]
    psql += [*prologue, f"--command={_EMPTY_PUBLIC}", "--file=-", f"--dbname={conninfo}"]
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
        raise BackupError(f"恢复到 {display(url)} 失败，已全部撤销，数据库保持原样（{_reason(psql_err)}）")
    if reader.returncode:
        raise BackupError(f"读取备份文件“{dump_file}”失败，已全部撤销，数据库保持原样（{_first_error(restore_err)}）")


def verify(path: Path, progress: Progress | None = None, *, count: bool = True) -> BackupInfo:
    """Read the whole dump through pg_restore (a truncated file fails there), picking up the schema revision and,
    when `count`, the number of households from the script it writes."""
    command = [tool("pg_restore"), "--file=-", str(path)]
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
    check_revision(path, revision)
    stat = path.stat()
    return BackupInfo(path, "pg", revision, households if count else None, stat.st_size, modified=stat.st_mtime)


def replace_database(url: str, backup_path: Path, folder: Path, stamp: str, progress: Progress | None) -> Path:
    """Keep the database as a dump `<database>.before-restore-<stamp>.dump` in `folder`, then restore the backup over
    it; the kept dump."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"无法创建文件夹“{folder}”：{os_error_text(exc)}") from None
    kept = folder / f"{_database_name(url)}.before-restore-{stamp}.dump"
    with temp_beside(kept) as temp:
        dump(url, temp, progress, label="正在保留当前数据库")
        replace_file(temp, kept)
    _restore(url, backup_path, progress)
    return kept
