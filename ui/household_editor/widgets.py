"""Small editing widgets of the household editor: code-list combo boxes, money fields, dates that may be empty."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QColor, QDoubleValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from povdesk.codes import CodeList

ERROR_STYLE = "color: #c62828;"
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
