"""Small dialogs of the notices screen: new batch, stage date, objection, resolution, withdrawal, adding households.

Each dialog may be given an `action` that writes its values: it runs when OK is pressed, and a rule it breaks keeps
the dialog open with the reason in red and the field concerned marked, nothing typed lost (FormDialog.commit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from povdesk import codes
from povdesk.errors import PovDeskError
from ui.dialogs import FormDialog, to_date, to_qdate
from ui.settings import AppSettings

MARK_STYLE = "border: 1px solid #b00020;"
Action = Callable[[object], None]


class NoticeDialog(FormDialog):
    """A FormDialog whose OK runs `action(values())`; its error marks the field it is about."""

    # words in an error message → the attribute of the field it is about (first match wins)
    FIELD_WORDS: tuple[tuple[str, str], ...] = ()

    def __init__(self, name: str, title: str, settings: AppSettings, parent: QWidget | None = None,
                 *, action: Action | None = None) -> None:  # fmt: skip
        self.action = action
        self.marked: QWidget | None = None
        super().__init__(name, title, settings, parent)

    def values(self):
        raise NotImplementedError

    def commit(self) -> bool | None:
        self._unmark()
        if self.action is None:
            return None
        try:
            self.action(self.values())
        except PovDeskError as exc:
            self._mark(str(exc))
            raise
        return None

    def _mark(self, message: str) -> None:
        for word, name in self.FIELD_WORDS:
            widget = getattr(self, name, None)
            if word in message and isinstance(widget, QWidget) and not widget.isHidden():
                widget.setStyleSheet(MARK_STYLE)
                widget.setFocus()
                self.marked = widget
                return

    def _unmark(self) -> None:
        if self.marked is not None:
            self.marked.setStyleSheet("")
            self.marked = None


class NewBatchDialog(FormDialog):
    """Kind and year of a new batch for the selected area; households are proposed from the registry. The village
    notice usually starts at once: it is offered, on `today`, with the period and issuer of the templates."""

    def __init__(self, area_name: str, years: dict[str, int], today: dt.date, settings: AppSettings,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        """`years`: the year proposed for each kind (the latest with households to notice); else last year."""
        self._area_name, self._years, self._today = area_name, years, today
        super().__init__("notice_new_batch", self.tr("新建公示批次"), settings, parent)

    def build(self) -> None:
        self.kind = QComboBox(self)
        for item in codes.NOTICE_KIND:
            self.kind.addItem(self.tr(item.label), item.code)
        self.year = QSpinBox(self)
        self.year.setRange(2010, 2100)
        self.kind.currentIndexChanged.connect(self._propose_year)
        self._propose_year()
        self.start_now = QCheckBox(self.tr("同时开始村级公示，开始日期："), self)
        self.start_now.setChecked(True)
        self.day = self.date_edit(self._today)
        self.start_now.toggled.connect(self.day.setEnabled)
        self.form.addRow(self.tr("区划："), QLabel(self._area_name, self))
        self.form.addRow(self.tr("公示类型："), self.kind)
        self.form.addRow(self.tr("年度："), self.year)
        self.form.addRow(self.start_now, self.day)
        self.form.addRow(
            QLabel(self.tr("将按登记数据拟定名单（退出：该年度已脱贫的户；识别：该年度识别的户），之后可增减。"), self)
        )

    def _propose_year(self) -> None:
        self.year.setValue(self._years.get(self.kind.currentData()) or self._today.year - 1)

    def values(self) -> tuple[str, int, dt.date | None]:
        """(kind, year, the day the village notice starts or None)."""
        return (
            self.kind.currentData(),
            self.year.value(),
            to_date(self.day.date()) if self.start_now.isChecked() else None,
        )


class StageDialog(NoticeDialog):
    """The date a stage starts (notice) or was done (review), its period, issuing body and opinion.

    A notice has a period and an issuing body; a review has an opinion and a reviewing body: only the widgets of
    the variant are created, so none floats unplaced over the form."""

    FIELD_WORDS = (("日期", "day"), ("公示期", "period"), ("公告期", "period"))

    def __init__(
        self, stage_label: str, is_notice: bool, day: dt.date, period: int, settings: AppSettings,
        parent: QWidget | None = None, *, is_announcement: bool = False, action: Action | None = None,
    ) -> None:  # fmt: skip
        self._label, self._is_notice, self._day, self._period = stage_label, is_notice, day, period
        self._is_announcement = is_announcement
        self.period: QSpinBox | None = None
        self.note: QLineEdit | None = None
        super().__init__("notice_stage", stage_label, settings, parent, action=action)

    def build(self) -> None:
        self.day = self.date_edit(self._day)
        self.form.addRow(self.tr("开始日期：") if self._is_notice else self.tr("完成日期："), self.day)
        self.issuer = QLineEdit(self)
        self.issuer.setPlaceholderText(self.tr("留空则按模板"))
        self.issuer.setToolTip(self.tr("留空则按公示模板中的发布单位（如“某某村村民委员会”）"))
        self.issuer.setMinimumWidth(self.issuer.fontMetrics().horizontalAdvance("某某县扶贫开发领导小组办公室") + 16)
        if self._is_notice:
            self.period = QSpinBox(self)
            self.period.setRange(1, 60)
            self.period.setValue(self._period)
            self.period.setSuffix(self.tr(" 天"))
            self.form.addRow(self.tr("公告期：") if self._is_announcement else self.tr("公示期："), self.period)
            self.form.addRow(self.tr("发布单位："), self.issuer)
        else:
            self.note = QLineEdit(self.tr("同意"), self)
            self.form.addRow(self.tr("审核意见："), self.note)
            self.form.addRow(self.tr("审核单位："), self.issuer)

    def values(self) -> dict:
        return dict(
            on=to_date(self.day.date()),
            period_days=self.period.value() if self.period is not None else None,
            issuer=self.issuer.text().strip() or None,
            note=(self.note.text().strip() or None) if self.note is not None else None,
        )


def default_received_on(today: dt.date, started_on: dt.date, ended_on: dt.date) -> dt.date:
    """An objection is usually registered the day it comes in: today, kept within the notice period."""
    return min(max(today, started_on), ended_on)


class ObjectionDialog(NoticeDialog):
    """An objection received during a notice: when, from whom, about which household, what."""

    FIELD_WORDS = (("日期", "day"), ("公示期", "day"), ("异议内容", "content"), ("不在本批次", "household"))

    def __init__(
        self, day: dt.date, households: list[tuple[int, str]], settings: AppSettings, parent: QWidget | None = None,
        *, period: tuple[dt.date, dt.date] | None = None, action: Action | None = None,
    ) -> None:  # fmt: skip
        self._day, self._households, self._period = day, households, period
        super().__init__("notice_objection", self.tr("登记异议"), settings, parent, action=action)

    def build(self) -> None:
        self.day = self.date_edit(self._day)
        self.raised_by = QLineEdit(self)
        self.household = QComboBox(self)
        self.household.addItem(self.tr("（不针对具体农户）"), None)
        for household_id, text in self._households:
            self.household.addItem(text, household_id)
        self.content = QPlainTextEdit(self)
        if self._period is not None:  # an objection is received during the notice period, not outside it
            self.day.setDateRange(to_qdate(self._period[0]), to_qdate(self._period[1]))
        self.form.addRow(self.tr("受理日期："), self.day)
        self.form.addRow(self.tr("反映人："), self.raised_by)
        self.form.addRow(self.tr("涉及农户："), self.household)
        self.form.addRow(self.tr("异议内容："), self.content)

    def values(self) -> dict:
        return dict(received_on=to_date(self.day.date()), raised_by=self.raised_by.text(),
                    household_id=self.household.currentData(), content=self.content.toPlainText())  # fmt: skip


class ResolveDialog(NoticeDialog):
    """How an objection was resolved; optionally withdraw the household it concerned."""

    FIELD_WORDS = (("日期", "day"), ("处理结果", "resolution"), ("撤回", "withdraw"))

    def __init__(
        self, day: dt.date, can_withdraw: bool, settings: AppSettings, parent: QWidget | None = None,
        *, action: Action | None = None,
    ) -> None:  # fmt: skip
        self._day, self._can_withdraw = day, can_withdraw
        super().__init__("notice_resolve", self.tr("处理异议"), settings, parent, action=action)

    def build(self) -> None:
        self.day = self.date_edit(self._day)
        self.resolution = QPlainTextEdit(self)
        self.withdraw = QCheckBox(self.tr("核实属实，从本批次撤回该户"), self)
        self.withdraw.setEnabled(self._can_withdraw)
        self.form.addRow(self.tr("处理日期："), self.day)
        self.form.addRow(self.tr("核实处理结果："), self.resolution)
        self.form.addRow(self.withdraw)

    def values(self) -> dict:
        return dict(on=to_date(self.day.date()), resolution=self.resolution.toPlainText(),
                    withdraw_household=self.withdraw.isChecked())  # fmt: skip


class WithdrawDialog(NoticeDialog):
    """Withdrawing a household from a batch needs a date and a reason."""

    FIELD_WORDS = (("原因", "reason"), ("日期", "day"))

    def __init__(
        self, who: str, day: dt.date, settings: AppSettings, parent: QWidget | None = None,
        *, action: Action | None = None,
    ) -> None:  # fmt: skip
        self._who, self._day = who, day
        super().__init__("notice_withdraw", self.tr("撤回农户"), settings, parent, action=action)

    def build(self) -> None:
        self.day = self.date_edit(self._day)
        self.reason = QLineEdit(self)
        self.form.addRow(self.tr("农户："), QLabel(self._who, self))
        self.form.addRow(self.tr("撤回日期："), self.day)
        self.form.addRow(self.tr("撤回原因："), self.reason)

    def values(self) -> dict:
        return dict(on=to_date(self.day.date()), reason=self.reason.text())


class AddHouseholdsDialog(NoticeDialog):
    """Households to add, by household number (户编号), one per line as clerks paste them from Excel."""

    FIELD_WORDS = (("户编号", "numbers"), ("农户", "numbers"))

    def __init__(self, settings: AppSettings, parent: QWidget | None = None, *, action: Action | None = None) -> None:
        super().__init__("notice_add", self.tr("增加农户"), settings, parent, action=action)

    def build(self) -> None:
        self.numbers = QPlainTextEdit(self)
        self.numbers.setPlaceholderText(self.tr("每行一个户编号，可从表格中直接粘贴"))
        self.form.addRow(self.tr("户编号："), self.numbers)

    def values(self) -> list[str]:
        return [line.strip() for line in self.numbers.toPlainText().split() if line.strip()]
