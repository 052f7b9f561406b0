"""File dialogs remember the last folder per purpose (default Documents, never the program's folder); every file
written is followed by a message saying where it went, with 打开 and 打开所在文件夹."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ui import files


@pytest.fixture
def documents(tmp_path, monkeypatch):
    folder = tmp_path / "文档"
    folder.mkdir()
    monkeypatch.setattr(QStandardPaths, "writableLocation", lambda _location: str(folder))
    return folder


@pytest.fixture
def save_dialog(monkeypatch):
    """Answers the save dialog with the queued paths; records the start path each dialog was given."""
    asked: list[str] = []
    answers: list[str] = []

    def fake(parent, title, start, filters="", selected=""):
        asked.append(start)
        return (answers.pop(0) if answers else "", selected)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    return asked, answers


@pytest.fixture
def opened(monkeypatch):
    urls: list[Path] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(Path(url.toLocalFile())) or True)
    return urls


def test_the_first_save_starts_in_documents_and_each_purpose_remembers_its_own_folder(
    qtbot, settings, documents, save_dialog, tmp_path
):
    asked, answers = save_dialog
    # GIVEN a clerk who never saved anything: the dialog starts in Documents, not in the program's folder
    assert files.save_path(None, settings, "reports", "保存", "报告.xlsx", "Excel (*.xlsx)") is None
    assert Path(asked[-1]) == documents / "报告.xlsx"
    assert Path.cwd() not in Path(asked[-1]).parents
    # WHEN a report goes to one folder and a roster to another
    reports, rosters = tmp_path / "报告", tmp_path / "花名册"
    reports.mkdir(), rosters.mkdir()
    answers.append(str(reports / "a.xlsx"))
    assert files.save_path(None, settings, "reports", "保存", "报告.xlsx", "") == reports / "a.xlsx"
    answers.append(str(rosters / "b.xlsx"))
    files.save_path(None, settings, "rosters", "保存", "花名册.xlsx", "")
    # THEN each kind of file starts in its own last folder next time, and a kind never used yet in Documents
    files.save_path(None, settings, "reports", "保存", "报告2.xlsx", "")
    assert Path(asked[-1]) == reports / "报告2.xlsx"
    files.save_path(None, settings, "rosters", "保存", "花名册.xlsx", "")
    assert Path(asked[-1]) == rosters / "花名册.xlsx"
    files.save_path(None, settings, "notices", "保存", "明白卡.pdf", "")
    assert Path(asked[-1]) == documents / "明白卡.pdf"


def test_a_remembered_folder_that_is_gone_falls_back_to_documents(settings, documents, tmp_path):
    files.remember_folder(settings, "backups", tmp_path / "U盘" / "备份.db")  # the stick is not plugged in
    assert files.last_folder(settings, "backups") == documents


def test_the_open_dialog_starts_in_the_last_folder_of_its_purpose(settings, documents, tmp_path, monkeypatch):
    asked = []
    chosen = tmp_path / "来自乡里" / "花名册.xlsx"
    chosen.parent.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda p, t, start, f="": (asked.append(start), (str(chosen), ""))[1]
    )
    assert files.open_path(None, settings, "rosters", "选择花名册", "Excel (*.xlsx)") == chosen
    files.open_path(None, settings, "rosters", "选择花名册", "Excel (*.xlsx)")
    assert [Path(a) for a in asked] == [documents, chosen.parent]


def test_an_unknown_purpose_is_a_programming_error(settings):
    with pytest.raises(ValueError):
        files.last_folder(settings, "stuff")


def test_the_saved_message_says_where_and_opens_the_file_or_its_folder(qtbot, tmp_path, opened):
    path = tmp_path / "报告" / "未导入行.xlsx"
    box = files.show_saved(None, path, "未导入行报告")
    qtbot.addWidget(box)
    assert box.isVisible()
    assert box.text() == "未导入行报告已保存到：" and box.informativeText() == str(path)
    assert {b.text() for b in box.buttons()} == {"打开", "打开所在文件夹", "关闭"}
    qtbot.mouseClick(box.open_file, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(box.open_folder, Qt.MouseButton.LeftButton)
    assert opened == [path, path.parent]
    assert box.isVisible()  # the clerk can open both; 关闭 closes
    qtbot.mouseClick(box.close_button, Qt.MouseButton.LeftButton)
    assert not box.isVisible()


def test_no_program_to_open_the_file_is_said_in_chinese(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    box = files.show_saved(None, tmp_path / "明白卡.pdf", "明白卡")
    qtbot.addWidget(box)
    qtbot.mouseClick(box.open_file, Qt.MouseButton.LeftButton)
    assert len(warnings) == 1 and "没有能打开" in warnings[0] and ".pdf" in warnings[0]
    assert str(tmp_path / "明白卡.pdf") in warnings[0]


def test_the_reject_report_and_the_roster_export_use_the_remembered_folders(
    qtbot, main_window, documents, save_dialog, opened, tmp_path
):
    from ui.importing import export_roster_to

    asked, answers = save_dialog
    out = tmp_path / "导出" / "云岭县.xlsx"
    out.parent.mkdir()
    answers.append(str(out))
    export_roster_to(main_window, main_window.db, main_window.settings, area_id=main_window.current_area_id())
    assert Path(asked[-1]).parent == documents
    qtbot.waitUntil(lambda: bool(main_window.findChildren(files.SavedBox)), timeout=20000)
    box = main_window.findChildren(files.SavedBox)[0]
    assert box.informativeText() == str(out) and "花名册" in box.text()
    assert files.last_folder(main_window.settings, "rosters") == out.parent
