"""Whether a household read from a roster may be stored: one household number, one head, never a household without it.

The parser hands on one record per block of rows (see `validate.HouseholdRecord`). A first block is stored when its
head's row was accepted, or, with no head row at all, when the registry already holds the household with its head
(a file that adds or corrects some members of registered households). A later block of the same number, met after
other households' rows, joins the first block's household when it has no head of its own; a block with another head
is another family under a number already used, and is rejected naming both row ranges. A person the registry holds
in another household is refused: one person, one household.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk.model import Household, Member
from povdesk.roster.fields import shown

if TYPE_CHECKING:
    from povdesk.roster.validate import HouseholdRecord, RosterParser


def settle(parser: RosterParser, household: HouseholdRecord, *, registered_head: tuple[str | None, str] | None) -> None:
    """Set `household.error` (every pending row's reason) when its accepted rows may not be stored.

    `registered_head`: (ID number, name) of the current head the registry holds under this household number.
    Call it for blocks in the order the parser completed them, after rows the registry refuses were rejected.
    """
    if household.error is not None:
        return
    owner = household.owner
    number = household.number
    if owner is None:
        if household.head_row:
            head = next((member for member in household.members if member.row == household.head_row), None)
            if head is None:
                _fail(household, f"户主行有误（第{household.head_row}行），本户未导入")
            elif registered_head is not None and _replaces(household, head, registered_head):
                _fail(household, f"户编号{number}在库中的户主是{registered_head[1]}，本表第{head.row}行的户主是"
                                 f"{head.name}，而{registered_head[1]}不在本表该户中：一户只能有一个户主，本户未导入。"
                                 "更换户主请先在该户的成员中办理")  # fmt: skip
        elif registered_head is None:
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


def _replaces(household: HouseholdRecord, head, registered: tuple[str | None, str]) -> bool:
    """Whether the file's head would sit beside the registered one: another person, and the registered head not
    among the household's rows (there, the row sets the registered head's new relation)."""
    registered_id, registered_name = registered
    if registered_id is None:  # a head registered without an ID number is known by name
        return head.name != registered_name and all(member.name != registered_name for member in household.members)
    return head.person.number != registered_id and all(
        member.person.number != registered_id for member in household.members
    )


def _fail(household: HouseholdRecord, reason: str) -> None:
    household.error, household.error_row = reason, 0


def _join(parser: RosterParser, block: HouseholdRecord, owner: HouseholdRecord) -> None:
    """A later block joins its household: its household-level cells were not taken, any that differ are reported."""
    owner.rows += block.rows
    theirs = _written(parser, owner)
    for key, text in _written(parser, block).items():
        kept = theirs.get(key)
        if text == kept:
            continue
        i = parser.household_index[key]
        row, first = block.raw_rows[i], owner.raw_rows[i]
        if kept is None:
            message = f"同户{rows_of(owner)}未填写此项，本行填写的“{text}”未导入（同一户的各行应排在一起）"
        else:
            message = f"与同户第{first}行填写的“{kept}”不一致，以第{first}行为准"
        parser.warn(row, parser.labelled(key, message))


def _written(parser: RosterParser, household: HouseholdRecord) -> dict[str, str]:
    """A block's household-level cells by field, as the clerk reads them: values shown, unreadable ones as written
    (what is derived from them, such as a status from 户类型, follows)."""
    found = {key: shown(key, value) for key, value in household.values.items() if key in parser.household_index}
    found.update((key, value.text) for key, value in household.unreadable or ())
    return found


def rows_of(household: HouseholdRecord) -> str:
    """第5–7行, or 第5行 for a block of one row."""
    first, last = household.first_row, household.last_row
    return f"第{first}行" if first == last else f"第{first}–{last}行"


def claimed_elsewhere(
    session: Session, parser: RosterParser, household: HouseholdRecord, owners: dict[str, Member]
) -> None:
    """Reject the rows of people the registry holds in another household (before the head rule is applied).

    `owners`: the members registered under the ID numbers of the batch's rows, wherever they belong.
    """
    if not owners:
        return
    mine = household.id if household.owner is None else household.owner.id
    staying = []
    for member in household.members:
        current = owners.get(member.person.number)
        if current is None or current.household_id == mine:
            staying.append(member)
            continue
        other = session.get(Household, current.household_id)
        head = session.scalar(select(Member.name).where(Member.household_id == current.household_id,
                                                        Member.relation == "head", Member.removed_on.is_(None)))  # fmt: skip
        parser.reject(member.row, f"身份证号{member.person.number}已登记为户编号{other.number}"
                      f"{f'（户主{head}）' if head else ''}的成员{current.name}，一人只能属于一户，"
                      "本行未导入；如确需迁入本户，请先在该户办理减员", member.raw)  # fmt: skip
    household.members = staying
