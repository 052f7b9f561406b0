"""indexes for the household list: sorting by head and by per-capita income, searching by name

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEADS = "relation = 'head' AND removed_on IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_member_head_pinyin",
        "member",
        ["name_pinyin", "household_id"],
        sqlite_where=sa.text(HEADS),
        postgresql_where=sa.text(HEADS),
    )
    op.create_index("ix_member_name", "member", ["name"])
    op.create_index("ix_household_year_year_income", "household_year", ["year", "per_capita_income", "household_id"])


def downgrade() -> None:
    op.drop_index("ix_household_year_year_income", table_name="household_year")
    op.drop_index("ix_member_name", table_name="member")
    op.drop_index("ix_member_head_pinyin", table_name="member")
