"""The household list of the selected area: search box, filters, the lazy table, remembered columns."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes, registry
from povdesk.codes import CodeList
from povdesk.db import Database
from povdesk.registry import COLUMNS, RegistryQuery
from ui.registry.table_model import HouseholdTableModel
from ui.settings import AppSettings, Option

HEADER_STATE = Option("registry/header_state", QByteArray(), QByteArray)
HIDDEN_COLUMNS = Option("registry/hidden_columns", [], list)
SEARCH_DELAY_MS = 250
# A typical long value per column sizes it on a first start; after that the clerk's own widths are remembered.
WIDTH_SAMPLES = {"number": "5329300000000001", "head": "欧阳建国", "persons": "人数", "township": "老和镇",
                 "village": "西西村", "group": "第10村民小组", "attribute": "特困供养贫困户",
                 "main_cause": "自身发展动力不足", "status": "已脱贫（享受政策）", "per_capita_income": "12,345.67",
                 "helper": "张建国、李华", "monitor_type": "突发严重困难户"}  # fmt: skip


# Columns a clerk reads on every row: never narrowed below their contents when the columns are fitted to the window.
KEEP_WIDTH = {"number", "head", "persons", "status", "per_capita_income"}


class RegistryView(QWidget):
    """Everything the clerk narrows the list with is turned into one RegistryQuery; the model runs it in SQL."""

    open_household = Signal(int)  # household id
    count_changed = Signal(int)

    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._db = db
        self._area_id: int | None = None
        self.model = HouseholdTableModel(db, self)

        self.search = QLineEdit(self)
        self.search.setObjectName("registrySearch")
        self.search.setPlaceholderText(self.tr("搜索：姓名、拼音首字母、身份证号、户编号"))
        self.search.setToolTip(
            self.tr("按户主或成员姓名、拼音首字母（如 zjg）、身份证号或户编号查找（Ctrl+F）；按 ↓ 进入列表，回车打开户")
        )
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self.apply_filters)

        self.status = self._code_filter(codes.STATUS, self.tr("全部状态"))
        self.attribute = self._code_filter(codes.ATTRIBUTE, self.tr("全部属性"))
        self.cause = self._code_filter(codes.CAUSE, self.tr("全部致贫原因"))
        self.monitor_type = self._code_filter(codes.MONITOR_TYPE, self.tr("全部监测类型"))
        self.to_verify = QCheckBox(self.tr("待核实"), self)
        self.to_verify.setObjectName("registryToVerify")
        self.to_verify.setToolTip(self.tr("只列出导入时有值不在标准代码表中、原样保留待核实的户"))
        self.to_verify.toggled.connect(self.apply_filters)
        self.year = QComboBox(self)
        self.year.setToolTip(self.tr("数据年度：人均纯收入按该年度显示；选定年度后，状态筛选按该年度的状态"))
        self.year.currentIndexChanged.connect(self.apply_filters)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("registryCount")

        self.table = QTableView(self)
        self.table.setObjectName("householdTable")
        self.table.setModel(self.model)
        self.table.viewport().installEventFilter(self)
        self.table.installEventFilter(self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.doubleClicked.connect(lambda index: self.open_household.emit(self.model.household_id(index.row())))
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        # Not QTableView.setSortingEnabled: that sorts at once, before an area is chosen; sorting is a new query.
        header.sortIndicatorChanged.connect(self._sort)
        open_action = QAction(self.tr("打开户"), self.table)
        open_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        open_action.triggered.connect(self._open_current)
        self.table.addAction(open_action)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for combo in (self.status, self.attribute, self.cause, self.monitor_type, self.year):
            filters.addWidget(combo, 1)
        filters.addWidget(self.to_verify)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        # Tab from the search box goes straight to the list; the filters come after it
        QWidget.setTabOrder(self.search, self.table)
        previous = self.table
        for widget in (self.status, self.attribute, self.cause, self.monitor_type, self.year, self.to_verify):
            QWidget.setTabOrder(previous, widget)
            previous = widget
        self._fitted = self._restore_columns()

    def _code_filter(self, code_list: CodeList, everything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(everything, None)
        for code in code_list:
            combo.addItem(self.tr(code.label), code.code)
        # The filters share one row: a long label (已脱贫（不再享受政策）) must not widen the window; the list shows it whole.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(4)
        combo.view().setMinimumWidth(
            combo.view().sizeHintForColumn(0) + combo.view().verticalScrollBar().sizeHint().width()
        )
        combo.currentIndexChanged.connect(self.apply_filters)
        return combo

    def set_years(self, years: list[int]) -> None:
        self.year.blockSignals(True)
        self.year.clear()
        self.year.addItem(self.tr("最新年度"), None)
        for year in sorted(years, reverse=True):
            self.year.addItem(self.tr("{0}年").format(year), year)
        self.year.blockSignals(False)

    def set_area(self, area_id: int | None) -> None:
        self._area_id = area_id
        self._update_review_count()
        self.apply_filters()

    def current_query(self) -> RegistryQuery:
        return self.model.query

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint and self.model.partial and watched is self.table.viewport():
            QTimer.singleShot(0, self.model.complete)  # the rest of the ids, once the first rows are on screen
        elif event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if watched is self.search and key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.focus_list():
                return True
            if watched is self.table and key == Qt.Key.Key_Up and self.table.currentIndex().row() <= 0:
                self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)  # Up from the first row: back to searching
                return True
        return super().eventFilter(watched, event)

    def focus_list(self) -> bool:
        """Move the keyboard into the list, on its current (else first) household; False when the list is empty."""
        if self.model.rowCount() == 0:
            return False
        if not self.table.currentIndex().isValid():
            first = self.model.index(0, self.table.horizontalHeader().logicalIndex(0))
            self.table.setCurrentIndex(first)
            self.table.selectRow(0)
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._fitted:  # a first start: once the list has its width, make every column fit in it
            self._fitted = True
            QTimer.singleShot(0, self.fit_columns)

    def fit_columns(self) -> None:
        """Size the visible columns to their titles and the rows on screen, and, where that is wider than the list,
        narrow the less used ones (组, 属性, 致贫原因, 帮扶人, 监测类型…) so that every column shows at once; 户编号, 户主,
        人数, 状态 and 收入 keep their full width. Long values are elided (…); the clerk can widen any column."""
        header = self.table.horizontalHeader()
        visible = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        available = self.table.viewport().width() - 2
        if available <= 0 or not visible:
            return
        titles = {c: header.sectionSizeFromContents(c).width() for c in visible}
        if self.model.rowCount():
            header.setResizeContentsPrecision(50)  # about the rows on screen, not 1,000 rows (0.5 s at start)
            want = {c: max(titles[c], self.table.sizeHintForColumn(c)) for c in visible}
        else:
            want = {c: header.sectionSize(c) for c in visible}
        excess = sum(want.values()) - available
        shrinkable = [c for c in visible if COLUMNS[c][0] not in KEEP_WIDTH]
        three_chars = header.fontMetrics().horizontalAdvance("缺资金") + 8
        # first down to the title (but three characters at least: 村 is short, 上东村 is not), then to three characters
        for floor in ({c: max(titles[c], three_chars) for c in shrinkable}, dict.fromkeys(shrinkable, three_chars)):
            if excess <= 0:
                break
            spare = {c: max(0, want[c] - floor[c]) for c in shrinkable}
            room = sum(spare.values())
            if room <= 0:
                continue
            share = min(1.0, excess / room)
            for c in shrinkable:
                cut = min(spare[c], int(spare[c] * share + 0.999))
                want[c] -= cut
                excess -= cut
        for c in visible:
            header.resizeSection(c, want[c])

    def apply_filters(self) -> None:
        self._search_timer.stop()
        header = self.table.horizontalHeader()
        query = RegistryQuery(
            area_id=self._area_id,
            sort=COLUMNS[header.sortIndicatorSection()][0] if header.sortIndicatorSection() >= 0 else "number",
            descending=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
            text=self.search.text().strip(),
            status=self.status.currentData(),
            attribute=self.attribute.currentData(),
            cause=self.cause.currentData(),
            monitor_type=self.monitor_type.currentData(),
            needs_review=self.to_verify.isChecked(),
            year=self.year.currentData(),
        )
        self.model.set_query(query)
        self._update_count()

    def _sort(self, _column: int, _order: Qt.SortOrder) -> None:
        self.apply_filters()

    def refresh(self) -> None:
        """After a write: the same query again, so changed rows show and deleted ones go."""
        self.model.refresh()
        self._update_review_count()
        self._update_count()

    def selected_household_ids(self) -> list[int]:
        return [self.model.household_id(i.row()) for i in self.table.selectionModel().selectedRows()]

    def _open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.open_household.emit(self.model.household_id(index.row()))

    def _update_count(self) -> None:
        n = self.model.rowCount()
        year = self.model.year
        self.count_label.setText(
            self.tr("共 {0:,} 户").format(n) + (self.tr("（收入为{0}年数据）").format(year) if year else "")
        )
        self.count_changed.emit(n)

    def _update_review_count(self) -> None:
        with self._db.session() as session:
            n = registry.review_count(session, self._area_id)
        self.to_verify.setText(self.tr("待核实（{0:,} 户）").format(n))

    def _column_menu(self, pos: QPoint) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for column, (_key, title) in enumerate(COLUMNS):
            action = menu.addAction(self.tr(title))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda shown, c=column: self.set_column_shown(c, shown))
        menu.exec(header.mapToGlobal(pos))

    def set_column_shown(self, column: int, shown: bool) -> None:
        header = self.table.horizontalHeader()
        if not shown and header.count() - header.hiddenSectionCount() <= 1:
            return  # never hide the last visible column: the clerk could not get the menu back
        header.setSectionHidden(column, not shown)
        hidden = [COLUMNS[c][0] for c in range(len(COLUMNS)) if header.isSectionHidden(c)]
        self._settings.set(HIDDEN_COLUMNS, hidden)

    def _restore_columns(self) -> bool:
        """The clerk's widths and order if saved (True); else widths from the samples, fitted when first shown."""
        header = self.table.horizontalHeader()
        header.blockSignals(True)  # the first query runs when the window sets the area
        restored = header.restoreState(self._settings.get(HEADER_STATE))
        if not restored:
            metrics = self.table.fontMetrics()
            for column, (key, _title) in enumerate(COLUMNS):
                header.resizeSection(column, metrics.horizontalAdvance(WIDTH_SAMPLES[key]) + 16)
        header.blockSignals(False)
        hidden = set(self._settings.get(HIDDEN_COLUMNS))
        for column, (key, _title) in enumerate(COLUMNS):
            header.setSectionHidden(column, key in hidden)
        return restored

    def save_state(self) -> None:
        self._settings.set(HEADER_STATE, self.table.horizontalHeader().saveState())
