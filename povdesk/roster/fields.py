"""Converting the cells of one roster field: its kind's normaliser, error cells, and what its database column holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from povdesk.roster import normalize as nz
from povdesk.roster.cells import CellError
from povdesk.roster.layout import BY_KEY, stored_bound

SHOWN_CHARS = 8  # the first characters a too-long value is shown with
OTHER_CAUSES_MAX = 2  # 其他致贫原因 holds up to two causes (CODES.md §17)


class ColumnInvalid(nz.Invalid):
    """A cell refused for what it is rather than what it says; its reason follows the column's name in quotes:
    “人均纯收入”是公式错误 #N/A, “姓名”超过32个字. Never a warning: the row (or the household) is rejected."""

    __slots__ = ()


def converter(
    key: str, today: dt.date, date_epoch: dt.date = nz.EXCEL_EPOCH_1900, header: str = ""
) -> tuple[Callable[[object], object], bool]:
    """The converter of a field and whether its results may be cached per distinct raw value; `header` is the
    column's name in the file (首次识别时间 writes the identification year its own way).

    Every field goes through here, so every field refuses error cells (#N/A, unsaved formulas) and values its
    column cannot hold, instead of reading the first as a blank and letting the database choke on the second.
    """
    convert, cached = _normaliser(key, today, date_epoch, header)
    refuse = _bound_check(key)

    def checked(value: object) -> object:
        if value.__class__ is CellError:
            return ColumnInvalid(value.message)  # type: ignore[attr-defined]
        result = convert(value)
        return (refuse(result) or result) if refuse is not None else result

    return checked, cached


def _bound_check(key: str) -> Callable[[object], ColumnInvalid | None] | None:
    """What refuses a converted value its database column cannot hold (None: nothing bounds the field)."""
    bound = stored_bound(key)
    if bound is None:
        return None
    kind, limit = bound
    if kind == "text":
        return lambda result: too_long(result, limit) if result.__class__ is str and len(result) > limit else None

    def too_big(result: object) -> ColumnInvalid | None:
        if (result.__class__ is int or result.__class__ is float) and not -limit < result < limit:  # type: ignore[operator]
            return ColumnInvalid(f"的数值{nz.text(result)}超出了可以保存的范围（绝对值应小于{limit}）")
        return None

    return too_big


def too_long(value: str, limit: int) -> ColumnInvalid:
    shown = value[:SHOWN_CHARS] + ("…" if len(value) > SHOWN_CHARS else "")
    return ColumnInvalid(f"超过{limit}个字（共{len(value)}个字）：“{shown}”")


def _normaliser(key: str, today: dt.date, date_epoch: dt.date, header: str) -> tuple[Callable[[object], object], bool]:
    column = BY_KEY[key]
    kind = column.kind
    if kind == "codes":  # 健康状况, a multi-select since 2018: several states stored joined by ","
        several = nz.multi_code(column.code_list)
        return (lambda v: ",".join(found) if (found := several(v)).__class__ is tuple else found), True
    if kind == "risk":  # MonitoredHousehold.risk is free text: labels, or the text as written
        return nz.label_or_text(column.code_list), True
    if kind == "code":
        return nz.code(column.code_list), True
    if kind == "causes":
        return nz.multi_code(column.code_list, OTHER_CAUSES_MAX), True
    if kind == "bool":
        return nz.boolean, True
    if kind == "int":
        return nz.integer, True
    if kind == "year" and key == "year_identified" and "首次识别时间" in header:
        return (lambda v: nz.identification_year(v, today=today, epoch=date_epoch)), True
    if kind == "year":
        return (lambda v: nz.year(v, today=today, epoch=date_epoch)), True
    if kind == "money":
        return nz.money, True
    if kind == "date":
        return (lambda v: nz.date(v, epoch=date_epoch, today=today)), True
    if kind in ("area", "text"):
        return nz.text, True
    if kind == "name":
        return nz.person_name, False
    if kind == "phone":
        return nz.digits_text("电话号码"), False
    if kind == "account":
        return nz.digits_text("银行账号"), False
    if kind == "household_number":
        return nz.household_number, True
    if kind == "id_number":
        return nz.IdChecker(today), False
    raise ValueError(kind)


def shown(key: str, value: object) -> str:
    """A converted value as the clerk would have typed it: the code's label, 是/否, 6200 (not 6200.0)."""
    column = BY_KEY[key]
    if value is None:
        return ""
    if column.kind in ("code", "codes") and column.code_list is not None:
        return column.code_list.label_of(value)  # type: ignore[arg-type]
    if column.kind == "causes" and column.code_list is not None:
        return "、".join(column.code_list.label_of(v) for v in value)  # type: ignore[union-attr]
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
