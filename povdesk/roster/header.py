"""A roster's header: the block of rows that names the columns, found under title and information rows, and the data
year those rows mention."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from povdesk.roster.layout import BY_KEY, REQUIRED_COLUMNS, match_header

MIN_HEADER_COLUMNS = 3
MAX_HEADER_ROWS = 3
_LABELLED = re.compile(r"[:：]\s*\S")  # "统计范围：龙山县", "导出时间：…": a label and its value
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_LABEL = re.compile(r"[\u4e00-\u9fff]{2,12}[:：]")
_WHEN_DONE = re.compile(r"(?:导出|打印|填报|填表|制表|生成|下载|更新|报送|查询)\w*?(?:时间|日期)")  # not the data's
_YEAR = r"(?<!\d)((?:19|20)\d\d)"
_YEAR_HINTS = (
    re.compile(_YEAR + r"\s*年\s*[度底末]"),  # "2019年度", "2017年底"
    re.compile(r"(?:截止|截至|年度|数据日期|数据时间|统计日期|统计时间)\D{0,8}?" + _YEAR),  # "数据截止：2018年12月31日"
)


@dataclass(frozen=True)
class Vocabulary:
    """The columns a kind of sheet has: how a header cell maps to a field key, the fields without which rows cannot be
    placed, the fields of which a header must name one (`anchors`), and how the clerk is told about them."""

    match: Callable[[object], str | None]
    required: tuple[str, ...]
    anchors: frozenset[str]
    what: str  # the sheet's name in messages: 花名册, 帮扶干部名单…
    hint: str  # the column names a header should contain, as said when none is found
    headers: Mapping[str, str]  # field key → its usual column name


ROSTER = Vocabulary(
    match_header,
    REQUIRED_COLUMNS,
    frozenset({"name", "id_number"}),
    "花名册",
    "“户编号”“姓名”“证件号码”“与户主关系”",
    {key: column.header for key, column in BY_KEY.items()},
)


@dataclass
class Header:
    """Where the header is and what its columns mean. Rows are 0-based sheet rows; columns index the row lists."""

    first_row: int
    last_row: int
    data_start: int
    texts: list[str]
    mapping: dict[int, str]
    signature: str = ""
    unmapped: list[int] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # the title and information lines above the header
    vocabulary: Vocabulary = field(default=ROSTER, repr=False, compare=False)

    @property
    def excel_row(self) -> int:
        """The header's (last) row as the clerk sees it in Excel."""
        return self.last_row + 1

    def column_of(self, key: str) -> int | None:
        for col, mapped in self.mapping.items():
            if mapped == key:
                return col
        return None

    def missing_required(self) -> list[str]:
        mapped = set(self.mapping.values())
        return [key for key in self.vocabulary.required if key not in mapped]

    def with_mapping(self, overrides: dict[int, str | None]) -> Header:
        """The header with some columns mapped by hand (None: ignore the column); a field keeps one column."""
        mapping = dict(self.mapping)
        for col, key in overrides.items():
            if key is None:
                mapping.pop(col, None)
                continue
            for other, mapped in list(mapping.items()):
                if mapped == key and other != col:
                    del mapping[other]
            mapping[col] = key
        unmapped = [c for c, t in enumerate(self.texts) if t and c not in mapping]
        return dataclasses.replace(self, mapping=mapping, unmapped=unmapped)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class _Span:
    """A text in a row and the columns it covers: a merged cell over its range, repeated neighbours as one."""

    first: int
    last: int
    text: str
    tall: bool = False  # merged down over several rows: a header cell, not a title

    def is_context(self, width: int, alone: bool, match: Callable[[object], str | None]) -> bool:
        """Whether the text reads as a title or an information line rather than a column name or group caption."""
        if match(self.text):
            return False
        if _LABELLED.search(_BRACKETED.sub("", self.text)):
            return True  # "数据截止：2018年12月31日"; a caption's "（单位：元）" does not count
        single = self.first == self.last and not self.tall
        return single or (alone and self.last - self.first + 1 >= max(2, (width + 1) // 2))


def _spans(texts: list[list[str]], merged: list[tuple[int, int, int, int]], r: int) -> list[_Span]:
    spans, covered = [], set()
    for r1, c1, r2, c2 in merged:
        if r1 <= r <= r2:
            spans.append(_Span(c1, c2, texts[r1][c1], r2 > r1))
            covered.update(range(c1, c2 + 1))
    spans += [_Span(c, c, t) for c, t in enumerate(texts[r]) if t and c not in covered]
    joined: list[_Span] = []
    for span in sorted(spans, key=lambda s: s.first):
        if joined and joined[-1].text == span.text and joined[-1].last + 1 == span.first:
            span = _Span(joined.pop().first, span.last, span.text, span.tall)
        joined.append(span)
    return joined


def _is_context_row(spans: list[_Span], width: int, match: Callable[[object], str | None]) -> bool:
    """A title or information row above the header: one text spanning the sheet, or a few labelled lines
    ("填报单位：…", "填报日期：…"). A group caption merged over part of the columns is not."""
    return 0 < len(spans) <= 3 and all(span.is_context(width, len(spans) == 1, match) for span in spans)


def _filled(texts: list[list[str]], merged: list[tuple[int, int, int, int]]) -> list[list[str]]:
    """The rows with every merged cell's text in each cell it covers: a caption over its columns, a name merged down
    over the rows beneath it."""
    rows = [list(row) for row in texts]
    for r1, c1, r2, c2 in merged:
        for row in rows[r1 : r2 + 1]:
            for c in range(c1, min(c2 + 1, len(row))):
                row[c] = row[c] or texts[r1][c1]
    return rows


def _readings(stack: list[str]) -> Iterator[str]:
    """The ways to read a column's texts, most specific first: the name under all its captions, under fewer, alone,
    then a caption alone."""
    *captions, name = stack
    for size in range(len(captions), -1, -1):
        for chosen in itertools.combinations(captions, size):
            yield "".join(chosen) + name
    yield from reversed(captions)


def _combine(rows: list[list[str]], match: Callable[[object], str | None]) -> tuple[list[str], dict[int, str]]:
    """A header over one to three rows: each column's texts read together ("帮扶责任人" over "姓名", "电话").

    A column shows its own name, or the reading that maps when its name alone means another field."""
    texts: list[str] = []
    mapping: dict[int, str] = {}
    seen: set[str] = set()
    for col in range(max(map(len, rows))):
        stack: list[str] = []
        for row in rows:
            text = row[col] if col < len(row) else ""
            if text and (not stack or stack[-1] != text):
                stack.append(text)
        texts.append(stack[-1] if stack else "")
        for reading in _readings(stack) if stack else ():
            key = match(reading)
            if key and key not in seen:  # a second column of a mapped field is left to the clerk
                mapping[col] = key
                seen.add(key)
                if match(stack[-1]) != key:
                    texts[col] = reading  # "帮扶责任人姓名": a reject report with this header imports again
                break
    return texts, mapping


def _is_numbering_row(row: list[str], header_columns: int) -> bool:
    """The row of column numbers (1, 2, 3 …) official tables put under the header."""
    cells = [c for c in row if c]
    return len(cells) >= max(2, header_columns // 2) and all(c.isdigit() and int(c) <= 200 for c in cells)


def detect_header(
    rows: list[list],
    *,
    header_row: int | None = None,
    merged: list[tuple[int, int, int, int]] = (),
    vocabulary: Vocabulary = ROSTER,
) -> Header | None:
    """Find the header among the first rows: the block of one to three rows that maps the most known columns.

    `merged`: the merged cells as (first row, first column, last row, last column) in the rows' coordinates. Title
    and information rows ("XX县建档立卡贫困人口花名册", "统计范围：龙山县 数据截止：2018年12月31日") are never part of
    the header, they are its `context`; a group caption applies over its merged range only. `header_row` (0-based)
    forces the header's last row, as the clerk chose it in the wizard. `vocabulary`: the columns the sheet has
    (a household roster's by default).
    """
    match = vocabulary.match
    texts = [[_cell_text(v) for v in row] for row in rows]
    merged = [m for m in merged if m[0] < len(texts) and 0 <= m[1] < len(texts[m[0]]) and texts[m[0]][m[1]]]
    spans = [_spans(texts, merged, r) for r in range(len(texts))]
    filled = _filled(texts, merged)
    if header_row is not None:
        lasts: Iterable[int] = [header_row]
    elif texts:  # the header ends on the row that names the most columns, or on one of the two rows under it
        names = max(range(len(texts)), key=lambda r: (len(_combine([filled[r]], match)[1]), -r))
        lasts = range(names, min(names + MAX_HEADER_ROWS, len(texts)))
    else:
        return None
    best: tuple[tuple[int, int, int], list[str], dict[int, str], int] | None = None
    for last in lasts:
        if not 0 <= last < len(texts) or not spans[last]:
            continue
        width = spans[last][-1].last + 1
        first = last
        while True:
            shown, mapping = _combine(filled[first : last + 1], match)
            rank = (len(mapping), -first, -last)  # the most columns; then captions above kept, data rows below not
            if best is None or rank > best[0]:
                best = (rank, shown, mapping, width)
            first -= 1
            if first < 0 or last - first >= MAX_HEADER_ROWS or not spans[first]:
                break
            if _is_context_row(spans[first], width, match):
                break
    if best is None:
        return None
    (score, first, last), shown, mapping, width = best
    first, last = -first, -last
    if header_row is None and (score < MIN_HEADER_COLUMNS or not set(mapping.values()) & vocabulary.anchors):
        return None
    data_start = last + 1
    if data_start < len(texts) and _is_numbering_row(texts[data_start], len(mapping)):
        data_start += 1
    context = [s.text for r in range(first) if _is_context_row(spans[r], width, match) for s in spans[r]]
    signature = hashlib.sha1("|".join(shown).encode()).hexdigest()[:16]
    unmapped = [c for c, t in enumerate(shown) if t and c not in mapping]
    return Header(first, last, data_start, shown, mapping, signature, unmapped, context, vocabulary)


def data_year_hint(texts: list[str]) -> int | None:
    """The year the data is of, as the lines above a header state it: "数据截止：2018年12月31日" → 2018, "2019年度"
    → 2019, "统计截止日期：2020-12-31" → 2020. When the file was exported, printed or filled in says nothing of it."""
    for text in texts:
        starts = [0, *(m.start() for m in _LABEL.finditer(text)), len(text)]
        for a, b in itertools.pairwise(starts):
            segment = text[a:b]
            label = _LABEL.match(segment)
            if label and _WHEN_DONE.search(label.group()):
                continue
            for pattern in _YEAR_HINTS:
                found = pattern.search(segment)
                if found:
                    return int(found.group(1))
    return None
