"""导出作战图PDF from the menu and from the dashboard: the sheet of the chosen area, year and paper is written in the
background, a PNG of its first page beside it when asked, and the clerk is told where it went."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from PySide6.QtWidgets import QMessageBox

from povdesk.model import Area
from ui.files import SavedBox
from ui.wallchart.dashboard import DashboardWindow
from ui.wallchart.export import PAPER, ExportDialog


def _pdf_text(path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def _page_size_mm(path) -> tuple[float, float]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        w, h = pdf[0].get_size()
    finally:
        pdf.close()
    return round(w / 72 * 25.4), round(h / 72 * 25.4)


def _export(qtbot, dialog: ExportDialog):
    with qtbot.waitSignal(dialog.written, timeout=60000) as blocker:
        dialog.export_button.click()
    return blocker.args[0]


def test_the_menu_exports_the_selected_township_on_a2_with_a_png(main_window, qtbot, tmp_path):
    db = main_window.db
    with db.session() as s:
        township = s.scalars(select(Area).where(Area.level == "township").order_by(Area.sort_order)).first()
        township_id, name = township.id, township.name
        villages = list(s.scalars(select(Area.name).where(Area.parent_id == township_id)))
    main_window.area_tree.select_area(township_id)
    main_window.wallchart.actions["ExportDialog"].trigger()
    dialog = main_window.wallchart.open["ExportDialog"]
    assert dialog.area.currentData() == township_id
    assert dialog.pdf.text().endswith(f"{name}{dt.date.today().year}年作战图.pdf")
    dialog.paper.setCurrentIndex(dialog.paper.findData("A2"))
    dialog.png.setChecked(True)
    target = tmp_path / "乡镇作战图.pdf"
    dialog.pdf.setText(str(target))
    written = _export(qtbot, dialog)
    assert written == target and target.stat().st_size > 0
    assert target.with_suffix(".png").stat().st_size > 0
    text = _pdf_text(target)
    assert name in text and all(v in text for v in villages)
    assert _page_size_mm(target) == (594, 420)  # A2 landscape
    assert main_window.settings.get(PAPER) == "A2"  # the next export starts on the same paper
    boxes = [w for w in dialog.findChildren(SavedBox)]
    assert boxes and str(target) in boxes[-1].informativeText()


def test_a_file_name_without_pdf_keeps_the_dialog_open(demo_db, settings, qtbot, tmp_path):
    dialog = ExportDialog(demo_db, settings, None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.pdf.setText(str(tmp_path / "作战图.docx"))
    dialog.export_button.click()
    assert dialog.message.isVisible() and ".pdf" in dialog.message.text()
    assert "c9302c" in dialog.pdf.styleSheet()
    assert not list(tmp_path.glob("作战图*"))


@pytest.mark.parametrize("year", [2019])
def test_the_dashboard_exports_its_area_and_year(demo_db, settings, qtbot, tmp_path, monkeypatch, year):
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: pytest.fail(f"warning: {a[2]}"))
    dashboard = DashboardWindow(demo_db, settings, None)
    qtbot.addWidget(dashboard)
    with qtbot.waitSignal(dashboard.loaded, timeout=20000):
        dashboard.show()
    with qtbot.waitSignal(dashboard.loaded, timeout=20000):
        dashboard.year.setCurrentIndex(dashboard.year.findData(year))
    dashboard.export_pdf()
    dialog = dashboard.findChild(ExportDialog)
    assert dialog.year.currentData() == year and dialog.area.currentIndex() == 0  # the county
    target = tmp_path / "县.pdf"
    dialog.pdf.setText(str(target))
    dialog.png.setChecked(False)
    _export(qtbot, dialog)
    text = _pdf_text(target)
    assert f"{year}" in text and dashboard.view.dashboard.total.name in text
    assert all(c.name in text for c in dashboard.view.dashboard.children)
