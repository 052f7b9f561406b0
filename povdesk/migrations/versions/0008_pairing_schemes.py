"""paired assistance: named pairing schemes, cadres' ID numbers and home areas, one current pairing per household
enforced by the database, visit kinds as a child table

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

- `pairing_quota` was keyed by rank alone; it becomes a table per scheme. The rows it held become the scheme "321"
  (the county's own numbers, if it changed them); "532", "54321" and "87654" are added beside it.
- A household with more than one current pairing keeps the newest; the others end on the day the newest started
  (never before their own start), with a reason saying why.
- `visit.kinds` ("warmth,policy") becomes rows of `visit_kind`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copies, not imports of povdesk.codes: a migration must keep meaning what it meant when written. None: township
# cadres take every household left in their township.
SCHEMES = {
    "321": {"county_leader": 3, "section": 2, "general": 1, "township": None},
    "532": {"county_leader": 5, "section": 3, "general": 2, "township": None},
    "54321": {"county_leader": 5, "section": 4, "general": 3, "township": 2, "village": 1},
    "87654": {"county_leader": 8, "section": 7, "general": 6, "township": 5, "village": 4},
}
ENDED_DUPLICATE = "数据库升级：同一户同时有多名在帮责任人，保留最新的一名"


def _schemes(conn) -> None:
    old = dict(conn.execute(sa.text("SELECT rank, households FROM pairing_quota")).all())
    op.drop_table("pairing_quota")
    op.create_table(
        "pairing_scheme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_scheme")),
        sa.UniqueConstraint("name", name=op.f("uq_pairing_scheme_name")),
    )
    quota = op.create_table(
        "pairing_quota",
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.String(16), nullable=False),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["scheme_id"], ["pairing_scheme.id"], name=op.f("fk_pairing_quota_scheme_id_pairing_scheme"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("scheme_id", "rank", name=op.f("pk_pairing_quota")),
    )  # fmt: skip
    scheme = sa.table("pairing_scheme", sa.column("id", sa.Integer), sa.column("name", sa.String))
    tables = dict(SCHEMES)
    if old:
        tables["321"] = {**{r: n for r, n in old.items()}, "township": old.get("township")}
    op.bulk_insert(scheme, [{"name": name} for name in tables])  # ids from the sequence, which stays in step
    ids = dict(conn.execute(sa.select(scheme.c.name, scheme.c.id)).all())
    op.bulk_insert(quota, [{"scheme_id": ids[name], "rank": rank, "households": n}
                           for name, table in tables.items() for rank, n in table.items()])  # fmt: skip


def _one_current_pairing(conn) -> None:
    rows = conn.execute(sa.text("SELECT id, household_id, start_on FROM pairing WHERE end_on IS NULL "
                                "ORDER BY household_id, start_on DESC, id DESC")).all()  # fmt: skip
    ended, newest = [], {}
    for pid, household_id, start_on in rows:
        if household_id in newest:
            ended.append({"pid": pid, "end": max(newest[household_id], start_on), "reason": ENDED_DUPLICATE})
        else:
            newest[household_id] = start_on
    if ended:
        conn.execute(sa.text("UPDATE pairing SET end_on = :end, end_reason = :reason WHERE id = :pid"), ended)
    conn.execute(sa.text("UPDATE pairing SET end_on = start_on WHERE end_on < start_on"))
    op.add_column("pairing", sa.Column("created_by", sa.String(64), nullable=False, server_default=""))
    op.create_index("uq_pairing_current_household", "pairing", ["household_id"], unique=True,
                    sqlite_where=sa.text("end_on IS NULL"), postgresql_where=sa.text("end_on IS NULL"))  # fmt: skip
    with op.batch_alter_table("pairing") as batch:  # nothing refers to a pairing: SQLite's table copy loses nothing
        batch.create_check_constraint("end_after_start", "end_on IS NULL OR end_on >= start_on")


def _visit_kinds(conn) -> None:
    rows = conn.execute(sa.text("SELECT id, kinds FROM visit")).all()
    # before visit_kind refers to visit: SQLite drops the column by copying the table
    with op.batch_alter_table("visit") as batch:
        batch.drop_column("kinds")
    op.add_column("visit", sa.Column("created_by", sa.String(64), nullable=False, server_default=""))
    kinds = op.create_table(
        "visit_kind",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], name=op.f("fk_visit_kind_visit_id_visit"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("visit_id", "kind", name=op.f("pk_visit_kind")),
    )  # fmt: skip
    split = {(vid, k.strip()) for vid, text in rows for k in (text or "").split(",") if k.strip()}
    if split:
        op.bulk_insert(kinds, [{"visit_id": v, "kind": k} for v, k in sorted(split)])


def upgrade() -> None:
    conn = op.get_bind()
    _schemes(conn)
    op.add_column("cadre", sa.Column("sex", sa.String(8), nullable=True))
    op.add_column("cadre", sa.Column("id_number", sa.String(18), nullable=True))
    op.add_column("cadre", sa.Column("political_status", sa.String(32), nullable=True))
    if conn.dialect.name == "sqlite":  # SQLite adds a column with its reference, but Alembic would copy the table
        op.execute("ALTER TABLE cadre ADD COLUMN home_area_id INTEGER "
                   "CONSTRAINT fk_cadre_home_area_id_area REFERENCES area (id)")  # fmt: skip
    else:
        op.add_column("cadre", sa.Column("home_area_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_cadre_home_area_id_area", "cadre", "area", ["home_area_id"], ["id"])
    op.create_index("ix_cadre_home_area_id", "cadre", ["home_area_id"])
    op.create_index("uq_cadre_id_number", "cadre", ["id_number"], unique=True)
    _one_current_pairing(conn)
    _visit_kinds(conn)


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT visit_id, kind FROM visit_kind ORDER BY visit_id, kind")).all()
    op.drop_table("visit_kind")
    with op.batch_alter_table("visit") as batch:
        batch.drop_column("created_by")
        batch.add_column(sa.Column("kinds", sa.String(64), nullable=False, server_default=""))
    joined: dict[int, list[str]] = {}
    for vid, kind in rows:
        joined.setdefault(vid, []).append(kind)
    for vid, kinds in joined.items():
        conn.execute(sa.text("UPDATE visit SET kinds = :k WHERE id = :v"), {"k": ",".join(kinds), "v": vid})
    with op.batch_alter_table("pairing") as batch:
        batch.drop_constraint(op.f("ck_pairing_end_after_start"), type_="check")
        batch.drop_index("uq_pairing_current_household")
        batch.drop_column("created_by")
    with op.batch_alter_table("cadre") as batch:
        batch.drop_index("uq_cadre_id_number")
        batch.drop_index("ix_cadre_home_area_id")
        for column in ("home_area_id", "political_status", "id_number", "sex"):
            batch.drop_column(column)
    quota = dict(conn.execute(sa.text("SELECT q.rank, q.households FROM pairing_quota q JOIN pairing_scheme s "
                                      "ON s.id = q.scheme_id WHERE s.name = '321'")).all())  # fmt: skip
    op.drop_table("pairing_quota")
    op.drop_table("pairing_scheme")
    table = op.create_table(
        "pairing_quota",
        sa.Column("rank", sa.String(16), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("rank", name=op.f("pk_pairing_quota")),
    )
    op.bulk_insert(table, [{"rank": r, "households": n} for r, n in quota.items() if n is not None])
