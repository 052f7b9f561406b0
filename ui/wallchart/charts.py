"""The dashboard's pyqtgraph charts: labelled bar charts (horizontal for areas, vertical for years) on white, with the
value at the end of each bar, and a PNG of any of them."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QWidget

INK = "#333333"
GRID = "#dddddd"
# Series colours that stay apart for the colour-blind and in greyscale print (ColorBrewer Set2-like, darker)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf")
ROW = 26  # pixels per category row of a horizontal chart


@dataclass
class Series:
    """One set of bars: `values` per category (None draws nothing), one colour or one per bar."""

    name: str
    values: Sequence[float | None]
    colour: str | Sequence[str] = PALETTE[0]


def number_text(value: float | None, *, percent: bool = False) -> str:
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:.2f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@dataclass
class Label:
    """A text at a point of the data, drawn in pixels. With `box` (a rectangle of the data) the first of the
    `text`'s alternatives ("name\nvalue", "name") that fits in it is drawn at the largest size that fits, down to
    6 points, centred; none if none fits."""

    text: str | Sequence[str]
    x: float = 0.0
    y: float = 0.0
    anchor: tuple[float, float] = (0.5, 0.5)  # which point of the text sits on (x, y): (0, 0.5) left middle
    colour: str = INK
    box: QRectF | None = None
    bold: bool = False
    size: int | None = None  # points; the layer's size when None
    offset: tuple[int, int] = (0, 0)  # pixels


class TextLayer(pg.GraphicsObject):
    """Many labels painted by one graphics item (names on a map, values at the ends of bars)."""

    def __init__(self, labels: Sequence[Label], *, points: int = 8, smallest: int = 6) -> None:
        super().__init__()
        self.labels = list(labels)
        self.points, self.smallest = points, smallest
        self._fonts: dict[tuple[int, bool], tuple[QFont, QFontMetrics]] = {}
        self._fits: dict[tuple, tuple[str, QFont] | None] = {}
        xs = [v for label in self.labels for v in ((label.box.left(), label.box.right()) if label.box else (label.x,))]
        ys = [v for label in self.labels for v in ((label.box.top(), label.box.bottom()) if label.box else (label.y,))]
        # the points' box, never empty (Qt skips painting an item whose bounding box is empty)
        self._bounds = (QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)).adjusted(-1e-6, -1e-6, 1e-6, 1e-6)
                        if xs else QRectF())  # fmt: skip
        self.drawn: list[str] = []  # what the last paint wrote (tests read it)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._bounds

    def _font(self, points: int, bold: bool) -> tuple[QFont, QFontMetrics]:
        key = (points, bold)
        if key not in self._fonts:
            font = QFont()
            font.setPointSize(points)
            font.setBold(bold)
            self._fonts[key] = (font, QFontMetrics(font))
        return self._fonts[key]

    @staticmethod
    def _size(metrics: QFontMetrics, text: str) -> tuple[float, float]:
        lines = text.split("\n")
        return max(metrics.horizontalAdvance(line) for line in lines), metrics.lineSpacing() * len(lines)

    def _fit(self, label: Label, width: float, height: float) -> tuple[str, QFont] | None:
        texts = (label.text,) if isinstance(label.text, str) else tuple(label.text)
        largest = label.size or self.points
        key = (texts, largest, label.bold, int(width), int(height))  # a repaint (hover) measures nothing again
        if key not in self._fits:
            self._fits[key] = self._measure(texts, largest, label.bold, width, height)
        return self._fits[key]

    def _measure(self, texts: tuple[str, ...], largest: int, bold: bool, width: float, height: float):
        for text in texts:
            for points in range(largest, self.smallest - 1, -1):
                font, metrics = self._font(points, bold)
                w, h = self._size(metrics, text)
                if w <= width and h <= height:
                    return text, font
        return None

    def paint(self, painter: QPainter, *_args) -> None:
        transform = painter.transform()
        painter.save()
        painter.resetTransform()
        drawn = []
        for label in self.labels:
            painter.setPen(QColor(label.colour))
            if label.box is not None:
                box = transform.mapRect(label.box)
                found = self._fit(label, box.width() - 4, box.height() - 2)
                if found is None:
                    continue
                text, font = found
                painter.setFont(font)
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
            else:
                text = label.text if isinstance(label.text, str) else label.text[0]
                font, metrics = self._font(label.size or self.points, label.bold)
                w, h = self._size(metrics, text)
                point = transform.map(QPointF(label.x, label.y))
                rect = QRectF(point.x() - label.anchor[0] * w + label.offset[0],
                              point.y() - label.anchor[1] * h + label.offset[1], w + 1, h)  # fmt: skip
                painter.setFont(font)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            drawn.append(text)
        painter.restore()
        self.drawn = drawn


class BarChart(pg.PlotWidget):
    """A bar chart of categories × series. Horizontal charts list the categories top to bottom (area names read
    across); vertical ones put short categories (years) along the bottom."""

    def __init__(self, title: str, parent: QWidget | None = None, *, horizontal: bool = True,
                 percent: bool = False) -> None:  # fmt: skip
        super().__init__(parent, background="w")
        self.horizontal = horizontal
        self.percent = percent
        self.title = title
        self.empty_text = "暂无数据"  # shown over a chart whose values are all unknown
        self.categories: list[str] = []
        self.series: list[Series] = []
        item = self.getPlotItem()
        item.setTitle(title, color=INK, size="11pt")
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        font = QFont(self.font())
        font.setPointSize(9)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(INK))
            axis.setTextPen(pg.mkPen(INK))
            axis.setTickFont(font)
        item.showGrid(x=horizontal, y=not horizontal, alpha=0.25)
        self.setMinimumHeight(180)

    def set_data(self, categories: Sequence[str], series: Sequence[Series]) -> None:
        item = self.getPlotItem()
        item.clear()
        self.categories, self.series = list(categories), list(series)
        n, k = len(self.categories), max(len(self.series), 1)
        self._set_title()
        thickness = 0.8 / k
        top = 0.0
        labels: list[Label] = []
        for s, one in enumerate(self.series):
            sign = -1 if self.horizontal else 1  # the first series on top of its group, or leftmost
            positions = [self._position(i, n) + sign * (thickness * (s + 0.5) - 0.4) for i in range(n)]
            values = [float(v) if v is not None else 0.0 for v in one.values]
            scale = 100.0 if self.percent else 1.0
            lengths = [v * scale for v in values]
            colours = [one.colour] * n if isinstance(one.colour, str) else list(one.colour)
            brushes = [pg.mkBrush(QColor(c)) for c in colours]
            if self.horizontal:
                bars = pg.BarGraphItem(x0=0, y=positions, height=thickness * 0.95, width=lengths, brushes=brushes,
                                       pen=pg.mkPen(None))  # fmt: skip
            else:
                bars = pg.BarGraphItem(x=positions, y0=0, width=thickness * 0.95, height=lengths, brushes=brushes,
                                       pen=pg.mkPen(None))  # fmt: skip
            item.addItem(bars)
            for pos, raw, length in zip(positions, one.values, lengths, strict=False):
                if raw is None or (raw == 0 and len(self.series) > 1):  # a row of zeros beside real bars is noise
                    continue
                x, y = (length, pos) if self.horizontal else (pos, length)
                anchor, offset = ((0.0, 0.5), (3, 0)) if self.horizontal else ((0.5, 1.0), (0, -2))
                labels.append(Label(number_text(raw, percent=self.percent), x, y, anchor, offset=offset))
            top = max([top, *lengths])
        if n and not any(v for one in self.series for v in one.values):  # nothing but unknowns and zeros
            middle = 50.0 if self.percent else 0.5
            x, y = (middle, (n - 1) / 2) if self.horizontal else ((n - 1) / 2, middle)
            labels.append(Label(self.empty_text, x, y, colour="#888888", size=10))
        # One item paints every value: a TextItem per bar costs a millisecond each to add and to clear
        self.values_layer = TextLayer(labels, points=8)
        item.addItem(self.values_layer)
        ticks = [(self._position(i, n), name) for i, name in enumerate(self.categories)]
        span = top * 1.18 if top > 0 else (100.0 if self.percent else 1.0)
        if self.horizontal:
            item.getAxis("left").setTicks([ticks])
            item.getAxis("bottom").setTicks(None)
            item.setYRange(-0.6, n - 0.4, padding=0)
            item.setXRange(0, span, padding=0)
            self.setMinimumHeight(max(180, 80 + ROW * n))
        else:
            item.getAxis("bottom").setTicks([ticks])
            item.getAxis("left").setTicks(None)
            item.setXRange(-0.6, n - 0.4, padding=0)
            item.setYRange(0, span, padding=0)
        item.getAxis("bottom" if self.horizontal else "left").setLabel("%" if self.percent else "")

    def set_title(self, title: str) -> None:
        self.title = title
        self._set_title()

    def _set_title(self) -> None:
        """The title, and a key of the series' colours after it when there is more than one series (a legend
        inside the plot would cover bars)."""
        text = html.escape(self.title)
        if len(self.series) > 1:
            keys = [f'<span style="color:{s.colour if isinstance(s.colour, str) else s.colour[0]}">■</span>'
                    f"{html.escape(s.name)}" for s in self.series]  # fmt: skip
            text += "　<span style='font-size:9pt'>" + "　".join(keys) + "</span>"
        self.getPlotItem().setTitle(text, color=INK, size="11pt")

    def _position(self, i: int, n: int) -> float:
        return float(n - 1 - i) if self.horizontal else float(i)

    def bar_values(self) -> dict[str, list[float | None]]:
        """Series name → its values, as drawn (for tests and tooltips)."""
        return {s.name: list(s.values) for s in self.series}

    def export_png(self, path: Path, *, width: int = 1600) -> None:
        """The chart alone as a PNG for slides, `width` pixels wide (pyqtgraph's ImageExporter)."""
        from pyqtgraph.exporters import ImageExporter

        exporter = ImageExporter(self.getPlotItem())
        exporter.parameters()["width"] = width
        exporter.export(str(path))


def chart_placeholder_text(parent: QWidget, text: str) -> QWidget:
    """A grey note in place of a chart that has nothing to show."""
    from PySide6.QtWidgets import QLabel

    label = QLabel(text, parent)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("color: #888888;")
    return label
