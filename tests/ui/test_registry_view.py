"""The registry screen driven through the main window: list, search, sort, filters, columns, editor, alerts."""

from __future__ import annotations

from sqlalchemy import select

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from povdesk import stats
from povdesk.model import Household, HouseholdYear, Member, MonitoringLine
from povdesk.registry import COLUMN_KEYS, COLUMNS
from ui.main_window import MainWindow


def _column(view, key):
    model = view.model
    col = COLUMN_KEYS.index(key)
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def _click_header(qtbot, view, key):
    header = view.table.horizontalHeader()
    col = COLUMN_KEYS.index(key)
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_county_list_shows_every_household_in_chinese(main_window, demo_db):
    view = main_window.registry.view
    header = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(view.model.columnCount())]
    assert header == [title for _key, title in COLUMNS]
    assert view.model.rowCount() == 400 and view.count_label.text().startswith("共 400 户")
    assert set(_column(view, "status")) <= {"未脱贫", "已脱贫（享受政策）", "预脱贫", "返贫", "已脱贫（不再享受政策）"}
    assert set(_column(view, "attribute")) <= {"一般贫困户", "低保贫困户", "特困供养贫困户"}
    assert all(head for head in _column(view, "head"))


def test_selecting_a_village_narrows_the_list(main_window, demo_db):
    tree, view = main_window.area_tree, main_window.registry.view
    model = tree.model()
    village = model.index(0, 0, model.index(0, 0, model.index(0, 0)))
    tree.setCurrentIndex(village)
    with demo_db.session() as session:
        expected = stats.compute(session, stats.find_area(session, village.data()))["households"]
    assert view.model.rowCount() == expected > 0
    assert set(_column(view, "village")) == {village.data()}


def test_search_by_pinyin_initials_as_the_clerk_types(main_window, demo_db, qtbot):
    view = main_window.registry.view
    with demo_db.session() as session:
        member = session.scalars(select(Member).where(Member.relation == "spouse").order_by(Member.id)).first()
        number = session.get(Household, member.household_id).number
    qtbot.keyClicks(view.search, member.name_initials)
    qtbot.waitUntil(lambda: view.model.rowCount() < 400, timeout=3000)  # after the typing pause
    assert number in _column(view, "number")
    view.search.clear()
    qtbot.keyClicks(view.search, member.id_number)
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert _column(view, "number") == [number]


def test_clicking_the_income_header_sorts_by_income_then_reverses(main_window, demo_db, qtbot):
    view = main_window.registry.view
    _click_header(qtbot, view, "per_capita_income")
    incomes = [float(v.replace(",", "")) for v in _column(view, "per_capita_income")]
    assert incomes == sorted(incomes) and len(incomes) == 400
    _click_header(qtbot, view, "per_capita_income")
    incomes = [float(v.replace(",", "")) for v in _column(view, "per_capita_income")]
    assert incomes == sorted(incomes, reverse=True)


def test_filters_and_the_year_of_the_figures(main_window, demo_db):
    view = main_window.registry.view
    view.status.setCurrentIndex(view.status.findText("未脱贫"))
    with demo_db.session() as session:
        poor = session.scalar(select(Household.id).where(Household.status == "poor").limit(1))
        poor_now = len(session.scalars(select(Household.id).where(Household.status == "poor")).all())
        poor_2018 = len(
            session.scalars(
                select(HouseholdYear.id).where(HouseholdYear.year == 2018, HouseholdYear.status == "poor")
            ).all()
        )
    assert poor and view.model.rowCount() == poor_now
    view.year.setCurrentIndex(view.year.findText("2018年"))
    assert view.model.rowCount() == poor_2018 > poor_now
    assert "2018年" in view.count_label.text()


def test_hidden_columns_and_widths_are_remembered(qtbot, demo_db, settings):
    first = MainWindow(demo_db, settings)
    qtbot.addWidget(first)
    view = first.registry.view
    helper = COLUMN_KEYS.index("helper")
    view.set_column_shown(helper, False)
    view.table.horizontalHeader().resizeSection(0, 222)
    first.close()
    second = MainWindow(demo_db, settings)
    qtbot.addWidget(second)
    header = second.registry.view.table.horizontalHeader()
    assert header.isSectionHidden(helper) and not header.isSectionHidden(0)
    assert header.sectionSize(0) == 222


