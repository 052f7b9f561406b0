"""Whether a household read from a roster may be stored: one household number, one head, never a household without it.

The parser hands on one record per block of rows (see `validate.HouseholdRecord`). A first block is stored when its
head's row was accepted, or, with no head row at all, when the registry already holds the household with its head
(a file that adds or corrects some members of registered households). A later block of the same number, met after
other households' rows, joins the first block's household when it has no head of its own; a block with another head
is another family under a number already used, and is rejected naming both row ranges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from povdesk.roster.fields import shown

if TYPE_CHECKING:
    from povdesk.roster.validate import HouseholdRecord, RosterParser


def settle(parser: RosterParser, household: HouseholdRecord, *, registered_head: bool) -> None:
    """Set `household.error` (every pending row's reason) when its accepted rows may not be stored.

    `registered_head`: the registry holds this household number with a current head.
    Call it for blocks in the order the parser completed them, after rows the registry refuses were rejected.
    """
    if household.error is not None:
        return
    owner = household.owner
    number = household.number
    if owner is None:
        if household.head_row:
            if not any(member.row == household.head_row for member in household.members):
                _fail(household, f"户主行有误（第{household.head_row}行），本户未导入")
        elif not registered_head:
            _fail(household, f"户编号{number}的各行中没有户主（“与户主关系”为“户主”的行），本户未导入")
        return
    here = rows_of(household)
    if not owner.kept:
        _fail(household, f"户编号{number}已在{rows_of(owner)}出现，该户未导入；{here}的户编号相同，也未导入"
                         "（同一户的各行应排在一起）")  # fmt: skip
    elif household.head_row and owner.head_block is not household:
        first = owner.head_block or owner
        _fail(household, f"户编号{number}已用于{rows_of(first)}（户主{first.head_name or '未填写姓名'}），{here}又有户主"
                         f"{household.head_name or '（未填写姓名）'}：一个户编号只能有一个户主，{here}未导入，"
                         "请核对户编号")  # fmt: skip
    elif household.head_row and not any(member.row == household.head_row for member in household.members):
        _fail(household, f"户主行有误（第{household.head_row}行），{here}未导入")
    else:
        _join(parser, household, owner)


def _fail(household: HouseholdRecord, reason: str) -> None:
    household.error, household.error_row = reason, 0


def _join(parser: RosterParser, block: HouseholdRecord, owner: HouseholdRecord) -> None:
    """A later block joins its household: its household-level cells were not taken, any that differ are reported."""
    owner.rows += block.rows
    for key, value in block.values.items():
        kept = owner.values.get(key)
        if value == kept:
            continue
        i = parser.household_index[key]
        row, first = block.raw_rows[i], owner.raw_rows[i]
        if kept is None:
            message = (f"同户{rows_of(owner)}未填写此项，本行填写的“{shown(key, value)}”未导入"
                       "（同一户的各行应排在一起）")  # fmt: skip
        else:
            message = f"与同户第{first}行填写的“{shown(key, kept)}”不一致，以第{first}行为准"
        parser.warn(row, parser.labelled(key, message))


def rows_of(household: HouseholdRecord) -> str:
    """第5–7行, or 第5行 for a block of one row."""
    first, last = household.first_row, household.last_row
    return f"第{first}行" if first == last else f"第{first}–{last}行"
