"""Normalising roster cells as clerks type them: full-width digits, 2014年, 4,200元, 是/否, code labels, ID numbers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from itertools import repeat
from typing import NamedTuple

from stdnum.cn import ric

from povdesk import idnumber
from povdesk.codes import CodeList
from povdesk.idnumber import InvalidIdNumber


class Invalid:
    """A cell that could not be taken: the reason in Chinese; `warning` cells are dropped but the row is kept."""

    __slots__ = ("message", "warning")

    def __init__(self, message: str, *, warning: bool = False) -> None:
        self.message = message
        self.warning = warning

    def __repr__(self) -> str:
        return f"Invalid({self.message!r})"


class Unreadable(Invalid):
    """A value that means nothing to its field (not in the code list, not a date…) but is kept as the clerk wrote it:
    the row is imported with the field empty and `text` stored for review (待核实). `advice` says what would fit:
    the nearest official value, or how the field is written."""

    __slots__ = ("text", "advice")

    def __init__(self, text: str, message: str, advice: str = "") -> None:
        super().__init__(message)
        self.text = text
        self.advice = advice

    def __repr__(self) -> str:
        return f"Unreadable({self.text!r})"


_MISS = object()
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"^(\d{4})(?:\s*年[度底]?|[-/.年]\s*\d{1,2}(?:[-/.月]\s*\d{1,2}日?|月)?)?$")
_DECEMBER = re.compile(r"^(\d{4})\s*年\s*12\s*月$")
_SEPARATORS = re.compile(r"[,，、;；/|\s]+")  # between the codes of one cell: 因学、缺技术 or 因学/缺技术
_MONEY_JUNK = str.maketrans("", "", ",，元 ￥¥")
_TRUE = {"是", "有", "已参加", "参加", "参保", "已参保", "√", "✓", "Y", "YES", "TRUE", "1", "对"}
_FALSE = set("否 无 没有 未参加 没参加 没有参加 不参加 未参保 没参保 × ✗ N NO FALSE 0 不".split())
_TIME_OF_DAY = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")  # "2022-03-15 00:00:00"
EXCEL_EPOCH_1900 = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts 1900-02-29, which never was)
EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)  # workbooks with the 1904 date system (old Mac Excel)
EARLIEST_DATE = dt.date(1950, 1, 1)
LARGEST_EXACT = 10**15  # Excel keeps 15 significant digits: longer numbers stored as numbers lost their tail


def is_blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def text(value: object) -> str | None:
    """Trimmed text, full-width letters and digits made half-width; integral numbers without ".0"."""
    if value is None or value == "":
        return None
    if value.__class__ is str and value.isascii():  # the common case needs no Unicode normalisation
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    cleaned = unicodedata.normalize("NFKC", str(value)).strip()
    return cleaned or None


def cell_text(value: object) -> str:
    """A cell as the clerk sees it, to keep it as written: text as typed (trimmed), numbers without ".0", dates in
    ISO form (with the time of day only when there is one), error cells as Excel shows them."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value.strip()  # type: ignore[attr-defined]
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"  # Excel shows 15 significant digits
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def person_name(value: object) -> str | Invalid | None:
    """A name without the spaces clerks pad two-character names with ("张  三"); the middle dot kept."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        shown = cell_text(value)
        return Unreadable(shown, f"“{shown}”不是姓名", "应填写姓名")
    name = _SPACES.sub("", value)
    return name or None


def household_number(value: object) -> str | Invalid | None:
    if isinstance(value, float | int) and not isinstance(value, bool):
        if abs(value) >= LARGEST_EXACT or not float(value).is_integer():
            return Invalid("户编号被存成了数字，Excel 已丢失其末几位。请把该列设置为“文本”格式后重新录入户编号")
        return str(int(value))
    number = text(value)
    return "".join(number.split()) if number else None


def digits_text(what: str) -> Callable[[object], str | Invalid | None]:
    """Phone numbers and bank accounts: text; a long number stored as a number has lost digits and is dropped."""

    def convert(value: object) -> str | Invalid | None:
        if value.__class__ is str and value.isdigit() and value.isascii():
            return value
        if isinstance(value, float | int) and not isinstance(value, bool):
            if abs(value) >= LARGEST_EXACT or not float(value).is_integer():
                return Invalid(
                    f"{what}被存成了数字，Excel 已丢失其末几位，本项未导入。请把该列设置为“文本”格式后重新录入",
                    warning=True,
                )
            return str(int(value))
        cleaned = text(value)
        return "".join(cleaned.split()) if cleaned else None

    return convert


def integer(value: object) -> int | Invalid | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    cleaned = text(value)
    if cleaned is None:
        return None
    try:
        return int(cleaned.rstrip("人个岁月口"))
    except ValueError:
        return _unreadable(value, "不是整数", "应填写整数")


def year(value: object, *, today: dt.date | None = None, epoch: dt.date = EXCEL_EPOCH_1900) -> int | Invalid | None:
    """2014, 2014.0, "2014", "2014年", "2014年度", "2014-05", "2014.5.1", a date cell, and every form `date` reads
    (201405 or 201405.0, 20140501, 2014年5月, Excel's serial number of a day) → 2014."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        found = value.year
    elif value.__class__ in (int, float) and 1000 <= value <= 9999 and float(value).is_integer():  # type: ignore[operator]
        found = int(value)  # type: ignore[call-overload]
    else:
        cleaned = text(value)
        if cleaned is None:
            return None
        match = _YEAR.match(cleaned)
        day = None if match else _date_from_text(cleaned, epoch)
        if match:
            found = int(match.group(1))
        elif day is not None:
            found = day.year
        else:
            return _unreadable(value, "不是年份", "应写作 2014 或 2014年")
    latest = (today or dt.date.today()).year + 1
    if not 1980 <= found <= latest:
        return _unreadable(value, f"读作{found}年，不合理", "应写作 2014 或 2014年")
    return found


def identification_year(
    value: object, *, today: dt.date | None = None, epoch: dt.date = EXCEL_EPOCH_1900
) -> int | Invalid | None:
    """首次识别时间 of the national exports: the system holds the identification year and writes year Y as
    "(Y-1)年12月" (CODES.md §25: 2014 → 2013年12月), so that text is year Y; anything else reads as `year` reads it."""
    if value.__class__ is str:
        match = _DECEMBER.match(text(value) or "")
        if match:
            return year(int(match.group(1)) + 1, today=today)
    return year(value, today=today, epoch=epoch)


def date(value: object, *, epoch: dt.date = EXCEL_EPOCH_1900, today: dt.date | None = None) -> dt.date | Invalid | None:
    """A date as rosters write it: a date cell, 2022-03-15, 2022年3月15日, 20220315, 202203 or 2022年3月 (the first
    of the month), or a bare Excel serial number such as 44621 (days since `epoch`: the workbook's date system).

    A result outside 1950 … next year is refused: such a number was not a date, and guessing would store nonsense.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return _unreadable(value, "不是日期", "应写作 2022-03-15")
    if isinstance(value, float) and not value.is_integer():
        found = _serial_date(value, epoch)  # a date and a time of day
    else:
        cleaned = text(value)
        if cleaned is None:
            return None
        found = _date_from_text(cleaned, epoch)
    if found is None:
        return _unreadable(value, "不是日期", "应写作 2022-03-15")
    latest = (today or dt.date.today()) + dt.timedelta(days=366)
    if not EARLIEST_DATE <= found <= latest:
        return _unreadable(value, f"不是合理的日期（读作 {found.isoformat()}）", "应写作 2022-03-15")
    return found


def _serial_date(serial: float, epoch: dt.date) -> dt.date | None:
    try:
        return epoch + dt.timedelta(days=int(serial))
    except OverflowError:
        return None


def _date_from_text(cleaned: str, epoch: dt.date) -> dt.date | None:
    """20220315, 202203, 2022, 2022年, 2022年度, 2022-03-15, 2022年3月, 2022.03 (the first of the month or year), or
    an Excel serial number of up to five digits (a four-digit number is a year: as a serial it is before 1950)."""
    digits = cleaned.isdigit()
    if digits and len(cleaned) == 8:
        parts = [cleaned[:4], cleaned[4:6], cleaned[6:]]
    elif digits and len(cleaned) == 6:
        parts = [cleaned[:4], cleaned[4:], "1"]
    elif digits and len(cleaned) == 4:
        parts = [cleaned, "1", "1"]
    elif digits:
        return _serial_date(int(cleaned), epoch) if len(cleaned) <= 5 else None
    else:
        parts = [p for p in re.split(r"[-/.年月日号\s]+", _TIME_OF_DAY.sub("", cleaned.removesuffix("年度"))) if p]
        if len(parts) == 1 and cleaned.endswith(("年", "年度")):
            parts += ["1", "1"]  # 2022年, 2022年度
        elif len(parts) == 2 and len(parts[0]) == 4:
            parts.append("1")  # 2013年12月, 2022-03: the month, as the national systems write 识别监测时间
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    try:
        return dt.date(*(int(p) for p in parts))
    except ValueError:
        return None


def money(value: object) -> float | Invalid | None:
    """4200, "4,200", "4200元", "￥4,200.50", "0.42万" → yuan."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 2)
    cleaned = text(value)
    if cleaned is None:
        return None
    factor = 1.0
    compact = cleaned.translate(_MONEY_JUNK)
    if compact.endswith("万"):
        factor, compact = 10000.0, compact[:-1]
    try:
        return round(float(compact) * factor, 2)
    except ValueError:
        return _unreadable(value, "不是金额", "应填写金额（元）")


def boolean(value: object) -> bool | Invalid | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    cleaned = text(value)
    if cleaned is None:
        return None
    key = cleaned.upper()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return _unreadable(value, "无法识别", "应填“是”或“否”")


def _unreadable(value: object, problem: str, advice: str) -> Unreadable:
    shown = cell_text(value)
    return Unreadable(shown, f"“{shown}”{problem}，{advice}", advice)


def code(code_list: CodeList) -> Callable[[object], str | Invalid | None]:
    """A code from its code, number, label or synonym; an unknown value is kept, with the nearest label to suggest."""

    def convert(value: object) -> str | Invalid | None:
        cleaned = text(value)
        if cleaned is None:
            return None
        found = code_list.parse(cleaned)
        if found is not None:
            return found or None  # "": a value that means blank (未务工)
        return _unknown_code(value, code_list, cleaned)

    return convert


def multi_code(code_list: CodeList, limit: int | None = None) -> Callable[[object], tuple[str, ...] | Invalid | None]:
    """Several codes in one cell: "因学、缺技术" → ("schooling", "skills"); more than `limit` of them is kept as an
    unreadable value (the clerk chooses which count), never cut short."""

    def convert(value: object) -> tuple[str, ...] | Invalid | None:
        cleaned = text(value)
        if cleaned is None:
            return None
        parts = _SEPARATORS.sub("、", cleaned)
        found = code_list.parse_many(parts)
        if found is None:
            unknown = next((p for p in parts.split("、") if code_list.parse(p) is None), cleaned)
            return _unknown_code(value, code_list, unknown)
        if limit is not None and len(found) > limit:
            return _unreadable(value, f"有{len(found)}项", f"{code_list.label}最多填{limit}项")
        return found or None

    return convert


def _unknown_code(value: object, code_list: CodeList, unknown: str) -> Unreadable:
    nearest = code_list.suggest(unknown)
    choices = "、".join(item.label for item in code_list.items[:12])
    advice = f"最接近的是“{nearest}”" if nearest else f"可填：{choices}"
    return _unreadable(value, f"不在{code_list.label}代码表中", advice)


def label_or_text(code_list: CodeList) -> Callable[[object], str | None]:
    """Free text that usually holds a code's label (致贫/返贫风险): the official label when the value is known, the
    text as written otherwise."""

    def convert(value: object) -> str | None:
        cleaned = text(value)
        if cleaned is None:
            return None
        found = code_list.parse(cleaned)
        if found is None:
            return cell_text(value)
        return code_list.label_of(found) if found else None

    return convert


class PersonId(NamedTuple):
    number: str
    sex: str  # codes.SEX
    birth_date: dt.date


class IdChecker:
    """ID numbers checked as `idnumber.parse` checks them, fast for the common case of 400,000 clean numbers.

    A canonical 18-character number whose date and check character are right is accepted here (birth dates are
    cached, the check character comes from python-stdnum as in idnumber); anything else goes to `idnumber.parse`,
    whose Chinese message is the reason given. A number typed as a number is refused: Excel kept only 15 digits.
    """

    def __init__(self, today: dt.date | None = None) -> None:
        self.today = today or dt.date.today()
        self._dates: dict[str, dt.date | None] = {}

    def _birth(self, digits: str) -> dt.date | None:
        try:
            born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return None
        return born if born.year >= 1890 and born <= self.today else None

    def __call__(self, value: object) -> PersonId | Invalid | None:
        if value is None or value == "":
            return None
        if isinstance(value, str) and len(value) == 18 and value[:17].isdigit() and value.isascii():
            number = value if value[17] != "x" else value[:17] + "X"
            key = number[6:14]
            born = self._dates.get(key, _MISS)
            if born is _MISS:
                born = self._dates[key] = self._birth(key)
            if born is not None and number[17] == ric.calc_check_digit(number):
                return PersonId(number, "male" if number[16] in "13579" else "female", born)
        elif isinstance(value, float | int) and not isinstance(value, bool):
            if value >= LARGEST_EXACT or not float(value).is_integer():
                return Invalid(
                    "身份证号被存成了数字，Excel 已把末几位变成了0，无法还原。请把该列设置为“文本”格式，"
                    "再按原件重新录入身份证号"
                )
            value = str(int(value))  # a 15-digit first-generation number fits in a number exactly
        try:
            info = idnumber.parse(str(value), today=self.today)
        except InvalidIdNumber as exc:
            return Invalid(str(exc))
        return PersonId(info.number, info.sex, info.birth_date)


def convert_column(convert: Callable[[object], object], values, cache: dict | None) -> list:
    """Apply `convert` to a column of cells; with a cache, each distinct raw value is converted once."""
    if cache is None:
        return list(map(convert, values))
    out = list(map(cache.get, values, repeat(_MISS)))
    if _MISS in out:
        for i, result in enumerate(out):
            if result is _MISS:
                raw = values[i]
                out[i] = cache[raw] = convert(raw)
    return out


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
