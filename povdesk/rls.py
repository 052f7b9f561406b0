"""PostgreSQL logins, group roles and row-level security for PovDesk users (nothing here applies to SQLite).

Every PovDesk user on PostgreSQL is a LOGIN role of the same name, a member of one NOLOGIN group role per PovDesk
role (`povdesk_county_admin`, …). The groups carry the table privileges; the policies of migration 0010 limit rows
to the area subtree that `povdesk_scope()` returns for the logged-in user. Clerks are never superusers, table owners
or BYPASSRLS; only the owner (who is not subject to the policies) upgrades the schema.

Identifiers and passwords go through psycopg.sql (`Identifier`, `Literal`), never into a string: the password is
sent already SCRAM-hashed by libpq (`PQencryptPasswordConn`, as psql's \\password does), so neither a server log nor
pg_stat_activity ever shows it in plain text.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.orm import Session

from povdesk.errors import DatabaseError, PovDeskError

GROUP_PREFIX = "povdesk_"
ROLES = ("county_admin", "county_clerk", "township_clerk", "village_clerk")
WRITER_ROLES = ROLES[:3]
UPGRADE_NEEDED = (
    "数据库需要升级，请联系管理员用数据库所有者账户打开一次（或运行 python main.py --db 地址 stats）完成升级后再使用。"
    "本次未做任何改动。"
)


class RoleError(PovDeskError):
    """A PostgreSQL login cannot be created or changed (not allowed, or the name belongs to another account)."""


def group_of(role: str) -> str:
    return GROUP_PREFIX + role


def _driver(conn: Connection | Session):
    connection = conn.connection() if isinstance(conn, Session) else conn
    return connection.connection.driver_connection


def _execute(conn: Connection | Session, statement, params=None) -> list:
    """A psycopg `sql.Composed` statement inside the caller's transaction; the rows if it returns any."""
    import psycopg

    try:
        with _driver(conn).cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []
    except psycopg.Error as exc:  # the server's reason only: the statement (a password verifier) is not repeated
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise RoleError(f"数据库服务器拒绝了这项操作，本次改动已全部撤销：{reason}") from None


def is_postgres(conn: Connection | Session | Engine) -> bool:
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return bind.dialect.name == "postgresql"


def login_name(conn: Connection | Session) -> str:
    """The PostgreSQL login of this connection."""
    return _execute(conn, "SELECT session_user")[0][0]


def may_manage_roles(conn: Connection | Session) -> bool:
    rows = _execute(conn, "SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = session_user")
    return bool(rows and rows[0][0])


def ensure_groups(conn: Connection | Session) -> None:
    """The four group roles and their privileges on every table of the schema (idempotent).

    Run by `users add`, so that tables added by later migrations are granted too, and groups exist even when the
    upgrade was run by an owner that may not create roles."""
    from psycopg import sql

    existing = {row[0] for row in _execute(conn, "SELECT rolname FROM pg_catalog.pg_roles")}
    for role in ROLES:
        if group_of(role) not in existing:
            _execute(conn, sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS").format(
                sql.Identifier(group_of(role))))  # fmt: skip
    schema = _execute(conn, "SELECT current_schema()")[0][0]
    bind = conn.connection() if isinstance(conn, Session) else conn
    groups = sql.SQL(", ").join(sql.Identifier(group_of(r)) for r in ROLES)
    writers = sql.SQL(", ").join(sql.Identifier(group_of(r)) for r in WRITER_ROLES)
    for table in inspect(bind).get_table_names(schema=schema):
        target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        _execute(conn, sql.SQL("GRANT SELECT ON {} TO {}").format(target, groups))
        if table == "audit_log":  # appended to; `detail` only of the entry the running transaction writes
            _execute(conn, sql.SQL("GRANT INSERT, UPDATE (detail) ON {} TO {}").format(target, writers))
        elif table == "app_user":
            _execute(conn, sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(
                target, sql.Identifier(group_of("county_admin"))))  # fmt: skip
        elif table != "alembic_version":
            _execute(conn, sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(target, writers))
    _execute(conn, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), groups))
    _execute(conn, sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
        sql.Identifier(schema), writers))  # fmt: skip


def _role(conn, name: str) -> tuple[bool, bool, list[str]] | None:
    """(can log in, is superuser, PovDesk groups it belongs to) of an existing role, or None."""
    rows = _execute(
        conn,
        "SELECT r.rolcanlogin, r.rolsuper, r.rolbypassrls, "
        "ARRAY(SELECT g.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid "
        "WHERE m.member = r.oid) FROM pg_catalog.pg_roles r WHERE r.rolname = %s",
        (name,),
    )
    if not rows:
        return None
    login, superuser, bypass, groups = rows[0]
    return login, bool(superuser or bypass), [g for g in groups if g.startswith(GROUP_PREFIX)]


