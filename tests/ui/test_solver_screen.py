"""自动结对, 调整帮扶责任人, 结对方案 and the household editor's 帮扶责任人 tab, driven through their widgets."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import func, select

from PySide6.QtWidgets import QMessageBox, QWidget

from povdesk.model import Area, Cadre, Household, Pairing
from povdesk.pairing import manual, schemes, visits
from ui.household_editor import open_household
from ui.pairing.reassign import ReassignDialog
from ui.pairing.schemes import SchemesDialog
from ui.pairing.solver import SolverDialog
from ui.pairing.visits import VisitDialog

SHOTS = os.environ.get("POVDESK_SHOTS")  # a folder: save screenshots of the screens there
TODAY = dt.date(2026, 12, 1)


def _shot(widget, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


@pytest.fixture
def answers(monkeypatch):
    """QMessageBox.question answered from a list (Yes when it runs out); the questions asked, in order."""
    asked, replies = [], []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return replies.pop(0) if replies else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked, replies


def _current_count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Pairing).where(Pairing.end_on.is_(None)))


def _busiest_cadre(db) -> tuple[int, int]:
    with db.session() as s:
        return s.execute(
            select(Pairing.cadre_id, func.count())
            .where(Pairing.end_on.is_(None))
            .group_by(Pairing.cadre_id)
            .order_by(func.count().desc(), Pairing.cadre_id)
        ).first()


def _end_cadre(db, cadre_id: int) -> list[int]:
    with db.transaction() as s:
        return manual.end_cadre_pairings(s, cadre_id, reason="调动", user="test", today=TODAY)


def _run(qtbot, dialog: SolverDialog) -> None:
    with qtbot.waitSignal(dialog.proposed, timeout=20000):
        dialog.run_button.click()


def _helper_of(db, household_id: int) -> int | None:
    with db.session() as s:
        return s.scalar(select(Pairing.cadre_id).where(Pairing.household_id == household_id, Pairing.end_on.is_(None)))


def test_solver_from_the_menu_re_pairs_the_households_of_a_cadre_who_left(main_window, qtbot, boxes):
    # GIVEN a cadre who moved away: their households have no helper
    cadre_id, _ = _busiest_cadre(main_window.db)
    freed = _end_cadre(main_window.db, cadre_id)
    before = _current_count(main_window.db)
    with main_window.db.session() as s:
        numbers = set(s.scalars(select(Household.number).where(Household.id.in_(freed))))
    # WHEN the clerk opens 自动结对 from the menu and runs it for the county
    main_window.pairing.actions["SolverDialog"].trigger()
    dialog = main_window.pairing.open["SolverDialog"]
    dialog.resize(1200, 720)
    assert dialog.area.currentText() == "全县" and "县级领导3户" in dialog.scheme_text.text()
    assert not dialog.accept_button.isEnabled()  # nothing to accept before a run
    _run(qtbot, dialog)
    _shot(dialog, "pairing_solver")
    # THEN the proposal lists exactly those households, each with a helper, rank and reason
    model = dialog.model
    shown = {model.row(i).household_number for i in range(model.rowCount())}
    assert shown == numbers
    assert f"拟新结对 {len(freed)} 户" in dialog.summary.text()
    assert all(model.data(model.index(i, 4)) and model.data(model.index(i, 7)) for i in range(model.rowCount()))
    assert not dialog.shortfalls.isVisible()
    assert _current_count(main_window.db) == before  # nothing written before 接受
    # WHEN accepted
    with qtbot.waitSignal(main_window.data_changed):
        dialog.accept_button.click()
    # THEN every one of them has a helper again, made by this clerk today, and the clerk is told how many
    assert ("information", f"已为 {len(freed)} 户结对帮扶责任人。") in boxes
    with main_window.db.session() as s:
        made = s.execute(
            select(Pairing.household_id, Pairing.created_by, Pairing.cadre_id).where(
                Pairing.household_id.in_(freed), Pairing.end_on.is_(None)
            )
        ).all()
    assert sorted(h for h, _, _ in made) == sorted(freed)
    assert {by for _, by, _ in made} == {"测试经办人"}  # the clerk's 经办人 setting, not the computer's login
    assert cadre_id not in {c for _, _, c in made}  # never the cadre who left
    assert dialog.model.rowCount() == 0 and not dialog.accept_button.isEnabled()


def test_discarding_the_proposal_writes_nothing(demo_db, settings, qtbot, boxes):
    _end_cadre(demo_db, _busiest_cadre(demo_db)[0])
    before = _current_count(demo_db)
    dialog = SolverDialog(demo_db, settings, None, today=TODAY)
    qtbot.addWidget(dialog)
    _run(qtbot, dialog)
    assert dialog.model.rowCount() > 0
    dialog.discard_button.click()
    assert dialog.model.rowCount() == 0 and not dialog.accept_button.isEnabled()
    dialog.close()
    assert _current_count(demo_db) == before
    assert boxes == []


def test_a_township_without_township_cadres_is_shown_first_in_red(demo_db, settings, qtbot):
    # GIVEN a township whose township cadres all left
    with demo_db.session() as s:
        township = s.scalars(select(Area).where(Area.level == "township").order_by(Area.id)).first()
        villages = set(s.scalars(select(Area.id).where(Area.parent_id == township.id)))
        leaving = [c.id for c in s.scalars(select(Cadre).where(Cadre.rank == "township"))
                   if c.home_area_id == township.id or c.home_area_id in villages]  # fmt: skip
    assert leaving
    freed = [h for c in leaving for h in _end_cadre(demo_db, c)]
    dialog = SolverDialog(demo_db, settings, township.id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.area.currentText() == township.name  # the area selected in the main window
    _run(qtbot, dialog)
    _shot(dialog, "pairing_solver_shortfall")
    # THEN the shortfall names the township and how many are left, in red, above the counts and the table
    [shortfall] = dialog.proposal.shortfalls
    assert shortfall.households == len(freed) - len(dialog.proposal.assignments) > 0
    text = dialog.shortfalls.text()
    assert dialog.shortfalls.isVisible() and "c62828" in dialog.shortfalls.styleSheet()
    assert f"{township.name}：{shortfall.households} 户未能结对" in text and "没有在岗的乡镇干部" in text
    layout = dialog.layout()
    assert layout.indexOf(dialog.shortfalls) < layout.indexOf(dialog.counts) < layout.indexOf(dialog.table)


def test_filtering_the_proposal_by_township(demo_db, settings, qtbot):
    with demo_db.session() as s:
        townships = s.scalars(select(Area).where(Area.level == "township").order_by(Area.id)).all()[:2]
    for township in townships:  # households without a helper in two townships
        with demo_db.session() as s:
            cadre = s.scalar(
                select(Pairing.cadre_id)
                .join(Household, Household.id == Pairing.household_id)
                .join(Area, Area.id == Household.village_id)
                .where(Area.parent_id == township.id, Pairing.end_on.is_(None))
                .order_by(Pairing.id)
            )
        _end_cadre(demo_db, cadre)
    dialog = SolverDialog(demo_db, settings, None, today=TODAY)
    qtbot.addWidget(dialog)
    _run(qtbot, dialog)
    by_township = dialog.proposal.by_township()
    assert {t.name for t in townships} <= set(by_township)
    dialog.township.setCurrentIndex(dialog.township.findData(townships[1].name))
    rows = [dialog.model.row(i) for i in range(dialog.model.rowCount())]
    assert len(rows) == by_township[townships[1].name] and {r.township for r in rows} == {townships[1].name}


def test_re_planning_asks_before_ending_pairings(demo_db, settings, qtbot, boxes, answers):
    asked, replies = answers
    before = _current_count(demo_db)
    dialog = SolverDialog(demo_db, settings, None, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.scheme.setCurrentIndex(dialog.scheme.findData("54321"))
    dialog.replan.setChecked(True)
    _run(qtbot, dialog)
    ending = len(dialog.proposal.ending)
    assert ending > 0
    replies.append(QMessageBox.StandardButton.No)
    dialog.accept_button.click()
    assert "结束" in asked[-1] and f" {ending} 个现有结对" in asked[-1]
    assert _current_count(demo_db) == before and dialog.proposal is not None  # said no: nothing written
    dialog.accept_button.click()  # yes
    with demo_db.session() as s:
        ended = s.scalar(select(func.count()).select_from(Pairing).where(Pairing.end_reason == "重新规划结对"))
    assert ended == ending  # history kept: the replaced pairings are ended, not deleted


def _reassign_dialog(main_window) -> ReassignDialog:
    main_window.pairing.actions["ReassignDialog"].trigger()
    dialog = main_window.pairing.open["ReassignDialog"]
    dialog.resize(1100, 680)
    return dialog


def _pick_household(tab, number: str) -> None:
    tab.search.setText(number)
    tab.reload()
    assert tab.select(next(r.id for r in tab.rows if r.number == number))


def _pick_cadre(picker, cadre_id: int, name: str) -> None:
    picker.search.setText(name)
    picker.reload()
    assert picker.select(cadre_id)


def test_reassigning_by_hand_asks_when_the_cadre_is_full(main_window, qtbot, answers, boxes):
    asked, replies = answers
    db = main_window.db
    with db.session() as s:
        household = s.get(Household, 7)
        old = _helper_of(db, 7)
        scheme = schemes.current_scheme(s)
        full = next(c for c in s.scalars(select(Cadre).where(Cadre.rank == "section", Cadre.active.is_(True)))
                    if c.id != old and manual.cadre_load(s, c.id, scheme)[0] >= 2)  # fmt: skip
    dialog = _reassign_dialog(main_window)
    tab = dialog.reassign_tab
    _pick_household(tab, household.number)
    assert "现帮扶责任人：" in tab.helper.text()
    _pick_cadre(tab.cadres, full.id, full.name)
    row = next(i for i, c in enumerate(tab.cadres.choices) if c.id == full.id)
    assert "（已满）" in tab.cadres.table.item(row, 4).text()  # the clerk sees the load before choosing
    _shot(dialog, "pairing_reassign")
    replies.append(QMessageBox.StandardButton.No)
    tab.ok.click()
    assert "超出方案" in asked[-1] and _helper_of(db, 7) == old  # declined: unchanged
    tab.ok.click()  # confirmed
    assert _helper_of(db, 7) == full.id
    assert full.name in dialog.message.text() and full.name in tab.helper.text()
    assert boxes == []


def test_ending_a_cadres_pairings_then_re_pairing_from_the_same_screen(main_window, qtbot, answers, boxes):
    asked, _ = answers
    db = main_window.db
    cadre_id, n = _busiest_cadre(db)
    with db.session() as s:
        name = s.get(Cadre, cadre_id).name
    dialog = _reassign_dialog(main_window)
    dialog.tabs.setCurrentWidget(dialog.end_tab)
    tab = dialog.end_tab
    _pick_cadre(tab.cadres, cadre_id, name)
    tab.kind.setCurrentText("退休")
    _shot(dialog, "pairing_end_cadre")
    with qtbot.waitSignal(main_window.data_changed):
        tab.end_button.click()  # both questions answered yes: end, then re-pair now
    assert f"现有的 {n} 户结对" in asked[0] and "“退休”" in asked[0]
    assert f"为这 {n} 户重新安排" in asked[1]
    assert f"已结束干部“{name}”的 {n} 户结对" in tab.result.text()
    assert all(_helper_of(db, h) is None for h in tab.freed)
    with db.session() as s:
        assert s.get(Cadre, cadre_id).active is False
    solver = dialog.solver
    qtbot.waitUntil(lambda: solver.proposal is not None, timeout=20000)
    assert {solver.model.row(i).household_id for i in range(solver.model.rowCount())} == set(tab.freed)
    solver.accept_button.click()
    assert all(_helper_of(db, h) not in (None, cadre_id) for h in tab.freed)


def test_the_household_editor_shows_current_and_past_helpers(demo_db, settings, qtbot, answers, monkeypatch):
    # GIVEN a household whose helper was changed
    with demo_db.session() as s:
        old = s.get(Cadre, _helper_of(demo_db, 9))
        township = s.get(Area, s.get(Household, 9).village_id).parent_id
        same = select(Area.id).where((Area.id == township) | (Area.parent_id == township))
        new = s.scalars(
            select(Cadre)
            .where(Cadre.rank == "township", Cadre.id != old.id, Cadre.home_area_id.in_(same))
            .order_by(Cadre.id)
        ).first()
    with demo_db.transaction() as s:
        day = dt.date(2025, 3, 10)
        visits.record_visit(
            s, visits.VisitDraft(9, old.id, day, ["warmth", "policy"], "送米面"), user="李会计", today=day
        )
        manual.reassign(s, 9, new.id, user="李会计", today=TODAY, reason="原责任人调动")
    # WHEN the clerk opens the household and its 帮扶责任人 tab
    parent = QWidget()
    qtbot.addWidget(parent)
    editor = open_household(parent, demo_db, settings, 9, user="李会计")
    editor.tabs.setCurrentWidget(editor.helpers_tab)
    tab = editor.helpers_tab
    _shot(editor, "household_helpers_tab")
    # THEN the new helper is named at the top, and both appear in the list, the old one with its end
    assert f"现帮扶责任人：{new.name}" in tab.current.text() and TODAY.isoformat() in tab.current.text()
    cells = [[tab.table.item(r, c).text() for c in range(tab.table.columnCount())] for r in range(2)]
    assert cells[0][0] == new.name and cells[0][6] == "（在帮）" and cells[0][8] == "李会计"
    assert cells[1][0] == old.name and cells[1][6] == TODAY.isoformat() and cells[1][7] == "原责任人调动"
    assert editor.tabs.tabText(editor.tabs.indexOf(tab)) == "帮扶责任人"
    assert tab.visits_title.text() == "走访记录（1 次）："
    assert [tab.visits.item(0, c).text() for c in range(2)] == ["2025-03-10", old.name]
    assert set(tab.visits.item(0, 2).text().split("、")) == {"送温暖", "送政策"}

    # WHEN the clerk records a visit from here: the dialog is about this household and its current helper
    def record(dialog):
        assert dialog.cadre.cadre_id() == new.id
        dialog.kinds["technology"].setChecked(True)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(VisitDialog, "exec", record)
    assert tab.record_visit()
    assert tab.visits_title.text() == "走访记录（2 次）：" and tab.visits.item(0, 1).text() == new.name


def test_schemes_are_edited_and_checked_before_saving(demo_db, settings, qtbot):
    dialog = SchemesDialog(demo_db, settings, None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.list.item(0).text() == "321（在用）"
    # a copy of 321 with general staff taking 2 and township cadres capped at 40
    dialog.list.setCurrentRow(0)
    dialog.copy_button.click()
    dialog.name.setText("本县2027")
    dialog.name.textEdited.emit("本县2027")
    dialog.table.counts["general"].setValue(2)
    dialog.table.catch_all.setChecked(False)
    dialog.table.counts["township"].setValue(40)
    dialog.use_button.click()
    _shot(dialog, "pairing_schemes")
    # a wrong one keeps the dialog open, saying why, with nothing written
    dialog.list.setCurrentRow(1)
    dialog.name.setText("")
    dialog.name.textEdited.emit("")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "必须有名称" in dialog.error.text() and dialog.list.currentRow() == 1
    with demo_db.session() as s:
        assert schemes.current_name(s) == "321" and "本县2027" not in [x.name for x in schemes.list_schemes(s)]
    dialog.name.setText("532")
    dialog.name.textEdited.emit("532")
    with qtbot.waitSignal(dialog.data_changed):
        dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    with demo_db.session() as s:
        scheme = schemes.current_scheme(s)
        assert scheme.name == "本县2027"
        assert scheme.quotas == {"county_leader": 3, "section": 2, "general": 2, "township": 40}


def test_the_scheme_in_use_cannot_be_deleted(demo_db, settings, qtbot):
    dialog = SchemesDialog(demo_db, settings, None)
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(0)
    dialog.delete_button.click()
    assert "正在使用的方案，不能删除" in dialog.error.text() and dialog.list.count() == 4
    dialog.list.setCurrentRow(3)
    dialog.delete_button.click()
    assert dialog.list.count() == 3
    dialog.accept()
    with demo_db.session() as s:
        assert [x.name for x in schemes.list_schemes(s)] == ["321", "532", "54321"]