def test_double_click_opens_the_household_and_a_save_refreshes_the_list(main_window, demo_db, qtbot):
    view = main_window.registry.view
    index = view.model.index(0, COLUMN_KEYS.index("head"))
    rect = view.table.visualRect(index)
    _double_click(qtbot, view.table, rect.center())
    editor = _open_editor(main_window)
    assert editor.isVisible() and editor.household_id == view.model.household_id(0)
    assert editor.windowTitle().startswith("农户档案 - " + view.model.data(index))
    editor.basic_tab.phone.selectAll()
    qtbot.keyClicks(editor.basic_tab.phone, "13900001111")
    with qtbot.waitSignal(main_window.data_changed, timeout=5000):  # the list and the tree counts reload
        editor.save()
    with demo_db.session() as session:
        assert session.get(Household, view.model.household_id(0)).phone == "13900001111"


def _double_click(qtbot, table, pos):
    # Qt 6 item views open on a double click only after the press of the first click, as a real mouse sends it
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _open_editor(window):
    from ui.household_editor import HouseholdEditor

    editors = [e for e in window.findChildren(HouseholdEditor) if e.isVisible()]
    assert len(editors) == 1
    return editors[0]


def test_alerts_panel_lists_households_below_the_line_and_opens_them(main_window, demo_db, qtbot):
    with demo_db.transaction() as session:
        county = session.scalar(select(MonitoringLine.area_id).limit(1))
        session.add(MonitoringLine(area_id=county, year=2020, amount=5000))
    dock = main_window.registry.alerts
    dock.show()
    qtbot.waitUntil(lambda: dock.model.rowCount() > 0, timeout=10000)
    assert dock.line_label.text().startswith("2020年 监测线 5,000 元/人")
    dock.kind.setCurrentIndex(dock.kind.findText("收入低于监测线"))
    reasons = [a.reason for a in dock.model.alerts]
    assert reasons and all("低于监测线 5,000 元" in r for r in reasons)
    first = dock.model.alerts[0]
    rect = dock.table.visualRect(dock.model.index(0, 0))
    _double_click(qtbot, dock.table, rect.center())
    editor = _open_editor(main_window)
    assert editor.household_id == first.household_id


def test_monitoring_lines_are_edited_in_settings(main_window, demo_db, qtbot, monkeypatch):
    from ui.registry.monitoring_lines import MonitoringLinesDialog

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    dialog = MonitoringLinesDialog(demo_db, main_window.settings, main_window)
    dialog.show()
    before = dialog.table.rowCount()
    dialog.add_year()
    dialog.table.item(before, 1).setText("abc")
    dialog.accept()
    assert warnings == [f"第 {before + 1} 行：监测线“abc”不是金额"]  # the dialog keeps the input to fix
    dialog.table.item(before, 1).setText("8,800")
    dialog.accept()
    assert not dialog.isVisible()
    with demo_db.session() as session:
        lines = dict(session.execute(select(MonitoringLine.year, MonitoringLine.amount)).all())
    assert lines[2026] == 8800


def test_export_of_the_filtered_list_holds_exactly_its_households(main_window, demo_db, qtbot, tmp_path, monkeypatch):
    from python_calamine import CalamineWorkbook

    from PySide6.QtWidgets import QFileDialog

    view = main_window.registry.view
    view.status.setCurrentIndex(view.status.findText("返贫"))
    wanted = set(_column(view, "number"))
    out = tmp_path / "返贫户.xlsx"
    from ui.files import SavedBox

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    action = next(a for a in main_window.menus["registry"].actions() if a.text().startswith("导出当前列表"))
    action.trigger()
    qtbot.waitUntil(lambda: bool(main_window.findChildren(SavedBox)), timeout=20000)
    told = main_window.findChildren(SavedBox)[0]  # where the file went, with 打开 / 打开所在文件夹
    assert told.text().startswith(f"已导出 {len(wanted)} 户") and told.informativeText() == str(out)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    header = next(i for i, row in enumerate(rows) if "户编号" in row)
    column = rows[header].index("户编号")
    exported = {str(row[column]) for row in rows[header + 1 :] if row[column]}
    assert exported == wanted and wanted


