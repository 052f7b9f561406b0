"""Widgets the pairing screens share: the lazy table model over ids, read-only tables, search boxes, searchable combo
boxes, the cadre and household pickers, and the master–detail layout of the units and work-team screens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povdesk.db import Database
from povdesk.pairing import cadres
from povdesk.pairing.cadres import CadreRow
from ui.dialogs import FormDialog, to_date
from ui.settings import AppSettings

KEY_ROLE = Qt.ItemDataRole.UserRole  # the key of a QTableWidget row, on its first item
ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the id of a LazyRowsModel row
_ENDED = QBrush(QColor("#888888"))


def day_text(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


# -- search boxes -----------------------------------------------------------------------------------------------------
def search_edit(parent: QWidget, placeholder: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


def debounced(edit: QLineEdit, slot: Callable[[], object], *, interval: int = 250, on_enter: bool = False) -> QTimer:
    """Call `slot` `interval` ms after the clerk stops typing (and at once on Enter with `on_enter`)."""
    timer = QTimer(edit)
    timer.setSingleShot(True)
    timer.setInterval(interval)
    timer.timeout.connect(slot)
    edit.textChanged.connect(timer.start)
    if on_enter:
        edit.returnPressed.connect(slot)
    return timer


def searchable_combo(parent: QWidget, items: list[tuple[str, object]], empty: str | None = None) -> QComboBox:
    """An editable combo box whose list narrows to the items containing what is typed (村名、单位名)."""
    combo = QComboBox(parent)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    if empty is not None:
        combo.addItem(empty, None)
    for text, data in items:
        combo.addItem(text, data)
    completer = combo.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    return combo


def combo_value(combo: QComboBox):
    """The data of the item whose text is in the box (typed text that names no item gives None)."""
    index = combo.findText(combo.currentText().strip(), Qt.MatchFlag.MatchExactly)
    return combo.itemData(index) if index >= 0 else None


class SearchPicker(QWidget):
    """A search box and a list of the first choices it finds; subclasses find (`refresh`) and describe them."""

    changed = Signal()

    def __init__(self, db: Database, placeholder: str, parent: QWidget | None = None, *, width: int,
                 interval: int = 250) -> None:  # fmt: skip
        super().__init__(parent)
        self.db = db
        self.found: dict[int, object] = {}
        self.search = search_edit(self, placeholder)
        self.choices = QComboBox(self)
        self.choices.setMinimumContentsLength(width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.choices)
        self._timer = debounced(self.search, self.refresh, interval=interval)
        self.choices.currentIndexChanged.connect(lambda _index: self.changed.emit())

    def refresh(self) -> None:
        raise NotImplementedError

    def describe(self, choice) -> str:
        raise NotImplementedError

    def set_choices(self, found: list) -> None:
        self.choices.blockSignals(True)
        self.choices.clear()
        self.found = {choice.id: choice for choice in found}
        for choice in found:
            self.choices.addItem(self.describe(choice), choice.id)
        if not found:
            self.choices.addItem(self.tr("（没有找到，请换个写法）") if self.search.text().strip() else "", None)
        self.choices.blockSignals(False)
        self.changed.emit()


class CadrePicker(SearchPicker):
    """Type a cadre's name, pinyin initials or ID number; pick from the first 50 found (name, unit, load)."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, cadre_id: int | None = None) -> None:
        super().__init__(db, self.tr("输入姓名、拼音首字母或身份证号查找"), parent, width=24)
        if cadre_id is not None:
            self.set_cadre(cadre_id)

    def refresh(self) -> None:
        text = self.search.text().strip()
        with self.db.session() as session:
            rows = cadres.search(session, text, limit=50) if text else []
        self.set_choices(rows)

    def set_cadre(self, cadre_id: int) -> None:
        with self.db.session() as session:
            self.set_choices([cadres.get_row(session, cadre_id)])

    def describe(self, row: CadreRow) -> str:
        return f"{row.name}　{row.unit or row.home_area}　{row.rank_label}　{self.tr('结对')}{row.load_text}"

    def cadre_id(self) -> int | None:
        return self.choices.currentData()


