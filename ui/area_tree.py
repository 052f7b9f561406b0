"""The area tree (county → township → village → group) with household and person counts per subtree."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QMessageBox, QTreeView, QWidget

from povdesk import areas, codes
from povdesk.db import Database
from povdesk.errors import PovDeskError
from ui.ops import run_in_background
from ui.settings import AppSettings

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

    def area_ids(self) -> list[int]:
        return list(self._nodes)

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
        if role == Qt.ItemDataRole.ToolTipRole and column == _NAME:
            lines = [self.tr("区划代码：{0}").format(node.code)] if node.code else []
            if node.is_poor_village:
                lines.append(self.tr("贫困村"))
            return "\n".join(lines) or None
        return None


class AreaTree(QTreeView):
    """Names load at once; the counts arrive from a worker thread and fill in."""

    area_selected = Signal(object)  # area id, or None when nothing is selected
    counts_loaded = Signal()
    edited = Signal()  # an area was added, renamed, merged or deleted through the context menu

    def __init__(self, db: Database, parent: QWidget | None = None, *, settings: AppSettings | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._settings = settings
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
        if settings is not None:  # editing needs the dialogs' settings; a tree without them is read-only
            self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self.customContextMenuRequested.connect(self._show_menu)

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
        # an area without households counts 0, not "still counting" (a county just created by hand has none)
        self._model.set_counts({area_id: counts.get(area_id, areas.Counts()) for area_id in self._model.area_ids()})
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

    # -- editing -------------------------------------------------------------------------------------------------
    def node(self, area_id: int | None) -> areas.AreaNode | None:
        return self._model.node(area_id)

    def operator_name(self) -> str:
        from ui.operator_name import OPERATOR  # the 经办人 as stored; an area edit does not stop to ask for it

        return self._settings.get(OPERATOR).strip() if self._settings is not None else ""

    def context_menu(self, area_id: int | None) -> QMenu:
        """The actions for the area `area_id` (None: the empty space below the tree)."""
        menu = QMenu(self)
        node = self._model.node(area_id)
        if node is None:
            menu.addAction(self.tr("新建县（市、区）…"), lambda: self.add_area(None))
            return menu
        child = areas.CHILD_LEVEL.get(node.level)
        if child is not None:
            label = codes.AREA_LEVEL.label_of(child)
            menu.addAction(self.tr("新建{0}…").format(label), lambda: self.add_area(node.id)).setObjectName("addArea")
        menu.addAction(self.tr("修改名称和代码…"), lambda: self.edit_area(node.id)).setObjectName("editArea")
        if node.level == "village":
            poor = menu.addAction(self.tr("贫困村"))
            poor.setCheckable(True)
            poor.setChecked(node.is_poor_village)
            poor.triggered.connect(lambda checked: self.set_poor(node.id, checked))
            poor.setObjectName("poorVillage")
            menu.addAction(self.tr("并入其他村…"), lambda: self.merge_village(node.id)).setObjectName("mergeVillage")
        menu.addSeparator()
        menu.addAction(self.tr("删除…"), lambda: self.delete_area(node.id)).setObjectName("deleteArea")
        return menu

    def _show_menu(self, pos) -> None:
        index = self.indexAt(pos)
        self.context_menu(index.data(AREA_ID_ROLE) if index.isValid() else None).exec(self.viewport().mapToGlobal(pos))

    def _changed(self, select: int | None = None) -> None:
        self.edited.emit()  # the main window reloads the tree and every view (data_changed)
        if select is not None:
            self.select_area(select)

    def add_area(self, parent_id: int | None):
        from ui.area_dialogs import AreaDialog

        dialog = AreaDialog(self._db, self._settings, self, parent_id=parent_id, user=self.operator_name())
        if dialog.exec() == AreaDialog.DialogCode.Accepted:
            self._changed(dialog.area_id)
        return dialog

    def edit_area(self, area_id: int):
        from ui.area_dialogs import AreaDialog

        dialog = AreaDialog(self._db, self._settings, self, area_id=area_id, user=self.operator_name())
        if dialog.exec() == AreaDialog.DialogCode.Accepted:
            self._changed(area_id)
        return dialog

    def merge_village(self, area_id: int):
        from ui.area_dialogs import MergeDialog

        dialog = MergeDialog(self._db, self._settings, self, area_id=area_id, user=self.operator_name())
        if dialog.exec() == MergeDialog.DialogCode.Accepted:
            self._changed(dialog.target.currentData())
        return dialog

    def _write(self, title: str, action) -> bool:
        try:
            with self._db.transaction() as session:
                action(session)
        except PovDeskError as exc:
            QMessageBox.warning(self, title, str(exc))
            return False
        return True

    def set_poor(self, area_id: int, poor: bool) -> None:
        user = self.operator_name()
        if self._write(self.tr("贫困村"), lambda s: areas.set_poor_village(s, area_id, poor, user=user)):
            self._changed(area_id)

    def delete_area(self, area_id: int) -> bool:
        node = self._model.node(area_id)
        if node is None:
            return False
        answer = QMessageBox.question(self, self.tr("删除区划"), self.tr("确定删除“{0}”吗？").format(node.name))
        if answer != QMessageBox.StandardButton.Yes:
            return False
        user = self.operator_name()
        if not self._write(self.tr("删除区划"), lambda s: areas.delete_area(s, area_id, user=user)):
            return False
        self._changed(node.parent_id)
        return True
