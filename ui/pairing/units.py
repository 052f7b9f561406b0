"""单位包村: the helping units, the villages each helps with dates; add or rename a unit, assign a village, end one."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.pairing import units
from ui.dialogs import FormDialog, RememberingDialog, to_date
from ui.ops import show_error
from ui.pairing.widgets import (
    EndDialog,
    combo_value,
    day_text,
    fill_table,
    make_table,
    master_detail,
    search_edit,
    searchable_combo,
    select_key,
    selected_key,
)
from ui.settings import AppSettings


class UnitDialog(FormDialog):
    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None, *,
                 unit: units.UnitRow | None = None) -> None:  # fmt: skip
        self.db, self.unit = db, unit
        self.unit_id = unit.id if unit else None
        super().__init__("pairing_unit", self.tr("修改帮扶单位") if unit else self.tr("新增帮扶单位"), settings, parent)
        self.setMinimumWidth(380)

    def build(self) -> None:
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


class AssignDialog(FormDialog):
    """Pick a village (type part of its name) and the day the unit starts helping it."""

    def __init__(self, db: Database, settings: AppSettings, unit: units.UnitRow, area_id: int | None,
                 parent: QWidget | None = None, *, today: dt.date | None = None) -> None:  # fmt: skip
        self.db, self.unit, self.area_id, self.today = db, unit, area_id, today or dt.date.today()
        super().__init__("pairing_assign", self.tr("包村：{0}").format(unit.name), settings, parent)
        self.setMinimumWidth(420)

    def build(self) -> None:
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


class EndAssignmentDialog(EndDialog):
    """Ending an assignment: the question names the unit and the village."""

    def __init__(self, db: Database, settings: AppSettings, row: units.AssignmentRow, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:  # fmt: skip
        self.row = row
        question = self.tr(
            "确定结束“{0}”对{1}{2}的包村帮扶吗？\n结束后该单位不再帮扶此村；包村记录保留在历史中，不会删除。"
        ).format(row.unit, row.township, row.village)
        super().__init__(
            "pairing_end_assignment",
            self.tr("结束包村"),
            db,
            settings,
            parent,
            question=question,
            day_label=self.tr("结束日期："),
            ok=self.tr("结束包村"),
            end=lambda session, day: units.end_assignment(session, row.id, day),
            today=today,
        )


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
        self.search = search_edit(self, self.tr("按单位名称筛选"))
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

        master_detail(
            self,
            [self.search, (self.units, 1), [self.add_button, self.edit_button, None, self.summary]],
            [self.unit_title, (self.villages, 1), [self.assign_button, self.end_button, None]],
            (560, 440),
        )

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
