"""Embedded CJK fonts for PDFs: the shipped WenQuanYi Micro Hei, with fallbacks for rare characters (䶮, 𠮷…).

Each character is drawn with the first font whose cmap has it; text is split into runs of one font. A character
no font has is reported by `unprintable` so the clerk is warned before printing instead of seeing a blank box.
Fonts are registered with reportlab once per process, lazily (the fallbacks only when a rare character appears).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFError, TTFont

FONT_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"


@dataclass(frozen=True)
class FontFile:
    name: str  # the name registered with reportlab
    path: Path
    subfont: int = 0  # index in a .ttc collection


MAIN = FontFile("PovDeskHei", FONT_DIR / "wqy-microhei.ttc")
FALLBACKS = (
    FontFile("PovDeskRareA", FONT_DIR / "HanaMinA-rare.ttf"),  # CJK Extension A and the rest Micro Hei lacks
    FontFile("PovDeskRareB", FONT_DIR / "HanaMinB-extb.ttf"),  # CJK Extension B
)


def system_fallbacks() -> tuple[FontFile, ...]:
    """Fonts of this PC that may hold still rarer characters (Extension C and later). reportlab refuses any
    font whose licence flags forbid embedding, so only embeddable ones are ever used."""
    if sys.platform == "win32":
        return (FontFile("SysSimSunExtB", Path(r"C:\Windows\Fonts\simsunb.ttf")),)
    return (FontFile("SysHanaMinB", Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")),)


def _utf16(code: int) -> str:
    if code <= 0xFFFF:
        return f"{code:04X}"
    code -= 0x10000
    return f"{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}"


class EmbeddedFont(TTFont):
    """reportlab's TrueType font, but characters beyond U+FFFF (CJK Extension B: 𠮷) get a correct ToUnicode
    entry (UTF-16 surrogates), so the name can still be searched and copied out of the PDF."""

    def addObjects(self, doc) -> None:  # noqa: N802 - reportlab's name
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state else []
        super().addObjects(doc)  # forgets the document's state
        for n, subset in enumerate(subsets):
            if max(subset, default=0) <= 0xFFFF:
                continue
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject["toUnicodeCMap:" + base]
            lines = stream.content.split("\n")
            start = lines.index(f"{len(subset)} beginbfchar") + 1
            lines[start : start + len(subset)] = [f"<{i:02X}> <{_utf16(code)}>" for i, code in enumerate(subset)]
            stream.content = "\n".join(lines)


class FontChain:
    """The main font and its fallbacks; answers which font draws each character."""

    def __init__(self, main: FontFile, fallbacks: Iterable[FontFile]) -> None:
        self.main = main.name
        self._files = [main, *fallbacks]
        self._loaded: list[tuple[str, dict[int, int]]] = []
        self._next = 0  # index of the first font file not loaded yet
        self._cache: dict[str, str | None] = {}
        self._widths: dict[tuple[str, float], float] = {}
        self._lock = threading.Lock()
        self._load_next()
        if not self._loaded:
            raise FileNotFoundError(f"缺少字体文件“{main.path}”，请重新安装 PovDesk")

    def _load_next(self) -> bool:
        """Register the next font file; False when none is left. Missing or non-embeddable files are skipped."""
        while self._next < len(self._files):
            file = self._files[self._next]
            self._next += 1
            if not file.path.exists():
                continue
            try:
                try:
                    font = pdfmetrics.getFont(file.name)
                except KeyError:
                    font = EmbeddedFont(file.name, str(file.path), subfontIndex=file.subfont)
                    pdfmetrics.registerFont(font)
            except TTFError:
                continue
            self._loaded.append((file.name, font.face.charToGlyph))
            return True
        return False

    def font_of(self, ch: str) -> str | None:
        """The font that draws `ch`, or None when no available font has it. Whitespace is the main font's."""
        try:
            return self._cache[ch]
        except KeyError:
            pass
        with self._lock:
            code = ord(ch)
            found = self.main if ch.isspace() or code < 0x20 else None
            i = 0
            while found is None:
                if i == len(self._loaded) and not self._load_next():
                    break
                name, cmap = self._loaded[i]
                if code in cmap:
                    found = name
                i += 1
            self._cache[ch] = found
            return found

    def runs(self, text: str) -> list[tuple[str, str]]:
        """`text` split into (font name, text) runs; characters no font has stay with the main font (a box)."""
        result: list[tuple[str, str]] = []
        for ch in text:
            font = self.font_of(ch) or self.main
            if result and result[-1][0] == font:
                result[-1] = (font, result[-1][1] + ch)
            else:
                result.append((font, ch))
        return result

    def simple(self, text: str) -> bool:
        """True when the main font alone draws all of `text` (the fast path for table cells)."""
        main = self.main
        return all(self.font_of(ch) == main for ch in text)

    def width(self, text: str, size: float) -> float:
        """The printed width of `text`; remembered, since a list repeats the same group names and labels."""
        key = (text, size)
        try:
            return self._widths[key]
        except KeyError:
            pass
        if self.simple(text):
            width = pdfmetrics.stringWidth(text, self.main, size)
        else:
            width = sum(pdfmetrics.stringWidth(part, font, size) for font, part in self.runs(text))
        if len(self._widths) > 100_000:
            self._widths.clear()
        self._widths[key] = width
        return width

    def missing(self, text: str) -> str:
        """The characters of `text` that no font can draw, each once, in order."""
        return "".join(dict.fromkeys(ch for ch in text if self.font_of(ch) is None))


_chain: FontChain | None = None
_chain_lock = threading.Lock()


def chain() -> FontChain:
    """The process-wide font chain: shipped fonts first, then embeddable fonts of this PC."""
    global _chain
    with _chain_lock:
        if _chain is None:
            _chain = FontChain(MAIN, (*FALLBACKS, *system_fallbacks()))
        return _chain


def unprintable(texts: Iterable[str]) -> dict[str, str]:
    """Each text (e.g. a name) that has characters no font can print, with those characters."""
    fonts = chain()
    result = {}
    for text in texts:
        missing = fonts.missing(text)
        if missing:
            result[text] = missing
    return result


def warning_text(problems: dict[str, str]) -> str:
    """The warning a clerk reads before printing: which names will print a box instead of a character."""
    items = "、".join(f"{text}（“{chars}”）" for text, chars in problems.items())
    return f"以下内容含有字体中没有的生僻字，打印出来会显示为方框，请打印后手工补写：{items}"
