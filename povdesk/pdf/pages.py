"""Page furniture: "第1页 共3页" counted per section (each village's sheet is numbered on its own)."""

from __future__ import annotations

from collections import Counter

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable


class SectionStart(Flowable):
    """Marks where a new section (a sheet posted separately) begins; its pages are numbered from 1."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.section = self.number


def numbered_canvas(font: str, size: float = 9, bottom: float = 10 * mm):
    """A canvas class that holds pages back until the end, then writes "第i页 共n页" on each."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            kwargs["initialFontName"] = font  # else every page names Helvetica, which nothing uses
            super().__init__(*args, **kwargs)
            self.section = 0
            self._held: list[tuple[int, dict]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._held.append((self.section, dict(self.__dict__)))
            self._startPage()

        def save(self) -> None:
            totals = Counter(section for section, _ in self._held)
            seen: Counter = Counter()
            for section, state in self._held:
                self.__dict__.update(state)
                seen[section] += 1
                self.setFont(font, size)
                width = self._pagesize[0]
                self.drawCentredString(width / 2, bottom, f"第{seen[section]}页 共{totals[section]}页")
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas
