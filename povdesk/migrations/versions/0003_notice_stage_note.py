"""notice stages: the review or approval opinion (审核意见) and who recorded the stage

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice_stage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("recorded_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice_stage", schema=None) as batch_op:
        batch_op.drop_column("recorded_by")
        batch_op.drop_column("note")
