"""The dashboard's map in a pyqtgraph view: schematic tiles (villages grouped by township) or the office's GeoJSON
shapes, filled by the chosen indicator, a tooltip on hover, and a click on an area (or a township's block) that
drills down."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyqtgraph as pg

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.wallchart.charts import Label, TextLayer

INK = "#333333"
EDGE = "#ffffff"
GROUP_EDGE = "#666666"


@dataclass
class Shape:
    """One area to draw: its outline(s) in plane coordinates, fill colour, label and tooltip."""

    area_id: int | None
    name: str
    rings: list[list[tuple[float, float]]]  # polygons (outer rings; holes drawn with the odd-even rule)
    colour: str
    tooltip: str
    clickable: bool = True
    value: str = ""  # the indicator's value, written under the name where there is room


class AreaItem(QGraphicsPathItem):
    """A filled area: outlined more strongly under the mouse; a left click calls `on_click(area_id)`."""

    def __init__(self, shape: Shape, on_click: Callable[[int | None], None]) -> None:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.OddEvenFill)
        for ring in shape.rings:
            if ring:
                path.moveTo(QPointF(*ring[0]))
                for point in ring[1:]:
                    path.lineTo(QPointF(*point))
                path.closeSubpath()
        super().__init__(path)
        self.shape_data = shape
        self._on_click = on_click
        self._pen = pg.mkPen(EDGE, width=1.5)
        self._hover_pen = pg.mkPen("#000000", width=2.5)
        self.setPen(self._pen)
        self.setBrush(QBrush(QColor(shape.colour)))
        self.setToolTip(shape.tooltip)
        if shape.clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    @property
    def area_id(self) -> int | None:
        return self.shape_data.area_id

    def shape(self) -> QPainterPath:
        """The area itself: Qt would widen it by the pen's width in map units (a cosmetic pen is pixels wide,
        but the map's units are tiny), and every area would be under every click."""
        return self.path()

    def hoverEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's hook
        if ev.isExit():
            self.setPen(self._pen)
            self.setZValue(0)
        else:
            if self.shape_data.clickable:
                ev.acceptClicks(Qt.MouseButton.LeftButton)
            self.setPen(self._hover_pen)
            self.setZValue(1)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's hook
        if ev.button() == Qt.MouseButton.LeftButton and self.shape_data.clickable:
            ev.accept()
            self._on_click(self.shape_data.area_id)


class GroupFrame(QGraphicsRectItem):
    """The frame of a township's block of village tiles; a click on its title strip opens the township."""

    def __init__(self, rect: QRectF, area_id: int | None, tooltip: str, on_click: Callable[[int | None], None]):
        super().__init__(rect)
        self.area_id = area_id
        self._on_click = on_click
        self.setPen(pg.mkPen(GROUP_EDGE, width=1, style=Qt.PenStyle.DashLine))
        self.setBrush(QBrush(QColor(0, 0, 0, 10)))
        self.setZValue(-1)
        self.setToolTip(tooltip)
        if area_id is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.rect())
        return path

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's hook
        if ev.button() == Qt.MouseButton.LeftButton and self.area_id is not None:
            ev.accept()
            self._on_click(self.area_id)


