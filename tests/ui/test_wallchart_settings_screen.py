"""作战图设置 driven through its widgets: a template change (title, order, a column removed and one added) is saved and
shown by the dashboard; targets, rural population and the GeoJSON map are saved on 确定 and not before."""

from __future__ import annotations

import json
import os

from sqlalchemy import select

from PySide6.QtWidgets import QDialog

from povdesk.model import Area
from povdesk.wallchart import geo, population, targets, templates
from ui.wallchart.dashboard import OFFICE, DashboardWindow
from ui.wallchart.settings_dialog import WallchartSettingsDialog

YEAR = 2026
SHOTS = os.environ.get("POVDESK_SHOTS")  # a folder: save screenshots of the screens there


def _dialog(qtbot, db, settings) -> WallchartSettingsDialog:
    import datetime as dt

    dialog = WallchartSettingsDialog(db, settings, None, today=dt.date(YEAR, 12, 1))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _village(db) -> Area:
    with db.session() as s:
        village = s.scalars(select(Area).where(Area.level == "village").order_by(Area.sort_order, Area.id)).first()
        s.expunge(village)
        return village


def test_a_template_change_is_saved_and_the_dashboard_shows_it(main_window, qtbot):
    db = main_window.db
    # GIVEN the settings opened from the 挂图作战 menu, on the township template's first table
    main_window.wallchart.actions["WallchartSettingsDialog"].trigger()
    dialog = main_window.wallchart.open["WallchartSettingsDialog"]
    dialog.tabs.setCurrentIndex(2)
    dialog.level.setCurrentIndex(dialog.level.findData("township"))
    dialog.table_list.setCurrentRow(0)
    before = [c.key for c in templates.DEFAULTS["township"].tables[0].columns]
    assert dialog.columns.rowCount() == len(before)
    # WHEN the clerk renames the households column, moves it to the end, removes 农村人口, adds 近三个月走访次数
    households_row = before.index("households")
    dialog.columns.item(households_row, 1).setText("贫困户总数")
    dialog.columns.selectRow(households_row)
    for _ in range(len(before)):
        dialog.down.click()
    dialog.columns.selectRow([dialog.columns.item(r, 0).toolTip() for r in range(dialog.columns.rowCount())]
                             .index("rural_population"))  # fmt: skip
    dialog.remove.click()
    dialog.columns.selectRow(dialog.columns.rowCount() - 1)  # a column is added after the selected one
    dialog.add_choice.setCurrentIndex(dialog.add_choice.findData("visits_recent"))
    dialog.add.click()
    dialog.table_title.setText("表一　村级贫困人口")
    dialog.table_title.textEdited.emit("表一　村级贫困人口")
    if SHOTS:
        dialog.resize(900, 640)
        dialog.grab().save(os.path.join(SHOTS, "wallchart-settings-screen.png"))
    with qtbot.waitSignal(dialog.finished):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    # THEN the template is stored as edited
    with db.session() as s:
        saved = templates.load(s, "township").tables[0]
    keys = [c.key for c in saved.columns]
    assert keys[-1] == "visits_recent" and keys[-2] == "households" and "rural_population" not in keys
    assert saved.columns[-2].title == "贫困户总数" and saved.title == "表一　村级贫困人口"
    with db.session() as s:  # the other levels were left as they were: still the defaults, not written
        assert templates.load(s, "county") == templates.DEFAULTS["county"]
    # AND a township's dashboard shows the new column titles in that order
    with db.session() as s:
        township = s.scalars(select(Area.id).where(Area.level == "township")).first()
    dashboard = DashboardWindow(db, main_window.settings, township)
    qtbot.addWidget(dashboard)
    with qtbot.waitSignal(dashboard.loaded, timeout=20000):
        dashboard.show()
    model = dashboard.table_views[0].model()
    headers = [model.headerData(i, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal)
               for i in range(model.columnCount())]  # fmt: skip
    assert headers[-2:] == ["贫困户总数", "近三个月走访次数"] and "农村人口" not in headers
    assert dashboard.tables_tabs.tabToolTip(0) == "表一　村级贫困人口"


def test_reset_to_default_removes_the_office_template(demo_db, settings, qtbot):
    with demo_db.transaction() as s:
        changed = templates.DEFAULTS["county"]
        first = changed.tables[0]
        templates.save(s, type(changed)(changed.level, "某县作战图", changed.map_metric,
                                        (type(first)(first.key, first.title, first.rows, first.columns[:2]),
                                         *changed.tables[1:])))  # fmt: skip
    dialog = _dialog(qtbot, demo_db, settings)
    dialog.level.setCurrentIndex(dialog.level.findData("county"))
    assert dialog.sheet_title.text() == "某县作战图" and dialog.columns.rowCount() == 2
    dialog.reset_level.click()
    assert dialog.sheet_title.text() == templates.DEFAULTS["county"].title
    dialog.accept()
    with demo_db.session() as s:
        assert templates.load(s, "county") == templates.DEFAULTS["county"]


