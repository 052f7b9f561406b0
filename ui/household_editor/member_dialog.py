"""Editing one member (ID number checked as typed, sex and birth date derived from it) and removing a member."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.households import MemberDraft, member_problems, set_id_number
from povdesk.households.draft import FIELD_LABELS
from povdesk.households.validation import relation_sex_warning
from ui.dialogs import RememberingDialog
from ui.household_editor.widgets import AsWritten, CodeChecks, CodeCombo, DateEdit, error_label, with_as_written
from ui.settings import AppSettings

_CODE_FIELDS = (
    ("relation", codes.RELATION, None),
    ("ethnicity", codes.ETHNICITY, "（未填）"),
    ("education", codes.EDUCATION, "（未填）"),
    ("school_status", codes.SCHOOL, "（未填）"),
    ("labor", codes.LABOR, "（未填）"),
    ("work_status", codes.WORK, "（未填）"),
    ("low_income_support", codes.LOW_INCOME_SUPPORT, "（未填）"),
    ("extreme_support", codes.EXTREME_SUPPORT, "（未填）"),
)
ADDITION_REASONS = ("新生儿", "婚入", "迁入", "收养", "其他")
_INSURANCES = ("medical_insurance", "serious_illness_insurance", "pension_insurance")


class MemberDialog(RememberingDialog):
    """Works on a copy of the member; `member` receives the values only when the clerk accepts and they are valid."""

    def __init__(
        self, member: MemberDraft, settings: AppSettings, parent: QWidget | None = None, *, head_sex: str | None = None
    ) -> None:
        super().__init__("household_member", settings, parent)
        self.member = member
        self.work = dataclasses.replace(member)
        self.head_sex = head_sex  # to check a spouse's sex against the head's
        self.adding = not member.name  # a new member: asked why and since when (增员原因, 增员日期)
        self.setWindowTitle(self.tr("修改成员信息") if member.name else self.tr("添加家庭成员"))

        self.name = QLineEdit(self)
        self.name.setMaxLength(32)
        self.id_number = QLineEdit(self)
        self.id_number.setMaxLength(22)
        self.id_number.setPlaceholderText(self.tr("18位公民身份号码，15位旧号自动升位"))
        self.id_reason = error_label(self)
        self.id_reason.setObjectName("idReason")
        self.sex = CodeCombo(codes.SEX, empty=self.tr("（未填）"), parent=self)
        self.birth_date = DateEdit(optional=self.tr("未填"), parent=self)
        self.derived = QLabel(self)
        self.derived.setStyleSheet("color: #616161;")
        self.combos = {
            name: CodeCombo(code_list, empty=self.tr(empty) if empty else None, parent=self)
            for name, code_list, empty in _CODE_FIELDS
        }
        self.health = CodeChecks(codes.HEALTH, alone=("healthy",), parent=self)
        self.coded = {**self.combos, "health": self.health}  # every coded field, as a widget with code()/set_code()
        self.as_written = {name: AsWritten(self) for name in self.coded}
        self.work_months = QSpinBox(self)
        self.work_months.setRange(-1, 12)
        self.work_months.setSpecialValueText(self.tr("未填"))
        self.work_months.setSuffix(self.tr(" 个月"))
        self.phone = QLineEdit(self)
        self.phone.setMaxLength(32)
        self.insurances = {
            "medical_insurance": QCheckBox(self.tr("城乡居民基本医疗保险"), self),
            "serious_illness_insurance": QCheckBox(self.tr("大病保险"), self),
            "pension_insurance": QCheckBox(self.tr("城乡居民基本养老保险"), self),
        }
        self.added_reason = QComboBox(self)
        self.added_reason.setEditable(True)  # the usual reasons offered; any other may be typed
        self.added_reason.addItems([self.tr(r) for r in ADDITION_REASONS])
        self.added_reason.setCurrentIndex(-1)
        self.added_reason.lineEdit().setPlaceholderText(self.tr("如：新生儿、婚入、迁入"))
        self.added_on = DateEdit(parent=self)
        self.added_on.setMaximumDate(self.added_on.date())
        self.problems = error_label(self)
        self.problems.setObjectName("memberProblems")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))

        self.form = form = QFormLayout()
        form.addRow(self.tr("姓名"), self.name)
        form.addRow(self.tr("身份证号"), self.id_number)
        form.addRow("", self.id_reason)
        sex_row = QHBoxLayout()
        sex_row.addWidget(self.sex)
        sex_row.addWidget(QLabel(self.tr("出生日期"), self))
        sex_row.addWidget(self.birth_date)
        sex_row.addStretch(1)
        form.addRow(self.tr("性别"), sex_row)
        form.addRow("", self.derived)
        for name in ("relation", "ethnicity", "education", "school_status", "health", "labor", "work_status",
                     "low_income_support", "extreme_support"):  # fmt: skip
            form.addRow(self.tr(FIELD_LABELS[name]), with_as_written(self.coded[name], self.as_written[name], self))
        form.addRow(self.tr("务工月数"), self.work_months)
        form.addRow(self.tr("联系电话"), self.phone)
        insured = QVBoxLayout()
        for box in self.insurances.values():
            insured.addWidget(box)
        form.addRow(self.tr("参保情况"), insured)
        if self.adding:
            form.addRow(self.tr("增员原因"), self.added_reason)
            form.addRow(self.tr("增员日期"), self.added_on)
        else:
            self.added_reason.hide()
            self.added_on.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)

        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)  # room for every check box and note
        self._load()
        self.id_number.textChanged.connect(self._id_typed)
        for name, widget in self.coded.items():
            signal = widget.changed if widget is self.health else widget.currentIndexChanged
            signal.connect(lambda *_args, name=name: self._coded_changed(name))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _load(self) -> None:
        work = self.work
        self.name.setText(work.name)
        self.id_number.setText(work.id_number or "")
        self.sex.set_code(work.sex)
        self.birth_date.set_value(work.birth_date)
        for name, widget in self.coded.items():
            widget.set_code(getattr(work, name))
            self._show_as_written(name)
        self.work_months.setValue(-1 if work.work_months is None else work.work_months)
        self.phone.setText(work.phone or "")
        for name, box in self.insurances.items():
            box.setChecked(bool(getattr(work, name)))
        self._id_typed(self.id_number.text())

    def _coded_changed(self, name: str) -> None:
        setattr(self.work, name, self.coded[name].code())
        self._show_as_written(name)

    def _show_as_written(self, name: str) -> None:
        self.as_written[name].show_text(self.work.written(name), answered=self.work.answered(name))

    def _id_typed(self, text: str) -> None:
        """Check the number at every keystroke: the reason in red, or the sex and birth date it carries."""
        self._id_checked(text)
        if self.problems.text():  # the problems shown at OK follow the corrections
            self._collect()
            self.problems.setText("\n".join(str(p) for p in member_problems(self.work)))

    def _id_checked(self, text: str) -> None:
        reason = set_id_number(self.work, text)
        self.id_reason.setText(reason or "")
        self.id_reason.setVisible(bool(reason))
        valid = bool(self.work.id_number) and reason is None
        if valid:
            self.sex.set_code(self.work.sex)
            self.birth_date.set_value(self.work.birth_date)
            self.derived.setText(self.tr("性别和出生日期由身份证号自动得出"))
        else:
            self.derived.setText(self.tr("无身份证号时请手工填写性别和出生日期") if not text.strip() else "")
        self.sex.setEnabled(not valid)
        self.birth_date.setEnabled(not valid)

    def _collect(self) -> None:
        work = self.work
        work.name = self.name.text().strip()
        if self.sex.isEnabled():  # no valid ID number: sex and birth date as entered
            work.sex = self.sex.code()
            work.birth_date = self.birth_date.value()
        for name, widget in self.coded.items():
            setattr(work, name, widget.code())
        work.work_months = None if self.work_months.value() < 0 else self.work_months.value()
        work.phone = self.phone.text().strip() or None
        for name, box in self.insurances.items():
            if box.isChecked() != bool(getattr(self.member, name)):  # untouched unknowns stay unknown
                setattr(work, name, box.isChecked())

    def form_has(self, widget: QWidget) -> bool:
        return self.form.indexOf(widget) >= 0

    def addition(self) -> tuple[str, dt.date] | None:
        """Why (may be empty) and since when a new member belongs to the household, for its change history; None
        when editing."""
        return (self.added_reason.currentText().strip(), self.added_on.value()) if self.adding else None

    def accept(self) -> None:
        self._collect()
        problems = [str(p) for p in member_problems(self.work)]
        self.problems.setText("\n".join(problems))
        if problems:
            return
        warning = relation_sex_warning(self.work.relation, self.work.sex, self.head_sex)
        if warning:  # the clerk knows the family: a warning, not a refusal
            answer = QMessageBox.warning(
                self, self.windowTitle(), self.tr("{0}。\n请核对与户主关系和身份证号。仍要保存吗？").format(warning),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
            )  # fmt: skip
            if answer != QMessageBox.StandardButton.Yes:
                self.coded["relation"].setFocus()
                return
        for name in MemberDraft.FIELDS:
            setattr(self.member, name, getattr(self.work, name))
        if self.adding:
            self.member.added_reason, self.member.added_on = self.addition()
        super().accept()


class RemoveMemberDialog(RememberingDialog):
    """Asks why and when a member left the household (the person stays in the records)."""

    def __init__(self, member: MemberDraft, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__("household_member_removal", settings, parent)
        self.setWindowTitle(self.tr("成员减员"))
        self.reason = CodeCombo(codes.REMOVAL_REASON, parent=self)
        self.reason.setCurrentIndex(0)
        self.date = DateEdit(parent=self)
        self.date.setMaximumDate(self.date.date())
        intro = QLabel(self.tr("将“{0}”从本户减员。减员后此人仍保留在档案和变更记录中。").format(member.name), self)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        form.addRow(self.tr("减员原因"), self.reason)
        form.addRow(self.tr("减员日期"), self.date)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        if member.relation == "head":
            warn = error_label(self)
            warn.setText(self.tr("此人是户主：减员后请把另一位成员的与户主关系改为“户主”。"))
            layout.addWidget(warn)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("减员"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, dt.date]:
        return self.reason.code(), self.date.value()