class AreaMap(pg.PlotWidget):
    """The map: `show(shapes, groups, y_down=...)`; `area_clicked(area_id)` when an area or a block is clicked."""

    area_clicked = Signal(object)
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        item = self.getPlotItem()
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setAspectLocked(True)
        self.items_by_area: dict[int | None, AreaItem] = {}
        self.frames: list[GroupFrame] = []
        self.text_layer: TextLayer | None = None
        self._whole = QRectF()
        self.setMinimumSize(320, 260)

    def show_shapes(self, shapes: Sequence[Shape], groups: Sequence[tuple[str, int | None, QRectF]] = (), *,
                    y_down: bool = True, label_size: int = 8) -> None:  # fmt: skip
        """Draw `shapes` (and township blocks `groups`: (name, area_id, rect)); each area's name (and value, where
        there is room) inside it, each block's name in its top strip."""
        item = self.getPlotItem()
        item.clear()
        self.items_by_area, self.frames = {}, []
        item.getViewBox().invertY(y_down)
        labels: list[Label] = []
        for name, area_id, rect in groups:
            frame = GroupFrame(rect, area_id, name, self._clicked)
            item.addItem(frame)
            self.frames.append(frame)
            labels.append(Label(name, rect.left(), rect.top() if y_down else rect.bottom(), (0.0, 0.0), bold=True,
                                size=label_size + 1, offset=(4, 2)))  # fmt: skip
        for shape in shapes:
            area = AreaItem(shape, self._clicked)
            item.addItem(area)
            self.items_by_area[shape.area_id] = area
            box = _label_box(shape.rings)
            if box is not None:
                texts = [f"{shape.name}\n{shape.value}", shape.name] if shape.value else [shape.name]
                labels.append(Label(texts, colour=_text_colour(shape.colour), box=box))
        # one item paints every name: a TextItem each would take seconds for a county's 500 villages
        self.text_layer = TextLayer(labels, points=label_size)
        self.text_layer.setZValue(2)
        item.addItem(self.text_layer)
        rect = QRectF()
        for area in self.items_by_area.values():
            rect = rect.united(area.path().boundingRect())
        for frame in self.frames:
            rect = rect.united(frame.rect())
        self._whole = rect
        self.reset_view()

    def reset_view(self) -> None:
        """Back to the whole map after zooming (the wheel) or panning (dragging)."""
        if not self._whole.isEmpty():
            self.getPlotItem().getViewBox().setRange(self._whole, padding=0.02)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.resized.emit()

    def aspect(self) -> float:
        """Width over height of the view, for laying tiles out to fill it."""
        return max(0.6, min(2.6, self.width() / max(1, self.height())))

    def frame_point_of(self, area_id: int | None) -> QPointF:
        """A point on a township block's name strip, in widget pixels (tests click there)."""
        frame = next(f for f in self.frames if f.area_id == area_id)
        rect = frame.rect()
        corner = QPointF(rect.left() + rect.width() * 0.5, rect.top() + rect.height() * 0.01)
        return self.mapFromScene(self.getPlotItem().getViewBox().mapViewToScene(corner))

    def _clicked(self, area_id: int | None) -> None:
        self.area_clicked.emit(area_id)

    def scene_point_of(self, area_id: int | None) -> QPointF:
        """Where an area's label sits, in widget pixels (tests click there)."""
        area = self.items_by_area[area_id]
        centre = _label_point(area.shape_data.rings) or (0.0, 0.0)
        scene = self.getPlotItem().getViewBox().mapViewToScene(QPointF(*centre))
        return self.mapFromScene(scene)


def _label_point(rings: list[list[tuple[float, float]]]) -> tuple[float, float] | None:
    """The centre of the largest ring's bounding box (good enough for tiles and compact village shapes)."""
    best, best_area = None, -1.0
    for ring in rings:
        if not ring:
            continue
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        area = (max(xs) - min(xs)) * (max(ys) - min(ys))
        if area > best_area:
            best, best_area = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2), area
    return best


def _label_box(rings: list[list[tuple[float, float]]]) -> QRectF | None:
    """Where an area's name goes: the bounding box of its largest ring (a tile, or a compact village)."""
    centre = _label_point(rings)
    if centre is None:
        return None
    best = max((r for r in rings if r), key=lambda r: _extent(r))
    xs, ys = [p[0] for p in best], [p[1] for p in best]
    return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def _extent(ring: list[tuple[float, float]]) -> float:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (max(xs) - min(xs)) * (max(ys) - min(ys))


def _text_colour(fill: str) -> str:
    """Black on light fills, white on dark ones."""
    colour = QColor(fill)
    luminance = 0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue()
    return "#000000" if luminance > 140 else "#ffffff"


class Legend(QWidget):
    """Colour swatches and their meaning under the map."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(4, 0, 4, 0)
        self.title = QLabel(self)
        self.entries: list[tuple[str, str]] = []

    def set_entries(self, title: str, entries: Sequence[tuple[str, str]]) -> None:
        while self._layout.count():
            child = self._layout.takeAt(0).widget()
            if child is not None and child is not self.title:
                child.hide()  # at once: deleteLater waits for the event loop, and a grab would still show it
                child.deleteLater()
        self.entries = list(entries)
        self.title.setText(title + "：")
        self._layout.addWidget(self.title)
        for colour, text in entries:
            swatch = QLabel(self)
            swatch.setFixedSize(14, 14)
            swatch.setStyleSheet(f"background: {colour}; border: 1px solid #999999;")
            label = QLabel(text, self)
            self._layout.addWidget(swatch)
            self._layout.addWidget(label)
            self._layout.addSpacing(8)
        self._layout.addStretch(1)


def map_panel(parent: QWidget, view: AreaMap, legend: Legend, top: QWidget | None = None) -> QWidget:
    panel = QWidget(parent)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    if top is not None:
        layout.addWidget(top)
    layout.addWidget(view, 1)
    layout.addWidget(legend)
    return panel
