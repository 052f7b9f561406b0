"""Chinese text layout: line breaking by the rules of Chinese typesetting, and a flowable that draws the lines.

No line may start with closing punctuation (，。；：？！）》…) nor end with an opening one (（《“…); runs of
Latin letters and digits (years, phone numbers, masked ID numbers) are not split unless longer than a line.
reportlab's own CJK wrapping lets ，；：？》 start a line, hence this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from reportlab.platypus import Flowable

from povdesk.pdf.fonts import FontChain

CANNOT_START = frozenset("，。、；：？！）》」』】〕〉〗’”…—～·%‰℃,.;:?!)]}>")
CANNOT_END = frozenset("（《「『【〔〈〖‘“([{<")
_TOKEN = re.compile(r"[A-Za-z0-9*@#&+\-_./]+|\s|.", re.DOTALL)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _illegal_break(tokens: list[str], at: int) -> bool:
    """Whether a line may not break before tokens[at]."""
    return tokens[at][0] in CANNOT_START or tokens[at - 1][-1] in CANNOT_END


def break_lines(text: str, widths: Callable[[int], float], measure: Callable[[str], float]) -> list[str]:
    """Break `text` into lines; `widths(i)` is the width of line i, `measure(s)` the width of a string.
    A newline starts a new paragraph."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens = _tokens(paragraph)
        start = 0
        while start < len(tokens):
            while start < len(tokens) - 1 and tokens[start].isspace():
                start += 1  # no line starts with a space
            limit = widths(len(lines))
            if len(tokens[start]) > 1 and measure(tokens[start]) > limit:
                _split_long_token(tokens, start, limit, measure)
            used, end = 0.0, start
            while end < len(tokens):
                w = measure(tokens[end])
                if used + w > limit + 0.01 and end > start:
                    break
                used += w
                end += 1
            if end < len(tokens):
                end = _legal_end(tokens, start, end)
            lines.append("".join(tokens[start:end]).rstrip())
            start = end
        if not tokens:
            lines.append("")
    return lines


def _legal_end(tokens: list[str], start: int, end: int) -> int:
    """Move the break back until it is legal; if impossible, let closing punctuation hang in the margin."""
    back = end
    while back > start + 1 and _illegal_break(tokens, back):
        back -= 1
    if not _illegal_break(tokens, back):
        return back
    forward = end
    while forward < len(tokens) and tokens[forward][0] in CANNOT_START:
        forward += 1
    return forward


def _split_long_token(tokens: list[str], start: int, limit: float, measure: Callable[[str], float]) -> None:
    """A word longer than the line (a long number): cut it where it overflows, keeping the rest as a token."""
    word = tokens[start]
    cut = 1
    while cut < len(word) and measure(word[: cut + 1]) <= limit:
        cut += 1
    tokens[start : start + 1] = [word[:cut], word[cut:]]


class TextBlock(Flowable):
    """Text in the CJK font chain, wrapped to the available width: titles, notice text, table cells.
    `first_indent` indents the first line of each paragraph (Chinese documents indent two characters)."""

    def __init__(
        self, text: str, fonts: FontChain, size: float, *, leading: float | None = None, align: str = "left",
        first_indent: float = 0.0, space_after: float = 0.0, lines: list[tuple[str, bool, bool]] | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.text = text
        self.fonts = fonts
        self.size = size
        self.leading = leading or size * 1.35
        self.align = align
        self.first_indent = first_indent
        self.spaceAfter = space_after
        self._lines = lines  # (text, first line of a paragraph, last line of a paragraph)
        self._fixed = lines is not None
        self._avail = -1.0

    def measure(self, text: str) -> float:
        return self.fonts.width(text, self.size)

    def lines_for(self, width: float) -> list[tuple[str, bool, bool]]:
        result = []
        for paragraph in self.text.split("\n"):
            lines = break_lines(paragraph, lambda i: width - (self.first_indent if i == 0 else 0), self.measure)
            result.extend((line, j == 0, j == len(lines) - 1) for j, line in enumerate(lines))
        return result

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if not self._fixed and self._avail != avail_width:
            self._lines = self.lines_for(avail_width)
            self._avail = avail_width
        self.width = avail_width
        self.height = len(self._lines) * self.leading
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        fit = int(avail_height // self.leading)
        if fit <= 0:
            return []
        if fit >= len(self._lines):
            return [self]
        kw = dict(leading=self.leading, align=self.align, first_indent=self.first_indent)
        head = TextBlock(self.text, self.fonts, self.size, lines=self._lines[:fit], **kw)
        tail = TextBlock(self.text, self.fonts, self.size, space_after=self.spaceAfter, lines=self._lines[fit:], **kw)
        return [head, tail]

    def draw(self) -> None:
        canvas = self.canv
        y = self.height - (self.leading - self.size) / 2 - self.size * 0.8  # baseline of the first line
        for line, first, last in self._lines:
            indent = self.first_indent if first else 0.0
            room = self.width - indent - self.measure(line)
            x, char_space = indent, 0.0
            if self.align == "center":
                x += room / 2
            elif self.align == "right":
                x += room
            elif self.align == "justify" and not last and len(line) > 1 and room > 0:
                char_space = room / (len(line) - 1)
            for font, part in self.fonts.runs(line):
                canvas.setFont(font, self.size)
                canvas.drawString(x, y, part, charSpace=char_space)
                x += self.fonts.width(part, self.size) + char_space * len(part)
            y -= self.leading
