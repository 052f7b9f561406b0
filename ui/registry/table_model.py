"""The household list as a lazy table model over ids: SQL filters and sorts, rows are fetched a page at a time."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer

from povdesk import codes, registry
from povdesk.db import Database
from povdesk.registry import COLUMN_KEYS, COLUMNS, RegistryQuery, Row

HOUSEHOLD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_CODE_COLUMNS = {
    "attribute": codes.ATTRIBUTE,
    "main_cause": codes.CAUSE,
    "status": codes.STATUS,
    "monitor_type": codes.MONITOR_TYPE,
}
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class HouseholdTableModel(QAbstractTableModel):
    """Holds the ordered ids of the whole result (a list of ints even at 120,000 rows) and a cache of fetched rows.

    Like Anki's browser table: the query already filtered and sorted, `data()` fetches the page around a row
    the first time the view asks for it, and `refresh()` marks everything stale after a write. Where the database
    can give the first page and the count cheaply (no search, a plain sort), those are shown first; the full list
    of ids is taken by `complete()`, which the view calls once they are painted, or at once when a row beyond the
    first page is asked for.
    """

    PAGE = 100
    CACHE_ROWS = 20_000

    def __init__(self, db: Database, parent=None) -> None:
        super().__init__(parent)
        self._db = db
        self._query = RegistryQuery()
        self._ids: list[int] = []
        self._count = 0
        self._pending: RegistryQuery | None = None  # the query whose full id list is still to be taken
        self._rows: dict[int, Row] = {}
        self._year: int | None = None

    @property
    def query(self) -> RegistryQuery:
        return self._query

    @property
    def year(self) -> int | None:
        """The data year whose income (and, when chosen explicitly, status) the list shows."""
        return self._year

    def set_query(self, query: RegistryQuery) -> None:
        with self._db.session() as session:
            first = registry.first_household_ids(session, query, self.PAGE)
            ids, count = first if first is not None else (registry.household_ids(session, query), None)
            year = query.year or registry.latest_year(session)
        self.beginResetModel()
        self._query, self._ids, self._year = query, ids, year
        self._count = len(ids) if count is None else count
        self._pending = query if len(ids) < self._count else None
        self._rows.clear()
        self.endResetModel()

    @property
    def partial(self) -> bool:
        """Only the first page of ids is known yet."""
        return self._pending is not None

    def complete(self) -> None:
        """Take the full id list of a result shown from its first page."""
        if self._pending is None:
            return
        query, self._pending = self._pending, None
        first = self._ids
        with self._db.session() as session:
            self._ids = registry.household_ids(session, query)
        if len(self._ids) != self._count or self._ids[: len(first)] != first:  # someone saved in between
            QTimer.singleShot(0, self, self.refresh)  # show the list as it is now

    def refresh(self) -> None:
        self.set_query(self._query)

    def household_ids(self) -> list[int]:
        """Every household of the current result, in list order (a copy)."""
        self.complete()
        return list(self._ids)

    def household_id(self, row: int) -> int | None:
        if row >= len(self._ids):
            self.complete()
        return self._ids[row] if row < len(self._ids) else None

    def row_of(self, household_id: int) -> int:
        self.complete()
        try:
            return self._ids.index(household_id)
        except ValueError:
            return -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section][1])
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == HOUSEHOLD_ID_ROLE:
            return self.household_id(index.row())
        key = COLUMN_KEYS[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if key in ("persons", "per_capita_income") else None
        if role == Qt.ItemDataRole.ToolTipRole and key in ("persons", "per_capita_income"):
            return None
        # the tooltip shows a value in full where a narrow column elides it (第4村民小组 as 第4…)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._row(index.row())
        if row is None:  # the list shrank since it was counted; the refresh is on its way
            return None
        value = getattr(row, key)
        if key in _CODE_COLUMNS:
            return _CODE_COLUMNS[key].label_of(value) if value else ""
        if key == "per_capita_income":
            return "" if value is None else f"{value:,.2f}"
        return value

    def _row(self, row: int) -> Row | None:
        household_id = self.household_id(row)
        if household_id is None:
            return None
        cached = self._rows.get(household_id)
        if cached is None:
            start = row - row % self.PAGE
            page = self._ids[start : start + self.PAGE]
            if len(self._rows) >= self.CACHE_ROWS:  # scrolling through everything must not keep everything
                self._rows.clear()
            with self._db.session() as session:
                self._rows.update(
                    registry.fetch_rows(session, page, self._year, status_of_year=self._query.year is not None)
                )
            cached = self._rows[household_id]
        return cached
