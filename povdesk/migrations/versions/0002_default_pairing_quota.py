"""default pairing table: the "321" scheme

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not an import of povdesk.codes: a migration must keep meaning what it meant when written.
QUOTA = {"county_leader": 3, "section": 2, "general": 1}


def upgrade() -> None:
    table = sa.table("pairing_quota", sa.column("rank", sa.String), sa.column("households", sa.Integer))
    existing = {row[0] for row in op.get_bind().execute(sa.select(table.c.rank))}
    op.bulk_insert(table, [{"rank": r, "households": n} for r, n in QUOTA.items() if r not in existing])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM pairing_quota"))