def test_clerk_flow_area_search_open_add_member_fix_id_save_history(main_window, demo_db, qtbot):
    import datetime as dt

    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    from povdesk import idnumber

    # GIVEN a village chosen in the tree and a household found by its head's pinyin initials
    tree, view = main_window.area_tree, main_window.registry.view
    model = tree.model()
    tree.setCurrentIndex(model.index(1, 0, model.index(0, 0, model.index(0, 0))))
    head = _column(view, "head")[0]
    with demo_db.session() as session:
        initials = session.scalar(select(Member.name_initials).where(Member.name == head))
    qtbot.keyClicks(view.search, initials)
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert head in _column(view, "head")
    row = _column(view, "head").index(head)
    # WHEN the clerk opens it and adds a member with a wrong check character
    _double_click(qtbot, view.table, view.table.visualRect(view.model.index(row, 1)).center())
    editor = _open_editor(main_window)
    editor.tabs.setCurrentWidget(editor.members_tab)
    qtbot.mouseClick(editor.members_tab.add_button, Qt.MouseButton.LeftButton)
    dialog = editor.members_tab.dialog
    event = QInputMethodEvent()
    event.setCommitString("王小丫")  # typed through an input method, as Chinese is
    QApplication.sendEvent(dialog.name, event)
    good = idnumber.make("532930", dt.date(2016, 2, 29), 22)
    bad = good[:17] + ("1" if good[17] == "0" else "0")
    qtbot.keyClicks(dialog.id_number, bad)
    # THEN the reason shows at once; fixing the last character fills sex and birth date
    assert dialog.id_reason.isVisible() and "校验位错误" in dialog.id_reason.text()
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.id_number, good[17])
    assert not dialog.id_reason.isVisible()
    assert (dialog.sex.currentText(), dialog.birth_date.value()) == ("女", dt.date(2016, 2, 29))
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.members_tab.dialog is None)
    with qtbot.waitSignal(main_window.data_changed, timeout=5000):
        assert editor.save()
    # AND the history shows the new member; the list shows one more person
    editor.tabs.setCurrentWidget(editor.history_tab)
    table = editor.history_tab.table
    newest = [table.item(0, c).text() for c in range(table.columnCount())]
    assert "新增成员" in newest and "王小丫" in newest
    persons = int(_column(view, "persons")[_column(view, "head").index(head)])
    with demo_db.session() as session:
        hid = session.scalar(select(Member.household_id).where(Member.id_number == good))
        assert persons == len([m for m in session.get(Household, hid).members if m.removed_on is None])


def test_the_county_opens_on_its_first_page_and_takes_the_full_list_once_painted(demo_db, settings, qtbot):
    from povdesk import registry
    from povdesk.registry import RegistryQuery
    from ui.registry.table_model import HouseholdTableModel
    from ui.registry.view import RegistryView

    with demo_db.session() as s:
        everything = registry.household_ids(s, RegistryQuery())
    model = HouseholdTableModel(demo_db)
    model.set_query(RegistryQuery())
    # the first page and the count are there at once; a row further down is fetched when asked for
    assert model.partial and model.rowCount() == 400 and model.household_id(0) == everything[0]
    assert model.household_id(350) == everything[350] and not model.partial and model.household_ids() == everything
    # in the window, the rest of the list is taken once the first rows have been painted
    view = RegistryView(demo_db, settings)
    qtbot.addWidget(view)
    view.show()
    view.apply_filters()
    qtbot.waitUntil(lambda: not view.model.partial, timeout=2000)
    assert view.model.household_ids() == everything
    # a household deleted between the count and the full list: the list refreshes itself
    model.set_query(RegistryQuery())
    with demo_db.transaction() as s:
        last = s.get(Household, everything[-1])
        for table in ("change_log", "household_year", "pairing", "monitored_household", "member"):
            s.execute(Household.metadata.tables[table].delete().where(
                Household.metadata.tables[table].c.household_id == last.id))  # fmt: skip
        s.delete(last)
    with qtbot.waitSignal(model.modelReset, timeout=2000):
        model.complete()
    assert model.rowCount() == 399 and everything[-1] not in model.household_ids()


def test_the_to_verify_filter_lists_households_with_values_kept_as_written(main_window, demo_db, qtbot):
    view = main_window.registry.view
    assert view.to_verify.text() == "待核实（0 户）"
    with demo_db.transaction() as session:  # as a roster import leaves them
        flagged = session.scalars(select(Household).order_by(Household.number).limit(3)).all()
        for household in flagged:
            household.needs_review, household.unverified = True, {"attribute": "扶贫户"}
        numbers = [h.number for h in flagged]
    main_window.data_changed.emit()
    assert view.to_verify.text() == "待核实（3 户）"
    view.to_verify.setChecked(True)
    assert _column(view, "number") == numbers and view.count_label.text().startswith("共 3 户")
    # the clerk fixes the first one: once saved, it leaves the list
    _double_click(qtbot, view.table, view.table.visualRect(view.model.index(0, 0)).center())
    editor = _open_editor(main_window)
    editor.tabs.setCurrentWidget(editor.extra_tab)
    editor.extra_tab.verify_table.selectRow(0)
    editor.extra_tab.mark_checked()
    with qtbot.waitSignal(main_window.data_changed, timeout=5000):
        assert editor.save()
    assert _column(view, "number") == numbers[1:] and view.to_verify.text() == "待核实（2 户）"
    view.to_verify.setChecked(False)
    assert view.model.rowCount() == 400
