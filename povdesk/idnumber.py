"""Resident ID numbers (GB 11643): normalise, validate, upgrade 15 to 18 digits, derive sex and birth date, mask."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric

from povdesk.errors import PovDeskError


class InvalidIdNumber(PovDeskError):
    """An ID number that cannot belong to anyone; the message says why, in Chinese."""


@dataclass(frozen=True)
class IdInfo:
    number: str
    sex: str  # code from codes.SEX
    birth_date: dt.date
    region_known: bool


def normalize(text: str) -> str:
    """Strip spaces and separators, full-width to half-width, lowercase x to X."""
    text = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in text if ch.isalnum()).upper()


def upgrade15(number: str) -> str:
    """A first-generation 15-digit number as 18 digits: insert 19 and compute the check character."""
    if len(number) != 15 or not number.isdigit():
        raise InvalidIdNumber(f"“{number}”不是15位数字，无法升位")
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


@lru_cache(maxsize=8192)
def _region_known(region: str) -> bool:
    """Cached: python-stdnum's region database lookup costs ~150 µs, and a county has few region codes."""
    return bool(numdb.get("cn/loc").info(region)[0][1])


def parse(text: str, *, today: dt.date | None = None) -> IdInfo:
    """Validate an ID number as a clerk typed it; raise InvalidIdNumber with the reason."""
    number = normalize(text)
    if not number:
        raise InvalidIdNumber("身份证号为空")
    if len(number) == 15:
        number = upgrade15(number)
    if len(number) != 18:
        raise InvalidIdNumber(f"身份证号“{number}”应为18位，实为{len(number)}位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(f"身份证号“{number}”含有非法字符，只允许数字和末位X")
    try:
        birth = ric.get_birth_date(number)
    except ric.ValidationError:
        raise InvalidIdNumber(f"身份证号“{number}”中的出生日期{number[6:14]}不存在") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1890:
        raise InvalidIdNumber(f"身份证号“{number}”中的出生日期{birth:%Y年%m月%d日}不合理")
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise InvalidIdNumber(f"身份证号“{number}”校验位错误：末位应为{expected}，请核对原件")
    sex = "male" if int(number[16]) % 2 else "female"
    return IdInfo(number, sex, birth, _region_known(number[:6]))


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except InvalidIdNumber:
        return False
    return True


def mask(number: str | None) -> str:
    """The form printed on public notices: region code and last four digits only."""
    if not number:
        return ""
    number = normalize(number)
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def make(region: str, birth: dt.date, sequence: int) -> str:
    """Compose a valid 18-digit number (sequence 0-999; odd = male)."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")
