"""The monitoring alerts panel: households needing attention in the latest data year; a row opens the household."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QComboBox, QDockWidget, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from povdesk import alerts, registry
from povdesk.db import Database
from povdesk.model import Area
from ui.ops import run_in_background

_HEADERS = ("户编号", "户主", "村", "预警类型", "原因")
_KIND_LABELS = dict(alerts.KINDS)


class AlertsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.alerts: list[alerts.Alert] = []

    def set_alerts(self, found: list[alerts.Alert]) -> None:
        self.beginResetModel()
        self.alerts = found
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.alerts)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(_HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        alert = self.alerts[index.row()]
        return (alert.number, alert.head, alert.village, self.tr(_KIND_LABELS[alert.kind]), alert.reason)[
            index.column()
        ]


class AlertsDock(QDockWidget):
    """Loads off the GUI thread each time it is shown or the data changes; filters by alert kind."""

    open_household = Signal(int)

    def __init__(self, db: Database, window) -> None:
        super().__init__(window.tr("监测预警"), window)
        self.setObjectName("alertsDock")
        self._db = db
        self._window = window
        self._all: list[alerts.Alert] = []
        self.kind = QComboBox(self)
        self.kind.addItem(self.tr("全部预警"), None)
        for code, label in alerts.KINDS:
            self.kind.addItem(self.tr(label), code)
        self.kind.currentIndexChanged.connect(self._show)
        self.line_label = QLabel(self)
        self.model = AlertsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("alertsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        metrics = self.table.fontMetrics()
        for column, sample in enumerate(("5329300000000001", "欧阳建国", "西西村村", "“两不愁三保障”未达标")):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 16)
        self.table.doubleClicked.connect(lambda i: self.open_household.emit(self.model.alerts[i.row()].household_id))
        body = QWidget(self)
        top = QHBoxLayout()
        top.addWidget(self.kind)
        top.addWidget(self.line_label, 1)
        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.setWidget(body)
        self.visibilityChanged.connect(lambda visible: visible and self.refresh())
        window.area_changed.connect(lambda _id: self.isVisible() and self.refresh())

    def refresh(self) -> None:
        db, area_id = self._db, self._window.current_area_id()
        self.line_label.setText(self.tr("正在查找……"))

        def work(progress):
            with db.session() as session:
                year = registry.latest_year(session)
                if year is None:
                    return None, []
                area = session.get(Area, area_id) if area_id is not None else None
                return alerts.income_line(session, year) or year, alerts.find_alerts(session, year, area)

        run_in_background(self, self.tr("监测预警"), work, self._loaded, show_dialog=False)

    def _loaded(self, result) -> None:
        line, self._all = result
        if line is None:
            self.line_label.setText(self.tr("还没有任何年度收入数据。"))
        elif isinstance(line, int):
            self.line_label.setText(
                self.tr("未设置{0}年监测收入线：请在“设置 → 监测收入线”中设置。以下仅列出保障未达标的户。").format(line)
            )
        else:
            self.line_label.setText(
                self.tr("{0}年 {1} {2:,.0f} 元/人，共 {3:,} 条预警").format(
                    line.year, self.tr(line.source), line.amount, len(self._all)
                )
            )
        self._show()

    def _show(self) -> None:
        kind = self.kind.currentData()
        self.model.set_alerts([a for a in self._all if kind is None or a.kind == kind])
