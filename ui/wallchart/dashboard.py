"""作战图: the wall chart on screen for the county, a township or a village and a year — breadcrumb, KPI tiles lit by
the targets, the map (click an area to drill down), pyqtgraph charts and the template's tables. The figures are
built on a worker thread with its own session; a result that arrives after the clerk clicked on is dropped. The KPI
tiles, the chart tabs and the tables tab are built in kpis.py, chart_tabs.py and tables.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QByteArray, QModelIndex, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
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
from ui.wallchart.chart_tabs import add_chart_tabs, show_charts
from ui.wallchart.charts import BarChart
from ui.wallchart.kpis import KpiRow
from ui.wallchart.map import AreaMap, Legend, Shape, map_panel
from ui.wallchart.tables import show_tables

OFFICE = Option("wallchart/office", "", str)  # the issuing office printed on the sheets (作战图设置)
SPLITTER = Option("wallchart/splitter", QByteArray(), QByteArray)
FIRST_YEAR = 2014  # the year the registry (建档立卡) began
LEVEL_NAMES = {"county": "县", "township": "乡镇", "village": "村"}
MAP_METRICS = tuple(k for k, m in METRICS.items() if "{year}" not in k and m.kind in ("count", "percent"))


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

        self.kpi_row = KpiRow(self)
        self.kpis = self.kpi_row.tiles

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
        self.charts = add_chart_tabs(self.tabs, self)
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
        body.addLayout(self.kpi_row)
        body.addWidget(self.splitter, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body)

        for key, text in (("Ctrl+PgDown", self._next_tab), ("Ctrl+PgUp", self._previous_tab)):
            action = QAction(self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(text)
            self.addAction(action)

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
        self.kpi_row.show_view(view)
        self._show_map(view)
        show_charts(self.charts, view)
        self.table_views = show_tables(self.tables_tabs, self, view, self._table_double_clicked)
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
