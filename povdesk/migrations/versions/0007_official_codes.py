"""the official code lists: stored codes that no longer mean one official value are cleared and kept as written

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Every other stored code keeps its identifier and its meaning (省内县外务工 is the official 县外省内务工, 小学在读 is
小学, 大专及以上 is 大专及以上…), so only these change:

- 务工状况 未务工 (none) becomes a blank, as the official list has no such value;
- 务工状况 县内务工 (in_county) may be 乡（镇）内务工 or 乡（镇）外县内务工, and 在校生状况 初中在读, 高中在读, 中职在读
  may be any grade, 辍学 is not in the list at all: the field is cleared, the old label is kept verbatim in the
  member's `unverified` under the field's key, and the household is marked 待核实 (needs_review) — never guessed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copies, not imports of povdesk.codes: a migration must keep meaning what it meant when written.
AMBIGUOUS = {
    "work_status": {"in_county": "县内务工"},
    "school_status": {"junior": "初中在读", "senior": "高中在读", "vocational": "中职在读", "dropout": "辍学"},
}
BLANK = {"work_status": ("none",)}

member = sa.table(
    "member",
    sa.column("id", sa.Integer),
    sa.column("household_id", sa.Integer),
    sa.column("removed_on", sa.Date),
    sa.column("work_status", sa.String),
    sa.column("school_status", sa.String),
    sa.column("unverified", sa.JSON),
)
household = sa.table("household", sa.column("id", sa.Integer), sa.column("needs_review", sa.Boolean))


def upgrade() -> None:
    # Plain UPDATEs: batch_alter_table would rebuild the tables on SQLite.
    conn = op.get_bind()
    for name, codes in BLANK.items():
        conn.execute(member.update().where(member.c[name].in_(codes)).values({name: None}))
    fields = list(AMBIGUOUS)
    unclear = sa.or_(*(member.c[name].in_(list(AMBIGUOUS[name])) for name in fields))
    columns = [member.c.id, member.c.household_id, member.c.removed_on, member.c.unverified]
    rows = conn.execute(sa.select(*columns, *(member.c[name] for name in fields)).where(unclear)).all()
    if not rows:
        return
    updates, to_review = [], set()
    for row in rows:
        values = {name: getattr(row, name) for name in fields}
        unverified = dict(row.unverified or {})
        for name in fields:
            if values[name] in AMBIGUOUS[name]:
                unverified[name] = AMBIGUOUS[name][values[name]]
                values[name] = None
        updates.append(
            {"mid": row.id, "new_unverified": unverified, **{f"new_{name}": values[name] for name in fields}}
        )
        if row.removed_on is None:  # 待核实 is about the household as it is now: its current members
            to_review.add(row.household_id)
    conn.execute(
        member.update()
        .where(member.c.id == sa.bindparam("mid"))
        .values({name: sa.bindparam(f"new_{name}", type_=member.c[name].type) for name in (*fields, "unverified")}),
        updates,
    )
    if to_review:
        conn.execute(
            household.update().where(household.c.id == sa.bindparam("hid")).values(needs_review=sa.true()),
            [{"hid": hid} for hid in sorted(to_review)],
        )


def downgrade() -> None:
    """Nothing to undo in the schema; the cleared codes stay cleared (their old labels are in `unverified`)."""
