"""Fast bulk work on generated and imported rows: COPY on PostgreSQL, one executemany on SQLite, no GC passes."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from povdesk.model.wallchart import VILLAGE_OF, bump_statement


def bulk_insert(session: Session, model: type, rows: list[dict]) -> None:
    """Insert plain dicts into `model`'s table inside the session's transaction, bypassing the ORM.

    The columns are the model's: those any row names, and those with a default, which a row that omits them gets
    (as the ORM would give it); a column with only a server default that no row names gets it from the database.
    A row that omits a column without a default inserts NULL there. A key that is not a column is an error.
    """
    if not rows:
        return
    table = model.__table__
    given = set().union(*rows)
    unknown = given.difference(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    defaults = {c.name: _scalar_default(c) for c in table.columns if c.name in given or _scalar_default(c) is not None}
    keys = list(defaults)
    if len(given) == len(keys) and all(len(row) == len(keys) for row in rows):  # every row names every column
        getter = itemgetter(*keys)
        values = list(map(getter, rows)) if len(keys) > 1 else [(v,) for v in map(getter, rows)]
    else:
        pairs = list(defaults.items())
        values = [tuple([row.get(k, d) for k, d in pairs]) for row in rows]
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(map(quote, keys))
    dbapi_conn = session.connection().connection.driver_connection
    driver_error = dialect.loaded_dbapi.Error
    try:
        if dialect.name == "postgresql" and _row_security_active(dbapi_conn, table.name):
            # A clerk under row-level security: COPY FROM is refused there, and one INSERT per row would evaluate the
            # policy's subquery once per row (a township's import 5 s → 35 s). COPY into a temporary table, then one
            # INSERT … SELECT: the policy is checked for every row, its subquery computed once.
            temp = quote(f"povdesk_bulk_{table.name}")
            statement = f"COPY {temp} ({columns}) FROM STDIN"
            with dbapi_conn.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {temp} AS SELECT {columns} FROM {quote(table.name)} WITH NO DATA"
                )
                with cursor.copy(statement) as copy:
                    for value in values:
                        copy.write_row(value)
                statement = f"INSERT INTO {quote(table.name)} ({columns}) SELECT {columns} FROM {temp}"
                cursor.execute(statement)
                cursor.execute(f"DROP TABLE {temp}")
        elif dialect.name == "postgresql":
            statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
            with dbapi_conn.cursor() as cursor, cursor.copy(statement) as copy:
                for value in values:
                    copy.write_row(value)
        else:
            statement = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({', '.join('?' * len(keys))})"
            with _row_trigger_suspended(dbapi_conn, table.name, keys, values):
                dbapi_conn.executemany(statement, values)
    except driver_error as exc:  # the driver's own error, as SQLAlchemy would have raised it (IntegrityError…)
        raise DBAPIError.instance(statement, None, exc, driver_error, dialect=dialect) from exc


@contextmanager
def _row_trigger_suspended(dbapi_conn, table: str, keys: list[str], values: list[tuple]) -> Iterator[None]:
    """SQLite: a wall chart table's INSERT trigger (migration 0012) costs some 7 µs per row, as much as the insert
    itself. For one bulk statement it is dropped inside the caller's transaction and created again from its own stored
    SQL, and the villages of the rows are bumped by one statement instead; an error rolls the DDL back with the rest
    of the transaction. PostgreSQL's triggers already run once per statement."""
    column = VILLAGE_OF.get(table)
    name = f"povdesk_wc_{table}_insert"
    found = None
    if column in keys:  # a watched table (None is never a key)
        found = dbapi_conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).fetchone()
    if found is None:
        yield
        return
    dbapi_conn.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
        at = keys.index(column)
        keyed = sorted({row[at] for row in values if row[at] is not None})
        dbapi_conn.execute(bump_statement(table), (json.dumps(keyed),))
    finally:
        dbapi_conn.execute(found[0])


def _row_security_active(dbapi_conn, table: str) -> bool:
    """Whether PostgreSQL's row-level security applies to this login on `table` (never to the tables' owner)."""
    with dbapi_conn.cursor() as cursor:
        cursor.execute("SELECT row_security_active(to_regclass(%s))", (table,))
        return bool(cursor.fetchone()[0])


def _scalar_default(column) -> object:
    """The plain value the model gives a column when a row omits it (None: none, or one only the database knows)."""
    default = column.default
    return default.arg if default is not None and default.is_scalar else None


@contextmanager
def no_gc_passes() -> Iterator[None]:
    """Pause Python's cycle collector for a bulk job, then collect once.

    An import of 400,000 people keeps millions of objects alive while it allocates millions more; every few
    thousand allocations the collector walks all of them again (27 s of a 94 s import, measured). The work itself
    makes few cycles, and the single collection at the end frees them. Process-wide: other threads allocate
    without collections meanwhile, which costs a little memory, never correctness.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


@contextmanager
def indexes_built_after(session: Session, *models: type, when: bool = True) -> Iterator[None]:
    """For a load into empty tables: drop their secondary indexes, and build each once at the end.

    One sorted build is about twice as fast as 400,000 scattered B-tree inserts (the members of a 120,000-household
    county: 11.4 s → 6.4 s, measured). The DDL is part of the transaction: on an error or a rollback the indexes
    are simply back.
    """
    if not when:
        yield
        return
    conn = session.connection()
    indexes = [index for model in models for index in model.__table__.indexes]
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)
