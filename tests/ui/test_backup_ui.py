"""文件 → 备份数据库… / 恢复数据库…, the automatic backup on exit and 设置 → 自动备份… as a clerk uses them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from povdesk import backup as core
from ui import backup
from ui.files import SavedBox


@pytest.fixture
def window(main_window, settings, tmp_path):
    settings.set(backup.FOLDER, str(tmp_path / "auto"))
    backup.install(main_window)
    return main_window


def households(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM household")).scalar_one()


def test_menu_entries(window):
    file_actions = [a.objectName() for a in window.menus["file"].actions()]
    assert "backupAction" in file_actions and "restoreAction" in file_actions
    assert "autoBackupAction" in [a.objectName() for a in window.menus["settings"].actions()]


def test_backup_writes_a_file_and_says_where(window, qtbot, monkeypatch, tmp_path):
    asked = []

    def save_dialog(_parent, _title, start, filter_, _selected=""):
        asked.append((Path(start).name, filter_))
        return str(tmp_path / "我的备份"), filter_  # typed without the extension

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    window.backup_feature.backup_action.trigger()
    qtbot.waitUntil(lambda: bool(window.findChildren(SavedBox)), timeout=10000)

    assert asked[0][0].startswith("PovDesk备份-") and asked[0][0].endswith(".db")
    box = window.findChildren(SavedBox)[0]
    assert box.informativeText() == str(tmp_path / "我的备份.db")
    assert "户" in box.text()
    assert core.verify(tmp_path / "我的备份.db").households == households(window.db)
    box.close()


def test_restore_asks_first_and_reopens_on_the_restored_database(window, qtbot, monkeypatch, tmp_path, boxes):
    # GIVEN a backup, and then households lost
    saved = core.backup(window.db, tmp_path / "saved.db")
    with window.db.transaction() as session:
        session.execute(text("DELETE FROM household WHERE id IN (SELECT id FROM household LIMIT 30)"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(saved.path), ""))
    questions = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *_a: questions.append(text) or answers.pop(0))

    # WHEN the clerk says No, nothing changes
    window.backup_feature.restore_action.trigger()
    qtbot.waitUntil(lambda: len(questions) == 1, timeout=10000)
    assert str(saved.path) in questions[0] and window.db.display_url in questions[0]
    assert "另存" in questions[0] and f"{saved.households:,} 户" in questions[0]
    assert households(window.db) == saved.households - 30
    assert not list(tmp_path.glob("county.before-restore-*"))

    # WHEN Yes: the database is restored, the replaced one kept, and the window reopens on it
    window.backup_feature.restore_action.trigger()
    qtbot.waitUntil(lambda: getattr(window, "replacement", None) is not None, timeout=20000)
    new = window.replacement
    qtbot.addWidget(new)
    assert households(new.db) == saved.households
    kept = list(tmp_path.glob("county.before-restore-*.db"))
    assert len(kept) == 1
    assert core.verify(kept[0]).households == saved.households - 30
    assert boxes and boxes[-1][0] == "information" and str(kept[0]) in boxes[-1][1]
    assert not core.auto_backups(tmp_path / "auto", window.db)  # the window closed by the restore made none


def test_a_damaged_backup_is_refused_before_any_question(window, qtbot, monkeypatch, tmp_path, boxes):
    bad = tmp_path / "bad.db"
    bad.write_text("不是备份", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(bad), ""))
    questions = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: questions.append(a) or QMessageBox.StandardButton.Yes)
    before = households(window.db)
    window.backup_feature.restore_action.trigger()
    qtbot.waitUntil(lambda: bool(boxes), timeout=10000)
    assert boxes[0][0] == "warning" and "不是 PovDesk 数据库备份" in boxes[0][1]
    assert not questions and households(window.db) == before


def test_automatic_backup_on_exit_keeps_the_last_n(window, settings, tmp_path):
    folder = tmp_path / "auto"
    settings.set(backup.KEEP, 2)
    for _ in range(3):
        core.auto_backup(window.db, folder, keep=5)
    window.close()
    kept = core.auto_backups(folder, window.db)
    assert len(kept) == 2
    assert core.verify(kept[-1]).households == households(window.db)


def test_no_automatic_backup_when_switched_off(window, settings, tmp_path):
    settings.set(backup.AUTO, False)
    window.close()
    assert not (tmp_path / "auto").exists()


def test_auto_backup_settings_dialog(window, settings, qtbot, monkeypatch, tmp_path):
    dialog = backup.AutoBackupDialog(settings, window)
    qtbot.addWidget(dialog)
    assert dialog.folder.text() == str(tmp_path / "auto") and dialog.enabled.isChecked() and dialog.keep.value() == 10
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    assert dialog.open_folder()
    assert Path(opened[0]) == tmp_path / "auto" and (tmp_path / "auto").is_dir()

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a: str(tmp_path / "elsewhere"))
    dialog._choose_folder()
    dialog.enabled.setChecked(False)
    dialog.keep.setValue(4)
    dialog.accept()
    assert settings.get(backup.AUTO) is False and settings.get(backup.KEEP) == 4
    assert backup.backup_folder(settings) == tmp_path / "elsewhere"


def test_installs_as_a_feature_of_the_main_window(qtbot, demo_db, settings, tmp_path):
    from ui.features import FEATURES
    from ui.main_window import MainWindow

    settings.set(backup.FOLDER, str(tmp_path / "auto"))
    features = FEATURES if "ui.backup" in FEATURES else [*FEATURES, "ui.backup"]  # before and after the lead adds it
    window = MainWindow(demo_db, settings, features=features)
    qtbot.addWidget(window)
    texts = [a.text() for a in window.menus["file"].actions() if not a.isSeparator()]
    assert texts[-3:] == ["备份数据库(&B)…", "恢复数据库(&R)…", "退出(&X)"]
    window.close()
    assert len(core.auto_backups(tmp_path / "auto", demo_db)) == 1
