"""The login at start (SQLite: the argon2 hash; PostgreSQL: the server checks the typed credentials) and the county
admin's user administration."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from PySide6.QtWidgets import QMessageBox

from povdesk import users
from povdesk.db_errors import connection_reason
from povdesk.model import Area
from ui import login as login_step
from ui.login import LOGIN_USER, LoginDialog, open_and_login
from ui.operator_name import OPERATOR
from ui.users import AddUserDialog, PasswordDialog, UsersDialog, install

PASSWORD = "correct horse 1"


@pytest.fixture
def answers(monkeypatch):
    """The login dialog answered with queued (name, password) pairs (None: 取消); what it showed is recorded."""
    queue: list[tuple[str, str] | None] = []
    shown: list[dict] = []

    def exec_(dialog: LoginDialog) -> int:
        while True:
            answer = queue.pop(0) if queue else None
            if answer is None:
                dialog.reject()
                return LoginDialog.DialogCode.Rejected
            dialog.name.setText(answer[0])
            dialog.password.setText(answer[1])
            dialog.accept()
            shown.append({"name": answer[0], "error": dialog.error.text() if dialog.error.isVisibleTo(dialog) else ""})
            if dialog.result() == LoginDialog.DialogCode.Accepted:
                return dialog.result()

    monkeypatch.setattr(LoginDialog, "exec", exec_)
    return queue, shown


def test_no_users_no_login(demo_db, settings, answers):
    _queue, shown = answers
    db, who = open_and_login(demo_db.url, settings)
    db.close()
    assert shown == [] and who.name == "测试经办人" and who.role is None and who.scope == ""


def test_sqlite_login_checks_the_hash_and_remembers_only_the_name(demo_db, settings, answers, tmp_path):
    queue, shown = answers
    with demo_db.transaction() as s:
        township = s.scalar(select(Area).where(Area.level == "township"))
        users.add_user(s, "boss", "county_admin", PASSWORD)
        users.add_user(s, "li", "township_clerk", PASSWORD, area_id=township.id)
        path = township.path
    queue.extend([("li", "wrong password"), ("li", PASSWORD)])
    db, who = open_and_login(demo_db.url, settings)
    db.close()
    assert shown[0]["error"] == "用户名或密码不正确" and len(shown) == 2
    assert (who.name, who.role, who.scope, who.is_admin) == ("li", "township_clerk", path, False)
    assert settings.get(LOGIN_USER) == "li" and settings.get(OPERATOR) == "li"
    settings.sync()
    stored = "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.ini"))
    assert PASSWORD not in stored


def test_cancelling_the_login_closes_the_program(demo_db, settings, answers):
    with demo_db.transaction() as s:
        users.add_user(s, "boss", "county_admin", PASSWORD)
    assert open_and_login(demo_db.url, settings) is None


def test_a_disabled_user_is_refused(demo_db, settings, answers):
    queue, shown = answers
    with demo_db.transaction() as s:
        users.add_user(s, "boss", "county_admin", PASSWORD)
        users.add_user(s, "gone", "county_clerk", PASSWORD)
        users.disable_user(s, "gone")
    queue.append(("gone", PASSWORD))
    assert open_and_login(demo_db.url, settings) is None
    assert "已停用" in shown[0]["error"]


def test_the_postgres_url_gets_the_typed_credentials():
    url = login_step.postgres_url("postgresql+psycopg://server:5432/county", "li", "p@ss:word")
    parsed = make_url(url)
    assert (parsed.username, parsed.password, parsed.host, parsed.database) == ("li", "p@ss:word", "server", "county")
    assert login_step.needs_password_dialog("postgresql+psycopg://server/county")
    assert not login_step.needs_password_dialog("sqlite:///x.db")
    assert connection_reason('FATAL:  password authentication failed for user "li"') == "用户名或密码不正确"
    assert connection_reason('FATAL:  role "nobody" does not exist') == "用户名或密码不正确"
    assert connection_reason('FATAL:  role "li" is not permitted to log in') == "该账户已停用，请联系县级管理员"


@pytest.mark.postgres
def test_postgres_login_connects_as_the_clerk(pg_db, settings, answers):
    queue, shown = answers
    with pg_db.transaction() as s:
        township = s.scalar(select(Area).where(Area.level == "township"))
        if township is None:
            township = Area(level="township", name="城关镇", path="")
            county = Area(level="county", name="某县", path="")
            s.add(county)
            s.flush()
            county.path = f"{county.id}/"
            township.parent_id = county.id
            s.add(township)
            s.flush()
            township.path = f"{county.path}{township.id}/"
        users.add_user(s, "login_clerk", "township_clerk", PASSWORD, area_id=township.id)
        path = township.path
    url = make_url(pg_db.url).set(username=None).render_as_string(hide_password=False)
    queue.extend([("login_clerk", "wrong password"), ("login_clerk", PASSWORD)])
    db, who = open_and_login(url, settings)
    try:
        with db.session() as s:
            assert s.scalar(text("SELECT session_user")) == "login_clerk"
        assert (who.name, who.role, who.scope) == ("login_clerk", "township_clerk", path)
    finally:
        db.close()
    assert shown[0]["error"] == "用户名或密码不正确。"
    assert settings.get(OPERATOR) == "login_clerk" and settings.get(LOGIN_USER) == "login_clerk"


def test_the_admin_adds_resets_and_disables_users(qtbot, demo_db, settings, monkeypatch):
    with demo_db.transaction() as s:
        users.add_user(s, "boss", "county_admin", PASSWORD)
    dialog = UsersDialog(demo_db, settings, "boss")
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1

    def add(child: AddUserDialog) -> int:
        child.name.setText("zhang")
        child.role.setCurrentIndex(child.role.findData("township_clerk"))
        assert child.area.count() > 1 and child.area.isEnabled()
        child.password.setText("short")
        child.again.setText("short")
        child.accept()
        assert "至少需要 8 个字符" in child.error.text()
        child.password.setText(PASSWORD)
        child.again.setText(PASSWORD)
        child.accept()
        return child.result()

    monkeypatch.setattr(AddUserDialog, "exec", add)
    dialog.add_user()
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == ["boss", "zhang"]
    assert dialog.selected().name == "zhang" and dialog.selected().area_name

    def reset(child: PasswordDialog) -> int:
        child.password.setText("another password")
        child.again.setText("another password")
        child.accept()
        return child.result()

    monkeypatch.setattr(PasswordDialog, "exec", reset)
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    dialog.reset_password()
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    dialog.toggle_active()
    assert dialog.table.item(1, 3).text() == "停用" and dialog.toggle_button.text() == "重新启用"
    with demo_db.transaction() as s, pytest.raises(users.LoginFailed, match="已停用"):
        users.authenticate(s, "zhang", "another password")


def test_only_admins_get_the_menu(main_window):
    main_window.login = login_step.Login("li", "township_clerk", "1/2/")
    assert install(main_window) is None
    main_window.login = login_step.Login("boss", "county_admin", "")
    action = install(main_window)
    assert action is not None and action in main_window.menus["settings"].actions()


def test_the_program_asks_after_the_frame_and_stops_when_the_login_is_cancelled(demo_db, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from ui.app import run_gui

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the window saves its size: not the user's file
    with demo_db.transaction() as s:
        users.add_user(s, "boss", "county_admin", PASSWORD)
    asked = []

    def cancel(dialog: LoginDialog) -> int:
        frames = [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow" and w.isVisible()]
        asked.append(bool(frames))  # the frame is already there behind the login
        dialog.reject()
        return LoginDialog.DialogCode.Rejected

    monkeypatch.setattr(LoginDialog, "exec", cancel)
    assert run_gui(demo_db.url) == 0
    assert asked == [True]
    assert not [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow" and w.isVisible()]


def test_a_logged_in_user_is_the_operator_and_cannot_rename_it(main_window):
    from ui import operator_name

    main_window.login = login_step.Login("li", "township_clerk", "1/2/")
    action = operator_name.install(main_window)
    assert not action.isEnabled() and "li" in action.statusTip()
