"""The login at start: on PostgreSQL the typed name and password become the connection's own credentials (the
server checks them and enforces the areas); on SQLite they are checked against the argon2 hash in app_user. A
database without any user asks nothing (one PC, as before: the 经办人 setting names the writer).

Only the user name is remembered (`login/user`); the password lives in the dialog's field and the URL of the open
connection, never in settings or the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from povdesk.db import Database
from povdesk.db_errors import ConnectionRefused
from povdesk.errors import DatabaseError, PovDeskError
from ui.dialogs import FormDialog
from ui.operator_name import OPERATOR
from ui.settings import AppSettings, Option

LOGIN_USER = Option("login/user", "")


def tr(text: str) -> str:
    return QCoreApplication.translate("login", text)


@dataclass(frozen=True)
class Login:
    """Who is logged in: the name recorded with every write, the role and the areas they may see."""

    name: str
    role: str | None  # None: the database's owner on PostgreSQL, or no users at all on SQLite
    scope: str | None  # "" everything, None nothing, else the area path (povdesk.users.scope_path)

    @property
    def is_admin(self) -> bool:
        return self.role in (None, "county_admin")


class LoginDialog(FormDialog):
    """User name and password; `check(name, password)` raises PovDeskError to keep the dialog open with the reason."""

    def __init__(self, settings: AppSettings, check: Callable[[str, str], object], *, where: str = "",
                 name: str = "", parent: QWidget | None = None) -> None:  # fmt: skip
        self.settings = settings
        self.check = check
        self.where = where
        self.initial_name = name or settings.get(LOGIN_USER)
        self.result_value: object = None
        super().__init__("login", tr("登录 PovDesk"), settings, parent)

    def build(self) -> None:
        if self.where:
            self.form.addRow(QLabel(tr("数据库：{0}").format(self.where), self))
        self.name = QLineEdit(self.initial_name, self)
        self.name.setMaxLength(63)
        self.form.addRow(tr("用户名"), self.name)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(tr("密码"), self.password)
        (self.password if self.initial_name else self.name).setFocus()

    def commit(self) -> bool | None:
        name = self.name.text().strip()
        if not name:
            self.name.setFocus()
            raise PovDeskError(tr("请填写用户名。"))
        try:
            self.result_value = self.check(name, self.password.text())
        except PovDeskError:
            self.password.clear()
            self.password.setFocus()
            raise
        self.settings.set(LOGIN_USER, name)  # the name only, never the password
        return None


def _ask(settings: AppSettings, check, parent, **kwargs) -> object | None:
    dialog = LoginDialog(settings, check, parent=parent, **kwargs)
    try:
        if dialog.exec() != FormDialog.DialogCode.Accepted:
            return None
        return dialog.result_value
    finally:
        dialog.password.clear()


def login_sqlite(db: Database, settings: AppSettings, parent: QWidget | None = None) -> Login | None:
    """The logged-in user of an embedded database; a Login without role when it has no users; None when cancelled."""
    from povdesk import users

    with db.session() as session:
        if not users.has_users(session):
            return Login(settings.get(OPERATOR), None, "")

    def check(name: str, password: str) -> Login:
        with db.transaction() as session:  # a renewed hash is saved
            user = users.authenticate(session, name, password)
            return Login(user.username, user.role, users.scope_path(session, user))

    login = _ask(settings, check, parent, where=db.display_url)
    if login is not None:
        settings.set(OPERATOR, login.name)  # every write records the logged-in user
    return login


def postgres_url(url: str, name: str, password: str) -> str:
    """The URL with the typed credentials: the server checks them, nothing else keeps them."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=name, password=password or None).render_as_string(hide_password=False)


def login_postgres(url: str, settings: AppSettings, parent: QWidget | None = None) -> tuple[Database, Login] | None:
    """Open a shared database as the user typed in the dialog; None when cancelled."""
    from sqlalchemy.engine import make_url

    from povdesk import users
    from povdesk.db import open_database

    parsed = make_url(url)

    def check(name: str, password: str) -> tuple[Database, Login]:
        try:
            db = open_database(postgres_url(url, name, password))
        except ConnectionRefused as exc:
            raise DatabaseError(exc.reason + "。") from None  # the dialog already says where
        with db.session() as session:
            user = users.current_user(session, name)
            login = Login(name, user.role if user else None, users.scope_path(session, user) if user else "")
        return db, login

    where = parsed.set(username=None, password=None).render_as_string(hide_password=True)
    result = _ask(settings, check, parent, where=where, name=settings.get(LOGIN_USER) or (parsed.username or ""))
    if result is not None:
        settings.set(OPERATOR, result[1].name)
    return result


def needs_password_dialog(url: str) -> bool:
    """PostgreSQL without a password in the URL (POVDESK_DB never holds one): ask who is there."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.get_backend_name() == "postgresql" and not parsed.password


def open_and_login(
    url: str | None, settings: AppSettings, parent: QWidget | None = None
) -> tuple[Database, Login] | None:
    """The database opened as the logged-in user, and who that is; None when the clerk cancelled the login.
    Raises PovDeskError when the database cannot be opened at all."""
    from povdesk import rls, users
    from povdesk.db import open_database, resolve_url

    url = resolve_url(url)
    if needs_password_dialog(url):
        return login_postgres(url, settings, parent)
    db = open_database(url)
    if not db.is_sqlite:  # credentials given in the URL (a test, an administrator's own setup)
        with db.session() as session:
            name = rls.login_name(session)
            user = users.current_user(session, name)
            login = Login(name, user.role if user else None, users.scope_path(session, user) if user else "")
        settings.set(OPERATOR, name)
        return db, login
    try:
        login = login_sqlite(db, settings, parent)
    except BaseException:
        db.close()
        raise
    if login is None:
        db.close()
        return None
    return db, login
