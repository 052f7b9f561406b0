"""Dialog base classes: geometry remembered per dialog name, load()/save() split from the widget tree."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QDialog, QWidget

from ui.settings import AppSettings


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
