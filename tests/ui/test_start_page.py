"""The first start: an empty database shows the start page; creating areas, an area list or the demo county leads on."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from povdesk.db import open_database
from povdesk.model import Area
from ui import start_page
from ui.area_dialogs import NewCountyDialog
from ui.main_window import MainWindow

SHOTS = "/tmp/shots15"


@pytest.fixture
def empty_db(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'povdesk.db'}")
    yield db
    db.close()


@pytest.fixture
def empty_window(qtbot, empty_db, settings):
    window = MainWindow(empty_db, settings)
    qtbot.addWidget(window)
    window.show()
    return window


def _tree_names(window):
    model = window.area_tree.model()
    names = []

    def walk(parent):
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            names.append(index.data())
            walk(index)

    from PySide6.QtCore import QModelIndex

    walk(QModelIndex())
    return names


def test_an_empty_database_shows_the_start_page(empty_window):
    # GIVEN a database without any area; THEN the three choices are shown, not an empty tree
    page = empty_window.start_page
    assert page is not None and empty_window.pages.currentWidget() is page
    assert page.import_button.text().startswith("导入花名册")
    assert page.new_button.text().startswith("新建区划")
    assert page.demo_button.text().startswith("载入演示数据")
    assert not empty_window.area_tree.isVisible()
    assert empty_window.toolbar.isHidden()  # no 新建户 that can only answer "请先选择村"
    empty_window.grab().save(f"{SHOTS}/start_page.png")


def test_a_database_with_areas_shows_the_tree(main_window):
    assert main_window.start_page is None and main_window.pages.currentWidget() is main_window.splitter


def test_new_area_creates_the_county_its_township_and_village(empty_window, monkeypatch, empty_db, qtbot):
    def fill(dialog):
        dialog.name.setText("新安县")
        dialog.code.setText("532931000000")
        dialog.outline.setPlainText("河口镇：东山村、西山村\n石岩乡：南坪村")
        dialog.grab().save(f"{SHOTS}/new_county_dialog.png")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(NewCountyDialog, "exec", fill)
    empty_window.start_page.new_button.click()
    assert empty_window.pages.currentWidget() is empty_window.splitter
    assert not empty_window.toolbar.isHidden()
    assert _tree_names(empty_window) == ["新安县", "河口镇", "东山村", "西山村", "石岩乡", "南坪村"]
    # an area without households counts 0 once counted, not "…" for ever
    qtbot.waitUntil(lambda: empty_window.area_tree.model().index(0, 1).data() == "0", timeout=5000)
    assert empty_window.summary.text() == "新安县：建档立卡 0 户 0 人"
    empty_window.grab().save(f"{SHOTS}/after_new_area.png")


def test_a_wrong_county_code_keeps_the_dialog_open(empty_window, monkeypatch, empty_db):
    seen = {}

    def fill(dialog):
        dialog.name.setText("新安县")
        dialog.code.setText("5329")
        dialog.accept()
        seen["error"] = dialog.error.text()
        seen["name"] = dialog.name.text()
        return dialog.result()

    monkeypatch.setattr(NewCountyDialog, "exec", fill)
    empty_window.start_page.new_button.click()
    assert "12位数字" in seen["error"] and seen["name"] == "新安县"
    assert empty_window.pages.currentWidget() is empty_window.start_page


def test_an_area_list_from_excel_brings_the_tree(empty_window, tmp_path, boxes):
    from openpyxl import Workbook

    book = Workbook()
    for row in (
        ["区划代码", "区划名称"],
        ["532931000000", "新安县"],
        ["532931101000", "河口镇"],
        ["532931101201", "东山村"],
    ):
        book.active.append(row)
    book.save(tmp_path / "区划.xlsx")
    result = empty_window.start_page.import_area_list(str(tmp_path / "区划.xlsx"))
    assert result.added == 3 and boxes == [("information", "已新建 3 个区划。")]
    assert _tree_names(empty_window) == ["新安县", "河口镇", "东山村"]
    assert empty_window.pages.currentWidget() is empty_window.splitter


def test_demo_data_goes_to_a_separate_file(empty_window, empty_db, tmp_path, qtbot, monkeypatch):
    # GIVEN the real database is empty; WHEN the clerk loads the demo data
    monkeypatch.setattr(start_page, "DEMO_HOUSEHOLDS", 60)
    empty_window.start_page.demo_button.click()
    qtbot.waitUntil(lambda: getattr(empty_window, "replacement", None) is not None, timeout=30000)
    demo = empty_window.replacement
    qtbot.addWidget(demo)
    try:
        # THEN a window on povdesk-demo.db beside the real file, labelled as demo data, and the real file stays empty
        assert (tmp_path / start_page.DEMO_FILE).exists()
        assert start_page.is_demo(demo.db) and "演示数据" in demo.windowTitle()
        assert demo.db_label.text().startswith("演示数据")
        assert demo.pages.currentWidget() is demo.splitter and _tree_names(demo)[0] == "云岭县"
        assert not empty_window.isVisible()
        with empty_db.session() as session:
            assert session.execute(select(func.count()).select_from(Area)).scalar() == 0
        qtbot.waitUntil(lambda: bool(demo.area_tree.counts), timeout=10000)
        demo.grab().save(f"{SHOTS}/demo_window.png")
        assert demo.return_url == empty_db.url
        # 帮助 → 返回正式数据 reopens the real (still empty) database
        back = next(a for a in demo.menus["help"].actions() if a.objectName() == "demoAction")
        assert back.text() == "返回正式数据(&B)"
        back.trigger()
        real = demo.replacement
        qtbot.addWidget(real)
        assert real.db.url == empty_db.url and not start_page.is_demo(real.db)
        assert "演示数据" not in real.windowTitle() and real.pages.currentWidget() is real.start_page
        real.close()
    finally:
        demo.close()


def test_import_roster_opens_the_wizard_and_the_tree_follows(empty_window, monkeypatch, empty_db):
    import ui.importing

    opened = []
    monkeypatch.setattr(ui.importing, "open_import_wizard", lambda window, path=None: opened.append((window, path)))
    empty_window.start_page.import_roster("/tmp/花名册.xlsx")
    assert opened == [(empty_window, "/tmp/花名册.xlsx")]
    # WHEN the wizard has imported (it emits data_changed) THEN the start page gives way to the tree
    from povdesk import areas

    with empty_db.transaction() as session:
        areas.add_area(session, None, "新安县")
    empty_window.data_changed.emit()
    assert empty_window.pages.currentWidget() is empty_window.splitter
    assert not empty_window.toolbar.isHidden()
    assert _tree_names(empty_window) == ["新安县"]
