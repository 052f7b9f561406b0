"""The area tree (county → township → village → group) with household and person counts per subtree."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from povdesk import areas
from povdesk.db import Database
from ui.ops import run_in_background

AREA_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_NAME, _HOUSEHOLDS, _PERSONS = range(3)
_ROOT = 0  # internal id of the invisible root; area ids start at 1
COUNTS_DELAY_MS = 150
_Index = QModelIndex | QPersistentModelIndex


class AreaTreeModel(QAbstractItemModel):
    """A tree model straight over the list of areas: no item objects, so a county of 4,000 areas loads at once."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._nodes: dict[int, areas.AreaNode] = {}
        self._children: dict[int, list[int]] = {}
        self._row: dict[int, int] = {}
        self.counts: dict[int, areas.Counts] = {}

    def set_nodes(self, nodes: list[areas.AreaNode]) -> None:
        self.beginResetModel()
        self._nodes = {node.id: node for node in nodes}
        self._children = defaultdict(list)
        for node in nodes:  # parents come first, siblings in display order
            siblings = self._children[node.parent_id or _ROOT]
            self._row[node.id] = len(siblings)
            siblings.append(node.id)
        self.endResetModel()

    def set_counts(self, counts: dict[int, areas.Counts]) -> None:
        self.counts = counts
        for parent_id, children in self._children.items():
            if children:
                parent = self.index_of(parent_id) if parent_id != _ROOT else QModelIndex()
                self.dataChanged.emit(
                    self.index(0, _HOUSEHOLDS, parent), self.index(len(children) - 1, _PERSONS, parent)
                )

    def node(self, area_id: int | None) -> areas.AreaNode | None:
        return self._nodes.get(area_id) if area_id is not None else None

    def index_of(self, area_id: int, column: int = _NAME) -> QModelIndex:
        if area_id not in self._nodes:
            return QModelIndex()
        return self.createIndex(self._row[area_id], column, area_id)

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        children = self._children.get(parent.internalId() if parent.isValid() else _ROOT, [])
        if not (0 <= row < len(children) and 0 <= column < 3):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent_id = self._nodes[index.internalId()].parent_id
        return self.index_of(parent_id) if parent_id is not None else QModelIndex()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() and parent.column() != _NAME:
            return 0
        return len(self._children.get(parent.internalId() if parent.isValid() else _ROOT, ()))

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("区划"), self.tr("户数"), self.tr("人数"))[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node = self._nodes[index.internalId()]
        column = index.column()
        if role == AREA_ID_ROLE:
            return node.id
        if role == Qt.ItemDataRole.DisplayRole:
            if column == _NAME:
                return node.name
            figures = self.counts.get(node.id)
            if figures is None:
                return "…" if not self.counts else "0"
            return f"{figures.households if column == _HOUSEHOLDS else figures.persons:,}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column != _NAME:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole and column == _NAME and node.is_poor_village:
            return self.tr("贫困村")
        return None


class AreaTree(QTreeView):
    """Names load at once; the counts arrive from a worker thread and fill in."""

    area_selected = Signal(object)  # area id, or None when nothing is selected
    counts_loaded = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._model = AreaTreeModel(self)
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

    @property
    def counts(self) -> dict[int, areas.Counts]:
        return self._model.counts

    def reload(self) -> None:
        """Rebuild the tree from the database, keep the selection, and refresh the counts in the background."""
        current = self.current_area_id()
        with self._db.session() as session:
            nodes = areas.load_tree(session)
        self._model.set_nodes(nodes)
        for row in range(self._model.rowCount()):
            self.expand(self._model.index(row, 0))
        # The list is what the clerk waits for: counting starts once it has been painted.
        QTimer.singleShot(COUNTS_DELAY_MS, self, self.refresh_counts)
        if current is not None:
            self.select_area(current)

    def refresh_counts(self) -> None:
        db = self._db

        def count(progress):
            with db.session() as session:
                return areas.subtree_counts(session)

        run_in_background(self, self.tr("统计户数"), count, self._show_counts, show_dialog=False)

    def _show_counts(self, counts: dict[int, areas.Counts]) -> None:
        self._model.set_counts(counts)
        self.counts_loaded.emit()

    def current_area_id(self) -> int | None:
        index = self.currentIndex()
        return index.data(AREA_ID_ROLE) if index.isValid() else None

    def area_name(self, area_id: int | None) -> str:
        node = self._model.node(area_id)
        return node.name if node else ""

    def select_area(self, area_id: int) -> bool:
        index = self._model.index_of(area_id)
        if not index.isValid():
            return False
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.area_selected.emit(current.data(AREA_ID_ROLE) if current.isValid() else None)