def test_targets_office_and_population_are_saved_on_ok(demo_db, settings, qtbot):
    village = _village(demo_db)
    dialog = _dialog(qtbot, demo_db, settings)
    # the incidence target is shown as a percentage and edited as one; the west's button sets 3%
    row = [t.key for t in dialog._targets].index("incidence")
    assert dialog.targets_table.item(row, 3).text() == "2"
    dialog.targets_west.click()
    assert dialog.targets_table.item(row, 3).text() == "3"
    dialog.office.setText("云岭县脱贫攻坚指挥部")
    # the village's rural population for the year
    table = dialog.population_table
    r = next(r for r in range(table.rowCount()) if table.item(r, 1).data(0x0100) == village.id)
    table.item(r, 3).setText("1,250")
    with demo_db.session() as s:  # nothing written before 确定
        assert population.populations(s, YEAR) == {}
        assert targets.load(s) == list(targets.DEFAULTS)
    dialog.accept()
    with demo_db.session() as s:
        assert population.populations(s, YEAR) == {village.id: 1250}
        saved = {t.key: t for t in targets.load(s)}
    assert saved["incidence"].green == 0.03 and saved["incidence"].amber == 0.03
    assert settings.get(OFFICE) == "云岭县脱贫攻坚指挥部"


def test_a_wrong_limit_keeps_the_dialog_open_with_the_reason(demo_db, settings, qtbot):
    dialog = _dialog(qtbot, demo_db, settings)
    dialog.targets_table.item(0, 3).setText("两个")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.isVisible() and "不是数字" in dialog.error.text()
    with demo_db.session() as s:
        assert targets.load(s) == list(targets.DEFAULTS)


def _square(lon: float, lat: float) -> list:
    return [[[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]]


def test_a_geojson_file_lists_unmatched_features_and_is_kept_on_ok(demo_db, settings, qtbot, tmp_path):
    village = _village(demo_db)
    path = tmp_path / "村界.geojson"
    features = [
        {"type": "Feature", "properties": {"name": village.name},
         "geometry": {"type": "Polygon", "coordinates": _square(100, 25)}},
        {"type": "Feature", "properties": {"名称": "外县某村"},
         "geometry": {"type": "Polygon", "coordinates": _square(100.1, 25)}},
    ]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), "utf-8")
    bad = tmp_path / "坏.geojson"
    bad.write_text("{not json", "utf-8")
    dialog = _dialog(qtbot, demo_db, settings)
    assert not dialog.load_geojson_file(bad)
    assert "坏.geojson" in dialog.error.text() and dialog.error.isVisible()
    assert dialog.load_geojson_file(path)
    assert [dialog.unmatched.item(i).text() for i in range(dialog.unmatched.count())] == ["外县某村"]
    assert "匹配到 1 个村" in dialog.geo_status.text()
    with demo_db.session() as s:
        assert geo.load_stored(s) is None  # not before 确定
    dialog.accept()
    with demo_db.session() as s:
        assert [f.name for f in geo.load_stored(s).features] == [village.name, "外县某村"]
    # and 改用示意图 removes it again
    again = _dialog(qtbot, demo_db, settings)
    assert again.geo_clear.isEnabled()
    again.geo_clear.click()
    again.accept()
    with demo_db.session() as s:
        assert geo.load_stored(s) is None


def test_rural_population_imports_from_a_sheet_for_the_year_shown(
    demo_db, settings, qtbot, tmp_path, monkeypatch, boxes
):
    import openpyxl

    village = _village(demo_db)
    with demo_db.session() as s:
        township = s.get(Area, village.parent_id).name
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某县农村人口统计表"])
    sheet.append(["乡镇", "村", "农村户籍人口"])
    sheet.append([township, village.name, 2345])
    sheet.append([township, "没有这个村", 100])
    path = tmp_path / "农村人口.xlsx"
    book.save(path)
    monkeypatch.setattr("ui.wallchart.settings_population.open_path", lambda *args: path)
    dialog = _dialog(qtbot, demo_db, settings)
    dialog.population_year.setCurrentIndex(dialog.population_year.findData(2019))
    dialog.population_import.click()
    # THEN the good row is in the table and the database, for the year shown; the bad one is named with its row
    with demo_db.session() as s:
        assert population.populations(s, 2019) == {village.id: 2345}
    table = dialog.population_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).data(0x0100) == village.id)
    assert table.item(row, 3).text() == "2345"
    [(kind, text)] = boxes
    assert kind == "information" and "已导入 1 个区划" in text and "第4行" in text
