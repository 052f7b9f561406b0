"""设置 → 操作日志…: the audit log of the whole database (or of one household), filtered by user, date and kind."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from povdesk import audit
from povdesk.db import Database
from povdesk.history import local_day_start
from ui.dialogs import RememberingDialog
from ui.settings import AppSettings

ACTION_LABELS = {
    **audit.ACTIONS, "roster_import": "导入花名册", "pairing_plan": "自动结对", "area_add": "新增区划",
    "area_rename": "区划改名", "area_code": "区划代码", "area_poor_village": "贫困村标记", "area_delete": "删除区划",
    "area_merge": "合并村", "user_add": "新增用户", "user_password": "重置密码", "user_enable": "启用用户",
    "user_disable": "停用用户",
}  # fmt: skip
COLUMNS = ("时间", "用户", "操作", "对象", "编号", "内容")


def local_text(at: dt.datetime | None) -> str:
    """A stored UTC time shown in this computer's local time."""
    if at is None:
        return ""
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


class AuditModel(QAbstractTableModel):
    """A lazy table over the ids of the selected entries: rows are fetched a page at a time, as the view asks."""

    PAGE = 200

    def __init__(self, db: Database, parent=None) -> None:
        super().__init__(parent)
        self._db = db
        self._ids: list[int] = []
        self._rows: dict[int, tuple] = {}

    def set_filter(self, where: audit.Filter) -> None:
        with self._db.session() as session:
            ids = list(session.scalars(audit.query(where)))
        self.beginResetModel()
        self._ids, self._rows = ids, {}
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._row(index.row())
        return None if row is None else row[index.column()]

    def _row(self, row: int) -> tuple | None:
        if row >= len(self._ids):
            return None
        entry_id = self._ids[row]
        if entry_id not in self._rows:
            start = row - row % self.PAGE
            page = self._ids[start : start + self.PAGE]
            with self._db.session() as session:
                for entry in audit.entries(session, page):
                    self._rows[entry.id] = (
                        local_text(entry.at),
                        entry.user,
                        ACTION_LABELS.get(entry.action, entry.action),
                        audit.entity_label(entry.entity),
                        "" if entry.entity_id is None else str(entry.entity_id),
                        audit.describe(entry),
                    )
        return self._rows.get(entry_id)


class AuditDialog(RememberingDialog):
    """The entries newest first; the filters run in SQL. `household_id`: only that household's entries."""

    def __init__(
        self, db: Database, settings: AppSettings, parent: QWidget | None = None, *, household_id: int | None = None
    ) -> None:
        super().__init__("audit_log", settings, parent)
        self.household_id = household_id
        self.setWindowTitle(self.tr("操作日志") if household_id is None else self.tr("本户操作日志"))
        with db.session() as session:
            users, entities = audit.users(session), audit.entities(session)
        self.user = QComboBox(self)
        self.user.addItem(self.tr("全部用户"), None)
        for name in users:
            self.user.addItem(name, name)
        self.kind = QComboBox(self)
        self.kind.addItem(self.tr("全部类别"), None)
        for entity in entities:
            self.kind.addItem(audit.entity_label(entity), entity)
        today = QDate.currentDate()
        self.since = QDateEdit(today.addDays(-30), self)
        self.until = QDateEdit(today, self)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.model = AuditModel(db, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setColumnWidth(0, self.view.fontMetrics().horizontalAdvance("2026-12-01 10:00:00") + 16)
        self.count = QLabel(self)
        filters = QHBoxLayout()
        for label, widget in (
            (self.tr("用户"), self.user), (self.tr("类别"), self.kind), (self.tr("从"), self.since), (self.tr("至"), self.until)
        ):  # fmt: skip
            filters.addWidget(QLabel(label, self))
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.count)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        for combo in (self.user, self.kind):
            combo.currentIndexChanged.connect(self.refresh)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self.refresh)
        self.resize(900, 520)
        self.refresh()

    def current_filter(self) -> audit.Filter:
        since = self.since.date().toPython()
        until = self.until.date().toPython() + dt.timedelta(days=1)
        return audit.Filter(
            user=self.user.currentData(),
            entity=self.kind.currentData(),
            since=local_day_start(since),
            until=local_day_start(until),
            household_id=self.household_id,
        )

    def refresh(self) -> None:
        self.model.set_filter(self.current_filter())
        self.count.setText(self.tr("共 {0} 条").format(self.model.rowCount()))


def install(window) -> QAction:
    """设置 → 操作日志…"""
    action = QAction(window.tr("操作日志(&L)…"), window)
    action.setStatusTip(window.tr("查看谁在何时修改了哪些数据"))
    action.triggered.connect(lambda: AuditDialog(window.db, window.settings, window).exec())
    window.menus["settings"].addAction(action)
    return action
