"""wall chart summary: today's figures per village, kept valid by a version per village that triggers bump

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

- `wallchart_version(village_id, n)`: bumped by the database itself whenever a change can move a village's figures
  of today — a household added, deleted, moved or changed in status, attribute, cause or exit year; a member added,
  removed or moved; a pairing, a year's guarantees, a monitoring record or a visit added, changed or deleted. Triggers cover
  every writer (the editor, the Core imports, psql). SQLite: row triggers, an UPDATE trigger only when a figure's
  column really changed. PostgreSQL: statement triggers with transition tables (one upsert per statement, villages
  in id order), SECURITY DEFINER so that a clerk's change bumps villages under row-level security.
- `wallchart_summary(village_id, version, year, guarantee_year, visits_from, figures)`: what
  povdesk.wallchart.summary computed, valid while the village's version, the chart's year and the guarantees' data
  year are those it was computed at, and while the chart's recent visits start on or after `visits_from`, the first day
  whose visits it counted.
  It starts empty: the first county chart computes every village once.
- `ix_household_plan_exit_year`: the chart's exit years are found by probing the indexes of the planned and the
  actual exit year, one probe per year, instead of reading every household.
- `ix_visit_household_id_visited_on` replaces `ix_visit_household_id`: a village's recent visits are an index-only
  range per household. Without it SQLite read the whole county's recent visits by date for one village (0.6 s for
  360,000 visits).
- PostgreSQL: both tables under row-level security like the households (a township or village clerk reads and
  writes the rows of their subtree's villages), granted to the PovDesk groups of 0010.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table → the columns whose change moves a figure of today's chart (besides household_id, for the child tables)
WATCHED = {
    "household": ("village_id", "status", "attribute", "main_cause", "plan_exit_year", "year_exited"),
    "member": ("household_id", "removed_on"),
    "pairing": ("household_id", "cadre_id", "end_on"),
    "household_year": ("household_id", "year", "food_clothing_ok", "education_ok", "medical_ok", "housing_ok",
                       "water_ok"),
    "monitored_household": ("household_id", "type", "risk_eliminated_on"),
    "visit": ("household_id", "visited_on"),
}  # fmt: skip
BUMP = " ON CONFLICT (village_id) DO UPDATE SET n = wallchart_version.n + 1"
GROUPS = ("povdesk_county_admin", "povdesk_county_clerk", "povdesk_township_clerk", "povdesk_village_clerk")
S = "(SELECT {s}.povdesk_scope())"  # as in 0010
IN_SUBTREE = "(village_id = ANY (ARRAY(SELECT a.id FROM {s}.area a WHERE starts_with(a.path, " + S + "))))"


def _sqlite_village(table: str, row: str) -> str:
    if table == "household":
        return f"SELECT {row}.village_id, 1 WHERE {row}.village_id IS NOT NULL"
    return f"SELECT village_id, 1 FROM household WHERE id = {row}.household_id AND village_id IS NOT NULL"


def _sqlite_triggers(conn) -> None:
    insert = "INSERT INTO wallchart_version (village_id, n) "
    for table, columns in WATCHED.items():
        for event, rows in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), ("UPDATE", ("OLD", "NEW"))):
            if event == "UPDATE":
                changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
                when = f" OF {', '.join(columns)} ON {table} WHEN {changed}"
            else:
                when = f" ON {table}"
            body = " ".join(f"{insert}{_sqlite_village(table, row)}{BUMP};" for row in rows)
            conn.execute(sa.text(f"CREATE TRIGGER povdesk_wc_{table}_{event.lower()} AFTER {event}{when} "
                                 f"BEGIN {body} END"))  # fmt: skip


def _pg_functions(conn, s: str) -> None:
    """A function per table for its statement triggers: the villages of the new rows, of the old ones, or — for an
    UPDATE — of the rows (before and after) whose watched columns changed."""
    both = "old_rows o JOIN new_rows n ON n.id = o.id"

    def villages(rows: str, side: str) -> str:  # the villages of some rows of a child table
        return f"SELECT h.village_id FROM {rows} JOIN {s}.household h ON h.id = {side}.household_id"

    def bump(select: str) -> str:
        return (f"INSERT INTO {s}.wallchart_version AS v (village_id, n) SELECT DISTINCT x.village_id, 1 "
                f"FROM ({select}) x WHERE x.village_id IS NOT NULL ORDER BY 1 "
                "ON CONFLICT (village_id) DO UPDATE SET n = v.n + 1;")  # fmt: skip

    for table, columns in WATCHED.items():
        changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in columns)
        if table == "household":
            new, old = "SELECT village_id FROM new_rows", "SELECT village_id FROM old_rows"
            update = " UNION ".join(f"SELECT {side}.village_id FROM {both} WHERE {changed}" for side in "on")
        else:
            new, old = villages("new_rows r", "r"), villages("old_rows r", "r")
            update = " UNION ".join(f"{villages(both, side)} WHERE {changed}" for side in "on")
        conn.execute(sa.text(
            f"CREATE OR REPLACE FUNCTION {s}.povdesk_wc_{table}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
            f"SET search_path = pg_catalog, pg_temp AS $$ BEGIN IF TG_OP = 'INSERT' THEN {bump(new)} "
            f"ELSIF TG_OP = 'DELETE' THEN {bump(old)} ELSE {bump(update)} END IF; RETURN NULL; END $$"
        ))  # fmt: skip
        for event, referencing in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                                   ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")):  # fmt: skip
            conn.execute(sa.text(
                f"CREATE TRIGGER povdesk_wc_{table}_{event.lower()} AFTER {event} ON {s}.{table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {s}.povdesk_wc_{table}()"
            ))  # fmt: skip


def _pg_security(conn, s: str) -> None:
    groups = ", ".join(f'"{g}"' for g in GROUPS)
    writers = ", ".join(f'"{g}"' for g in GROUPS[:3])
    county = ", ".join(f'"{g}"' for g in GROUPS[:2])
    areas = ", ".join(f'"{g}"' for g in GROUPS[2:])
    everything = S.format(s=s) + " = ''"
    subtree = IN_SUBTREE.format(s=s)
    for table in ("wallchart_version", "wallchart_summary"):
        conn.execute(sa.text(f"ALTER TABLE {s}.{table} ENABLE ROW LEVEL SECURITY"))
        conn.execute(sa.text(f"CREATE POLICY povdesk_county ON {s}.{table} FOR ALL TO {county} "
                             f"USING ({everything}) WITH CHECK ({everything})"))  # fmt: skip
        conn.execute(sa.text(f"CREATE POLICY povdesk_area ON {s}.{table} FOR ALL TO {areas} "
                             f"USING ({subtree}) WITH CHECK ({subtree})"))  # fmt: skip
        conn.execute(sa.text(f"GRANT SELECT ON {s}.{table} TO {groups}"))
    conn.execute(sa.text(f"GRANT INSERT, UPDATE, DELETE ON {s}.wallchart_summary TO {writers}"))


def upgrade() -> None:
    for table, columns in (
        ("wallchart_version", [sa.Column("n", sa.Integer(), nullable=False)]),
        ("wallchart_summary", [sa.Column("version", sa.Integer(), nullable=False),
                               sa.Column("year", sa.Integer(), nullable=False),
                               sa.Column("guarantee_year", sa.Integer(), nullable=True),
                               sa.Column("visits_from", sa.Date(), nullable=False),
                               sa.Column("figures", sa.Text(), nullable=False)]),
    ):  # fmt: skip
        op.create_table(
            table,
            sa.Column("village_id", sa.Integer(), autoincrement=False, nullable=False),
            *columns,
            sa.PrimaryKeyConstraint("village_id", name=op.f(f"pk_{table}")),
        )
    op.create_index("ix_household_plan_exit_year", "household", ["plan_exit_year"])
    op.create_index("ix_visit_household_id_visited_on", "visit", ["household_id", "visited_on"])
    op.drop_index("ix_visit_household_id", "visit")
    conn = op.get_bind()
    # every village with households starts at version 1 (a village without a row is at 0)
    conn.execute(sa.text("INSERT INTO wallchart_version (village_id, n) "
                         "SELECT DISTINCT village_id, 1 FROM household WHERE village_id IS NOT NULL"))  # fmt: skip
    if conn.dialect.name == "sqlite":
        _sqlite_triggers(conn)
        return
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
    s = '"' + schema.replace('"', '""') + '"'
    _pg_functions(conn, s)
    _pg_security(conn, s)


def downgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    for table in WATCHED:
        for event in ("insert", "delete", "update"):
            on = "" if sqlite else f" ON {table}"
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS povdesk_wc_{table}_{event}{on}"))
        if not sqlite:
            conn.execute(sa.text(f"DROP FUNCTION IF EXISTS povdesk_wc_{table}()"))
    op.drop_index("ix_household_plan_exit_year", "household")
    op.create_index("ix_visit_household_id", "visit", ["household_id"])
    op.drop_index("ix_visit_household_id_visited_on", "visit")
    op.drop_table("wallchart_summary")
    op.drop_table("wallchart_version")
