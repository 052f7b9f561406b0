"""作战图: the wall chart on screen for the county, a township or a village and a year — breadcrumb, KPI tiles lit by
the targets, the map (click an area to drill down), pyqtgraph charts and the template's tables. The figures are
built on a worker thread with its own session; a result that arrives after the clerk clicked on is dropped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QByteArray, QModelIndex, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from povdesk.db import Database
from povdesk.wallchart.model import METRICS, AreaRow, Dashboard
from ui.dialogs import RememberingDialog
from ui.files import save_path, show_saved
from ui.ops import run_in_background, show_error
from ui.settings import AppSettings, Option
from ui.wallchart.charts import PALETTE, BarChart, Series
from ui.wallchart.map import AreaMap, Legend, Shape, map_panel

OFFICE = Option("wallchart/office", "", str)  # the issuing office printed on the sheets (作战图设置)
SPLITTER = Option("wallchart/splitter", QByteArray(), QByteArray)
FIRST_YEAR = 2014  # the year the registry (建档立卡) began
LEVEL_NAMES = {"county": "县", "township": "乡镇", "village": "村"}
CHILD_NAMES = {"county": "乡镇", "township": "村", "village": "村民小组"}
# KPI tiles: metric keys, in order
KPIS = ("households", "persons", "poor_persons", "incidence", "exits_actual", "pairing_coverage",
        "guarantee_short_households", "monitored_households", "risk_elimination_rate")  # fmt: skip
MAP_METRICS = tuple(k for k, m in METRICS.items() if "{year}" not in k and m.kind in ("count", "percent"))
RATES = ("food_clothing_rate", "education_rate", "medical_rate", "housing_rate", "water_rate")


@dataclass
class View:
    """What one load brings back from the worker: the figures and the office's settings that colour them."""

    dashboard: Dashboard
    template: object  # templates.SheetTemplate
    targets: list = field(default_factory=list)  # targets.Target
    features: dict = field(default_factory=dict)  # area id → geo.Feature, when the office loaded a GeoJSON file


def load_view(db: Database, area_id: int | None, year: int | None, office: str, today: dt.date | None = None) -> View:
    """Build an area's dashboard with its own session (runs on a worker thread)."""
    from povdesk.wallchart import figures, geo, targets, templates

    with db.session() as session:
        dashboard = figures.build(session, village_of_group(session, area_id), year, today=today, office=office)
        template = templates.load(session, dashboard.level)
        office_targets = targets.load(session)
        layer = geo.load_stored(session)
    features = geo.match(layer, dashboard.map_areas)[0] if layer is not None else {}
    return View(dashboard, template, office_targets, features)


def village_of_group(session, area_id: int | None) -> int | None:
    """A group (村民小组) selected in the tree has no chart of its own: its village's."""
    from povdesk.model import Area

    area = session.get(Area, area_id) if area_id is not None else None
    return area.parent_id if area is not None and area.level == "group" else area_id


def light_style(light: str | None) -> str:
    from povdesk.wallchart.targets import COLORS

    if light is None:
        return "QFrame#kpi { background: #f5f5f5; border: 1px solid #cccccc; border-radius: 4px; }"
    colour = COLORS[light]
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    tint = f"rgb({(r + 3 * 255) // 4}, {(g + 3 * 255) // 4}, {(b + 3 * 255) // 4})"  # a quarter of the light
    return (f"QFrame#kpi {{ background: {tint}; border: 1px solid {colour}; border-left: 6px solid {colour};"
            " border-radius: 4px; }")  # fmt: skip


