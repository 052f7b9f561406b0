"""versions and audit: a `version` on household, member and pairing (no lost update)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

- household, member and pairing get `version` INTEGER NOT NULL DEFAULT 1: every UPDATE bumps it (the ORM through
  version_id_col, Core writers by `version = version + 1`), and a save from an editor that loaded an older version is
  refused. Plain ALTER TABLE ADD COLUMN on both databases (no table copy on SQLite). On PostgreSQL the table-level
  grants of 0010 already cover a new column.
- audit_log gets `household_id` (indexed, no foreign key: it outlives the household) so that a household's entries
  of the session hook (povdesk.audit) are found; clerks still only INSERT into it (0010's grants are kept).
- History survives deletion: change_log.household_id becomes ON DELETE SET NULL (was CASCADE; SQLite copies the
  table, which nothing refers to), and gets household_number and household_name. They are filled by the database
  itself, by a trigger BEFORE DELETE ON household (the number, and the name of the head), so every writer is covered,
  the editor, the Core imports and a DELETE typed in psql alike; the existing rows need no backfill because their
  household is still there (a household deleted before this upgrade took its history with it: CASCADE).
- UTC: change_log.at and audit_log.at are stored as naive UTC, written by Python (povdesk.history, povdesk.audit).
  change_log.at was written in the local time of the PC that saved (history._moment): it is converted with THIS
  machine's UTC offset at the time of the upgrade (China: -8 h, no daylight saving; an office whose PCs were set to
  other time zones gets their entries shifted by the difference). audit_log.at came from the server default
  CURRENT_TIMESTAMP: already UTC on SQLite; on PostgreSQL the session's TimeZone, converted exactly with it.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("household", "member", "pairing")
FK = "fk_change_log_household_id_household"
HEAD = (
    "(SELECT m.name FROM {s}member m WHERE m.household_id = OLD.id AND m.relation = 'head' "
    "ORDER BY m.removed_on IS NOT NULL, m.id LIMIT 1)"
)
KEEP = (
    "UPDATE {s}change_log SET household_number = OLD.number, household_name = " + HEAD + " WHERE household_id = OLD.id;"
)


def _utc_offset() -> dt.timedelta:
    return dt.datetime.now().astimezone().utcoffset() or dt.timedelta()


def _foreign_key(ondelete: str) -> None:
    with op.batch_alter_table("change_log", recreate="auto") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.create_foreign_key(FK, "household", ["household_id"], ["id"], ondelete=ondelete)


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    op.add_column("audit_log", sa.Column("household_id", sa.Integer(), nullable=True))
    op.create_index("ix_audit_log_household_id", "audit_log", ["household_id"])

    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    op.add_column("change_log", sa.Column("household_number", sa.String(32), nullable=True))
    op.add_column("change_log", sa.Column("household_name", sa.String(32), nullable=True))
    _foreign_key("SET NULL")
    if sqlite:
        conn.execute(
            sa.text(f"CREATE TRIGGER povdesk_keep_history BEFORE DELETE ON household BEGIN {KEEP.format(s='')} END")
        )
    else:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
        s = f'"{schema}".'
        conn.execute(sa.text(
            f"CREATE OR REPLACE FUNCTION {s}povdesk_keep_history() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{KEEP.format(s=s)} RETURN OLD; END $$"
        ))  # fmt: skip
        conn.execute(sa.text(
            f"CREATE TRIGGER povdesk_keep_history BEFORE DELETE ON {s}household FOR EACH ROW "
            f"EXECUTE FUNCTION {s}povdesk_keep_history()"
        ))  # fmt: skip

    seconds = int(_utc_offset().total_seconds())
    if sqlite:  # text "YYYY-MM-DD HH:MM:SS[.ffffff]": shift the time, keep the fraction as written
        conn.execute(sa.text(
            "UPDATE change_log SET at = strftime('%Y-%m-%d %H:%M:%S', at, :shift) || substr(at, 20) "
            "WHERE at IS NOT NULL"
        ), {"shift": f"{-seconds:+d} seconds"})  # fmt: skip
    else:
        conn.execute(sa.text("UPDATE change_log SET at = at - make_interval(secs => :s)"), {"s": seconds})
        conn.execute(
            sa.text("UPDATE audit_log SET at = (at AT TIME ZONE current_setting('TimeZone')) AT TIME ZONE 'UTC'")
        )


def downgrade() -> None:
    conn = op.get_bind()
    seconds = int(_utc_offset().total_seconds())
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text(
            "UPDATE change_log SET at = strftime('%Y-%m-%d %H:%M:%S', at, :shift) || substr(at, 20) "
            "WHERE at IS NOT NULL"
        ), {"shift": f"{seconds:+d} seconds"})  # fmt: skip
        conn.execute(sa.text("DROP TRIGGER IF EXISTS povdesk_keep_history"))
    else:
        conn.execute(sa.text("UPDATE change_log SET at = at + make_interval(secs => :s)"), {"s": seconds})
        conn.execute(
            sa.text("UPDATE audit_log SET at = (at AT TIME ZONE 'UTC') AT TIME ZONE current_setting('TimeZone')")
        )
        conn.execute(sa.text("DROP TRIGGER IF EXISTS povdesk_keep_history ON household"))
        conn.execute(sa.text("DROP FUNCTION IF EXISTS povdesk_keep_history()"))
    _foreign_key("CASCADE")
    op.drop_index("ix_audit_log_household_id", "audit_log")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch copy: on SQLite, dropping the household table to copy it
    # would delete its members, years… through their ON DELETE CASCADE
    for table, column in (
        ("change_log", "household_name"), ("change_log", "household_number"), ("audit_log", "household_id"),
        *((table, "version") for table in VERSIONED),
    ):  # fmt: skip
        conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
