"""File dialogs that remember the last folder per purpose (default: the clerk's Documents folder), and the
"file saved" message that says where a file went, with 打开 and 打开所在文件夹."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget

from ui.settings import AppSettings, Option

# One remembered folder per kind of file; a purpose not listed here is a programming error (ValueError).
PURPOSES = ("rosters", "reports", "notices", "backups", "pairing", "areas")
FOLDERS: dict[str, Option[str]] = {purpose: Option(f"files/folder/{purpose}", "") for purpose in PURPOSES}


def tr(text: str) -> str:
    return QCoreApplication.translate("files", text)


def documents_folder() -> Path:
    """The user's Documents folder (never the program's folder); the home folder where there is none."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home()
    return folder if folder.is_dir() else Path.home()


def last_folder(settings: AppSettings, purpose: str) -> Path:
    """The folder the last file of this purpose was saved to or opened from, if it still exists; else Documents."""
    if purpose not in FOLDERS:
        raise ValueError(f"unknown file purpose {purpose!r}; add it to ui.files.PURPOSES")
    saved = settings.get(FOLDERS[purpose])
    if saved and Path(saved).is_dir():
        return Path(saved)
    return documents_folder()


def remember_folder(settings: AppSettings, purpose: str, path: Path) -> None:
    """Remember the folder of `path` (a file) for the next dialog of this purpose."""
    if purpose not in FOLDERS:
        raise ValueError(f"unknown file purpose {purpose!r}; add it to ui.files.PURPOSES")
    settings.set(FOLDERS[purpose], str(Path(path).parent))


def save_path_and_filter(
    parent: QWidget | None,
    settings: AppSettings,
    purpose: str,
    title: str,
    suggested_name: str,
    filter: str,  # noqa: A002 - Qt's word for it
    selected_filter: str = "",
) -> tuple[Path | None, str]:
    """Ask where to save; returns (path or None when cancelled, the file type the clerk chose).

    `suggested_name` is a file name, put in the folder last used for this purpose, or a full path already chosen
    (a path typed in a dialog's field), kept when its folder exists."""
    suggested = Path(suggested_name)
    if suggested.is_absolute() and suggested.parent.is_dir():
        start = suggested
    else:
        start = last_folder(settings, purpose) / suggested.name
    path, selected = QFileDialog.getSaveFileName(parent, title, str(start), filter, selected_filter)
    if not path:
        return None, selected
    remember_folder(settings, purpose, Path(path))
    return Path(path), selected


def save_path(
    parent: QWidget | None,
    settings: AppSettings,
    purpose: str,
    title: str,
    suggested_name: str,
    filter: str,  # noqa: A002
) -> Path | None:
    """Ask where to save a file of this purpose, starting in the folder last used for it; None when cancelled."""
    return save_path_and_filter(parent, settings, purpose, title, suggested_name, filter)[0]


def open_path(
    parent: QWidget | None,
    settings: AppSettings,
    purpose: str,
    title: str,
    filter: str,  # noqa: A002
) -> Path | None:
    """Ask for a file to open, starting in the folder last used for this purpose; None when cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, str(last_folder(settings, purpose)), filter)
    if not path:
        return None
    remember_folder(settings, purpose, Path(path))
    return Path(path)


def open_url(parent: QWidget | None, path: Path, *, folder: bool = False) -> bool:
    """Open a file (or its folder) with the system's program; say so in Chinese when there is none."""
    target = Path(path).parent if folder else Path(path)
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
        return True
    if folder:
        text = tr("无法打开文件夹：\n{0}\n请在文件管理器中打开它。").format(target)
    else:
        text = tr("这台电脑上没有能打开“{0}”文件的程序。\n文件已保存在：\n{1}").format(
            target.suffix or target.name, target
        )
    QMessageBox.warning(parent, tr("无法打开"), text)
    return False


class SavedBox(QMessageBox):
    """「已保存」: where the file went, with 打开 / 打开所在文件夹 / 关闭. Opening does not close the box."""

    def __init__(self, parent: QWidget | None, path: Path, what: str) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.setIcon(QMessageBox.Icon.Information)
        self.setWindowTitle(tr("已保存"))
        self.setText(tr("{0}已保存到：").format(what))
        self.setInformativeText(str(self.path))
        self.open_file = self._button(tr("打开"), lambda: open_url(self, self.path))
        self.open_folder = self._button(tr("打开所在文件夹"), lambda: open_url(self, self.path, folder=True))
        self.close_button = self.addButton(tr("关闭"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.close_button)
        self.setEscapeButton(self.close_button)

    def _button(self, text: str, action) -> QPushButton:
        button = QPushButton(text, self)
        self.addButton(button, QMessageBox.ButtonRole.ActionRole)
        # QMessageBox closes on any of its buttons; an action button is taken out of that and only does its action
        button.clicked.disconnect()
        button.clicked.connect(action)
        return button


def show_saved(parent: QWidget | None, path: Path, what: str) -> SavedBox:
    """After a file is written: say where it went (`what` names it, e.g. "未导入行报告"), with 打开 and 打开所在文件夹.

    The message is window-modal but does not block the caller (QDialog.open)."""
    box = SavedBox(parent, path, what)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
