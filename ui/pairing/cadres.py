"""The cadre list (帮扶干部): search by name, pinyin or ID number, filters, load against quota, edit, deactivate, import.

A county has some 70,000 cadres: the list is a `LazyRowsModel` (ui.pairing.widgets, as is the visit list) over the
ids `povdesk.pairing.cadres.cadre_ids` returns (search, filters and sort in SQL), and rows are read a page at a time.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.pairing import cadres, units
from povdesk.pairing.cadres import CadreDraft, CadreQuery, CadreRow
from ui.dialogs import FormDialog, RememberingDialog
from ui.files import open_path
from ui.operator_name import operator
from ui.ops import run_in_background, show_error
from ui.pairing.widgets import LazyRowsModel, combo_value, debounced, search_edit, searchable_combo, table_view
from ui.settings import AppSettings

POLITICAL = ("中共党员", "中共预备党员", "共青团员", "民主党派", "无党派人士", "群众")
_WARN = QBrush(QColor("#b00020"))


class CadreTableModel(LazyRowsModel):
    SORTABLE = {"name": "name", "rank_label": "rank", "unit": "unit", "load_text": "load"}

    def __init__(self, db: Database, parent=None) -> None:
        columns = [("name", "姓名"), ("sex", "性别"), ("rank_label", "级别"), ("unit", "工作单位"), ("position", "职务"),
                   ("phone", "联系电话"), ("home_area", "所在乡镇/村"), ("active", "状态"),
                   ("load_text", "结对户数 / 定额")]  # fmt: skip
        super().__init__(db, [(k, self.tr(t)) for k, t in columns], cadres.fetch_rows, parent)

    def cell(self, row: CadreRow, key: str, role: int):
        if role == Qt.ItemDataRole.ForegroundRole:
            return _WARN if (key == "load_text" and row.over_quota) or (key == "active" and not row.active) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("超出结对方案规定的户数") if key == "load_text" and row.over_quota else None
        if key == "sex":
            return codes.SEX.label_of(row.sex) if row.sex else ""
        if key == "active":
            return self.tr("在用") if row.active else self.tr("已停用")
        return getattr(row, key)


class CadreEditDialog(FormDialog):
    """Add or edit one cadre; validates before it accepts (the dialog stays open and says what is wrong)."""

    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None, *,
                 cadre_id: int | None = None) -> None:  # fmt: skip
        self.db, self.cadre_id = db, cadre_id
        title = self.tr("修改干部信息") if cadre_id else self.tr("新增帮扶干部")
        super().__init__("pairing_cadre_edit", title, settings, parent)
        self.resize(460, self.sizeHint().height())

    def build(self) -> None:
        cadre_id = self.cadre_id
        with self.db.session() as session:
            draft = cadres.load_draft(session, cadre_id) if cadre_id else CadreDraft()
            unit_items = [(name, uid) for uid, name in cadres.unit_choices(session)]
            places = units.home_area_choices(session)
        self.name = QLineEdit(draft.name, self)
        self.sex = QComboBox(self)
        self.sex.addItem(self.tr("（按身份证号）"), None)
        for item in codes.SEX:
            self.sex.addItem(self.tr(item.label), item.code)
        self.sex.setCurrentIndex(max(0, self.sex.findData(draft.sex)))
        self.id_number = QLineEdit(draft.id_number, self)
        self.id_number.setMaxLength(20)
        self.unit = searchable_combo(self, unit_items, self.tr("（无）"))
        self.unit.setCurrentIndex(max(0, self.unit.findData(draft.unit_id)))
        self.position = QLineEdit(draft.position, self)
        self.rank = QComboBox(self)
        for item in codes.CADRE_RANK:
            self.rank.addItem(self.tr(item.label), item.code)
        self.rank.setCurrentIndex(max(0, self.rank.findData(draft.rank)))
        self.phone = QLineEdit(draft.phone, self)
        self.political = QComboBox(self)
        self.political.setEditable(True)
        self.political.addItems(["", *POLITICAL])
        self.political.setCurrentText(draft.political_status)
        self.home = searchable_combo(self, [(label, area_id) for area_id, label in places], self.tr("（无）"))
        self.home.setCurrentIndex(max(0, self.home.findData(draft.home_area_id)))
        self.active = draft.active
        for label, widget in ((self.tr("姓名："), self.name), (self.tr("性别："), self.sex),
                              (self.tr("身份证号："), self.id_number), (self.tr("工作单位："), self.unit),
                              (self.tr("职务："), self.position), (self.tr("级别："), self.rank),
                              (self.tr("联系电话："), self.phone), (self.tr("政治面貌："), self.political),
                              (self.tr("所在乡镇/村："), self.home)):  # fmt: skip
            self.form.addRow(label, widget)
        hint = QLabel(self.tr("乡镇干部填所在乡镇，村干部填所在村；自动结对只在该范围内安排。"), self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666")
        self.form.addRow(hint)

    def draft(self) -> CadreDraft:
        return CadreDraft(name=self.name.text(), sex=self.sex.currentData(), id_number=self.id_number.text(),
                          unit_id=combo_value(self.unit), position=self.position.text(), rank=self.rank.currentData(),
                          phone=self.phone.text(), political_status=self.political.currentText(), home_area_id=combo_value(self.home),
                          active=self.active)  # fmt: skip

    def commit(self) -> None:
        draft = self.draft()
        if self.unit.currentText().strip() and self.unit.currentText() != self.tr("（无）") and draft.unit_id is None:
            self.unit.setFocus()
            raise PovDeskError(self.tr("没有名为“{0}”的工作单位，请从列表中选择，或先在“单位包村”中新增该单位").format(
                self.unit.currentText().strip()))  # fmt: skip
        with self.db.transaction() as session:
            self.cadre_id = cadres.save_cadre(session, draft, self.cadre_id).id


class CadresDialog(RememberingDialog):
    """Every cadre of the county, searchable; edit, deactivate and import from here."""

    data_changed = Signal()

    def __init__(self, db: Database, settings: AppSettings, area_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__("pairing_cadres", settings, parent)
        self.db, self.settings, self.area_id = db, settings, area_id
        self.setWindowTitle(self.tr("帮扶干部"))
        self._query = CadreQuery()
        self.search = search_edit(self, self.tr("姓名、拼音首字母（如 zjg）、身份证号或电话"))
        self.unit = QComboBox(self)
        self.rank = QComboBox(self)
        self.rank.addItem(self.tr("全部级别"), None)
        for item in codes.CADRE_RANK:
            self.rank.addItem(self.tr(item.label), item.code)
        self.active = QComboBox(self)
        for text, value in ((self.tr("在用"), True), (self.tr("已停用"), False), (self.tr("全部"), None)):
            self.active.addItem(text, value)
        self.count = QLabel(self)
        self.model = CadreTableModel(db, self)
        self.view = table_view(self, self.model)
        self.view.setSortingEnabled(False)
        header = self.view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._sort_by)
        self.add_button = QPushButton(self.tr("新增干部…"), self)
        self.edit_button = QPushButton(self.tr("修改…"), self)
        self.toggle_button = QPushButton(self.tr("停用"), self)
        self.import_button = QPushButton(self.tr("导入干部花名册…"), self)
        close = QPushButton(self.tr("关闭"), self)

        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("查找："), self))
        filters.addWidget(self.search, 2)
        for label, combo in ((self.tr("单位："), self.unit), (self.tr("级别："), self.rank),
                             (self.tr("状态："), self.active)):  # fmt: skip
            filters.addWidget(QLabel(label, self))
            filters.addWidget(combo, 1 if combo is self.unit else 0)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.toggle_button):
            buttons.addWidget(button)
        buttons.addWidget(self.count, 1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self._timer = debounced(self.search, self.reload)
        for combo in (self.unit, self.rank, self.active):
            combo.currentIndexChanged.connect(self.reload)
        self.view.doubleClicked.connect(lambda _index: self.edit())
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.toggle_button.clicked.connect(self.toggle_active)
        self.import_button.clicked.connect(self.import_roster)
        close.clicked.connect(self.reject)
        self._fill_units()
        self.reload()
        self.resize(1100, 640)

    def _fill_units(self) -> None:
        current = self.unit.currentData()
        self.unit.blockSignals(True)
        self.unit.clear()
        self.unit.addItem(self.tr("全部单位"), None)
        with self.db.session() as session:
            for unit_id, name in cadres.unit_choices(session):
                self.unit.addItem(name, unit_id)
        self.unit.setCurrentIndex(max(0, self.unit.findData(current)))
        self.unit.blockSignals(False)

    def query(self) -> CadreQuery:
        return self._query.with_(text=self.search.text(), unit_id=self.unit.currentData(),
                                 rank=self.rank.currentData(), active=self.active.currentData())  # fmt: skip

    def reload(self) -> None:
        self._query = self.query()
        with self.db.session() as session:
            ids = cadres.cadre_ids(session, self._query)
        self.model.set_ids(ids)
        self.count.setText(self.tr("共 {0:,} 名干部").format(len(ids)))
        self.view.resizeColumnsToContents()
        self.view.horizontalHeader().resizeSection(3, max(self.view.columnWidth(3), 160))  # 工作单位
        self._update_buttons()

    def _sort_by(self, column: int) -> None:
        sort = CadreTableModel.SORTABLE.get(self.model.key(column))
        header = self.view.horizontalHeader()
        if sort is None:
            header.setSortIndicator(header.sortIndicatorSection(), header.sortIndicatorOrder())
            return
        descending = self._query.sort == sort and not self._query.descending
        self._query = self._query.with_(sort=sort, descending=descending)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(column, order)
        self.reload()

    def selected_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_id(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        selected = self.selected_id()
        self.edit_button.setEnabled(selected is not None)
        self.toggle_button.setEnabled(selected is not None)
        row = self.model.row_data(self.view.selectionModel().selectedRows()[0].row()) if selected else None
        self.toggle_button.setText(self.tr("启用") if row is not None and not row.active else self.tr("停用"))

    def select(self, cadre_id: int) -> bool:
        ids = self.model.ids()
        if cadre_id not in ids:
            return False
        self.view.selectRow(ids.index(cadre_id))
        return True

    def add(self) -> None:
        dialog = CadreEditDialog(self.db, self.settings, self)
        if dialog.exec():
            self._after_write(dialog.cadre_id)

    def edit(self) -> None:
        cadre_id = self.selected_id()
        if cadre_id is None:
            return
        dialog = CadreEditDialog(self.db, self.settings, self, cadre_id=cadre_id)
        if dialog.exec():
            self._after_write(cadre_id)

    def _after_write(self, cadre_id: int | None) -> None:
        self._fill_units()
        self.reload()
        if cadre_id is not None:
            self.select(cadre_id)
        self.data_changed.emit()

    def toggle_active(self) -> None:
        cadre_id = self.selected_id()
        if cadre_id is None:
            return
        with self.db.session() as session:
            row = cadres.get_row(session, cadre_id)
        if row.active:
            text = self.tr("停用干部{0}？停用后不再参与自动结对。").format(row.name)
            if row.load:
                text += self.tr("\n\n其现有 {0} 户结对仍然保留，请随后在“调整帮扶责任人”中结束并重新结对。").format(
                    row.load
                )
            answer = QMessageBox.question(self, self.tr("停用干部"), text)
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            with self.db.transaction() as session:
                cadres.set_active(session, cadre_id, not row.active)
        except PovDeskError as exc:
            show_error(self, exc, self.tr("停用干部"))
            return
        self._after_write(cadre_id)

    # -- import ---------------------------------------------------------------------------------------------------
    def import_roster(self) -> None:
        kinds = self.tr("Excel 表格 (*.xlsx *.xlsm *.xls *.csv);;所有文件 (*)")
        path = open_path(self, self.settings, "pairing", self.tr("导入干部花名册"), kinds)
        if path is not None:
            self.run_import(str(path), dry_run=True)

    def run_import(self, path: str, *, dry_run: bool) -> None:
        from povdesk.pairing.cadre_import import import_cadres  # written beside this screen; loaded when used

        db, user = self.db, operator(self.settings, self)
        title = self.tr("检查干部花名册") if dry_run else self.tr("导入干部花名册")
        run_in_background(
            self, title, lambda progress: import_cadres(db, path, dry_run=dry_run, user=user, progress=progress),
            lambda result: self._import_done(path, result),
        )  # fmt: skip

    def _import_done(self, path: str, result) -> None:
        summary = ImportSummaryDialog(result, Path(path).name, self.settings, self)
        proceed = summary.exec()
        if result.dry_run:
            if proceed and (result.added or result.updated):
                self.run_import(path, dry_run=False)
            return
        self._after_write(None)


class ImportSummaryDialog(RememberingDialog):
    """What an import did (or, for the check before it, would do), and each rejected row with its reason."""

    def __init__(self, result, file_name: str, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__("pairing_cadre_import", settings, parent)
        self.setWindowTitle(self.tr("干部花名册：{0}").format(file_name))
        summary = result.summary() if hasattr(result, "summary") else self.tr(
            "新增 {0} 人，更新 {1} 人，被拒绝 {2} 行").format(result.added, result.updated, len(result.rejected))  # fmt: skip
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        issues = [(i.row, self.tr("拒绝"), i.reason) for i in result.rejected]
        issues += [(i.row, self.tr("提示"), i.reason) for i in result.warnings]
        self.issues = QTableWidget(len(issues), 3, self)
        self.issues.setHorizontalHeaderLabels([self.tr("行号"), self.tr("类别"), self.tr("原因")])
        self.issues.verticalHeader().hide()
        self.issues.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, (row, kind, reason) in enumerate(sorted(issues, key=lambda i: (i[1] != self.tr("拒绝"), i[0]))):
            for c, text in enumerate((str(row), kind, reason)):
                self.issues.setItem(r, c, QTableWidgetItem(text))
        self.issues.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.issues.setVisible(bool(issues))
        buttons = QDialogButtonBox(self)
        if result.dry_run and (result.added or result.updated):
            buttons.addButton(self.tr("导入"), QDialogButtonBox.ButtonRole.AcceptRole)
            buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        else:
            buttons.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        if result.dry_run and result.rejected:
            note = QLabel(
                self.tr("被拒绝的行不会导入；可以改正后再导入一次（已导入的干部按身份证号匹配，不会重复）。"), self
            )
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addWidget(self.issues, 1)
        layout.addWidget(buttons)
        self.resize(720, 480 if issues else 160)
