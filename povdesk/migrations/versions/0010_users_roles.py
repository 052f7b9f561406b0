"""users and roles: the four PovDesk roles, and on PostgreSQL the group roles, grants and row-level security

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

- The role codes admin and viewer become county_admin and village_clerk.
- PostgreSQL only (nothing else on SQLite): a NOLOGIN group role per PovDesk role (povdesk_county_admin, …; created
  when missing, which needs a login that may create roles), their table privileges (village clerks read only; nobody
  but the owner updates or deletes audit_log), the function `povdesk_scope()` and row-level security policies that
  limit every table holding household, person, yearly, monitoring, pairing, visit, notice or history rows to the
  logged-in user's area subtree. The owner that runs migrations is not subject to them.

Everything here is a copy, not an import of povdesk.rls: a migration must keep meaning what it meant when written.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUPS = ("povdesk_county_admin", "povdesk_county_clerk", "povdesk_township_clerk", "povdesk_village_clerk")
WRITERS = GROUPS[:3]

# S: the user's scope, evaluated once per statement (an InitPlan), not once per row.
S = "(SELECT {schema}.povdesk_scope())"
# The county roles get one policy per table, `S = ''`; the township and village roles the subtree policies below,
# without an OR, so that their conditions can use the indexes (measured in tests/bench/rls_bench.py).
COUNTY = GROUPS[:2]
AREA_ROLES = GROUPS[2:]
# `col = ANY (ARRAY(SELECT …))`, not `col IN (SELECT …)`: the policies of a table are not turned into joins, and a
# hashed IN is checked row by row over a whole table; an array computed once (an InitPlan) is an index condition.
IN_SUBTREE = "({col} = ANY (ARRAY(SELECT a.id FROM {schema}.area a WHERE starts_with(a.path, " + S + "))))"
OF_VISIBLE = "({col} = ANY (ARRAY(SELECT p.id FROM {schema}.{parent} p)))"
OWN_BATCH = (
    "(batch_id = ANY (ARRAY(SELECT b.id FROM {schema}.notice_batch b JOIN {schema}.area a ON a.id = b.area_id"
    " WHERE starts_with(a.path, " + S + "))))"
)
AREA_READ = "(starts_with(path, " + S + ") OR starts_with(" + S + ", path))"  # their subtree and its ancestors
AREA_OWN = "(starts_with(path, " + S + "))"
AREA_NEW = (  # areas.add_area inserts with an empty path first, then sets it from the new id
    "(starts_with(path, " + S + ") OR (path = '' AND starts_with({schema}.povdesk_area_path(parent_id), " + S + ")))"
)
HOUSEHOLD_ROWS = "(household_id = ANY (ARRAY(SELECT p.id FROM {schema}.household p)))"

# table → (what a township or village user may read, what they may write): one policy FOR ALL when the same
POLICIES = {
    "area": (AREA_READ, AREA_OWN),
    "household": (IN_SUBTREE.replace("{col}", "village_id"), None),
    "member": (HOUSEHOLD_ROWS, None),
    "household_year": (HOUSEHOLD_ROWS, None),
    "assistance_measure": (HOUSEHOLD_ROWS, None),
    "monitored_household": (HOUSEHOLD_ROWS, None),
    "pairing": (HOUSEHOLD_ROWS, None),
    "visit": (HOUSEHOLD_ROWS, None),
    "notice_item": (HOUSEHOLD_ROWS, None),
    "change_log": (HOUSEHOLD_ROWS, None),
    "visit_kind": (OF_VISIBLE.replace("{col}", "visit_id").replace("{parent}", "visit"), None),
    # a county-wide notice batch is seen by every clerk (its items only where they are theirs), changed by county roles
    "notice_batch": (OF_VISIBLE.replace("{col}", "area_id").replace("{parent}", "area"),
                     IN_SUBTREE.replace("{col}", "area_id")),
    "notice_stage": (OF_VISIBLE.replace("{col}", "batch_id").replace("{parent}", "notice_batch"), OWN_BATCH),
    "objection": (OF_VISIBLE.replace("{col}", "batch_id").replace("{parent}", "notice_batch"), OWN_BATCH),
}  # fmt: skip


def _sql(conn, statement, params=None) -> None:
    """A psycopg `sql.Composed` statement on the migration's own connection and transaction."""
    with conn.connection.driver_connection.cursor() as cursor:
        cursor.execute(statement, params)


