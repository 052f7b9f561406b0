"""The 经办人 (operator) recorded with every edit, import and notice stage: a setting asked for once, editable under
设置 → 经办人…, until users log in."""

from __future__ import annotations

import getpass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from povdesk.errors import PovDeskError
from ui.dialogs import FormDialog
from ui.settings import AppSettings, Option

OPERATOR = Option("operator/name", "")
MAX_LENGTH = 32


def tr(text: str) -> str:
    return QCoreApplication.translate("operator", text)


class OperatorDialog(FormDialog):
    """One line: the clerk's name, required."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        self.settings = settings
        super().__init__("operator", tr("经办人"), settings, parent)

    def build(self) -> None:
        # two fixed lines: a word-wrapped label in a form is cut at its first show
        note = QLabel(tr("请填写经办人姓名，用于记录每次修改的经办人。\n以后可在“设置 → 经办人”中修改。"), self)
        self.form.addRow(note)
        self.name = QLineEdit(self.settings.get(OPERATOR), self)
        self.name.setMaxLength(MAX_LENGTH)
        self.name.setPlaceholderText(tr("例如：李会计"))
        self.form.addRow(tr("经办人姓名"), self.name)

    def commit(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.name.setFocus()
            raise PovDeskError(tr("请填写经办人姓名。"))
        self.settings.set(OPERATOR, name)


def ask_operator(settings: AppSettings, parent: QWidget | None = None) -> str | None:
    """Show the 经办人 dialog (prefilled with the current name); the name stored, or None when cancelled."""
    dialog = OperatorDialog(settings, parent)
    if dialog.exec() != FormDialog.DialogCode.Accepted:
        return None
    return settings.get(OPERATOR)


def operator(settings: AppSettings, parent: QWidget | None = None) -> str:
    """The 经办人 to record: the stored name, asked for the first time it is needed.

    When the clerk cancels the question, the computer's login name is recorded (as before this setting) and the
    question comes again next time."""
    name = settings.get(OPERATOR).strip()
    if name:
        return name
    return ask_operator(settings, parent) or getpass.getuser()


def install(window) -> QAction:
    """设置 → 经办人…"""
    action = QAction(window.tr("经办人(&O)…"), window)
    action.setStatusTip(window.tr("填写记录在每次修改、导入和公示中的经办人姓名"))
    action.triggered.connect(lambda: ask_operator(window.settings, window))
    login = getattr(window, "login", None)
    if login is not None:  # a logged-in user is the 经办人 of every write: not to be renamed by hand
        action.setEnabled(False)
        action.setStatusTip(window.tr("已登录为“{0}”，经办人即登录用户").format(login.name))
    window.menus["settings"].addAction(action)
    return action
