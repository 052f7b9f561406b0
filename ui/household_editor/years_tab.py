"""The 年度收入与保障 tab: income components per year with net and per-capita income computed, and the guarantees."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from povdesk.errors import PovDeskError
from povdesk.households import HouseholdDraft, YearDraft, add_year, recompute
from povdesk.households.draft import FIELD_LABELS, GUARANTEE_FIELDS, INCOME_FIELDS
from povdesk.households.status import status_label
from ui.household_editor.widgets import MoneyEdit, error_label, money_text


class YearsTab(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: HouseholdDraft | None = None
        self._loading = False

        self.year_list = QListWidget(self)
        self.year_list.setObjectName("yearList")
        self.year_list.setMaximumWidth(150)
        self.new_year = QSpinBox(self)
        self.new_year.setRange(2000, dt.date.today().year)
        self.new_year.setValue(dt.date.today().year - 1)
        self.new_year.setSuffix(self.tr("年"))
        self.add_button = QPushButton(self.tr("添加年度"), self)
        self.add_button.setAutoDefault(False)
        self.add_error = error_label(self)

        self.persons = QSpinBox(self)
        self.persons.setRange(0, 30)
        self.persons.setSuffix(self.tr(" 人"))
        self.money = {name: MoneyEdit(self) for name in (*INCOME_FIELDS, "production_cost")}
        for edit in self.money.values():
            edit.setMinimumWidth(160)
        self.net_income = QLabel(self)
        self.per_capita = QLabel(self)
        self.per_capita.setObjectName("perCapitaIncome")
        self.per_capita.setStyleSheet("font-weight: bold;")
        self.year_status = QLabel(self)
        self.checks = {name: QCheckBox(self.tr(FIELD_LABELS[name]), self) for name in GUARANTEE_FIELDS}

        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("数据年度"), self))
        left.addWidget(self.year_list, 1)
        adder = QHBoxLayout()
        adder.addWidget(self.new_year)
        adder.addWidget(self.add_button)
        left.addLayout(adder)
        left.addWidget(self.add_error)

        income = QGroupBox(self.tr("收入情况（元）"), self)
        form = QFormLayout(income)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.tr("年末状态"), self.year_status)
        form.addRow(self.tr("家庭人数"), self.persons)
        for name, edit in self.money.items():
            form.addRow(self.tr(FIELD_LABELS[name]), edit)
        form.addRow(self.tr("家庭纯收入"), self.net_income)
        form.addRow(self.tr("人均纯收入"), self.per_capita)
        formula = QLabel(self.tr("纯收入 = 各项收入之和 − 生产经营性支出；人均纯收入 = 纯收入 ÷ 家庭人数"), self)
        formula.setWordWrap(True)
        formula.setStyleSheet("color: #616161;")
        form.addRow(formula)
        guarantees = QGroupBox(self.tr("两不愁三保障及饮水安全"), self)
        checks = QVBoxLayout(guarantees)
        for box in self.checks.values():
            checks.addWidget(box)
        checks.addStretch(1)
        self.detail = QWidget(self)
        right = QHBoxLayout(self.detail)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(income, 3, Qt.AlignmentFlag.AlignTop)
        right.addWidget(guarantees, 2, Qt.AlignmentFlag.AlignTop)
        self.empty = QLabel(self.tr("该户还没有年度数据，请在左侧选择年度后点“添加年度”。"), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.empty, 1)

        self.add_button.clicked.connect(self._add_year)
        self.year_list.currentRowChanged.connect(self._show_year)
        self.persons.valueChanged.connect(self._store)
        for edit in self.money.values():
            edit.textEdited.connect(self._store)
        for box in self.checks.values():
            box.toggled.connect(self._store)

    def load(self, draft: HouseholdDraft) -> None:
        self.draft = draft
        self._fill_years(draft.years[-1] if draft.years else None)

    def refresh(self) -> None:
        self._fill_years(self.current())

    def current(self) -> YearDraft | None:
        row = self.year_list.currentRow()
        return self.draft.years[row] if self.draft and 0 <= row < len(self.draft.years) else None

    def select_year(self, year: int) -> None:
        for row, item in enumerate(self.draft.years):
            if item.year == year:
                self.year_list.setCurrentRow(row)

    def _fill_years(self, select: YearDraft | None) -> None:
        self.year_list.blockSignals(True)
        self.year_list.clear()
        for row in self.draft.years:
            QListWidgetItem(self.tr("{0}年度").format(row.year), self.year_list)
        self.year_list.blockSignals(False)
        if select is not None and select in self.draft.years:
            self.year_list.setCurrentRow(self.draft.years.index(select))
        self._show_year()

    def _default_persons(self) -> int:
        return len(self.draft.active_members())

    def _show_year(self) -> None:
        row = self.current()
        self.detail.setVisible(row is not None)
        self.empty.setVisible(row is None)
        if row is None:
            return
        if row.id is None and row.persons is None:  # a new year follows the member count until saved
            recompute(row, self._default_persons())
        self._loading = True
        try:
            self.persons.setSpecialValueText(self.tr("按现有人数（{0}人）").format(self._default_persons()))
            self.persons.setValue(row.persons or 0)
            for name, edit in self.money.items():
                edit.set_value(getattr(row, name))
            for name, box in self.checks.items():
                box.setChecked(bool(getattr(row, name)))
        finally:
            self._loading = False
        self._show_figures(row)

    def _show_figures(self, row: YearDraft) -> None:
        self.year_status.setText(status_label(row.status))
        self.net_income.setText(money_text(row.net_income) or self.tr("（填写收入后自动计算）"))
        self.per_capita.setText(money_text(row.per_capita_income) or "—")

    def _store(self) -> None:
        row = self.current()
        if self._loading or row is None:
            return
        row.persons = self.persons.value() or None
        for name, edit in self.money.items():
            setattr(row, name, edit.value())
        for name, box in self.checks.items():
            if box.isChecked() != bool(getattr(row, name)):  # an unknown stays unknown until the clerk ticks it
                setattr(row, name, box.isChecked())
        recompute(row, self._default_persons())
        self._show_figures(row)
        self.changed.emit()

    def _add_year(self) -> None:
        try:
            row = add_year(self.draft, self.new_year.value())
        except PovDeskError as exc:
            self.add_error.setText(str(exc))
            return
        self.add_error.clear()
        self._fill_years(row)
        self.changed.emit()