class KpiTile(QFrame):
    """A figure with its label; lit green / amber / red when a target applies to it."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("kpi")
        self.title = QLabel(self.tr(METRICS[key].label), self)
        self.title.setWordWrap(True)
        self.title.setStyleSheet("color: #555555;")
        self.value = QLabel("—", self)
        font = QFont(self.value.font())
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        self.value.setFont(font)
        self.note = QLabel(self)
        self.note.setStyleSheet("color: #555555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        self.light: str | None = None
        self.setStyleSheet(light_style(None))

    def set_value(self, text: str, light: str | None, note: str = "") -> None:
        self.value.setText(text)
        self.light = light
        self.note.setText(note)
        self.setStyleSheet(light_style(light))


class TextTableModel(QAbstractTableModel):
    """The text cells of a template table (templates.table), the total row last and bold."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.total: list[str] | None = None
        self._bold: QFont | None = None

    def set_table(self, headers: list[str], rows: list[list[str]], total: list[str] | None) -> None:
        self.beginResetModel()
        self.headers, self.rows, self.total = headers, rows, total
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.rows) + (1 if self.total else 0)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.headers)

    def _row(self, r: int) -> list[str]:
        return self.rows[r] if r < len(self.rows) else (self.total or [])

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._row(index.row())
        text = row[index.column()] if index.column() < len(row) else ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text if role == Qt.ItemDataRole.DisplayRole or len(text) > 16 else None
        if role == Qt.ItemDataRole.FontRole and index.row() >= len(self.rows):
            if self._bold is None:
                self._bold = QFont()
                self._bold.setBold(True)
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and text and (text[0].isdigit() or text == "—"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if section < len(self.headers) else None
        return section + 1 if section < len(self.rows) else ""


class DashboardWindow(RememberingDialog):
    """The wall chart of an area on screen; `navigate(area_id)` moves it (the breadcrumb, map and tables call it)."""

    data_changed = Signal()  # the screens' contract; the dashboard writes nothing
    loaded = Signal()  # a dashboard is on screen (tests wait for it)

    def __init__(self, db: Database, settings: AppSettings, area_id: int | None, parent: QWidget | None = None, *,
                 today: dt.date | None = None) -> None:  # fmt: skip
        super().__init__("wallchart_dashboard", settings, parent)
        self.db = db
        self.settings = settings
        self.today = today or dt.date.today()
        self.area_id = area_id
        self.view: View | None = None
        self.metric_key: str | None = None  # the map's indicator chosen by the clerk; None: the template's
        self._token = 0
        self.setWindowTitle(self.tr("作战图"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint)
        self._build()
        self.resize(1360, 860)
        self.reload()

    # -- widgets ------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.breadcrumb = QLabel(self)
        self.breadcrumb.setTextFormat(Qt.TextFormat.RichText)
        self.breadcrumb.linkActivated.connect(self._crumb_clicked)
        crumb_font = QFont(self.breadcrumb.font())
        crumb_font.setPointSize(crumb_font.pointSize() + 3)
        self.breadcrumb.setFont(crumb_font)
        self.year = QComboBox(self)
        for year in range(self.today.year, FIRST_YEAR - 1, -1):
            self.year.addItem(self.tr("{0}年").format(year), year)
        self.year.currentIndexChanged.connect(lambda _i: self.reload())
        self.status = QLabel(self)
        self.status.setStyleSheet("color: #555555;")
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.refresh_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_button.setToolTip(self.tr("重新统计（F5）"))
        self.refresh_button.clicked.connect(self.reload)
        self.up_button = QPushButton(self.tr("上一级"), self)
        self.up_button.setShortcut(QKeySequence("Alt+Up"))
        self.up_button.setToolTip(self.tr("返回上一级区划（Alt+↑）"))
        self.up_button.clicked.connect(self.go_up)
        self.pdf_button = QPushButton(self.tr("导出PDF…"), self)
        self.pdf_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.pdf_button.setToolTip(self.tr("导出可打印的“一图N表”作战图（Ctrl+P）"))
        self.pdf_button.clicked.connect(self.export_pdf)
        self.png_button = QPushButton(self.tr("导出图片…"), self)
        self.png_button.setToolTip(self.tr("把当前看到的作战图保存为PNG图片，用于汇报幻灯片"))
        self.png_button.clicked.connect(self.export_png)
        top = QHBoxLayout()
        top.addWidget(self.breadcrumb)
        top.addSpacing(12)
        top.addWidget(self.status, 1)
        top.addWidget(QLabel(self.tr("年度："), self))
        top.addWidget(self.year)
        for button in (self.up_button, self.refresh_button, self.pdf_button, self.png_button):
            top.addWidget(button)

        self.kpis = {key: KpiTile(key, self) for key in KPIS}
        kpi_row = QHBoxLayout()
        kpi_row.setSpacing(6)
        for tile in self.kpis.values():
            kpi_row.addWidget(tile, 1)

        self.map = AreaMap(self)
        self.map.area_clicked.connect(self._map_clicked)
        self._schematic_aspect: float | None = None  # the aspect the schematic was laid out for; None: shapes
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(150)
        self._relayout.timeout.connect(self._map_resized)
        self.map.resized.connect(self._relayout.start)
        self.map_metric = QComboBox(self)
        for key in MAP_METRICS:
            self.map_metric.addItem(self.tr(METRICS[key].label), key)
        self.map_metric.activated.connect(self._metric_chosen)
        self.map_note = QLabel(self)
        self.map_note.setStyleSheet("color: #555555;")
        # a long note is cut, not a reason to widen the map's panel
        self.map_note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        map_top = QWidget(self)
        map_top_layout = QHBoxLayout(map_top)
        map_top_layout.setContentsMargins(0, 0, 0, 0)
        map_top_layout.addWidget(QLabel(self.tr("地图指标："), map_top))
        map_top_layout.addWidget(self.map_metric)
        map_top_layout.addWidget(self.map_note, 1)
        whole = QPushButton(self.tr("全图"), map_top)
        whole.setToolTip(self.tr("滚轮缩放、拖动平移后回到整幅地图"))
        whole.clicked.connect(self.map.reset_view)
        map_top_layout.addWidget(whole)
        self.legend = Legend(self)
        self.map_panel = map_panel(self, self.map, self.legend, map_top)

        self.tabs = QTabWidget(self)
        self.charts: dict[str, BarChart] = {}
        self._chart_tab(
            "base",
            self.tr("贫困底数"),
            [
                ("base_by_area", BarChart("", self)),
                ("incidence_by_area", BarChart("", self, percent=True)),
                ("by_attribute", BarChart(self.tr("按贫困户属性（户）"), self)),
                ("by_cause", BarChart(self.tr("按主要致贫原因（户）"), self)),
            ],
        )
        self._chart_tab(
            "exits",
            self.tr("脱贫进度"),
            [
                ("exits_by_year", BarChart(self.tr("历年计划与实际脱贫户数"), self, horizontal=False)),
                ("exits_by_area", BarChart("", self)),
            ],
        )
        self._chart_tab(
            "guarantees",
            self.tr("两不愁三保障"),
            [
                ("guarantee_rates", BarChart(self.tr("“两不愁三保障”及饮水安全达标率"), self, percent=True)),
                ("short_by_area", BarChart("", self)),
            ],
        )
        self._chart_tab(
            "assistance",
            self.tr("帮扶力量"),
            [
                ("forces_by_area", BarChart("", self)),
                ("coverage_by_area", BarChart("", self, percent=True)),
                ("visits_by_area", BarChart("", self)),
            ],
        )
        self._chart_tab(
            "monitoring",
            self.tr("动态监测"),
            [
                ("monitor_types", BarChart(self.tr("监测对象类型与风险消除（户）"), self)),
                ("elimination_by_area", BarChart("", self, percent=True)),
            ],
        )
        self.charts["incidence_by_area"].empty_text = self.tr("未录入农村人口（在“作战图设置 › 农村人口”中填写或导入）")
        for chart in self.charts.values():
            chart.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            chart.customContextMenuRequested.connect(lambda pos, c=chart: self._chart_menu(c, pos))
        self.tables_tabs = QTabWidget(self)
        self.tables_tabs.setDocumentMode(True)
        self.tabs.addTab(self.tables_tabs, self.tr("作战表"))
        self.table_views: list[QTableView] = []

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.map_panel)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        if not self.splitter.restoreState(self.settings.get(SPLITTER)):
            self.splitter.setSizes([620, 740])

        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(top)
        body.addLayout(kpi_row)
        body.addWidget(self.splitter, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body)

        for key, text in (("Ctrl+PgDown", self._next_tab), ("Ctrl+PgUp", self._previous_tab)):
            action = QAction(self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(text)
            self.addAction(action)

    def _chart_tab(self, key: str, title: str, charts: list[tuple[str, BarChart]]) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        for name, chart in charts:
            self.charts[name] = chart
            layout.addWidget(chart)
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        scroll.setObjectName(f"tab_{key}")
        self.tabs.addTab(scroll, title)

    def _next_tab(self) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + 1) % self.tabs.count())

    def _previous_tab(self) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() - 1) % self.tabs.count())

    # -- loading ------------------------------------------------------------------------------------------------
    def selected_year(self) -> int:
        return self.year.currentData() or self.today.year

    def navigate(self, area_id: int | None) -> None:
        """Show another area (the same year); a click while a load runs supersedes it."""
        self.area_id = area_id
        self.reload()

    def reload(self) -> None:
        self._token += 1
        token = self._token
        db, area_id, year = self.db, self.area_id, self.selected_year()
        office, today = self.settings.get(OFFICE), self.today
        self.status.setText(self.tr("正在统计……"))
        self._op = run_in_background(
            self,
            self.tr("作战图"),
            lambda progress: load_view(db, area_id, year, office, today),
            lambda view, t=token: self._loaded(t, view),
            lambda exc, t=token: self._failed(t, exc),
            show_dialog=False,
        )

    def _failed(self, token: int, exc: BaseException) -> None:
        if token != self._token:
            return
        self.status.setText(self.tr("统计失败"))
        show_error(self, exc, self.tr("作战图"))

    def _loaded(self, token: int, view: View) -> None:
        if token != self._token:  # the clerk has moved on: this result is for an area no longer asked for
            return
        self.show_view(view)

    def show_view(self, view: View) -> None:
        """Put a dashboard on screen (the worker's result, or a hand-built one in tests)."""
        self.view = view
        d = view.dashboard
        self.area_id = d.total.area_id
        self.setWindowTitle(self.tr("作战图 — {0} {1}年").format(d.total.name, d.year))
        self._show_breadcrumb(d)
        self.up_button.setEnabled(len(d.path) > 1)
        as_of = self.tr("数据截至{0}年{1}月{2}日").format(d.as_of.year, d.as_of.month, d.as_of.day)
        self.status.setText(as_of)
        self._show_kpis(view)
        self._show_map(view)
        self._show_charts(view)
        self._show_tables(view)
        self.loaded.emit()

    def _show_breadcrumb(self, d: Dashboard) -> None:
        path = d.path or [(d.total.area_id, d.total.name)]
        parts = []
        for i, (area_id, name) in enumerate(path):
            if i == len(path) - 1:
                parts.append(f"<b>{_escape(name)}</b>")
            else:
                parts.append(f'<a href="area:{"" if area_id is None else area_id}">{_escape(name)}</a>')
        self.breadcrumb.setText(" › ".join(parts))

    def _crumb_clicked(self, link: str) -> None:
        value = link.removeprefix("area:")
        self.navigate(int(value) if value else None)

    def go_up(self) -> None:
        if self.view is not None and len(self.view.dashboard.path) > 1:
            self.navigate(self.view.dashboard.path[-2][0])

    # -- KPI tiles ------------------------------------------------------------------------------------------------
    def _show_kpis(self, view: View) -> None:
        from povdesk.wallchart import targets as targets_mod
        from povdesk.wallchart.templates import format_value

        total = view.dashboard.total
        for key, tile in self.kpis.items():
            value = total.values.get(key)
            target = next((t for t in view.targets if t.metric == key), None)
            light = None
            note = ""
            if target is not None:
                light = total.lights.get(target.key) or targets_mod.light(target, value)
                kind = METRICS[key].kind
                op = "≤" if target.better == "lower" else "≥"
                note = self.tr("目标{0}{1}").format(op, format_value(target.green, kind))
                if light:
                    note = f"{targets_mod.LIGHT_LABELS[light]}　{note}"
            if key == "incidence" and value is None:
                note = self.tr("未录入农村人口")
            elif key == "poor_persons" and total.values.get("persons"):
                note = self.tr("建档立卡{0}人").format(format_value(total.values.get("persons")))
            tile.set_value(format_value(value, METRICS[key].kind), light, note)

    # -- the map --------------------------------------------------------------------------------------------------
    def current_metric(self) -> str:
        view = self.view
        default = getattr(view.template, "map_metric", "incidence") if view else "incidence"
        return self.metric_key or default

    def _metric_chosen(self, _index: int) -> None:
        self.metric_key = self.map_metric.currentData()
        if self.view is not None:
            self._show_map(self.view)

    def _show_map(self, view: View) -> None:
        from povdesk.wallchart import colors, geo
        from povdesk.wallchart.templates import format_value

        d = view.dashboard
        key = self.current_metric()
        self.map_metric.setCurrentIndex(max(0, self.map_metric.findData(key)))
        metric = METRICS[key]
        clickable = d.level != "village"
        township_ids = {c.name: c.area_id for c in d.children} if d.level == "county" else {}

        def tooltip(area: AreaRow) -> str:
            lines = [area.name if not area.parent_name else f"{area.parent_name} {area.name}"]
            lines.append(f"{self.tr(metric.label)}：{format_value(area.values.get(key), metric.kind)}")
            for extra in ("households", "poor_households", "incidence", "pairing_coverage"):
                if extra != key:
                    text = format_value(area.values.get(extra), METRICS[extra].kind)
                    lines.append(f"{self.tr(METRICS[extra].label)}：{text}")
            if clickable:
                lines.append(self.tr("单击查看该村作战图"))
            return "\n".join(lines)

        def value(area: AreaRow) -> str:
            return format_value(area.values.get(key), metric.kind)

        # The areas drawn, and where: real shapes when the office's map covers any of them, else the schematic
        by_id = {a.area_id: a for a in d.map_areas}
        matched = {a.area_id: view.features[a.area_id] for a in d.map_areas if a.area_id in view.features}
        placed: list[tuple[AreaRow, str, list]] = []  # area, label, rings
        groups: list[tuple[str, int | None, QRectF]] = []
        if matched:
            for area_id, feature in matched.items():
                rings = [polygon[0] for polygon in feature.xy] + [r for polygon in feature.xy for r in polygon[1:]]
                placed.append((by_id[area_id], by_id[area_id].name, rings))
            missing = len(d.map_areas) - len(matched)
            self.map_note.setText(
                self.tr("村界图（{0}个村未在地图文件中）").format(missing) if missing else self.tr("村界图")
            )
            self._schematic_aspect = None
        else:
            aspect = self._schematic_aspect = self.map.aspect()
            tiles, blocks = geo.layout(d.map_areas, aspect)
            for tile in tiles:
                x, w = tile.x * aspect, tile.w * aspect
                ring = [(x, tile.y), (x + w, tile.y), (x + w, tile.y + tile.h), (x, tile.y + tile.h)]
                placed.append((by_id[tile.area_id], tile.name, [ring]))
            for block in blocks:
                rect = QRectF(block.x * aspect, block.y, block.w * aspect, block.h)
                groups.append((block.name, township_ids.get(block.name), rect))
            self.map_note.setText(
                self.tr("示意图（各村民小组）") if d.level == "village" else self.tr("示意图（按乡镇分块）")
            )
        values = [area.values.get(key) for area, _, _ in placed]  # the classes are of what is drawn
        shapes = [
            Shape(area.area_id, name, rings, colors.fill(key, area.values.get(key), values, view.targets),
                  tooltip(area), clickable, value(area))
            for area, name, rings in placed
        ]  # fmt: skip
        self.map_note.setToolTip(
            self.map_note.text() + ("" if matched else self.tr("\n在“作战图设置 › 地图”中载入村界地图文件后画真实村界"))
        )
        self.map.show_shapes(shapes, groups, y_down=not matched)
        self.legend.set_entries(self.tr(metric.label), colors.legend(key, values, view.targets))

    def _map_resized(self) -> None:
        """Lay the schematic's blocks out again when the map's shape changed much (tall panel, wide panel)."""
        old = self._schematic_aspect
        if self.view is not None and old is not None and abs(self.map.aspect() - old) / old > 0.15:
            self._show_map(self.view)

    def _map_clicked(self, area_id: int | None) -> None:
        if area_id is not None and self.view is not None and self.view.dashboard.level != "village":
            self.navigate(area_id)

    # -- charts ---------------------------------------------------------------------------------------------------
    def _show_charts(self, view: View) -> None:
        from povdesk.wallchart.targets import COLORS, light

        d = view.dashboard
        child = self.tr(CHILD_NAMES[d.level])
        names = [c.name for c in d.children]
        total = d.total.values

        def by_area(key: str, colour: str | None = None) -> Series:
            """A metric of the child areas; lit by its target when it has one and no colour is given."""
            values = [c.values.get(key) for c in d.children]
            target = next((t for t in view.targets if t.metric == key), None)
            if colour is None and target is not None:
                colours = [COLORS.get(light(target, v) or "", "#bbbbbb") for v in values]
                return Series(self.tr(METRICS[key].label), values, colours)
            return Series(self.tr(METRICS[key].label), values, colour or PALETTE[0])

        def of_total(name: str, keys, colour) -> Series:
            return Series(name, [total.get(k) for k in keys], colour)

        def show(key: str, title: str, categories: list[str], *series: Series) -> None:
            chart = self.charts[key]
            chart.title = title
            chart.set_data(categories, list(series))

        show("base_by_area", self.tr("分{0}建档立卡户数与未脱贫户数").format(child), names,
             by_area("households", PALETTE[0]), by_area("poor_households", PALETTE[1]))  # fmt: skip
        show("incidence_by_area", self.tr("分{0}贫困发生率").format(child), names, by_area("incidence"))
        self.charts["incidence_by_area"].setVisible(d.level != "village")  # groups have no rural population
        for key, chart_key in (("attribute", "by_attribute"), ("cause", "by_cause")):
            counts = d.breakdowns.get(key) or {}
            self.charts[chart_key].setVisible(bool(counts))
            self.charts[chart_key].set_data(list(counts), [Series(self.tr("户数"), list(counts.values()), PALETTE[2])])
        years = [str(y) for y in d.years]
        planned = of_total(self.tr("计划脱贫户数"), [f"exits_planned_{y}" for y in years], PALETTE[0])
        actual = of_total(self.tr("实际脱贫户数"), [f"exits_actual_{y}" for y in years], PALETTE[2])
        show("exits_by_year", self.tr("历年计划与实际脱贫户数"), years, planned, actual)
        show("exits_by_area", self.tr("分{0}{1}年计划与实际脱贫户数").format(child, d.year), names,
             by_area("exits_planned", PALETTE[0]), by_area("exits_actual", PALETTE[2]))  # fmt: skip
        rates = of_total(self.tr("达标率"), RATES, PALETTE[2])
        show(
            "guarantee_rates",
            self.tr("“两不愁三保障”及饮水安全达标率"),
            [self.tr(METRICS[k].label) for k in RATES],
            rates,
        )
        title = self.tr("分{0}“两不愁三保障”未达标户数").format(child)
        show("short_by_area", title, names, by_area("guarantee_short_households"))
        show("forces_by_area", self.tr("分{0}帮扶单位、工作队与帮扶干部").format(child), names,
             by_area("units", PALETTE[0]), by_area("teams", PALETTE[1]), by_area("cadres", PALETTE[3]))  # fmt: skip
        show("coverage_by_area", self.tr("分{0}结对覆盖率").format(child), names, by_area("pairing_coverage"))
        show(
            "visits_by_area",
            self.tr("分{0}近三个月走访次数").format(child),
            names,
            by_area("visits_recent", PALETTE[4]),
        )
        kinds = ("monitored_unstable", "monitored_marginal", "monitored_sudden", "risk_eliminated_households")
        monitored = of_total(self.tr("户数"), kinds, [PALETTE[1], PALETTE[0], PALETTE[3], PALETTE[2]])
        show(
            "monitor_types",
            self.tr("监测对象类型与风险消除（户）"),
            [self.tr(METRICS[k].label) for k in kinds],
            monitored,
        )
        show("elimination_by_area", self.tr("分{0}风险消除率").format(child), names, by_area("risk_elimination_rate"))

    def _chart_menu(self, chart: BarChart, pos) -> None:
        menu = QMenu(self)
        menu.addAction(self.tr("将此图导出为图片…"), lambda: self._export_chart(chart))
        menu.exec(chart.mapToGlobal(pos))

    def _export_chart(self, chart: BarChart) -> None:
        name = f"{self._file_stem()}-{chart.title}.png"
        path = save_path(self, self.settings, "reports", self.tr("导出图表图片"), name, self.tr("PNG 图片 (*.png)"))
        if path is None:
            return
        path = path if path.suffix.lower() == ".png" else path.with_name(path.name + ".png")
        chart.export_png(path)
        show_saved(self, path, self.tr("图表图片"))

    # -- tables ---------------------------------------------------------------------------------------------------
    def _show_tables(self, view: View) -> None:
        from povdesk.wallchart import templates

        d = view.dashboard
        current = self.tables_tabs.currentIndex()
        old_pages = [self.tables_tabs.widget(i) for i in range(self.tables_tabs.count())]
        self.tables_tabs.clear()
        for page in old_pages:  # clear() only takes them out
            page.deleteLater()
        self.table_views = []
        for table_template in getattr(view.template, "tables", ()):
            headers, rows, total = templates.table(d, table_template)
            model = TextTableModel(self)
            model.set_table(headers, rows, total)
            table = QTableView(self)
            table.setModel(model)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setAlternatingRowColors(True)
            table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
            table.horizontalHeader().setResizeContentsPrecision(60)  # widths from the first rows: fast enough
            table.resizeColumnsToContents()
            if table_template.rows == "children" and d.level != "village":
                table.setToolTip(self.tr("双击一行查看该区划的作战图"))
                table.doubleClicked.connect(self._table_double_clicked)
            self.table_views.append(table)
            page = QWidget(self)
            box = QVBoxLayout(page)
            box.setContentsMargins(4, 6, 4, 4)
            heading = QLabel(table_template.title, page)
            heading.setStyleSheet("font-weight: bold;")
            box.addWidget(heading)
            box.addWidget(table, 1)
            title = table_template.title.replace("\u3000", " ")
            self.tables_tabs.addTab(page, title.split(" ", 1)[0] if len(title) > 12 else title)  # "表一"
            self.tables_tabs.setTabToolTip(self.tables_tabs.count() - 1, table_template.title)
        if 0 <= current < self.tables_tabs.count():
            self.tables_tabs.setCurrentIndex(current)

    def _table_double_clicked(self, index: QModelIndex) -> None:
        children = self.view.dashboard.children if self.view else []
        if 0 <= index.row() < len(children) and children[index.row()].area_id is not None:
            self.navigate(children[index.row()].area_id)

    # -- export ---------------------------------------------------------------------------------------------------
    def _file_stem(self) -> str:
        d = self.view.dashboard if self.view else None
        return self.tr("{0}{1}年作战图").format(d.total.name, d.year) if d else self.tr("作战图")

    def export_pdf(self) -> None:
        from ui.wallchart.export import ExportDialog

        dialog = ExportDialog(self.db, self.settings, self.area_id, self, year=self.selected_year(), today=self.today)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def export_png(self) -> None:
        path = save_path(self, self.settings, "reports", self.tr("导出作战图图片"), f"{self._file_stem()}.png",
                         self.tr("PNG 图片 (*.png)"))  # fmt: skip
        if path is None:
            return
        path = path if path.suffix.lower() == ".png" else path.with_name(path.name + ".png")
        self.save_png(path)
        show_saved(self, path, self.tr("作战图图片"))

    def save_png(self, path: Path) -> None:
        """What the dashboard shows (KPI tiles, map, the current charts) as one PNG, at the screen's resolution."""
        self.body.grab().save(str(path), "PNG")

    def done(self, result: int) -> None:
        self.settings.set(SPLITTER, self.splitter.saveState())
        super().done(result)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
