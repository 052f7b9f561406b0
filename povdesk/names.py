"""Pinyin keys for Chinese names: full pinyin to sort by, initials to search by (`zjg` finds 张建国)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """("zhang jian guo", "zjg") for "张建国"; non-Chinese characters are kept as they are, lowercased."""
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default") if s.strip()]
    return " ".join(syllables), "".join(s[0] for s in syllables)
