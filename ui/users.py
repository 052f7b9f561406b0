"""设置 → 用户管理…: the county admin's list of users, with add, reset password and disable (or enable again).

The work is povdesk.users': this module only shows it. On PostgreSQL adding a user also creates their database
login, which only an account that may create roles can do (the county admin's own login, or the owner).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.db import Database
from povdesk.errors import PovDeskError
from ui.dialogs import FormDialog, RememberingDialog
from ui.settings import AppSettings

NO_AREA = -1


def tr(text: str) -> str:
    return QCoreApplication.translate("users", text)


def _password_fields(dialog: FormDialog) -> tuple[QLineEdit, QLineEdit]:
    first, second = QLineEdit(dialog), QLineEdit(dialog)
    for edit in (first, second):
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    dialog.form.addRow(tr("密码"), first)
    dialog.form.addRow(tr("再次输入密码"), second)
    return first, second


def _typed_password(first: QLineEdit, second: QLineEdit) -> str:
    from povdesk import users

    if first.text() != second.text():
        second.clear()
        second.setFocus()
        raise PovDeskError(tr("两次输入的密码不一致。"))
    return users.check_password(first.text())


class AddUserDialog(FormDialog):
    """Name, role, area (for township and village users) and the first password."""

    def __init__(self, db: Database, settings: AppSettings, by: str, parent: QWidget | None = None) -> None:
        self.db = db
        self.by = by
        self.added: str | None = None
        super().__init__("add_user", tr("新增用户"), settings, parent)

    def build(self) -> None:
        self.name = QLineEdit(self)
        self.name.setMaxLength(63)
        self.name.setPlaceholderText(tr("登录用的名字，例如 lihua"))
        self.form.addRow(tr("用户名"), self.name)
        self.role = QComboBox(self)
        for item in codes.USER_ROLE:
            self.role.addItem(item.label, item.code)
        self.form.addRow(tr("角色"), self.role)
        self.area = QComboBox(self)
        self.form.addRow(tr("区划"), self.area)
        self.password, self.again = _password_fields(self)
        self.role.currentIndexChanged.connect(self._fill_areas)
        self._fill_areas()

    def _fill_areas(self) -> None:
        from povdesk import users

        role = self.role.currentData()
        with self.db.session() as session:
            choices = users.area_choices(session, role)
        self.area.clear()
        if role in users.COUNTY_ROLES:
            self.area.addItem(tr("全县"), NO_AREA)
        else:
            self.area.addItem(tr("（暂不指定：看不到任何数据）"), NO_AREA)
            for area_id, label in choices:
                self.area.addItem(label, area_id)
            if choices:
                self.area.setCurrentIndex(1)
        self.area.setEnabled(role not in users.COUNTY_ROLES)

    def commit(self) -> None:
        from povdesk import users

        password = _typed_password(self.password, self.again)
        area_id = self.area.currentData()
        with self.db.transaction() as session:
            user = users.add_user(session, self.name.text(), self.role.currentData(), password,
                                  area_id=None if area_id == NO_AREA else area_id, by=self.by)  # fmt: skip
            self.added = user.username
        self.password.clear()
        self.again.clear()


class PasswordDialog(FormDialog):
    """A new password for one user."""

    def __init__(self, db: Database, settings: AppSettings, name: str, by: str, parent: QWidget | None = None) -> None:
        self.db = db
        self.user_name = name
        self.by = by
        super().__init__("user_password", tr("重置密码：{0}").format(name), settings, parent)

    def build(self) -> None:
        self.password, self.again = _password_fields(self)

    def commit(self) -> None:
        from povdesk import users

        password = _typed_password(self.password, self.again)
        with self.db.transaction() as session:
            users.change_password(session, self.user_name, password, by=self.by)
        self.password.clear()
        self.again.clear()


class UsersDialog(RememberingDialog):
    """The users, one a row: name, role, area, state; buttons act on the selected one."""

    COLUMNS = ("用户名", "角色", "区划", "状态")

    def __init__(self, db: Database, settings: AppSettings, by: str, parent: QWidget | None = None) -> None:
        super().__init__("users", settings, parent)
        self.db = db
        self.settings = settings
        self.by = by
        self.setWindowTitle(tr("用户管理"))
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels([tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.add_button = QPushButton(tr("新增用户…"), self)
        self.password_button = QPushButton(tr("重置密码…"), self)
        self.toggle_button = QPushButton(tr("停用"), self)
        for button in (self.add_button, self.password_button, self.toggle_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.add_button.clicked.connect(self.add_user)
        self.password_button.clicked.connect(self.reset_password)
        self.toggle_button.clicked.connect(self.toggle_active)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.resize(560, 380)
        self.load()

    def load(self, select: str | None = None) -> None:
        from povdesk import users

        with self.db.session() as session:
            self.users = users.list_users(session)
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            area = user.area_name or (tr("全县") if user.role in users.COUNTY_ROLES else "—")
            values = (user.name, user.role_label, area, tr("启用") if user.active else tr("停用"))
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if not user.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, column, item)
            if user.name == select:
                self.table.selectRow(row)
        self._update_buttons()

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        user = self.selected()
        self.password_button.setEnabled(user is not None)
        self.toggle_button.setEnabled(user is not None)
        self.toggle_button.setText(tr("重新启用") if user is not None and not user.active else tr("停用"))

    def add_user(self) -> None:
        dialog = AddUserDialog(self.db, self.settings, self.by, self)
        if dialog.exec() == FormDialog.DialogCode.Accepted:
            self.load(select=dialog.added)

    def reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = PasswordDialog(self.db, self.settings, user.name, self.by, self)
        if dialog.exec() == FormDialog.DialogCode.Accepted:
            QMessageBox.information(self, tr("重置密码"), tr("已修改用户“{0}”的密码。").format(user.name))

    def toggle_active(self) -> None:
        from povdesk import users

        user = self.selected()
        if user is None:
            return
        if user.active:
            answer = QMessageBox.question(
                self, tr("停用用户"), tr("停用用户“{0}”？停用后该用户不能再登录，记录的历史保留。").format(user.name)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            with self.db.transaction() as session:
                users.set_active(session, user.name, not user.active, by=self.by)
        except PovDeskError as exc:
            QMessageBox.warning(self, tr("用户管理"), str(exc))
            return
        self.load(select=user.name)


def may_manage(window) -> bool:
    """The county admin (or, before any user exists or for the database owner, whoever runs the program)."""
    login = getattr(window, "login", None)
    return login is None or login.is_admin


def install(window) -> QAction | None:
    """设置 → 用户管理… for those who may manage users."""
    if not may_manage(window):
        return None
    action = QAction(window.tr("用户管理(&U)…"), window)
    action.setStatusTip(window.tr("新增用户、重置密码、停用用户"))

    def show() -> None:
        from ui.operator_name import operator

        login = getattr(window, "login", None)
        by = login.name if login is not None else operator(window.settings, window)
        UsersDialog(window.db, window.settings, by, window).exec()

    action.triggered.connect(show)
    window.menus["settings"].addAction(action)
    return action
