"""单位包村: the helping units, the villages each helps with dates; add or rename a unit, assign a village, end one."""

from __future__ import annotations

import datetime as dt

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
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.pairing import units
from ui.dialogs import RememberingDialog
from ui.notices.dialogs import FormDialog, to_date
from ui.ops import show_error
from ui.pairing.cadres import combo_value, searchable_combo
from ui.settings import AppSettings

KEY_ROLE = Qt.ItemDataRole.UserRole
_ENDED = QBrush(QColor("#888888"))


def day_text(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def make_table(parent: QWidget, headers: list[str], stretch: int | None = None) -> QTableWidget:
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


class CheckedForm(FormDialog):
    """A form that writes in `commit()` when OK is pressed and stays open, saying what is wrong, when it fails."""

    def build(self) -> None:
        self.build_fields()
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.form.addRow(self.error)

    def build_fields(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.commit()
        except PovDeskError as exc:
            self.error.setText(str(exc))
            return
        super().accept()


class UnitDialog(CheckedForm):
    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None, *,
                 unit: units.UnitRow | None = None) -> None:  # fmt: skip
        self.db, self.unit = db, unit
        self.unit_id = unit.id if unit else None
        super().__init__("pairing_unit", self.tr("修改帮扶单位") if unit else self.tr("新增帮扶单位"), settings, parent)
        self.setMinimumWidth(380)

    def build_fields(self) -> None:
        self.name = QLineEdit(self.unit.name if self.unit else "", self)
        self.kind = QComboBox(self)
        self.kind.setEditable(True)
        self.kind.addItems([self.tr(k) for k in units.UNIT_KINDS])
        self.kind.setCurrentText(self.unit.kind if self.unit else self.tr("县直部门"))
        self.form.addRow(self.tr("单位名称："), self.name)
        self.form.addRow(self.tr("单位类别："), self.kind)

    def commit(self) -> None:
        with self.db.transaction() as session:
            if self.unit_id is None:
                self.unit_id = units.add_unit(session, self.name.text(), self.kind.currentText()).id
            else:
                units.edit_unit(session, self.unit_id, self.name.text(), self.kind.currentText())


class AssignDialog(CheckedForm):
    """Pick a village (type part of its name) and the day the unit starts helping it."""

    def __init__(self, db: Database, settings: AppSettings, unit: units.UnitRow, area_id: int | None,
                 parent: QWidget | None = None, *, today: dt.date | None = None) -> None:  # fmt: skip
        self.db, self.unit, self.area_id, self.today = db, unit, area_id, today or dt.date.today()
        super().__init__("pairing_assign", self.tr("包村：{0}").format(unit.name), settings, parent)
        self.setMinimumWidth(420)

    def build_fields(self) -> None:
        with self.db.session() as session:
            places = units.villages(session)
            near = [v for v, _t, _n in units.villages(session, self.area_id)] if self.area_id else []
        self.village = searchable_combo(self, [(f"{t} {n}", v) for v, t, n in places])
        self.village.lineEdit().setPlaceholderText(self.tr("输入村名查找"))
        self.village.setCurrentIndex(self.village.findData(near[0]) if len(near) == 1 else -1)
        self.start = self.date_edit(self.today)
        self.form.addRow(self.tr("帮扶单位："), QLabel(self.unit.name, self))
        self.form.addRow(self.tr("包扶的村："), self.village)
        self.form.addRow(self.tr("开始日期："), self.start)

    def commit(self) -> None:
        village_id = combo_value(self.village)
        if village_id is None:
            raise PovDeskError(self.tr("请从列表中选择一个村（可输入村名查找）"))
        with self.db.transaction() as session:
            units.assign_village(session, self.unit.id, village_id, to_date(self.start.date()))


class EndAssignmentDialog(CheckedForm):
    """Ending an assignment is the confirmation itself: it names the unit and village and says what stays."""

    def __init__(self, db: Database, settings: AppSettings, row: units.AssignmentRow, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:  # fmt: skip
        self.db, self.row, self.today = db, row, today or dt.date.today()
        super().__init__("pairing_end_assignment", self.tr("结束包村"), settings, parent)
        ok = self.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("结束包村"))

    def build_fields(self) -> None:
        text = self.tr(
            "确定结束“{0}”对{1}{2}的包村帮扶吗？\n结束后该单位不再帮扶此村；包村记录保留在历史中，不会删除。"
        )
        question = QLabel(text.format(self.row.unit, self.row.township, self.row.village), self)
        question.setWordWrap(True)
        self.end = self.date_edit(self.today)
        self.form.addRow(question)
        self.form.addRow(self.tr("结束日期："), self.end)

    def commit(self) -> None:
        with self.db.transaction() as session:
            units.end_assignment(session, self.row.id, to_date(self.end.date()))


class UnitsDialog(RememberingDialog):
    """Units on the left (with the villages they help today), the selected unit's assignments on the right."""

    data_changed = Signal()

    def __init__(self, db: Database, settings: AppSettings, area_id: int | None, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:  # fmt: skip
        super().__init__("pairing_units", settings, parent)
        self.db, self.settings, self.area_id = db, settings, area_id
        self.today = today or dt.date.today()
        self.setWindowTitle(self.tr("单位包村"))
        self._units: list[units.UnitRow] = []
        self._assignments: list[units.AssignmentRow] = []
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("按单位名称筛选"))
        self.search.setClearButtonEnabled(True)
        self.units = make_table(
            self, [self.tr("帮扶单位"), self.tr("类别"), self.tr("包村数"), self.tr("干部数"), self.tr("帮扶的村")]
        )
        self.add_button = QPushButton(self.tr("新增单位…"), self)
        self.edit_button = QPushButton(self.tr("修改单位…"), self)
        self.unit_title = QLabel(self)
        self.unit_title.setStyleSheet("font-weight: bold")
        self.villages = make_table(
            self, [self.tr("乡镇"), self.tr("村"), self.tr("开始日期"), self.tr("结束日期"), self.tr("状态")]
        )
        self.assign_button = QPushButton(self.tr("包村…"), self)
        self.end_button = QPushButton(self.tr("结束包村…"), self)
        self.summary = QLabel(self)

        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.search)
        lv.addWidget(self.units, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        row.addWidget(self.summary)
        lv.addLayout(row)
        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.unit_title)
        rv.addWidget(self.villages, 1)
        row = QHBoxLayout()
        row.addWidget(self.assign_button)
        row.addWidget(self.end_button)
        row.addStretch(1)
        rv.addLayout(row)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([560, 440])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)

        self.search.textChanged.connect(self._show_units)
        self.units.itemSelectionChanged.connect(self._show_assignments)
        self.villages.itemSelectionChanged.connect(self._update_buttons)
        self.add_button.clicked.connect(self.add_unit)
        self.edit_button.clicked.connect(self.edit_unit)
        self.assign_button.clicked.connect(self.assign)
        self.end_button.clicked.connect(self.end_assignment)
        self.reload()
        self.resize(1080, 600)

    def reload(self, select: int | None = None) -> None:
        select = select if select is not None else selected_key(self.units)
        with self.db.session() as session:
            self._units = units.list_units(session, self.today)
        self._show_units()
        if select is not None:
            select_key(self.units, select)
        elif self.units.rowCount():
            self.units.selectRow(0)

    def _show_units(self) -> None:
        text = self.search.text().strip()
        shown = [u for u in self._units if text in u.name] if text else self._units
        fill_table(
            self.units,
            [[u.name, u.kind, str(len(u.villages)), str(u.cadres), "、".join(u.villages)] for u in shown],
            [u.id for u in shown],
        )
        helping = sum(1 for u in self._units if u.villages)
        self.summary.setText(self.tr("共 {0} 个单位，{1} 个在包村").format(len(self._units), helping))
        self._show_assignments()

    def unit(self) -> units.UnitRow | None:
        unit_id = selected_key(self.units)
        return next((u for u in self._units if u.id == unit_id), None)

    def _show_assignments(self) -> None:
        unit = self.unit()
        if unit is None:
            self._assignments = []
            self.unit_title.setText(self.tr("请在左侧选择帮扶单位"))
        else:
            with self.db.session() as session:
                self._assignments = units.assignments(session, unit.id)
            self.unit_title.setText(self.tr("{0}包扶的村").format(unit.name))
        rows, ended = [], set()
        for i, a in enumerate(self._assignments):
            if a.end_on is None:
                state = self.tr("帮扶中")
            elif a.current(self.today):
                state = self.tr("{0}结束").format(day_text(a.end_on))
            else:
                state = self.tr("已结束")
                ended.add(i)
            rows.append([a.township, a.village, day_text(a.start_on), day_text(a.end_on), state])
        fill_table(self.villages, rows, [a.id for a in self._assignments], ended)
        self._update_buttons()

    def assignment(self) -> units.AssignmentRow | None:
        key = selected_key(self.villages)
        return next((a for a in self._assignments if a.id == key), None)

    def _update_buttons(self) -> None:
        unit, assignment = self.unit(), self.assignment()
        self.edit_button.setEnabled(unit is not None)
        self.assign_button.setEnabled(unit is not None)
        self.end_button.setEnabled(assignment is not None and assignment.end_on is None)

    def _changed(self, unit_id: int | None) -> None:
        self.reload(unit_id)
        self.data_changed.emit()

    def add_unit(self) -> None:
        dialog = UnitDialog(self.db, self.settings, self)
        if dialog.exec():
            self._changed(dialog.unit_id)

    def edit_unit(self) -> None:
        unit = self.unit()
        if unit is not None and UnitDialog(self.db, self.settings, self, unit=unit).exec():
            self._changed(unit.id)

    def assign(self) -> None:
        unit = self.unit()
        if unit is not None and AssignDialog(self.db, self.settings, unit, self.area_id, self, today=self.today).exec():
            self._changed(unit.id)

    def end_assignment(self) -> None:
        assignment = self.assignment()
        if assignment is None:
            return
        try:
            accepted = EndAssignmentDialog(self.db, self.settings, assignment, self, today=self.today).exec()
        except PovDeskError as exc:
            show_error(self, exc, self.tr("结束包村"))
            return
        if accepted:
            self._changed(assignment.unit_id)
