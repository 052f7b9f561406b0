"""Backup and restore in the GUI: 文件 → 备份数据库… / 恢复数据库…, the automatic backup on exit (SQLite) and its
settings under 设置 → 自动备份…"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from povdesk import backup as core
from povdesk.errors import PovDeskError
from ui.dialogs import FormDialog
from ui.files import open_path, open_url, save_path, show_saved
from ui.ops import run_in_background, show_error
from ui.settings import AppSettings, Option

log = logging.getLogger(__name__)

AUTO = Option("backup/auto", True, bool)
KEEP = Option("backup/keep", 10, int)
FOLDER = Option("backup/folder", "")  # empty: povdesk.backup.default_backup_folder()
SQLITE_FILTER = "SQLite 数据库备份 (*.db)"
PG_FILTER = "PostgreSQL 数据库备份 (*.dump)"
OPEN_FILTER = "PovDesk 数据库备份 (*.db *.dump);;所有文件 (*)"


def tr(text: str) -> str:
    return QCoreApplication.translate("backup", text)


def backup_folder(settings: AppSettings) -> Path:
    """The folder of the automatic backups: the one chosen in the settings, else the default one."""
    return Path(settings.get(FOLDER) or core.default_backup_folder())


def backup_database(window, path: str | Path | None = None):
    """Ask where (unless given), then back the whole database up in the background and say where it went."""
    db = window.db
    if path is None:
        suffix_filter = SQLITE_FILTER if db.is_sqlite else PG_FILTER
        path = save_path(
            window, window.settings, "backups", tr("备份数据库"), core.default_backup_name(db), suffix_filter
        )
        if path is None:
            return None
    path = Path(path)
    suffix = ".db" if db.is_sqlite else ".dump"
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)

    def done(info: core.BackupInfo) -> None:
        households = tr("，{0:,} 户").format(info.households) if info.households is not None else ""
        what = tr("数据库备份（{0}{1}）").format(core.human_size(info.size), households)
        show_saved(window, info.path, what)

    return run_in_background(window, tr("正在备份数据库"), lambda progress: core.backup(db, path, progress), done)


def restore_database(window, path: str | Path | None = None):
    """Ask for the backup (unless given), check it, ask for confirmation saying what will be replaced, then restore
    in the background and reopen the window on the restored database."""
    if path is None:
        path = open_path(window, window.settings, "backups", tr("恢复数据库"), OPEN_FILTER)
        if path is None:
            return None
    path = Path(path)
    return run_in_background(
        window,
        tr("正在检查备份文件"),
        lambda progress: core.verify(path, progress),
        lambda info: _confirm(window, info),
    )


def _confirm(window, info: core.BackupInfo) -> None:
    db = window.db
    households = tr("{0:,} 户").format(info.households) if info.households is not None else tr("户数未知")
    made = dt.datetime.fromtimestamp(info.modified).strftime("%Y-%m-%d %H:%M")
    if db.is_sqlite:
        kept = tr("当前数据库会先另存为同一文件夹中的“…before-restore-日期时间”文件。")
    else:
        kept = tr("当前数据库会先用 pg_dump 另存到文件夹“{0}”。").format(backup_folder(window.settings))
    text = tr("用这个备份替换当前数据库的全部数据？")
    details = tr(
        "备份文件：{0}\n（{1}，{2}，保存于 {3}）\n\n将被替换的数据库：{4}\n{5}\n\n其他电脑或窗口请先关闭 PovDesk。"
    ).format(info.path, info.kind_label, households, made, db.display_url, kept)
    answer = QMessageBox.question(
        window,
        tr("恢复数据库"),
        f"{text}\n\n{details}",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return
    _restore(window, info)


def _restore(window, info: core.BackupInfo):
    from PySide6.QtCore import QThreadPool

    from ui.start_page import reopen_on

    QThreadPool.globalInstance().waitForDone()  # workers hold sessions
    url, keep_folder = window.db.url, backup_folder(window.settings)
    window.db.close()  # the engine reconnects by itself if the restore fails and the window stays

    def done(result: core.RestoreInfo) -> None:
        window.skip_auto_backup = True  # the database closed now is the one just restored
        try:
            new = reopen_on(window, url)
        except PovDeskError as exc:  # restored, but it does not open (an upgrade that failed): say so, stay
            window.skip_auto_backup = False
            show_error(window, exc, tr("恢复数据库"))
            return
        kept = tr("恢复前的数据库已另存为：\n{0}").format(result.kept) if result.kept else ""
        QMessageBox.information(
            new,
            tr("恢复数据库"),
            tr("已用备份“{0}”恢复数据库（{1:,} 户）。\n{2}").format(result.backup.path, result.households, kept),
        )

    return run_in_background(
        window,
        tr("正在恢复数据库"),
        lambda progress: core.restore(url, info.path, progress, keep_folder=keep_folder, checked=info),
        done,
        lambda exc: show_error(window, exc, tr("恢复数据库")),
    )


def auto_backup_on_exit(window) -> Path | None:
    """The automatic backup when the window closes: SQLite, not the demo county, when switched on in the settings."""
    from ui.start_page import is_demo

    db, settings = window.db, window.settings
    if db is None or not db.is_sqlite or is_demo(db) or getattr(window, "skip_auto_backup", False):
        return None
    if not settings.get(AUTO):
        return None
    try:
        return core.auto_backup(db, backup_folder(settings), keep=settings.get(KEEP))
    except PovDeskError as exc:
        log.warning("automatic backup failed: %s", exc)
        QMessageBox.warning(window, tr("自动备份"), tr("退出时自动备份数据库失败：{0}").format(exc))
    return None


class AutoBackupDialog(FormDialog):
    """设置 → 自动备份…: on/off, how many to keep, the folder (shown, changeable, openable)."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        self.settings = settings
        super().__init__("auto_backup", tr("自动备份"), settings, parent)

    def build(self) -> None:
        note = QLabel(
            tr(
                "退出 PovDesk 时自动备份本机数据库文件，保留最近几次的备份。\n服务器数据库（PostgreSQL）请由管理员在服务器上定期备份。"
            ),
            self,
        )
        self.form.addRow(note)
        self.enabled = QCheckBox(tr("退出时自动备份"), self)
        self.enabled.setChecked(self.settings.get(AUTO))
        self.form.addRow(self.enabled)
        self.keep = QSpinBox(self)
        self.keep.setRange(1, 100)
        self.keep.setSuffix(tr(" 份"))
        self.keep.setValue(max(1, self.settings.get(KEEP)))
        self.form.addRow(tr("保留最近"), self.keep)
        self.folder = QLineEdit(str(backup_folder(self.settings)), self)
        self.folder.setReadOnly(True)
        self.folder.setMinimumWidth(360)
        choose = QPushButton(tr("更改…"), self)
        choose.clicked.connect(self._choose_folder)
        self.open_button = QPushButton(tr("打开文件夹"), self)
        self.open_button.clicked.connect(self.open_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        row.addWidget(self.open_button)
        self.form.addRow(tr("备份文件夹"), row)

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, tr("选择自动备份文件夹"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def open_folder(self) -> bool:
        folder = Path(self.folder.text())
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            QMessageBox.warning(self, tr("自动备份"), tr("无法创建文件夹“{0}”：{1}").format(folder, exc.strerror))
            return False
        return open_url(self, folder / "_", folder=True)  # the folder of a (notional) file in it: the folder itself

    def commit(self) -> None:
        folder = Path(self.folder.text())
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PovDeskError(tr("无法使用文件夹“{0}”：{1}").format(folder, exc.strerror)) from None
        self.settings.set(AUTO, self.enabled.isChecked())
        self.settings.set(KEEP, self.keep.value())
        default = str(core.default_backup_folder())
        self.settings.set(FOLDER, "" if str(folder) == default else str(folder))


class BackupFeature(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.backup_action = QAction(window.tr("备份数据库(&B)…"), window)
        self.backup_action.setObjectName("backupAction")
        self.backup_action.setStatusTip(window.tr("把整个数据库备份到一个文件（程序打开时也可备份）"))
        self.backup_action.triggered.connect(lambda: backup_database(window))
        self.restore_action = QAction(window.tr("恢复数据库(&R)…"), window)
        self.restore_action.setObjectName("restoreAction")
        self.restore_action.setStatusTip(window.tr("用备份文件替换当前数据库（当前数据库先另存为备份）"))
        self.restore_action.triggered.connect(lambda: restore_database(window))
        self.settings_action = QAction(window.tr("自动备份(&A)…"), window)
        self.settings_action.setObjectName("autoBackupAction")
        self.settings_action.setStatusTip(window.tr("退出时自动备份：开关、保留份数、备份文件夹"))
        self.settings_action.triggered.connect(lambda: AutoBackupDialog(window.settings, window).exec())
        menu = window.menus["file"]
        if not menu.isEmpty():
            menu.addSeparator()
        menu.addAction(self.backup_action)
        menu.addAction(self.restore_action)
        window.menus["settings"].addAction(self.settings_action)
        window.closing.connect(lambda: auto_backup_on_exit(window))


def install(window) -> BackupFeature:
    """文件 → 备份数据库… / 恢复数据库…, 设置 → 自动备份…, and the automatic backup on exit."""
    window.backup_feature = BackupFeature(window)
    return window.backup_feature
