"""导出帮扶责任人一览表: the dialog writes the Excel file and the PDF, then tells the clerk where they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices

from povdesk.model import Area
from ui.pairing.export import ExportDialog


@pytest.fixture
def opened(monkeypatch):
    """The files and folders the dialog asked the desktop to open."""
    urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(Path(url.toLocalFile())) or True)
    return urls


def first(db, level: str) -> Area:
    with db.session() as s:
        return s.scalars(select(Area).where(Area.level == level).order_by(Area.sort_order, Area.id)).first()


def test_dialog_writes_both_files_and_shows_where(qtbot, demo_db, settings, tmp_path, opened, boxes):
    village = first(demo_db, "village")
    # GIVEN the dialog opened on the village selected in the main window
    dialog = ExportDialog(demo_db, settings, village.id, None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.area.currentData() == village.id
    assert dialog.xlsx.text().endswith(f"{village.name}帮扶责任人一览表.xlsx") and dialog.pdf.isEnabled()
    xlsx, pdf = tmp_path / "out" / "一览表.xlsx", tmp_path / "out" / "一览表.pdf"
    xlsx.parent.mkdir()
    dialog.xlsx.setText(str(xlsx))
    dialog.pdf.setText(str(pdf))
    # WHEN the clerk exports
    with qtbot.assertNotEmitted(dialog.data_changed):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(dialog.result.isVisible, timeout=20000)
    # THEN both files exist and the dialog says where, with buttons to open them
    assert xlsx.exists() and pdf.exists() and not boxes
    shown = dialog.result_text.text()
    assert str(xlsx) in shown and str(pdf) in shown and village.name in shown and "已落实帮扶责任人" in shown
    assert load_workbook(xlsx).sheetnames == ["帮扶责任人一览表", "全国系统帮扶责任人"]
    assert pdf.read_bytes().startswith(b"%PDF")
    qtbot.mouseClick(dialog.open_folder, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.open_pdf, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.open_xlsx, Qt.MouseButton.LeftButton)
    assert opened == [xlsx.parent, pdf, xlsx]
    # the next export starts in the same folder
    again = ExportDialog(demo_db, settings, None, None)
    qtbot.addWidget(again)
    assert Path(again.xlsx.text()).parent == xlsx.parent


def test_county_exports_excel_only_and_a_wrong_name_keeps_the_dialog_open(qtbot, demo_db, settings, tmp_path, boxes):
    county = first(demo_db, "county")
    dialog = ExportDialog(demo_db, settings, None, None)
    qtbot.addWidget(dialog)
    dialog.show()
    # the whole county: no PDF (thousands of pages), and the clerk is told why
    assert dialog.area.currentData() == county.id
    assert not dialog.pdf_wanted.isEnabled() and not dialog.pdf_wanted.isChecked() and not dialog.pdf.isEnabled()
    assert "乡镇或村" in dialog.pdf_hint.text() and dialog.pdf_hint.isVisible()
    dialog.xlsx.setText(str(tmp_path / "一览表.txt"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.message.isVisible() and ".xlsx" in dialog.message.text() and dialog.isVisible()
    assert dialog.xlsx.styleSheet() and not dialog.result.isVisible()
    dialog.xlsx.setText(str(tmp_path / "全县.xlsx"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.result.isVisible, timeout=20000)
    assert (tmp_path / "全县.xlsx").exists() and not list(tmp_path.glob("*.pdf")) and not boxes
    assert not dialog.open_pdf.isVisible() and "400 户" in dialog.result_text.text()
    # choosing a township offers the PDF again
    township = first(demo_db, "township")
    dialog.area.setCurrentIndex(dialog.area.findData(township.id))
    assert dialog.pdf_wanted.isEnabled() and dialog.pdf_wanted.isChecked()
    assert dialog.pdf.text().endswith(f"{township.name}帮扶责任人一览表.pdf")


def test_menu_opens_the_dialog_on_the_selected_area(qtbot, main_window):
    screen = main_window.pairing.show_screen("ui.pairing.export", "ExportDialog")
    assert isinstance(screen, ExportDialog)
    assert screen.area.currentData() in (main_window.current_area_id(), first(main_window.db, "county").id)
    assert "导出帮扶责任人一览表(&E)…" in [a.text() for a in main_window.menus["pairing"].actions()]
