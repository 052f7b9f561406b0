"""The roster import wizard as a clerk uses it, offscreen: file → sheet → columns → preview → import → report."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from povdesk.model import Household, Member
from ui.importing.wizard import MAPPING_PREFIX, ImportWizard
from ui.settings import AppSettings

sys.path.insert(0, str(Path(__file__).parents[1] / "povdesk"))
from test_roster_fixtures import sample_households, write_roster  # noqa: E402

SHOTS = Path(__file__).parents[2] / "tests" / "ui" / "screenshots"


@pytest.fixture
def settings(tmp_path):
    return AppSettings(QSettings(str(tmp_path / "test.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def boxes(monkeypatch):
    shown = []
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda *args, _k=kind: shown.append((_k, args[2])))
    return shown


_PARENTS: list[QWidget] = []  # the plain parent windows stay alive for the whole test


def _wizard(qtbot, sqlite_db, settings, path) -> ImportWizard:
    parent = QWidget()
    qtbot.addWidget(parent)
    _PARENTS.append(parent)
    wizard = ImportWizard(sqlite_db, settings, parent, path=str(path))
    wizard.show()
    return wizard


def _shot(widget, name: str) -> None:
    if SHOTS.exists():
        widget.grab().save(str(SHOTS / f"{name}.png"))


def test_the_clerk_imports_a_roster_and_saves_the_reject_report(qtbot, sqlite_db, settings, boxes, tmp_path):
    households = sample_households()
    households[1]["members"][1]["民族"] = "汉旅"
    path = write_roster(tmp_path / "青山镇.xls", households, layout="merged", two_row_header=True)
    wizard = _wizard(qtbot, sqlite_db, settings, path)
    imported = []
    wizard.imported.connect(imported.append)
    _shot(wizard, "1-file")
    wizard.next()
    assert wizard.currentPage() is wizard.sheet_page and wizard.sheet_page.combo.currentText() == "花名册"
    wizard.next()  # reads the header on a worker thread
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10000)
    assert wizard.mapping_page.header_row.value() == 4  # the second of the two header rows
    assert wizard.mapping_page.isComplete()
    _shot(wizard, "2-mapping")
    wizard.next()
    preview = wizard.preview_page
    qtbot.waitUntil(lambda: preview.isComplete(), timeout=10000)
    assert preview.table.item(0, 0).text() == "未导入" and preview.table.item(0, 1).text() == "10"
    assert "汉族" in preview.table.item(0, 2).text()
    assert "预检" in preview.summary.text()
    with sqlite_db.session() as s:
        assert s.query(Household).count() == 0  # the preview wrote nothing
    _shot(wizard, "3-preview")
    wizard.next()  # the import, on a worker thread
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.result_page, timeout=10000)
    assert len(imported) == 1 and imported[0].persons_added == 5
    assert "新增 3 户 5 人" in wizard.result_page.summary.text()
    _shot(wizard, "4-result")
    with sqlite_db.session() as s:
        assert s.query(Member).count() == 5
    report = wizard.result_page.save_report(str(tmp_path / "rejects.xlsx"))
    rows = list(openpyxl.load_workbook(report).active.values)
    assert len(rows) == 2 and "汉旅" in rows[1][-2]
    assert boxes == []


def test_an_unmapped_column_is_mapped_by_hand_and_remembered(qtbot, sqlite_db, settings, boxes, tmp_path):
    path = write_roster(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active.cell(3, 3).value = "所属村"  # 行政村 under a name the layout does not know
    wb.save(path)
    wizard = _wizard(qtbot, sqlite_db, settings, path)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10000)
    page = wizard.mapping_page
    assert not page.isComplete() and "行政村" in page.missing.text()
    combo = page.combos[2]
    combo.setCurrentIndex(combo.findData("village"))
    assert page.isComplete()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.preview_page.isComplete(), timeout=10000)
    assert wizard.preview_page.preview.persons_added == 6
    assert settings.get_raw(MAPPING_PREFIX + wizard.header.signature)
    # a second wizard on a file of the same layout finds the column mapped
    again = _wizard(qtbot, sqlite_db, settings, path)
    again.next()
    again.next()
    qtbot.waitUntil(lambda: again.currentPage() is again.mapping_page, timeout=10000)
    assert again.mapping_page.isComplete()


def test_a_file_that_is_not_a_roster_is_refused_in_plain_chinese(qtbot, sqlite_db, settings, boxes, tmp_path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04" + bytes(200))  # a download cut short (a text file would be read as CSV)
    wizard = _wizard(qtbot, sqlite_db, settings, bad)
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert boxes and "不是完整的 Excel 工作簿" in boxes[0][1] and "重新获取原文件" in boxes[0][1]
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "下一步 >"
