"""Roster columns PovDesk does not model, kept as written: per household when all its rows agree, else per person;
their headers remembered in order for export, which writes them back.

A kept column's key is its header as written. A header that occurs again in the same file (E2021 exports have two
columns 风险是否已消除) is numbered from its second occurrence: "风险是否已消除#2"; `header_of` gives the header back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from operator import itemgetter

from sqlalchemy.orm import Session

from povdesk import office_settings
from povdesk.model import Household, Member
from povdesk.roster.header import Header
from povdesk.roster.layout import BY_KEY, match_header
from povdesk.roster.normalize import cell_text

IGNORED_HEADERS = ("未导入原因", "原行号")  # the extra columns of a reject report being imported again
SETTING_KEY = "roster.kept_columns"  # the kept columns' keys in the order they were first met (JSON list)


def kept_columns(header: Header) -> list[tuple[int, str]]:
    """(column, key) of every named column the header does not map, except 序号 and a reject report's own columns."""
    occurrences: dict[str, int] = {}
    keys: dict[int, str] = {}
    for col, text in enumerate(header.texts):
        if text:
            n = occurrences[text] = occurrences.get(text, 0) + 1
            keys[col] = text if n == 1 else f"{text}#{n}"
    kept = []
    for col in header.unmapped:
        text = header.texts[col]
        known = match_header(text)
        if text not in IGNORED_HEADERS and not (known and BY_KEY[known].kind == "ignored"):
            kept.append((col, keys[col]))
    return kept


def header_of(key: str) -> str:
    """The header a kept column's key stands for: "风险是否已消除#2" → "风险是否已消除"."""
    text, mark, n = key.rpartition("#")
    return text if mark and n.isdigit() and int(n) >= 2 else key


class KeptColumns:
    """Splits the kept cells of a household's rows into its household-level and its members' values."""

    def __init__(self, header: Header) -> None:
        columns = kept_columns(header)
        self.keys = [key for _, key in columns]
        cols = [col for col, _ in columns]
        self._cells = itemgetter(*cols) if len(cols) > 1 else (lambda row: (row[cols[0]],))

    def __bool__(self) -> bool:
        return bool(self.keys)

    def split(self, rows: list[list]) -> tuple[dict[str, str], list[dict[str, str]], set[str]]:
        """(household values, each row's own values, keys held per person) of one household's rows.

        A column whose cells are all the same, and not blank, belongs to the household; otherwise each row's
        non-blank cell belongs to its person. A column blank in every row says nothing.
        """
        household: dict[str, str] = {}
        per_person: list[int] = []
        n = len(rows)
        columns = list(zip(*map(self._cells, rows), strict=True))
        for j, column in enumerate(columns):
            first = column[0]
            if first != "" and first is not None and column.count(first) == n:
                text = cell_text(first)
                if text:
                    household[self.keys[j]] = text
                    continue
            per_person.append(j)
        if not per_person:
            return household, [{} for _ in rows], set()
        keys = [self.keys[j] for j in per_person]
        members = [  # the common text cell is trimmed here: a call per cell would double the time of 120 columns
            {
                key: value.strip() if value.__class__ is str else cell_text(value)
                for key, value in zip(keys, cells, strict=True)
                if value != "" and value is not None
            }
            for cells in zip(*(columns[j] for j in per_person), strict=True)
        ]
        return household, members, {key for member in members for key in member}


def apply(
    current: Household | Member, to_verify: dict | None, readable: Iterable[str], extra: dict, dropped: Iterable[str]
) -> list[tuple[str, str | None, str | None]]:
    """Update what a registered household or member keeps beyond its fields, from one roster's rows: the values to
    verify (`readable` keys have a value now: their entries go) and the kept columns (`dropped`: those its household
    or its members hold now). Returns the kept columns' changes, for the change log."""
    verify = updated(current.unverified, to_verify or {}, readable)
    if verify != (current.unverified or None):
        current.unverified = verify
    extra = updated(current.extra, extra, dropped)
    found = changes(current.extra, extra)
    if found:
        current.extra = extra
    return found


def updated(old: dict | None, new: dict[str, str], dropped: Iterable[str]) -> dict | None:
    """Kept values after an import: `new` set, `dropped` keys removed (now held by the household, or by its members),
    the others as they were (a blank cell erases nothing)."""
    merged = {key: value for key, value in (old or {}).items() if key not in dropped}
    merged.update(new)
    return merged or None


def changes(old: dict | None, new: dict | None) -> list[tuple[str, str | None, str | None]]:
    """(header, old value, new value) of each kept value an import changed, for the change log."""
    old, new = old or {}, new or {}
    return [(header_of(key), old.get(key), new.get(key)) for key in {**old, **new} if old.get(key) != new.get(key)]


def as_json(values: dict | None) -> str | None:
    """A JSON column's value for a bulk insert, which bypasses the column type."""
    return json.dumps(values, ensure_ascii=False) if values else None


def remember(session: Session, keys: list[str]) -> None:
    """Append the keys not met before to the ordered list export writes kept columns in."""
    known = known_keys(session)
    new = [key for key in keys if key not in known]
    if not new:
        return
    office_settings.write(session, SETTING_KEY, json.dumps(known + new, ensure_ascii=False))


def known_keys(session: Session) -> list[str]:
    """The kept roster columns in the order they were first imported."""
    stored = office_settings.read(session, SETTING_KEY)
    return json.loads(stored) if stored is not None else []
