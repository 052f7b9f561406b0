"""Pinyin keys for Chinese names: full pinyin to sort by, initials to search by (`zjg` finds 张建国)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from povdesk.model import Cadre, Member

# The columns that hold the keys (a 32-character name reads up to 223 characters of pinyin).
PINYIN_LENGTH = min(Member.__table__.c.name_pinyin.type.length, Cadre.__table__.c.name_pinyin.type.length)
INITIALS_LENGTH = Member.__table__.c.name_initials.type.length

# Common surnames whose surname reading differs from the everyday one.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "盖": "ge",
}


@lru_cache(maxsize=32768)
def _syllable(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0].lower()


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """("zhang jian guo", "zjg") for "张建国"; other characters are kept, lowercased; cut to their columns' length.

    Characters are read one by one (cached): given names are not words, so phrase context does not help,
    and this is fast enough for imports of 400,000 people.
    """
    name = name.strip()
    syllables = [_syllable(ch) for ch in name if not ch.isspace()]
    if name and name[0] in SURNAME_READINGS:
        syllables[0] = SURNAME_READINGS[name[0]]
    return " ".join(syllables)[:PINYIN_LENGTH], "".join(s[0] for s in syllables if s)[:INITIALS_LENGTH]
