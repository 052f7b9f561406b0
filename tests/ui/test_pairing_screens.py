"""The units, teams, cadres and visits screens, opened from the 结对帮扶 menu of the main window."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from PySide6.QtWidgets import QDialog, QMessageBox

from povdesk import idnumber
from povdesk.model import Cadre, Pairing, UnitVillage, Visit
from povdesk.pairing import visits
from ui.dialogs import to_qdate
from ui.pairing.cadres import CadreEditDialog, CadresDialog
from ui.pairing.teams import TeamsDialog
from ui.pairing.units import EndAssignmentDialog, UnitsDialog
from ui.pairing.visits import VisitDialog, VisitsDialog

TODAY = dt.date(2026, 12, 1)


def _open(window, name: str):
    window.pairing.actions[name].trigger()
    screen = window.pairing.open[name]
    assert screen.isVisible()
    return screen


@pytest.mark.parametrize("name", ["UnitsDialog", "TeamsDialog", "CadresDialog", "VisitsDialog"])
def test_each_screen_opens_from_the_pairing_menu_with_content(main_window, name):
    screen = _open(main_window, name)
    tables = {"UnitsDialog": "units", "TeamsDialog": "villages", "CadresDialog": "view", "VisitsDialog": "tabs"}
    assert getattr(screen, tables[name]).isVisible()
    if name == "UnitsDialog":
        assert screen.units.rowCount() > 0 and screen.villages.rowCount() > 0  # first unit selected, its villages
    if name == "TeamsDialog":
        assert screen.villages.rowCount() > 0 and screen.members.rowCount() > 0
    if name == "CadresDialog":
        assert screen.model.rowCount() > 100
    assert screen is main_window.pairing.show_screen(f"ui.pairing.{name}", name)  # opening again: the same window


def test_searching_a_cadre_by_pinyin_initials_finds_them(main_window, qtbot):
    screen: CadresDialog = _open(main_window, "CadresDialog")
    with main_window.db.session() as session:
        cadre = session.scalars(select(Cadre).where(Cadre.active.is_(True)).order_by(Cadre.id.desc())).first()
    initials = "".join(s[0] for s in cadre.name_pinyin.split())
    everyone = screen.model.rowCount()
    screen.search.setText(initials)
    qtbot.waitUntil(lambda: screen.model.rowCount() < everyone, timeout=3000)
    names = [screen.model.row_data(r).name for r in range(screen.model.rowCount())]
    assert cadre.name in names
    assert screen.count.text() == f"共 {len(names):,} 名干部"
    screen.search.setText("")
    qtbot.waitUntil(lambda: screen.model.rowCount() == everyone, timeout=3000)


def test_the_cadre_dialog_stays_open_on_a_wrong_id_number(main_window, qtbot, settings):
    dialog = CadreEditDialog(main_window.db, settings, main_window)
    qtbot.addWidget(dialog)
    dialog.name.setText("王小明")
    number = idnumber.make("532901", dt.date(1980, 5, 6), 123)
    dialog.id_number.setText(number[:-1] + ("1" if number[-1] == "0" else "0"))  # wrong check digit
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and "校验位" in dialog.error.text()
    dialog.id_number.setText("")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    with main_window.db.session() as session:
        assert session.scalar(select(Cadre.name_pinyin).where(Cadre.id == dialog.cadre_id)) == "wang xiao ming"


def test_deactivating_a_cadre_asks_first(main_window, monkeypatch):
    screen: CadresDialog = _open(main_window, "CadresDialog")
    screen.view.selectRow(0)
    cadre_id = screen.selected_id()
    asked = []
    answer = QMessageBox.StandardButton.No
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args[2]) or answer)
    screen.toggle_active()
    with main_window.db.session() as session:
        assert session.get(Cadre, cadre_id).active  # said no
    answer = QMessageBox.StandardButton.Yes
    screen.toggle_active()
    assert len(asked) == 2 and "停用" in asked[0]
    with main_window.db.session() as session:
        assert not session.get(Cadre, cadre_id).active
    assert cadre_id not in screen.model.ids()  # the list shows cadres in use


def test_ending_an_assignment_keeps_it_and_updates_the_list(main_window, qtbot, monkeypatch):
    screen: UnitsDialog = _open(main_window, "UnitsDialog")
    screen.units.selectRow(0)
    villages_before = screen.units.item(0, 2).text()
    screen.villages.selectRow(0)
    assignment = screen.assignment()
    yesterday = screen.today - dt.timedelta(days=1)

    def end_yesterday(dialog):
        dialog.end.setDate(to_qdate(yesterday))
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(EndAssignmentDialog, "exec", end_yesterday)
    with qtbot.waitSignal(screen.data_changed):
        screen.end_assignment()
    with main_window.db.session() as session:
        assert session.get(UnitVillage, assignment.id).end_on == yesterday
    row = next(r for r in range(screen.units.rowCount()) if screen.units.item(r, 0).text() == assignment.unit)
    assert int(screen.units.item(row, 2).text()) == int(villages_before) - 1
    assert assignment.village not in screen.units.item(row, 4).text()
    ended = [r for r in range(screen.villages.rowCount()) if screen.villages.item(r, 1).text() == assignment.village]
    assert [screen.villages.item(r, 4).text() for r in ended] == ["已结束"]  # still listed, as history
    assert not screen.end_button.isEnabled() or screen.assignment().end_on is None


def test_recording_a_visit_stores_its_kinds_and_shrinks_the_no_visit_list(main_window, qtbot, settings):
    screen: VisitsDialog = _open(main_window, "VisitsDialog")
    screen.today = TODAY
    screen.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: screen._overdue_ready, timeout=5000)
    before = screen.overdue_ids()
    assert before
    with main_window.db.session() as session:
        household_id, helper = session.execute(
            select(Pairing.household_id, Pairing.cadre_id).where(
                Pairing.end_on.is_(None), Pairing.cadre_id == before[0]
            )
        ).first()
    dialog = VisitDialog(main_window.db, settings, screen, household_id=household_id, today=TODAY, user="clerk")
    qtbot.addWidget(dialog)
    assert dialog.cadre.cadre_id() == helper  # the household's helper by default
    dialog.accept()  # no kind ticked: stays open and says so
    assert dialog.result() != QDialog.DialogCode.Accepted and "至少勾选一项" in dialog.error.text()
    dialog.kinds["policy"].setChecked(True)
    dialog.kinds["technology"].setChecked(True)
    dialog.note.setPlainText("宣讲医保政策")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    with main_window.db.session() as session:
        visit = session.get(Visit, dialog.visit_id)
        assert sorted(visit.kind_codes) == ["policy", "technology"]
        assert (visit.cadre_id, visit.household_id, visit.created_by) == (helper, household_id, "clerk")
    screen.reload()
    qtbot.waitUntil(lambda: screen._overdue_ready, timeout=5000)
    after = screen.overdue_ids()
    assert helper not in after and len(after) == len(before) - 1
    assert screen.model.rowCount() == 1 and screen.model.row_data(0).kinds_text == "送政策、送技术"


def test_the_months_setting_is_saved_for_the_office(main_window, qtbot):
    screen: VisitsDialog = _open(main_window, "VisitsDialog")
    screen.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: screen._overdue_ready, timeout=5000)
    shown = screen.overdue_summary.text()
    assert "6" not in shown or "以来" in shown
    screen.months.setValue(3)

    def saved() -> bool:
        with main_window.db.session() as session:
            return visits.visit_months(session) == 3

    qtbot.waitUntil(saved, timeout=3000)
    qtbot.waitUntil(lambda: screen._overdue_ready and screen.overdue_summary.text() != shown, timeout=5000)
    assert (
        "2026年08月" in screen.overdue_summary.text() or "以来" in screen.overdue_summary.text()
    )  # the list follows the new cut-off


def test_a_visit_by_a_stranger_is_confirmed(main_window, qtbot, settings, monkeypatch):
    with main_window.db.session() as session:
        household_id = session.scalar(select(Pairing.household_id).where(Pairing.end_on.is_(None)).limit(1))
        stranger = session.scalar(
            select(Cadre.id).where(
                Cadre.id.not_in(select(Pairing.cadre_id).where(Pairing.household_id == household_id))
            )
        )
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a[2]) or QMessageBox.StandardButton.No)
    dialog = VisitDialog(main_window.db, settings, None, household_id=household_id, cadre_id=stranger, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.kinds["warmth"].setChecked(True)
    dialog.accept()
    assert asked and "不是" in asked[0] and dialog.result() != QDialog.DialogCode.Accepted
    with main_window.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 0


def test_rotating_a_team_from_the_screen(main_window, qtbot, monkeypatch):
    from ui.pairing.teams import RotateDialog

    screen: TeamsDialog = _open(main_window, "TeamsDialog")
    screen.villages.selectRow(0)
    village = screen.village()
    assert village.team is not None

    monkeypatch.setattr(RotateDialog, "exec", lambda dialog: dialog.accept() or dialog.result())
    with qtbot.waitSignal(screen.data_changed):
        screen.rotate()
    assert screen.teams.rowCount() == 2  # the new team and the old one, kept
    assert screen.teams.item(1, 4).text() == "已期满" and screen.teams.item(0, 4).text() == "现任"


def test_importing_a_cadre_roster_checks_first_then_imports(main_window, qtbot, tmp_path, monkeypatch):
    from pairing_rosters import cadre_roster, county_of

    from ui.pairing.cadres import ImportSummaryDialog

    roster = cadre_roster(tmp_path / "干部花名册.xlsx", county_of(main_window.db))
    screen: CadresDialog = _open(main_window, "CadresDialog")
    before = screen.model.rowCount()
    shown = []

    def summary_exec(dialog):
        shown.append((dialog.summary.text(), dialog.issues.rowCount()))
        return QDialog.DialogCode.Accepted  # 导入 after the check, 关闭 after the import

    monkeypatch.setattr(ImportSummaryDialog, "exec", summary_exec)
    with qtbot.waitSignal(screen.data_changed, timeout=20000):
        screen.run_import(str(roster.path), dry_run=True)
    (check, check_issues), (done, _issues) = shown
    assert "预检" in check and check_issues >= 3  # the bad rank, the duplicate ID, the bad check digit…
    assert "导入完成" in done
    assert screen.model.rowCount() > before
    screen.search.setText("wjg")  # 王建国
    qtbot.waitUntil(lambda: "王建国" in [screen.model.row_data(r).name for r in range(screen.model.rowCount())])