def _create_groups(conn, sql) -> None:
    """The group roles, created when missing (roles belong to the server: another database may have made them)."""
    existing = set(conn.execute(sa.text("SELECT rolname FROM pg_roles WHERE rolname LIKE 'povdesk\\_%'")).scalars())
    missing = [name for name in GROUPS if name not in existing]
    if not missing:
        return
    may = conn.execute(sa.text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")).scalar()
    if not may:
        raise RuntimeError(
            "升级需要创建数据库角色 " + "、".join(missing) + "，当前数据库账户无权创建角色。请用 postgres 等超级用户"
            "（或有 CREATEROLE 权限的账户）先执行一次 CREATE ROLE，或用这样的账户打开数据库完成升级"
        )
    for name in missing:
        # a group only carries privileges: never LOGIN, SUPERUSER, CREATEROLE or BYPASSRLS
        _sql(conn, sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS").format(
            sql.Identifier(name)))  # fmt: skip


def _grant(conn, sql, schema: str) -> None:
    tables = sa.inspect(conn).get_table_names(schema=schema)
    ident = sql.Identifier
    for table in tables:
        target = sql.SQL("{}.{}").format(ident(schema), ident(table))
        groups = sql.SQL(", ").join(map(ident, GROUPS))
        writers = sql.SQL(", ").join(map(ident, WRITERS))
        _sql(conn, sql.SQL("GRANT SELECT ON {} TO {}").format(target, groups))
        if table == "audit_log":  # and `detail` of the entry its own transaction is writing (see the policy)
            _sql(conn, sql.SQL("GRANT INSERT, UPDATE (detail) ON {} TO {}").format(target, writers))
        elif table == "app_user":
            _sql(conn, sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(target, ident(GROUPS[0])))
        elif table != "alembic_version":
            _sql(conn, sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(target, writers))
    _sql(conn, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident(schema), sql.SQL(", ").join(map(ident, GROUPS))))
    _sql(conn, sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
        ident(schema), sql.SQL(", ").join(map(ident, WRITERS))))  # fmt: skip


def _scope_function(conn, sql, schema: str) -> None:
    """The logged-in user's area path: '' for the county roles, NULL (nothing) for an unknown, disabled or area-less
    user. SECURITY DEFINER, so that clerks need not read app_user; search_path pinned, every name qualified."""
    body = sql.SQL(
        "SELECT CASE WHEN u.role IN ('county_admin', 'county_clerk') THEN '' "
        "WHEN u.role IN ('township_clerk', 'village_clerk') THEN a.path END "
        "FROM {s}.app_user u LEFT JOIN {s}.area a ON a.id = u.area_id "
        "WHERE u.username = session_user AND u.active"
    ).format(s=sql.Identifier(schema))
    _sql(conn, sql.SQL(
        "CREATE OR REPLACE FUNCTION {s}.povdesk_scope() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER "
        "SET search_path = pg_catalog, pg_temp AS {body}"
    ).format(s=sql.Identifier(schema), body=sql.Literal(body.as_string(conn.connection.driver_connection))))  # fmt: skip
    # an area policy may not read area itself (infinite recursion): the parent's path comes from here
    _sql(conn, sql.SQL(
        "CREATE OR REPLACE FUNCTION {s}.povdesk_area_path(area_id integer) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE "
        "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS {body}"
    ).format(s=sql.Identifier(schema), body=sql.Literal(
        sql.SQL("SELECT path FROM {}.area WHERE id = $1").format(sql.Identifier(schema)).as_string(
            conn.connection.driver_connection))))  # fmt: skip
    _sql(conn, sql.SQL("REVOKE ALL ON FUNCTION {}.povdesk_scope() FROM PUBLIC").format(sql.Identifier(schema)))
    _sql(conn, sql.SQL("GRANT EXECUTE ON FUNCTION {}.povdesk_scope() TO PUBLIC").format(sql.Identifier(schema)))


