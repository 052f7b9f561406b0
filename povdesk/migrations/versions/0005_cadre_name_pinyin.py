"""cadre.name_pinyin: the household list sorts 帮扶人 by pinyin, as it sorts 户主

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from povdesk.names import pinyin_keys  # pypinyin takes 0.3 s to import: only when this migration runs

    op.add_column("cadre", sa.Column("name_pinyin", sa.String(128), nullable=False, server_default=""))
    conn = op.get_bind()
    cadre = sa.table("cadre", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("name_pinyin", sa.String))  # fmt: skip
    rows = conn.execute(sa.select(cadre.c.id, cadre.c.name)).all()
    if rows:
        conn.execute(
            cadre.update().where(cadre.c.id == sa.bindparam("cid")).values(name_pinyin=sa.bindparam("pinyin")),
            [{"cid": cid, "pinyin": pinyin_keys(name)[0]} for cid, name in rows],
        )


def downgrade() -> None:
    with op.batch_alter_table("cadre") as batch:
        batch.drop_column("name_pinyin")