# -- dialogs ----------------------------------------------------------------------------------------------------------
class EndDialog(FormDialog):
    """Ending an assignment or a team membership is the confirmation itself: `question` names what ends and says the
    record stays; OK (its text `ok`) ends it on the day chosen, with `end(session, day)`."""

    def __init__(self, name: str, title: str, db: Database, settings: AppSettings, parent: QWidget | None = None, *,
                 question: str, day_label: str, ok: str, end: Callable[[Session, dt.date], object],
                 today: dt.date | None = None) -> None:  # fmt: skip
        self.db, self.today = db, today or dt.date.today()
        self._question, self._day_label, self._end = question, day_label, end
        super().__init__(name, title, settings, parent)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)

    def build(self) -> None:
        question = QLabel(self._question, self)
        question.setWordWrap(True)
        self.end = self.date_edit(self.today)
        self.form.addRow(question)
        self.form.addRow(self._day_label, self.end)

    def commit(self) -> None:
        with self.db.transaction() as session:
            self._end(session, to_date(self.end.date()))


# -- tables -----------------------------------------------------------------------------------------------------------
class LazyRowsModel(QAbstractTableModel):
    """Ordered ids and a cache of the rows fetched so far, a page at a time (the house pattern of the registry)."""

    PAGE = 100

    def __init__(self, db: Database, columns: list[tuple[str, str]], fetch: Callable, parent=None) -> None:
        super().__init__(parent)
        self._db, self._columns, self._fetch = db, columns, fetch
        self._ids: list[int] = []
        self._rows: dict[int, object] = {}

    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids, self._rows = list(ids), {}
        self.endResetModel()

    def ids(self) -> list[int]:
        return list(self._ids)

    def key(self, column: int) -> str:
        return self._columns[column][0]

    def row_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_data(self, row: int):
        row_id = self.row_id(row)
        if row_id is None:
            return None
        if row_id not in self._rows:
            start = row - row % self.PAGE
            with self._db.session() as session:
                self._rows.update(self._fetch(session, self._ids[start : start + self.PAGE]))
        return self._rows.get(row_id)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section][1]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == ID_ROLE:
            return self.row_id(index.row())
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        return self.cell(row, self.key(index.column()), role)

    def cell(self, row, key: str, role: int):
        """The text of a cell (DisplayRole), or its colour or tooltip; subclasses override."""
        return str(getattr(row, key, "")) if role == Qt.ItemDataRole.DisplayRole else None


def table_view(parent: QWidget, model: QAbstractTableModel) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def make_table(parent: QWidget, headers: list[str], stretch: int | None = None) -> QTableWidget:
    """A small read-only table (a few hundred rows at most): whole-row selection, `stretch` the column that widens."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setStretchLastSection(stretch is None)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def fill_table(table: QTableWidget, rows: list[list[str]], keys: list[object], greyed: set[int] = frozenset()) -> None:
    table.setRowCount(len(rows))
    for r, (row, key) in enumerate(zip(rows, keys, strict=True)):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setData(KEY_ROLE, key)
            item.setToolTip(text if len(text) > 20 else "")
            if r in greyed:
                item.setForeground(_ENDED)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def selected_key(table: QTableWidget):
    rows = table.selectionModel().selectedRows()
    return table.item(rows[0].row(), 0).data(KEY_ROLE) if rows else None


def select_key(table: QTableWidget, key) -> None:
    for r in range(table.rowCount()):
        if table.item(r, 0).data(KEY_ROLE) == key:
            table.selectRow(r)
            return


# -- layouts ----------------------------------------------------------------------------------------------------------
# A part of a column: a widget, (widget, stretch), or a list making a row of widgets where None is a stretch.
Part = QWidget | tuple[QWidget, int] | list[QWidget | None]


def _column(parent: QWidget, parts: Sequence[Part]) -> QWidget:
    column = QWidget(parent)
    box = QVBoxLayout(column)
    box.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if isinstance(part, list):
            row = QHBoxLayout()
            for widget in part:
                if widget is None:
                    row.addStretch(1)
                else:
                    row.addWidget(widget)
            box.addLayout(row)
        elif isinstance(part, tuple):
            box.addWidget(*part)
        else:
            box.addWidget(part)
    return column


def with_close(dialog: QDialog, body: QWidget) -> None:
    """Lay the dialog out as `body` above a Close button."""
    close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    close.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(body, 1)
    layout.addWidget(close)


def master_detail(dialog: QDialog, master: Sequence[Part], detail: Sequence[Part], sizes: tuple[int, int]) -> QSplitter:
    """Lay the dialog out as a list on the left and what is selected in it on the right, side by side in a splitter
    (`sizes` their widths), above a Close button."""
    splitter = QSplitter(Qt.Orientation.Horizontal, dialog)
    splitter.addWidget(_column(dialog, master))
    splitter.addWidget(_column(dialog, detail))
    splitter.setSizes(list(sizes))
    with_close(dialog, splitter)
    return splitter