def _encrypted(conn, name: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of the password, computed here by libpq: the plain password never leaves."""
    driver = _driver(conn)
    return driver.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()


def _check_managed(conn, name: str) -> tuple[bool, bool, list[str]]:
    found = _role(conn, name)
    if found is None:
        raise RoleError(f"数据库服务器上没有名为“{name}”的登录账户")
    if found[1] or not found[2]:
        raise RoleError(f"数据库账户“{name}”不是由 PovDesk 创建的用户账户，PovDesk 不会修改它")
    return found


def create_login(conn: Connection | Session, name: str, password: str, role: str) -> None:
    """A LOGIN role `name` with this password, member of the role's group only (inside the caller's transaction).

    A login of that name left by PovDesk in another database of the same server (roles belong to the server) is
    taken over; any other existing account, a superuser above all, is refused."""
    from psycopg import sql

    if not may_manage_roles(conn):
        raise RoleError("当前数据库账户无权创建用户，请用县级管理员或数据库所有者账户操作")
    if owns_tables(conn):  # a county admin's own login is no owner: the upgrade granted the tables already
        ensure_groups(conn)
    found = _role(conn, name)
    ident = sql.Identifier(name)
    secret = sql.Literal(_encrypted(conn, name, password))
    # county admins create and change the other users' logins: CREATEROLE, never SUPERUSER or BYPASSRLS
    create_role = sql.SQL("CREATEROLE" if role == "county_admin" else "NOCREATEROLE")
    if found is None:
        _execute(conn, sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB {} NOBYPASSRLS NOREPLICATION INHERIT PASSWORD {}"
        ).format(ident, create_role, secret))  # fmt: skip
    else:
        _login, special, groups = found
        if special or not groups:
            raise RoleError(f"数据库服务器上已有名为“{name}”的账户，且不是 PovDesk 用户账户，请换一个用户名")
        _execute(conn, sql.SQL("ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB {} NOBYPASSRLS PASSWORD {}").format(
            ident, create_role, secret))  # fmt: skip
        for group in groups:
            if group != group_of(role):
                _execute(conn, sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), ident))
    _execute(conn, sql.SQL("GRANT {} TO {}").format(sql.Identifier(group_of(role)), ident))


def set_password(conn: Connection | Session, name: str, password: str) -> None:
    from psycopg import sql

    _check_managed(conn, name)
    secret = sql.Literal(_encrypted(conn, name, password))
    _execute(conn, sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), secret))


def set_login(conn: Connection | Session, name: str, allowed: bool) -> None:
    """LOGIN or NOLOGIN: a disabled user cannot connect any more (open sessions end at their next connection)."""
    from psycopg import sql

    _check_managed(conn, name)
    _execute(conn, sql.SQL("ALTER ROLE {} " + ("LOGIN" if allowed else "NOLOGIN")).format(sql.Identifier(name)))


def set_group(conn: Connection | Session, name: str, role: str) -> None:
    """Move a PovDesk login to the group of another role."""
    from psycopg import sql

    _login, _special, groups = _check_managed(conn, name)
    ident = sql.Identifier(name)
    for group in groups:
        if group != group_of(role):
            _execute(conn, sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), ident))
    _execute(conn, sql.SQL("GRANT {} TO {}").format(sql.Identifier(group_of(role)), ident))
    create_role = "CREATEROLE" if role == "county_admin" else "NOCREATEROLE"
    _execute(conn, sql.SQL("ALTER ROLE {} " + create_role).format(ident))


def owns_tables(conn: Connection | Session) -> bool:
    """Whether this login owns PovDesk's tables (or is a superuser)."""
    rows = _execute(
        conn,
        "SELECT pg_catalog.pg_has_role(session_user, c.relowner, 'MEMBER') FROM pg_catalog.pg_class c "
        "WHERE c.oid = pg_catalog.to_regclass('alembic_version')",
    )
    return bool(rows and rows[0][0])


def may_upgrade(conn: Connection, has_schema: bool) -> bool:
    """Whether this login may change the schema: the owner of the tables (or a superuser), or, for a new database,
    one that may create tables in the schema. Clerks never may."""
    if has_schema:
        return owns_tables(conn)
    rows = _execute(conn, "SELECT pg_catalog.has_schema_privilege(current_schema(), 'CREATE')")
    return bool(rows and rows[0][0])


def check_may_upgrade(engine: Engine, current: str | None) -> None:
    """Before an upgrade on PostgreSQL: refuse at once, with nothing changed, a login that may not run it."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        allowed = may_upgrade(conn, current is not None)
    if not allowed:
        raise DatabaseError(UPGRADE_NEEDED)


def scope(conn: Connection | Session) -> str | None:
    """What `povdesk_scope()` gives this login: '' everything, None nothing, else the area path."""
    rows = _execute(conn, "SELECT povdesk_scope()")
    return rows[0][0] if rows else None


def row_security_active(conn: Connection | Session, table: str) -> bool:
    """Whether the policies apply to this login on `table` (COPY FROM is refused then)."""
    rows = _execute(conn, "SELECT pg_catalog.row_security_active(pg_catalog.to_regclass(%s))", (table,))
    return bool(rows and rows[0][0])
