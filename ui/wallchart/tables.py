"""The dashboard's 作战表 tab: the template's tables as read-only views, one sub-tab each, the total row in bold."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QTabWidget, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.wallchart.dashboard import View


def tr(text: str) -> str:
    return QCoreApplication.translate("DashboardWindow", text)


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


def show_tables(
    tabs: QTabWidget, parent: QWidget, view: View, open_row: Callable[[QModelIndex], None]
) -> list[QTableView]:
    """One sub-tab of `tabs` per table of the view's template, the one shown before kept current; the views made.
    A double click on a row of child areas calls `open_row`."""
    from povdesk.wallchart import templates

    d = view.dashboard
    current = tabs.currentIndex()
    old_pages = [tabs.widget(i) for i in range(tabs.count())]
    tabs.clear()
    for page in old_pages:  # clear() only takes them out
        page.deleteLater()
    views: list[QTableView] = []
    for table_template in getattr(view.template, "tables", ()):
        headers, rows, total = templates.table(d, table_template)
        model = TextTableModel(parent)
        model.set_table(headers, rows, total)
        table = QTableView(parent)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.horizontalHeader().setResizeContentsPrecision(60)  # widths from the first rows: fast enough
        table.resizeColumnsToContents()
        if table_template.rows == "children" and d.level != "village":
            table.setToolTip(tr("双击一行查看该区划的作战图"))
            table.doubleClicked.connect(open_row)
        views.append(table)
        page = QWidget(parent)
        box = QVBoxLayout(page)
        box.setContentsMargins(4, 6, 4, 4)
        heading = QLabel(table_template.title, page)
        heading.setStyleSheet("font-weight: bold;")
        box.addWidget(heading)
        box.addWidget(table, 1)
        title = table_template.title.replace("\u3000", " ")
        tabs.addTab(page, title.split(" ", 1)[0] if len(title) > 12 else title)  # "表一"
        tabs.setTabToolTip(tabs.count() - 1, table_template.title)
    if 0 <= current < tabs.count():
        tabs.setCurrentIndex(current)
    return views
