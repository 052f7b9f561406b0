"""what rosters say that PovDesk does not model is kept: unverified values, unmapped columns, low-income and
extreme-poverty support per person, several health states, the way a monitored household's risk was eliminated

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs: no table is rebuilt, so SQLite keeps every row and index as it is.
    op.add_column("household", sa.Column("unverified", sa.JSON(), nullable=True))
    op.add_column("household", sa.Column("extra", sa.JSON(), nullable=True))
    op.add_column("household", sa.Column("needs_review", sa.Boolean(), nullable=False, server_default=sa.text("false")))
    op.create_index("ix_household_needs_review", "household", ["needs_review"])
    if op.get_bind().dialect.name != "sqlite":  # SQLite does not enforce a VARCHAR's length
        op.alter_column("member", "health", type_=sa.String(64), existing_type=sa.String(16), existing_nullable=True)
    for column in ("low_income_support", "extreme_support"):
        op.add_column("member", sa.Column(column, sa.String(16), nullable=True))
    op.add_column("member", sa.Column("unverified", sa.JSON(), nullable=True))
    op.add_column("member", sa.Column("extra", sa.JSON(), nullable=True))
    op.add_column("monitored_household", sa.Column("elimination_method", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("monitored_household", "elimination_method")
    for column in ("extra", "unverified", "extreme_support", "low_income_support"):
        op.drop_column("member", column)
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("member", "health", type_=sa.String(16), existing_type=sa.String(64), existing_nullable=True)
    op.drop_index("ix_household_needs_review", table_name="household")
    for column in ("needs_review", "extra", "unverified"):
        op.drop_column("household", column)
