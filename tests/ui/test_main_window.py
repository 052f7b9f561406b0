"""The first main window: the area tree with counts, the summary of the selected area, remembered state."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from povdesk import stats
from ui.app import run_gui
from ui.main_window import MENUS, MainWindow


def _figures(db, name):
    with db.session() as session:
        return stats.compute(session, stats.find_area(session, name) if name else None)


def test_county_opens_with_its_counts(main_window, demo_db):
    # GIVEN a 400-household demo county; WHEN the window opens THEN the county row shows its households and persons
    whole = _figures(demo_db, None)
    tree = main_window.area_tree
    county = tree.model().index(0, 0)
    assert county.data() == "云岭县"
    assert tree.model().index(0, 1).data() == f"{whole['households']:,}" == "400"
    assert tree.model().index(0, 2).data() == f"{whole['persons']:,}"
    assert main_window.summary.text() == f"云岭县：建档立卡 400 户 {whole['persons']:,} 人"
    assert main_window.db_label.text().startswith("数据库：sqlite:///")


def test_selecting_a_township_shows_its_figures(main_window, demo_db, qtbot):
    tree = main_window.area_tree
    model = tree.model()
    township = model.index(1, 0, model.index(0, 0))
    with qtbot.waitSignal(main_window.area_changed) as changed:
        tree.setCurrentIndex(township)
    assert changed.args == [main_window.current_area_id()]
    expected = _figures(demo_db, township.data())
    assert main_window.summary.text() == (
        f"{township.data()}：建档立卡 {expected['households']:,} 户 {expected['persons']:,} 人"
    )
    # every village of the township adds up to the township
    villages = [model.index(r, 1, township).data() for r in range(model.rowCount(township))]
    assert sum(int(v.replace(",", "")) for v in villages) == expected["households"]


def test_menus_are_there_for_the_features(main_window):
    assert list(main_window.menus) == [key for key, _ in MENUS]
    assert main_window.menus["file"].title() == "文件(&F)"
    assert [a.text() for a in main_window.menus["file"].actions()][-1] == "退出(&X)"
    shown = [m.title() for m in main_window.menus.values() if m.menuAction().isVisible()]
    assert (
        "文件(&F)" in shown
        and "建档立卡(&R)" in shown
        and all(not m.isEmpty() for m in main_window.menus.values() if m.menuAction().isVisible())
    )


def test_window_reopens_where_the_clerk_left_it(qtbot, demo_db, settings):
    first = MainWindow(demo_db, settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)  # inside the offscreen screen (800×600): restoring clamps to it
    model = first.area_tree.model()
    township = model.index(2, 0, model.index(0, 0))
    first.area_tree.setCurrentIndex(township)
    first.splitter.setSizes([250, 450])
    first.close()

    second = MainWindow(demo_db, settings)
    qtbot.addWidget(second)
    second.show()
    assert second.size().toTuple() == (700, 500)
    assert second.area_tree.area_name(second.current_area_id()) == township.data()
    assert second.splitter.sizes()[0] == first.splitter.sizes()[0]


def test_unusable_database_is_refused_with_a_message(tmp_path, monkeypatch, qapp):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    bogus = tmp_path / "not-a-db.db"
    bogus.write_text("this is a note, not a database")
    assert run_gui(f"sqlite:///{bogus}") == 1
    assert shown and shown[0][0] == "无法打开数据库" and "不是" in shown[0][1]
