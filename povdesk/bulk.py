"""Fast bulk inserts for generated and imported rows: COPY on PostgreSQL, one executemany on SQLite."""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy.orm import Session


def bulk_insert(session: Session, model: type, rows: list[dict]) -> None:
    """Insert plain dicts into `model`'s table inside the session's transaction, bypassing the ORM.

    Rows may omit columns (NULL is inserted); columns absent from every row get their server default.
    """
    if not rows:
        return
    keys = list(dict.fromkeys(k for row in rows[:50] for k in row))
    getter = itemgetter(*keys)
    try:
        values = list(map(getter, rows)) if len(keys) > 1 else [(v,) for v in map(getter, rows)]
    except KeyError:  # rows differ in their keys: take the slow, general path
        keys = list(dict.fromkeys(k for row in rows for k in row))
        values = [tuple(row.get(k) for k in keys) for row in rows]
    quote = session.get_bind().dialect.identifier_preparer.quote
    table = quote(model.__table__.name)
    columns = ", ".join(map(quote, keys))
    dbapi_conn = session.connection().connection.driver_connection
    if session.get_bind().dialect.name == "postgresql":
        with dbapi_conn.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
    else:
        placeholders = ", ".join("?" * len(keys))
        dbapi_conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)
