"""The area tree (county → township → village → group) with household and person counts per subtree."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from povdesk import areas
from povdesk.db import Database
from ui.ops import run_in_background

AREA_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_NAME, _HOUSEHOLDS, _PERSONS = range(3)


class AreaTree(QTreeView):
    """Names load at once (a few thousand rows); the counts arrive from a worker thread and fill in."""

    area_selected = Signal(object)  # area id, or None when nothing is selected
    counts_loaded = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._items: dict[int, QStandardItem] = {}
        self.counts: dict[int, areas.Counts] = {}
        self._model = QStandardItemModel(0, 3, self)
        self._model.setHorizontalHeaderLabels([self.tr("区划"), self.tr("户数"), self.tr("人数")])
        self.setModel(self._model)
        self.setObjectName("areaTree")
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(_NAME, QHeaderView.ResizeMode.Stretch)
        for column in (_HOUSEHOLDS, _PERSONS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.selectionModel().currentChanged.connect(self._on_current_changed)

    def reload(self) -> None:
        """Rebuild the tree from the database, keep the selection, and refresh the counts in the background."""
        current = self.current_area_id()
        with self._db.session() as session:
            nodes = areas.load_tree(session)
        self._model.removeRows(0, self._model.rowCount())
        self._items.clear()
        for node in nodes:
            item = QStandardItem(node.name)
            item.setData(node.id, AREA_ID_ROLE)
            if node.is_poor_village:
                item.setToolTip(self.tr("贫困村"))
            row = [item, _number_item(), _number_item()]
            parent = self._items.get(node.parent_id) if node.parent_id is not None else None
            (parent or self._model.invisibleRootItem()).appendRow(row)
            self._items[node.id] = item
        for item in self._items.values():
            if item.parent() is None:
                self.expand(item.index())
        self.refresh_counts()
        if current is not None:
            self.select_area(current)

    def refresh_counts(self) -> None:
        db = self._db

        def count(progress):
            with db.session() as session:
                return areas.subtree_counts(session)

        run_in_background(self, self.tr("统计户数"), count, self._show_counts, show_dialog=False)

    def _show_counts(self, counts: dict[int, areas.Counts]) -> None:
        self.counts = counts
        for area_id, item in self._items.items():
            figures = counts.get(area_id, areas.Counts())
            row = item.index().row()
            parent = item.parent() or self._model.invisibleRootItem()
            parent.child(row, _HOUSEHOLDS).setText(f"{figures.households:,}")
            parent.child(row, _PERSONS).setText(f"{figures.persons:,}")
        self.counts_loaded.emit()

    def current_area_id(self) -> int | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        return index.siblingAtColumn(_NAME).data(AREA_ID_ROLE)

    def area_name(self, area_id: int | None) -> str:
        item = self._items.get(area_id) if area_id is not None else None
        return item.text() if item else ""

    def select_area(self, area_id: int) -> bool:
        item = self._items.get(area_id)
        if item is None:
            return False
        self.setCurrentIndex(item.index())
        self.scrollTo(item.index())
        return True

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.area_selected.emit(current.siblingAtColumn(_NAME).data(AREA_ID_ROLE) if current.isValid() else None)


def _number_item() -> QStandardItem:
    item = QStandardItem("…")
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
