"""The registry by keyboard: Ctrl+F to the search box, Down into the list, Enter opens the household, Tab from the
search box reaches the list; the common shortcuts are on their menu actions; all columns fit at 1280×800."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication


def _editors(window):
    from ui.household_editor import HouseholdEditor

    return [e for e in window.findChildren(HouseholdEditor) if e.isVisible()]


def _focus(qtbot, widget):
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)


def test_ctrl_f_down_enter_finds_and_opens_a_household(main_window, qtbot):
    view = main_window.registry.view
    _focus(qtbot, main_window.area_tree)
    # GIVEN the clerk anywhere in the window: Ctrl+F goes to the search box
    qtbot.keyClick(main_window.area_tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is view.search
    # WHEN they type a household number, press Down and then Enter
    number = view.model.data(view.model.index(3, 0))
    qtbot.keyClicks(view.search, number)
    view.apply_filters()  # the typing delay
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    assert view.model.rowCount() == 1 and view.model.data(view.model.index(0, 0)) == number
    assert QApplication.focusWidget() is view.table and view.table.currentIndex().row() == 0
    assert view.selected_household_ids() == [view.model.household_id(0)]
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    # THEN the household opens
    editors = _editors(main_window)
    assert len(editors) == 1 and editors[0].household_id == view.model.household_id(0)
    # AND Ctrl+W (the platform's Close) closes it again, nothing changed so nothing asked
    editor = editors[0]
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    qtbot.keySequence(editor, QKeySequence(QKeySequence.StandardKey.Close))
    assert not editor.isVisible()


def test_down_moves_on_in_the_list_and_up_from_the_first_row_goes_back_to_the_search(main_window, qtbot):
    view = main_window.registry.view
    _focus(qtbot, view.search)
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.table.currentIndex().row() == 1
    qtbot.keyClick(view.table, Qt.Key.Key_Up)
    assert view.table.currentIndex().row() == 0 and QApplication.focusWidget() is view.table
    qtbot.keyClick(view.table, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is view.search


def test_tab_from_the_search_box_reaches_the_list(main_window, qtbot):
    view = main_window.registry.view
    _focus(qtbot, view.search)
    qtbot.keyClick(view.search, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.table


def test_an_empty_result_keeps_the_keyboard_in_the_search_box(main_window, qtbot):
    view = main_window.registry.view
    _focus(qtbot, view.search)
    qtbot.keyClicks(view.search, "999999999999")
    view.apply_filters()
    assert view.model.rowCount() == 0
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is view.search


def test_menu_actions_carry_the_common_shortcuts(main_window):
    actions = {a.text(): a for menu in main_window.menus.values() for a in menu.actions()}

    def keys(text):
        return actions[text].shortcuts()

    assert QKeySequence(QKeySequence.StandardKey.Open) in keys("导入花名册…")
    assert QKeySequence("Ctrl+I") in keys("导入花名册…")  # still there for those used to it
    assert keys("查找(&F)")[0] == QKeySequence(QKeySequence.StandardKey.Find)
    assert keys("新建户(&N)…")[0] == QKeySequence(QKeySequence.StandardKey.New)
    assert keys("刷新(&R)")[0] == QKeySequence(QKeySequence.StandardKey.Refresh)


def test_all_columns_and_the_whole_placeholder_show_at_1280x800(main_window, qtbot):
    view = main_window.registry.view
    main_window.resize(1280, 800)
    view.fit_columns()
    qtbot.wait(50)
    header = view.table.horizontalHeader()
    last = header.logicalIndex(header.count() - 1)
    right_edge = header.sectionViewportPosition(last) + header.sectionSize(last)
    assert 0 < right_edge <= view.table.viewport().width()  # 监测类型 on screen without scrolling
    numbers = view.model.data(view.model.index(0, 0))
    assert header.sectionSize(0) >= view.table.fontMetrics().horizontalAdvance(numbers)  # 户编号 never elided
    search = view.search
    assert "户编号" in search.placeholderText()
    # the whole placeholder is readable beside the clear button (about two lines' height of room)
    room = search.width() - 2 * search.fontMetrics().height()
    assert room >= search.fontMetrics().horizontalAdvance(search.placeholderText())
    shots = Path("/tmp/shots15")
    shots.mkdir(exist_ok=True)
    main_window.grab().save(str(shots / "main_window_1280x800.png"))
