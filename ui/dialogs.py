"""Dialog base classes: geometry remembered per dialog name, load()/save() split from the widget tree, and forms that
validate before they accept."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QByteArray, QDate
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from povdesk.errors import PovDeskError
from ui.settings import AppSettings

ERROR_STYLE = "color: #b00020"


def to_date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


class RememberingDialog(QDialog):
    """A dialog that reopens at the size and place the clerk left it (key `geometry/<name>`)."""

    def __init__(self, name: str, settings: AppSettings, parent: QWidget | None = None, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self._geometry_key = f"geometry/{name}"
        self._settings = settings
        self.setObjectName(name)

    def restore_geometry(self) -> bool:
        saved = self._settings.get_raw(self._geometry_key)
        return isinstance(saved, QByteArray) and self.restoreGeometry(saved)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not getattr(self, "_restored", False):
            self._restored = True
            self.restore_geometry()
        super().showEvent(event)

    def done(self, result: int) -> None:
        self._settings.set_raw(self._geometry_key, self.saveGeometry())
        super().done(result)


class FormDialog(RememberingDialog):
    """A form with OK/Cancel: subclasses add rows in `build()`, and check and write in `commit()` when OK is pressed.

    A `PovDeskError` from `commit()` keeps the dialog open with its reason in red under the fields, nothing typed
    lost; `commit()` returning False keeps it open without a word (the clerk answered No to a question)."""

    def __init__(
        self,
        name: str,
        title: str,
        settings: AppSettings,
        parent: QWidget | None = None,
        *,
        ok: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Ok,
    ) -> None:
        super().__init__(name, settings, parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        self.build()
        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()  # shown with the first reason; a form that never fails looks as it always did
        self.form.addRow(self.error)
        self.buttons = QDialogButtonBox(ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form.addRow(self.buttons)

    def build(self) -> None:
        raise NotImplementedError

    def commit(self) -> bool | None:
        """Check the fields and write what they say; raise PovDeskError (or return False) to stay open."""
        return None

    def accept(self) -> None:
        try:
            if self.commit() is False:
                return
        except PovDeskError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        super().accept()

    def date_edit(self, value: dt.date) -> QDateEdit:
        edit = QDateEdit(to_qdate(value), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy年M月d日")
        return edit
