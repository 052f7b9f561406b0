"""作战图 on screen: opened from the 挂图作战 menu on the demo county, its figures equal `stats`, a click on the map drills
down and the breadcrumb goes back, a GeoJSON map draws real shapes, and the screen saves PNGs."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import select

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence

from povdesk import stats
from povdesk.model import Area
from povdesk.wallchart import geo
from ui.wallchart.dashboard import DashboardWindow

SHOTS = os.environ.get("POVDESK_SHOTS")  # a folder: save screenshots of the screens there


def _shot(widget, name: str) -> None:
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        for _ in range(3):  # layouts and axes settle (an axis widens for longer names on the next paint)
            QApplication.processEvents()
            widget.repaint()
        os.makedirs(SHOTS, exist_ok=True)
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def _wait(qtbot, dashboard: DashboardWindow, action) -> None:
    """Do something that reloads the dashboard and wait until its figures are on screen."""
    with qtbot.waitSignal(dashboard.loaded, timeout=20000):
        action()


def _open(qtbot, db, settings, area_id=None) -> DashboardWindow:
    dashboard = DashboardWindow(db, settings, area_id)
    qtbot.addWidget(dashboard)
    with qtbot.waitSignal(dashboard.loaded, timeout=20000):
        dashboard.show()
    return dashboard


def _click(qtbot, widget, point) -> None:
    pos = QPoint(round(point.x()), round(point.y()))
    qtbot.mouseMove(widget.viewport(), pos)
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _areas(db, level: str) -> list[Area]:
    with db.session() as s:
        rows = s.scalars(select(Area).where(Area.level == level).order_by(Area.sort_order, Area.id)).all()
        s.expunge_all()
        return list(rows)


def test_the_dashboard_opens_from_the_menu_with_the_figures_of_stats(main_window, qtbot):
    # GIVEN the demo county in the main window: the 挂图作战 menu is shown and has the dashboard on Ctrl+Shift+W
    menu = main_window.menus["charts"]
    assert menu.menuAction().isVisible()
    action = main_window.wallchart.actions["DashboardWindow"]
    assert action.shortcut() == QKeySequence("Ctrl+Shift+W") and action in menu.actions()
    # WHEN the clerk opens 作战图 from the menu
    action.trigger()
    dashboard = main_window.wallchart.open["DashboardWindow"]
    qtbot.waitUntil(lambda: dashboard.view is not None, timeout=20000)
    dashboard.resize(1360, 860)
    # THEN the KPI tiles show the same figures as `stats --json` for the same area
    area_id = main_window.current_area_id()
    with main_window.db.session() as s:
        expected = stats.compute(s, s.get(Area, area_id) if area_id else None)
    tiles = dashboard.kpis
    assert tiles["households"].value.text() == f"{expected['households']:,}"
    assert tiles["persons"].value.text() == f"{expected['persons']:,}"
    assert tiles["monitored_households"].value.text() == f"{expected['monitored_households']:,}"
    total = dashboard.view.dashboard.total.values
    assert total["paired_households"] == expected["paired_households"]
    # the base chart's bars are the townships' households, and add up to the county
    d = dashboard.view.dashboard
    chart = dashboard.charts["base_by_area"]
    assert chart.categories == [c.name for c in d.children]
    assert sum(chart.bar_values()["建档立卡户数"]) == expected["households"]
    # the schematic map has a tile per village, grouped in a block per township
    assert set(dashboard.map.items_by_area) == {a.area_id for a in d.map_areas}
    assert {f.area_id for f in dashboard.map.frames} == {c.area_id for c in d.children}
    # the tables of the county template are there, the total row last
    assert dashboard.tables_tabs.count() == 4
    model = dashboard.table_views[0].model()
    assert model.rowCount() == len(d.children) + 1
    assert model.data(model.index(model.rowCount() - 1, 0)) == "合计"
    assert model.data(model.index(model.rowCount() - 1, 1)) == f"{expected['households']:,}"
    # lit tiles: pairing coverage is lit by its target
    assert tiles["pairing_coverage"].light in ("green", "amber", "red")
    _shot(dashboard, "wallchart-county-screen")
    # the same window comes back on the shortcut, it is not opened twice
    action.trigger()
    assert main_window.wallchart.open["DashboardWindow"] is dashboard


def test_a_click_on_the_map_drills_down_and_the_breadcrumb_goes_back(demo_db, settings, qtbot):
    dashboard = _open(qtbot, demo_db, settings)
    dashboard.resize(1360, 860)
    qtbot.wait(50)
    county = dashboard.view.dashboard
    township = county.children[0]
    # WHEN the clerk clicks a township's block (its name strip) on the schematic map
    _wait(qtbot, dashboard, lambda: _click(qtbot, dashboard.map, dashboard.map.frame_point_of(township.area_id)))
    # THEN the township's chart is shown, with its villages, and the breadcrumb leads back to the county
    d = dashboard.view.dashboard
    assert d.level == "township" and d.total.name == township.name
    assert [c.name for c in d.children] == [a.name for a in d.map_areas]
    assert dashboard.charts["base_by_area"].categories == [c.name for c in d.children]
    assert county.total.name in dashboard.breadcrumb.text() and township.name in dashboard.breadcrumb.text()
    assert dashboard.up_button.isEnabled()
    # WHEN a village tile is clicked
    village = d.children[-1]
    _wait(qtbot, dashboard, lambda: _click(qtbot, dashboard.map, dashboard.map.scene_point_of(village.area_id)))
    d = dashboard.view.dashboard
    assert d.level == "village" and d.total.name == village.name
    assert [name for _, name in d.path] == [county.total.name, township.name, village.name]
    # the village's tables list its households
    assert dashboard.table_views[0].model().rowCount() == len(d.households) > 0
    _shot(dashboard, "wallchart-village-screen")
    dashboard.tabs.setCurrentIndex(dashboard.tabs.count() - 1)  # 作战表: the village's household roster
    _shot(dashboard, "wallchart-village-tables-screen")
    # WHEN the township in the breadcrumb is clicked, then 上一级
    _wait(qtbot, dashboard, lambda: dashboard.breadcrumb.linkActivated.emit(f"area:{township.area_id}"))
    assert dashboard.view.dashboard.total.name == township.name
    _wait(qtbot, dashboard, dashboard.up_button.click)
    assert dashboard.view.dashboard.level == "county"
    assert not dashboard.up_button.isEnabled()


def test_a_result_that_arrives_after_the_clerk_clicked_on_is_dropped(demo_db, settings, qtbot):
    dashboard = _open(qtbot, demo_db, settings)
    first, second = _areas(demo_db, "township")[:2]
    shown = []
    dashboard.loaded.connect(lambda: shown.append(dashboard.view.dashboard.total.name))
    dashboard.navigate(first.id)
    dashboard.navigate(second.id)  # before the first township's figures are back
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone()
    qtbot.wait(50)
    assert shown == [second.name]
    assert dashboard.view.dashboard.total.name == second.name


def test_a_past_year_is_drawn_as_of_its_end(demo_db, settings, qtbot):
    dashboard = _open(qtbot, demo_db, settings)
    _wait(qtbot, dashboard, lambda: dashboard.year.setCurrentIndex(dashboard.year.findData(2019)))
    d = dashboard.view.dashboard
    assert d.year == 2019 and (d.as_of.month, d.as_of.day) == (12, 31)
    assert "2019年12月31日" in dashboard.status.text()
    assert all(year <= 2019 for year in d.years)
    assert dashboard.charts["exits_by_year"].categories == [str(y) for y in d.years]


def _square(lon: float, lat: float, size: float = 0.01) -> list:
    return [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]]


def test_a_geojson_map_draws_the_village_shapes_and_drills_down(demo_db, settings, qtbot):
    # GIVEN the office loaded village boundaries for two villages of a township (one by code, one by name)
    township = _areas(demo_db, "township")[0]
    with demo_db.session() as s:
        villages = s.scalars(select(Area).where(Area.parent_id == township.id).order_by(Area.sort_order)).all()[:2]
        first, second = [(v.id, v.name, v.code) for v in villages]
    features = [
        {"type": "Feature", "properties": {"name": first[1], "code": first[2]},
         "geometry": {"type": "Polygon", "coordinates": _square(102.50, 25.00)}},
        {"type": "Feature", "properties": {"名称": second[1]},
         "geometry": {"type": "Polygon", "coordinates": _square(102.51, 25.00)}},
        {"type": "Feature", "properties": {"name": "邻县某村"},
         "geometry": {"type": "Polygon", "coordinates": _square(102.60, 25.00)}},
    ]  # fmt: skip
    with demo_db.transaction() as s:
        geo.save(s, json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    # WHEN the township's dashboard is opened
    dashboard = _open(qtbot, demo_db, settings, township.id)
    dashboard.resize(1360, 860)
    qtbot.wait(50)
    # THEN the two villages are drawn as their shapes (not as tiles), and the map says how many are missing
    assert set(dashboard.map.items_by_area) == {first[0], second[0]}
    assert not dashboard.map.frames
    assert "村界图" in dashboard.map_note.text()
    missing = len(dashboard.view.dashboard.map_areas) - 2
    assert (str(missing) in dashboard.map_note.text()) == (missing > 0)
    # hovering over a village shows its figures
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    where = dashboard.map.scene_point_of(second[0])
    viewport = dashboard.map.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, where, viewport.mapToGlobal(where)))
    assert QToolTip.text().startswith(f"{township.name} {second[1]}\n贫困发生率：")
    QToolTip.hideText()
    _shot(dashboard, "wallchart-geojson-screen")
    # WHEN the second village's shape is clicked THEN its chart is shown
    _wait(qtbot, dashboard, lambda: _click(qtbot, dashboard.map, dashboard.map.scene_point_of(second[0])))
    assert dashboard.view.dashboard.total.name == second[1]


def test_the_map_indicator_recolours_the_map_and_its_legend(demo_db, settings, qtbot):
    dashboard = _open(qtbot, demo_db, settings)
    combo = dashboard.map_metric
    combo.setCurrentIndex(combo.findData("poor_households"))
    combo.activated.emit(combo.currentIndex())
    assert dashboard.current_metric() == "poor_households"
    assert dashboard.legend.title.text().startswith("未脱贫户数")
    fills = {item.brush().color().name() for item in dashboard.map.items_by_area.values()}
    assert len(fills) > 1  # a ramp, not one colour
    # the choice stays when the clerk drills down
    township = dashboard.view.dashboard.children[0]
    _wait(qtbot, dashboard, lambda: dashboard.navigate(township.area_id))
    assert dashboard.current_metric() == "poor_households"


def test_the_dashboard_and_a_chart_save_as_png(demo_db, settings, qtbot, tmp_path):
    dashboard = _open(qtbot, demo_db, settings)
    dashboard.resize(1200, 800)
    whole, chart = tmp_path / "dashboard.png", tmp_path / "chart.png"
    dashboard.save_png(whole)
    dashboard.charts["base_by_area"].export_png(chart, width=1200)
    from PySide6.QtGui import QImage

    for path in (whole, chart):
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 1000
    assert QImage(str(chart)).width() == 1200


@pytest.mark.parametrize("level", ["group"])
def test_a_group_selected_in_the_tree_shows_its_village(demo_db, settings, qtbot, level):
    group = _areas(demo_db, level)[0]
    dashboard = _open(qtbot, demo_db, settings, group.id)
    assert dashboard.view.dashboard.level == "village"
    assert dashboard.view.dashboard.total.area_id == group.parent_id


def test_the_dashboard_follows_the_tree_and_reopens_at_its_size(main_window, qtbot):
    main_window.wallchart.actions["DashboardWindow"].trigger()
    dashboard = main_window.wallchart.open["DashboardWindow"]
    qtbot.waitUntil(lambda: dashboard.view is not None, timeout=20000)
    township = _areas(main_window.db, "township")[1]
    # WHEN the clerk selects a township in the main window's tree THEN the open dashboard shows it
    _wait(qtbot, dashboard, lambda: main_window.area_tree.select_area(township.id))
    assert dashboard.view.dashboard.total.name == township.name
    # a closed dashboard reopens at the size the clerk left it
    dashboard.resize(dashboard.minimumSizeHint().width() + 20, 520)
    left = (dashboard.width(), dashboard.height())
    dashboard.close()
    qtbot.waitUntil(lambda: "DashboardWindow" not in main_window.wallchart.open, timeout=5000)
    main_window.wallchart.actions["DashboardWindow"].trigger()
    again = main_window.wallchart.open["DashboardWindow"]
    assert again is not dashboard
    assert again.height() == left[1] != 860  # (the width is clamped to the offscreen screen's 800 pixels)
    qtbot.waitUntil(lambda: again.view is not None, timeout=20000)


def test_an_empty_database_shows_an_empty_dashboard(tmp_path, settings, qtbot, boxes):
    from povdesk.db import open_database

    db = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        dashboard = _open(qtbot, db, settings)
        assert dashboard.kpis["households"].value.text() == "0"
        assert dashboard.kpis["incidence"].value.text() == "—"
        assert not dashboard.map.items_by_area and boxes == []
        dashboard.close()
    finally:
        db.close()


def test_a_double_click_on_a_row_of_a_table_opens_that_area(demo_db, settings, qtbot):
    dashboard = _open(qtbot, demo_db, settings)
    table = dashboard.table_views[0]
    second = dashboard.view.dashboard.children[1]
    _wait(qtbot, dashboard, lambda: table.doubleClicked.emit(table.model().index(1, 0)))
    assert dashboard.view.dashboard.total.name == second.name
