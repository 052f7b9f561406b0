"""The 帮扶措施 tab: the "eight haves" of a year and the needs they leave, and the one-household-one-policy measures."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.households import HouseholdDraft, MeasureDraft
from povdesk.households.draft import FIELD_LABELS, HAVES_FIELDS
from ui.dialogs import RememberingDialog
from ui.household_editor.widgets import (
    CodeCombo,
    DateEdit,
    MoneyEdit,
    date_text,
    error_label,
    money_text,
    set_row,
    setup_table,
)
from ui.settings import AppSettings


class MeasureDialog(RememberingDialog):
    """One measure: type, content, amount, deadline, done. Edits a copy; the measure changes only on OK."""

    def __init__(self, measure: MeasureDraft, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__("household_measure", settings, parent)
        self.measure = measure
        self.setWindowTitle(self.tr("帮扶措施"))
        self.year = QSpinBox(self)
        self.year.setRange(2000, dt.date.today().year + 5)
        self.year.setSuffix(self.tr("年"))
        self.year.setValue(measure.year or dt.date.today().year)
        self.kind = CodeCombo(codes.MEASURE, empty=self.tr("（请选择）"), parent=self)
        self.kind.set_code(measure.kind)
        self.content = QLineEdit(measure.content, self)
        self.content.setPlaceholderText(self.tr("例如：发放核桃苗200株，技术员上门指导"))
        self.amount = MoneyEdit(self)
        self.amount.set_value(measure.amount)
        self.deadline = DateEdit(optional=self.tr("不设期限"), parent=self)
        self.deadline.set_value(measure.deadline)
        self.done_box = QCheckBox(self.tr("已完成"), self)
        self.done_box.setChecked(measure.done)
        self.problem = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("年度"), self.year)
        form.addRow(self.tr("措施类型"), self.kind)
        form.addRow(self.tr("措施内容"), self.content)
        form.addRow(self.tr("金额（元）"), self.amount)
        form.addRow(self.tr("完成期限"), self.deadline)
        form.addRow("", self.done_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(480, self.sizeHint().height())

    def accept(self) -> None:
        values = dict(year=self.year.value(), kind=self.kind.code() or "", content=self.content.text().strip(),
                      amount=self.amount.value(), deadline=self.deadline.value(), done=self.done_box.isChecked())  # fmt: skip
        if not values["kind"] or not values["content"]:
            self.problem.setText(self.tr("请选择措施类型并填写措施内容"))
            return
        for name, value in values.items():
            setattr(self.measure, name, value)
        super().accept()


class MeasuresTab(QWidget):
    changed = Signal()

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.draft: HouseholdDraft | None = None
        self.dialog: MeasureDialog | None = None
        self._loading = False

        self.year = QComboBox(self)
        self.haves = {name: QCheckBox(self.tr(FIELD_LABELS[name]), self) for name in HAVES_FIELDS}
        self.needs = QLabel(self)
        self.needs.setObjectName("needs")
        self.needs.setWordWrap(True)
        haves = QGroupBox(self.tr("八有情况与帮扶需求"), self)
        grid = QGridLayout(haves)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("年度"), self))
        top.addWidget(self.year)
        top.addStretch(1)
        grid.addLayout(top, 0, 0, 1, 4)
        for i, box in enumerate(self.haves.values()):
            grid.addWidget(box, 1 + i // 4, i % 4)
        grid.addWidget(self.needs, 3, 0, 1, 4)

        self.table = QTableWidget(self)
        self.table.setObjectName("measuresTable")
        setup_table(
            self.table,
            [self.tr("年度"), self.tr("措施类型"), self.tr("措施内容"), self.tr("金额（元）"), self.tr("完成期限"),
             self.tr("完成情况")],
            stretch=2,
        )  # fmt: skip
        self.add_button = QPushButton(self.tr("添加措施"), self)
        self.edit_button = QPushButton(self.tr("修改"), self)
        self.delete_button = QPushButton(self.tr("删除"), self)
        plan = QGroupBox(self.tr("一户一策帮扶措施"), self)
        plan_layout = QVBoxLayout(plan)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        plan_layout.addLayout(buttons)
        plan_layout.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.addWidget(haves)
        layout.addWidget(plan, 1)

        self.year.currentIndexChanged.connect(self._show_haves)
        for box in self.haves.values():
            box.toggled.connect(self._store_haves)
        self.add_button.clicked.connect(self.add_measure)
        self.edit_button.clicked.connect(self.edit_measure)
        self.delete_button.clicked.connect(self.delete_measure)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit_measure())

    def load(self, draft: HouseholdDraft) -> None:
        self.draft = draft
        self.refresh()

    def refresh(self) -> None:
        current = self.year.currentData()
        self.year.blockSignals(True)
        self.year.clear()
        for row in reversed(self.draft.years):
            self.year.addItem(self.tr("{0}年度").format(row.year), row.year)
        self.year.blockSignals(False)
        self.year.setCurrentIndex(max(0, self.year.findData(current)))
        self._show_haves()
        self._fill_measures()

    def _year(self):
        return self.draft.year(self.year.currentData()) if self.year.count() else None

    def _show_haves(self) -> None:
        row = self._year()
        self._loading = True
        for name, box in self.haves.items():
            box.setEnabled(row is not None)
            box.setChecked(bool(row and getattr(row, name)))
        self._loading = False
        if row is None:
            self.needs.setText(self.tr("请先在“年度收入与保障”页添加年度。"))
            return
        needs = row.needs()
        self.needs.setText(
            self.tr("帮扶需求（缺什么补什么）：{0}").format("、".join(needs)) if needs else self.tr("“八有”均已达到。")
        )

    def _store_haves(self) -> None:
        row = self._year()
        if self._loading or row is None:
            return
        for name, box in self.haves.items():
            if box.isChecked() != bool(getattr(row, name)):
                setattr(row, name, box.isChecked())
        self._show_haves()
        self.changed.emit()

    def _fill_measures(self) -> None:
        measures = self.draft.measures
        self.table.setRowCount(len(measures))
        for row, m in enumerate(measures):
            values = [str(m.year), codes.MEASURE.label_of(m.kind), m.content, money_text(m.amount),
                      date_text(m.deadline) or self.tr("不设期限"), self.tr("已完成") if m.done else self.tr("未完成")]  # fmt: skip
            set_row(self.table, row, values, data=row, right=(3,))

    def _selected(self) -> MeasureDraft | None:
        rows = self.table.selectionModel().selectedRows()
        return self.draft.measures[rows[0].row()] if rows else None

    def add_measure(self) -> None:
        year = self.year.currentData() or dt.date.today().year
        measure = MeasureDraft(year=year)
        self._open(MeasureDialog(measure, self.settings, self), lambda: self._added(measure))

    def _added(self, measure: MeasureDraft) -> None:
        self.draft.measures.append(measure)
        self._changed()

    def edit_measure(self) -> None:
        measure = self._selected()
        if measure is not None:
            self._open(MeasureDialog(measure, self.settings, self), self._changed)

    def delete_measure(self) -> None:
        measure = self._selected()
        if measure is None:
            return
        self.draft.measures.remove(measure)
        if measure.id is not None:  # saved before: deleted (and logged) when the household is saved
            self.draft.removed_measures.append(dataclasses.replace(measure, **measure.original))
        self._changed()

    def _open(self, dialog: MeasureDialog, on_accept) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_accept)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()

    def _changed(self) -> None:
        self._fill_measures()
        self.changed.emit()