def _policies(conn, sql, schema: str) -> None:
    ident = sql.Identifier
    quoted_schema = ident(schema).as_string(conn.connection.driver_connection)
    county = sql.SQL(", ").join(map(ident, COUNTY))
    areas = sql.SQL(", ").join(map(ident, AREA_ROLES))
    everything = sql.SQL(S.replace("{schema}", quoted_schema) + " = ''")

    def expr(text: str):
        return sql.SQL(text.replace("{schema}", quoted_schema))

    def policy(name: str, target, command: str, roles, using=None, check=None) -> None:
        parts = [sql.SQL("CREATE POLICY {} ON {} FOR " + command + " TO {}").format(ident(name), target, roles)]
        if using is not None:
            parts.append(sql.SQL("USING ({})").format(using))
        if check is not None:
            parts.append(sql.SQL("WITH CHECK ({})").format(check))
        _sql(conn, sql.SQL(" ").join(parts))

    for table, (read, write) in POLICIES.items():
        target = sql.SQL("{}.{}").format(ident(schema), ident(table))
        _sql(conn, sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(target))
        policy("povdesk_county", target, "ALL", county, everything, everything)
        if write is None:
            policy("povdesk_area", target, "ALL", areas, expr(read), expr(read))
            continue
        new = AREA_NEW if table == "area" else write
        policy("povdesk_read", target, "SELECT", areas, expr(read))
        policy("povdesk_insert", target, "INSERT", areas, None, expr(new))
        policy("povdesk_update", target, "UPDATE", areas, expr(write), expr(write))
        policy("povdesk_delete", target, "DELETE", areas, expr(write))
    # users: the county roles see all of them (only povdesk_county_admin holds the privileges to change them), the
    # others their own row
    users = sql.SQL("{}.app_user").format(ident(schema))
    _sql(conn, sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(users))
    policy("povdesk_county", users, "ALL", county, everything, everything)
    policy("povdesk_own", users, "SELECT", sql.SQL("PUBLIC"), sql.SQL("username = session_user"))
    # the audit log: everyone appends; the county roles read it all, a clerk the entries written under their name
    audit = sql.SQL("{}.audit_log").format(ident(schema))
    _sql(conn, sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(audit))
    policy("povdesk_county", audit, "SELECT", county, everything)
    policy("povdesk_own", audit, "SELECT", sql.SQL("PUBLIC"), sql.SQL('"user" = session_user'))
    policy("povdesk_insert", audit, "INSERT", sql.SQL("PUBLIC"), None, sql.SQL("true"))
    # an import writes its entry first and its figures at the end: only an entry of the running transaction, never a
    # written one, can be completed (and only its `detail`, by the column privilege)
    policy("povdesk_finish", audit, "UPDATE", sql.SQL("PUBLIC"),
           sql.SQL('"user" = session_user AND xmin = pg_current_xact_id()::xid'), sql.SQL("true"))  # fmt: skip
    # …and the server, not the client, names who wrote an entry: a clerk cannot sign as someone else
    _sql(conn, sql.SQL(
        "CREATE OR REPLACE FUNCTION {s}.povdesk_audit_user() RETURNS trigger LANGUAGE plpgsql "
        "SET search_path = pg_catalog, pg_temp AS $$ BEGIN "
        "IF NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'MEMBER') "
        "THEN NEW.\"user\" := session_user; END IF; RETURN NEW; END $$"
    ).format(s=ident(schema)))  # fmt: skip
    _sql(conn, sql.SQL("CREATE TRIGGER povdesk_audit_user BEFORE INSERT ON {} FOR EACH ROW "
                       "EXECUTE FUNCTION {}.povdesk_audit_user()").format(audit, ident(schema)))  # fmt: skip


def upgrade() -> None:
    conn = op.get_bind()
    user = sa.table("app_user", sa.column("role", sa.String))
    conn.execute(user.update().where(user.c.role == "admin").values(role="county_admin"))
    conn.execute(user.update().where(user.c.role == "viewer").values(role="village_clerk"))
    if conn.dialect.name != "postgresql":
        return  # SQLite: one PC, the file protected by the Windows account; the login only names the writer
    from psycopg import sql

    schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
    # a user's app_user row never holds a password hash on PostgreSQL: the server checks the password
    _create_groups(conn, sql)
    _scope_function(conn, sql, schema)
    _policies(conn, sql, schema)
    _grant(conn, sql, schema)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        from psycopg import sql

        policies = conn.execute(sa.text("SELECT schemaname, tablename, policyname FROM pg_policies "
                                        "WHERE policyname LIKE 'povdesk\\_%'")).all()  # fmt: skip
        for schema, table, name in policies:
            _sql(conn, sql.SQL("DROP POLICY {} ON {}.{}").format(*map(sql.Identifier, (name, schema, table))))
        for schema, table in sorted({(schema, table) for schema, table, _name in policies}):
            _sql(conn, sql.SQL("ALTER TABLE {}.{} DISABLE ROW LEVEL SECURITY").format(
                sql.Identifier(schema), sql.Identifier(table)))  # fmt: skip
        conn.execute(sa.text("DROP TRIGGER IF EXISTS povdesk_audit_user ON audit_log"))
        for function in ("povdesk_audit_user()", "povdesk_scope()", "povdesk_area_path(integer)"):
            conn.execute(sa.text(f"DROP FUNCTION IF EXISTS {function}"))
    user = sa.table("app_user", sa.column("role", sa.String))
    conn.execute(user.update().where(user.c.role == "county_admin").values(role="admin"))
    conn.execute(user.update().where(user.c.role == "village_clerk").values(role="viewer"))
