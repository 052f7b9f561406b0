"""The 经办人 (operator): asked for once, stored in the settings, recorded with household edits and GUI imports."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from PySide6.QtWidgets import QWidget

from povdesk.model import Household
from povdesk.model.household import ChangeLog
from povdesk.model.security import AuditLog
from ui import operator_name
from ui.operator_name import OPERATOR, OperatorDialog, operator

sys.path.insert(0, str(Path(__file__).parents[1] / "povdesk"))
from test_roster_fixtures import sample_households, write_roster  # noqa: E402


@pytest.fixture
def asked(monkeypatch, settings):
    """The clerk answers the 经办人 dialog with the queued names (None: 取消); counts the questions."""
    settings.set(OPERATOR, "")
    answers: list[str | None] = ["王经办"]
    questions = []

    def exec_(dialog: OperatorDialog) -> int:
        questions.append(dialog.name.text())
        answer = answers.pop(0) if answers else None
        if answer is None:
            dialog.reject()
            return OperatorDialog.DialogCode.Rejected
        dialog.name.setText(answer)
        dialog.accept()  # through FormDialog.commit, as the OK button goes
        return dialog.result()

    monkeypatch.setattr(OperatorDialog, "exec", exec_)
    return questions, answers


def test_the_operator_is_asked_once_and_stored(qtbot, settings, asked):
    questions, _answers = asked
    assert operator(settings) == "王经办"
    assert operator(settings) == "王经办"
    assert len(questions) == 1 and settings.get(OPERATOR) == "王经办"


def test_a_cancelled_question_records_the_login_name_and_asks_again(qtbot, settings, asked, monkeypatch):
    questions, answers = asked
    answers[:] = [None, "李会计"]
    monkeypatch.setattr(operator_name.getpass, "getuser", lambda: "clerk01")
    assert operator(settings) == "clerk01"
    assert operator(settings) == "李会计"
    assert len(questions) == 2


def test_an_empty_name_keeps_the_dialog_open_with_the_reason(qtbot, settings):
    dialog = OperatorDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("  ")
    dialog.accept()
    assert dialog.isVisible() and "请填写经办人姓名" in dialog.error.text()
    dialog.name.setText("赵干事")
    dialog.accept()
    assert not dialog.isVisible() and settings.get(OPERATOR) == "赵干事"


def test_the_settings_menu_changes_the_operator(main_window, asked):
    questions, answers = asked
    main_window.settings.set(OPERATOR, "王经办")
    answers[:] = ["新经办"]
    action = next(a for a in main_window.menus["settings"].actions() if a.text() == "经办人(&O)…")
    action.trigger()
    assert questions == ["王经办"]  # the dialog opens on the current name
    assert main_window.settings.get(OPERATOR) == "新经办"


def _type(qtbot, edit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def test_an_edit_in_the_household_editor_records_the_operator(main_window, demo_db, qtbot, asked):
    questions, _answers = asked
    with demo_db.session() as session:
        household_id = session.scalar(select(Household.id).order_by(Household.id).limit(1))
    editor = main_window.registry.open_household(household_id)
    _type(qtbot, editor.basic_tab.phone, "13900002222")
    with qtbot.waitSignal(editor.saved, timeout=5000):
        assert editor.save()
    _type(qtbot, editor.basic_tab.phone, "13900003333")
    assert editor.save()
    assert len(questions) == 1  # asked at the first save only
    with demo_db.session() as session:
        users = session.scalars(
            select(ChangeLog.user).where(
                ChangeLog.household_id == household_id, ChangeLog.new_value.in_(["13900002222", "13900003333"])
            )
        ).all()
    assert users == ["王经办", "王经办"]
    editor.close()


class _Window(QWidget):
    def __init__(self, db, settings) -> None:
        super().__init__()
        self.db, self.settings = db, settings


def test_a_gui_import_records_the_operator_in_its_audit(qtbot, sqlite_db, settings, asked, tmp_path, boxes):
    from ui.importing import open_import_wizard

    path = write_roster(tmp_path / "青山镇.xlsx", sample_households())
    window = _Window(sqlite_db, settings)
    qtbot.addWidget(window)
    wizard = open_import_wizard(window, str(path))
    assert wizard.user == "王经办"
    assert wizard.currentPage() is wizard.sheet_page  # the file is given: the wizard starts on its sheets
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.preview_page.isComplete(), timeout=10000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.result_page, timeout=10000)
    with sqlite_db.session() as session:
        audit = session.scalars(select(AuditLog.user).where(AuditLog.action == "roster_import")).all()
        changes = set(session.scalars(select(ChangeLog.user)).all())
    assert audit == ["王经办"]
    assert changes <= {"王经办"}
    wizard.close()


def test_every_write_from_the_window_is_audited_under_the_operator(main_window, settings):
    # GIVEN the window on a database, the 经办人 set (tests/ui/conftest.py); WHEN any screen writes through its sessions
    with main_window.db.transaction() as s:
        household = s.scalars(select(Household).order_by(Household.id)).first()
        household.phone = "13907431234"
        household_id = household.id
    # THEN the audit names the 经办人, not the computer's login
    with main_window.db.session() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.entity == "household", AuditLog.entity_id == household_id)
                          .order_by(AuditLog.id.desc())).first()  # fmt: skip
    assert entry is not None and entry.user == settings.get(operator_name.OPERATOR) == "测试经办人"
