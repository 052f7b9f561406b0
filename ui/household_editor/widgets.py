"""Small editing widgets of the household editor: code-list combo boxes, money fields, dates that may be empty."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QColor, QDoubleValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from povdesk.codes import CodeList

ERROR_STYLE = "color: #c62828;"
TO_VERIFY_STYLE = "color: #8a5300; background: #fff2cc; padding: 1px 4px; border-radius: 2px;"
VERIFIED_STYLE = "color: #757575; padding: 1px 4px;"
_NO_DATE = QDate(1900, 1, 1)


class CodeCombo(QComboBox):
    """A code list as Chinese labels with the codes as item data; `empty` adds a first item meaning "none"."""

    def __init__(self, code_list: CodeList, *, empty: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._has_empty = empty is not None
        if empty is not None:
            self.addItem(empty, "")
        for item in code_list:
            self.addItem(item.label, item.code)
        self.setMaxVisibleItems(20)

    def code(self) -> str | None:
        return self.currentData() or None

    def set_code(self, code: str | None) -> None:
        if not code:
            self.setCurrentIndex(0 if self._has_empty else -1)
            return
        index = self.findData(code)
        if index < 0:  # an unknown code from old data stays visible instead of being silently replaced
            self.addItem(code, code)
            index = self.count() - 1
        self.setCurrentIndex(index)


class CodeChecks(QWidget):
    """A multi-valued code field (健康状况) as one check box per code; `alone` codes exclude the others (健康)."""

    changed = Signal()

    def __init__(self, code_list: CodeList, *, alone: tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._alone = alone
        self.boxes: dict[str, QCheckBox] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for item in code_list:
            box = QCheckBox(item.label, self)
            box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # a label is never cut short
            box.toggled.connect(lambda on, code=item.code: self._toggled(code, on))
            layout.addWidget(box)
            self.boxes[item.code] = box
        layout.addStretch(1)

    def _toggled(self, code: str, on: bool) -> None:
        if on:
            others = [c for c in self.boxes if c != code] if code in self._alone else list(self._alone)
            for other in others:
                self.boxes[other].setChecked(False)
        self.changed.emit()

    def code(self) -> str | None:
        """The checked codes in list order, joined by "," as stored; None when none is checked."""
        return ",".join(code for code, box in self.boxes.items() if box.isChecked()) or None

    def set_code(self, value: str | None) -> None:
        chosen = set(value.split(",")) if value else set()
        for code, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(code in chosen)
            box.blockSignals(False)


class AsWritten(QLabel):
    """Beside a coded field, the text the roster had that is not in its code list: "原表：县城务工（待核实）" until the
    clerk picks a code, then in grey (the text is dropped when the household is saved)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    def show_text(self, text: str | None, *, answered: bool = False) -> None:
        if not text:
            self.hide()
            return
        if answered:
            self.setText(self.tr("原表：{0}").format(text))
            self.setStyleSheet(VERIFIED_STYLE)
        else:
            self.setText(self.tr("原表：{0}（待核实）").format(text))
            self.setStyleSheet(TO_VERIFY_STYLE)
        self.show()


def with_as_written(field: QWidget, label: AsWritten, parent: QWidget | None = None) -> QWidget:
    """A form row's field with its as-written label on its right."""
    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    layout.addWidget(label)
    return row


class MoneyEdit(QLineEdit):
    """An amount in yuan; empty means not entered (None), which is not the same as 0."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        validator = QDoubleValidator(0.0, 99_999_999.99, 2, self)
        validator.setNotation(QDoubleValidator.Notation.StandardNotation)
        validator.setLocale(QLocale.c())
        self.setValidator(validator)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText(self.tr("未填"))

    def value(self) -> float | None:
        text = self.text().replace(",", "").strip()
        try:
            return round(float(text), 2) if text else None
        except ValueError:
            return None

    def set_value(self, value: float | None) -> None:
        self.setText("" if value is None else f"{value:.2f}")


class DateEdit(QDateEdit):
    """A date edit in yyyy-MM-dd with a calendar; with `optional`, the first value reads as not set (None)."""

    def __init__(self, *, optional: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setCalendarPopup(True)
        self._optional = optional is not None
        if optional is not None:
            self.setMinimumDate(_NO_DATE)
            self.setSpecialValueText(optional)
        else:
            self.setMinimumDate(QDate(1900, 1, 2))
        self.setMaximumDate(QDate(2100, 12, 31))
        self.set_value(None if self._optional else dt.date.today())

    def value(self) -> dt.date | None:
        date = self.date()
        if self._optional and date == _NO_DATE:
            return None
        return dt.date(date.year(), date.month(), date.day())

    def set_value(self, value: dt.date | None) -> None:
        if value is None:
            self.setDate(_NO_DATE if self._optional else QDate.currentDate())
        else:
            self.setDate(QDate(value.year, value.month, value.day))


def setup_table(table: QTableWidget, headers: list[str], *, stretch: int | None = None) -> None:
    """A read-only table of whole-row selection, compact rows, columns sized to their contents."""
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def error_label(parent: QWidget | None = None) -> QLabel:
    """A red, word-wrapped label for reasons shown next to a field."""
    label = QLabel(parent)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def set_row(
    table: QTableWidget, row: int, values: list[str], *, data: object = None, grey: bool = False, right: tuple = ()
) -> None:
    """Fill one read-only table row; `right` columns (amounts) right-aligned, removed rows greyed."""
    for column, text in enumerate(values):
        item = QTableWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
        if column in right:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if grey:
            item.setForeground(QColor("#9e9e9e"))
        if column == 0:
            item.setData(Qt.ItemDataRole.UserRole, data)
        table.setItem(row, column, item)


def date_text(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def money_text(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"
