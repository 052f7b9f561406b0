"""wall charts: a household's planned exit year, the rural population of areas by year, and the village merges'
history written as village ids like every other village change

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

- `household.plan_exit_year` (计划脱贫年度) and `area_population(area_id, year, rural_population)`.
- A village merge wrote the two villages' names into the change log's "village_id" rows, where the editor writes
  ids: the names become the ids the merge's audit entry recorded (reason “村合并：甲村并入乙村”), so that a past
  year's chart can place the household in its old village.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGE_REASON = "村合并：{source}并入{target}"  # a copy of povdesk.areas' wording when 0009 was written


def _merge_ids(conn) -> None:
    merges = conn.execute(sa.text("SELECT entity_id, detail FROM audit_log WHERE action = 'area_merge'")).all()
    for target_id, detail in merges:
        try:
            data = json.loads(detail or "{}")
        except ValueError:
            continue
        source, target, source_id = data.get("source"), data.get("target"), data.get("source_id")
        if not (source and target and source_id and target_id):
            continue
        conn.execute(
            sa.text("UPDATE change_log SET old_value = :old, new_value = :new WHERE field = 'village_id' "
                    "AND reason = :reason AND old_value = :source AND new_value = :target"),
            {"old": str(source_id), "new": str(target_id), "reason": MERGE_REASON.format(source=source, target=target),
             "source": source, "target": target},
        )  # fmt: skip


def upgrade() -> None:
    op.add_column("household", sa.Column("plan_exit_year", sa.Integer(), nullable=True))
    op.create_table(
        "area_population",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rural_population", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_area_population_area_id_area"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_population")),
        sa.UniqueConstraint("area_id", "year", name=op.f("uq_area_population_area_id")),
    )  # fmt: skip
    _merge_ids(op.get_bind())


def downgrade() -> None:
    op.drop_table("area_population")
    with op.batch_alter_table("household") as batch:
        batch.drop_column("plan_exit_year")
