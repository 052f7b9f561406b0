"""The household editor window: six tabs over one draft, saved in one transaction or not at all."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.households import (
    HouseholdDraft,
    Problem,
    ValidationFailed,
    VersionConflict,
    has_changes,
    load,
    new_draft,
    rebase,
    validate,
    values_to_verify,
    village_options,
)
from povdesk.households import save as save_draft
from povdesk.households.status import status_label
from ui.dialogs import RememberingDialog
from ui.household_editor.basic_tab import BasicTab
from ui.household_editor.extra_tab import ExtraTab
from ui.household_editor.helpers_tab import HelpersTab
from ui.household_editor.history_tab import HistoryTab
from ui.household_editor.measures_tab import MeasuresTab
from ui.household_editor.members_tab import MembersTab
from ui.household_editor.status_tab import StatusTab
from ui.household_editor.widgets import ERROR_STYLE
from ui.household_editor.years_tab import YearsTab
from ui.operator_name import operator
from ui.settings import AppSettings

SECTION_TABS = {"basic": 0, "members": 1, "years": 2, "measures": 3, "status": 4}


class ConflictDialog(QDialog):
    """Someone saved the household after it was opened here: both versions field by field, and the clerk's choice."""

    KEEP_MINE, TAKE_THEIRS = 1, 2

    def __init__(self, conflict: VersionConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("保存冲突"))
        message = QLabel(str(conflict), self)
        message.setWordWrap(True)
        self.table = QTableWidget(len(conflict.fields), 4, self)
        self.table.setObjectName("conflictFields")
        self.table.setHorizontalHeaderLabels(
            [self.tr("对象"), self.tr("项目"), self.tr("您的内容"), self.tr("已保存的内容")]
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, item in enumerate(conflict.fields):
            for column, text in enumerate((item.row, item.label, item.yours, item.saved)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(self)
        self.keep_button = buttons.addButton(self.tr("保留我的修改并保存"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.take_button = buttons.addButton(self.tr("采用已保存的内容"), QDialogButtonBox.ButtonRole.DestructiveRole)
        cancel = buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.keep_button.clicked.connect(lambda: self.done(self.KEEP_MINE))
        self.take_button.clicked.connect(lambda: self.done(self.TAKE_THEIRS))
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(640, 360)


class HouseholdEditor(RememberingDialog):
    """Non-modal; emits `saved(household_id)` after each successful save so lists can refresh."""

    saved = Signal(int)

    def __init__(
        self,
        db: Database,
        settings: AppSettings,
        household_id: int | None,
        *,
        village_id: int | None = None,
        user: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("household_editor", settings, parent)
        self.db = db
        self.settings = settings
        self.user = user  # None: the 经办人 setting, asked for at the first save if unset
        with db.session() as session:  # raises NotFound / RuleViolation before any widget is built
            self.draft: HouseholdDraft = load(session, household_id) if household_id else new_draft(session, village_id)
            villages = village_options(session)
        self._village_labels = {v.id: v.label for v in villages}
        self._group_names = {gid: name for v in villages for gid, name in v.groups}
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)

        self.header = QLabel(self)
        self.header.setObjectName("householdHeader")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setStyleSheet("font-size: 11pt; padding: 2px 0;")
        self.basic_tab = BasicTab(villages, self)
        self.members_tab = MembersTab(settings, self)
        self.years_tab = YearsTab(self)
        self.measures_tab = MeasuresTab(settings, self)
        self.status_tab = StatusTab(self)
        self.extra_tab = ExtraTab(self)
        self.history_tab = HistoryTab(self)
        self.helpers_tab = HelpersTab(db, settings, self)
        self.tabs = QTabWidget(self)
        for tab, title in (
            (self.basic_tab, self.tr("基本信息")),
            (self.members_tab, self.tr("家庭成员")),
            (self.years_tab, self.tr("年度收入与保障")),
            (self.measures_tab, self.tr("帮扶措施")),
            (self.status_tab, self.tr("状态变更")),
            (self.extra_tab, self.tr("其他字段")),
            (self.helpers_tab, self.tr("帮扶责任人")),
            (self.history_tab, self.tr("变更记录")),
        ):
            self.tabs.addTab(tab, title)
        self.problems_title = QLabel(self)
        self.problems_title.setStyleSheet(ERROR_STYLE + "font-weight: bold;")
        self.problems = QListWidget(self)
        self.problems.setObjectName("saveProblems")
        self.problems.setStyleSheet(ERROR_STYLE)
        self.problems.setMaximumHeight(110)
        self.message = QLabel(self)
        self.message.setObjectName("saveMessage")
        self.save_button = QPushButton(self.tr("保存(&S)"), self)
        self.close_button = QPushButton(self.tr("关闭"), self)
        for button in (self.save_button, self.close_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problems_title)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)

        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.activated.connect(self.save)
        self.close_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)  # Ctrl+W / Ctrl+F4
        self.close_shortcut.activated.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        for tab in self._editing_tabs():
            tab.changed.connect(self._on_changed)
        self.tabs.currentChanged.connect(self._refresh_tab)
        self.history_tab.audit_requested.connect(self._show_audit)
        self.problems.itemActivated.connect(self._go_to_problem)
        self.problems.itemClicked.connect(self._go_to_problem)
        self._show_draft()
        self.resize(1000, 680)

    @property
    def household_id(self) -> int | None:
        return self.draft.id

    # -- showing -------------------------------------------------------------------------------------------------------
    def _editing_tabs(self) -> tuple[QWidget, ...]:
        return self.basic_tab, self.members_tab, self.years_tab, self.measures_tab, self.status_tab, self.extra_tab

    def _show_draft(self) -> None:
        for tab in self._editing_tabs():
            tab.load(self.draft)
        self.history_tab.load(self.db, self.draft.id)
        self.helpers_tab.load(self.draft.id)
        self._show_problems([])
        self._on_changed()

    def _show_audit(self) -> None:
        from ui.audit import AuditDialog

        AuditDialog(self.db, self.settings, self, household_id=self.draft.id).exec()

    def _refresh_tab(self, index: int) -> None:
        """Tabs show each other's data (member count, years, status): bring the one shown up to date."""
        tab = self.tabs.widget(index)
        if hasattr(tab, "refresh") and getattr(tab, "draft", None) is not None:
            tab.refresh()

    def _on_changed(self) -> None:
        draft = self.draft
        head = draft.head()
        name = head.name if head and head.name else self.tr("（无户主）")
        self.setWindowTitle(
            self.tr("农户档案 - {0}[*]").format(name) if draft.id else self.tr("新建农户档案 - {0}[*]").format(name)
        )
        self.setWindowModified(has_changes(draft))
        place = self._village_labels.get(draft.village_id, "")
        if draft.group_id in self._group_names:
            place += " " + self._group_names[draft.group_id]
        episode = draft.open_episode()
        parts = [
            self.tr("户主：{0}").format(name),
            self.tr("户编号：{0}").format(draft.number or "—"),
            self.tr("在册 {0} 人").format(len(draft.active_members())),
            place,
            status_label(draft.status),
        ]
        if episode:
            parts.append(self.tr("监测对象：{0}").format(codes.MONITOR_TYPE.label_of(episode.type)))
        to_verify = len(values_to_verify(draft))
        if to_verify:
            parts.append(self.tr("待核实 {0} 项（见“其他字段”页）").format(to_verify))
        self.header.setText("　".join(p for p in parts if p))
        if self.isWindowModified():
            self.message.clear()

    def _show_problems(self, problems: list[Problem]) -> None:
        self.problems.clear()
        for problem in problems:
            item = QListWidgetItem(str(problem), self.problems)
            item.setData(Qt.ItemDataRole.UserRole, problem.section)
        self.problems_title.setText(
            self.tr("未保存，请改正以下 {0} 处问题（点击一项可转到该页）：").format(len(problems)) if problems else ""
        )
        self.problems_title.setVisible(bool(problems))
        self.problems.setVisible(bool(problems))

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        self.tabs.setCurrentIndex(SECTION_TABS.get(item.data(Qt.ItemDataRole.UserRole), 0))

    # -- saving and closing --------------------------------------------------------------------------------------------
    def save(self) -> bool:
        """Validate and save everything in one transaction; on any problem nothing is written and it is shown."""
        problems = validate(self.draft)
        if problems:
            self._show_problems(problems)
            return False
        try:
            household_id = save_draft(self.db, self.draft, user=self.user or operator(self.settings, self))
        except ValidationFailed as exc:
            self._show_problems(exc.problems)
            return False
        except VersionConflict as exc:
            return self._resolve_conflict(exc)
        except PovDeskError as exc:
            QMessageBox.warning(self, self.tr("未保存"), str(exc))
            return False
        with self.db.session() as session:
            self.draft = load(session, household_id)
        current = self.tabs.currentIndex()
        self._show_draft()
        self.tabs.setCurrentIndex(current)
        self.message.setText(self.tr("已保存（{0}）").format(QDateTime.currentDateTime().toString("HH:mm:ss")))
        self.saved.emit(household_id)
        return True

    def ask_conflict(self, conflict: VersionConflict) -> int:
        """The clerk's choice for a conflict: ConflictDialog.KEEP_MINE, TAKE_THEIRS, or 0 (cancel)."""
        return ConflictDialog(conflict, self).exec()

    def _resolve_conflict(self, conflict: VersionConflict) -> bool:
        choice = self.ask_conflict(conflict)
        if choice == ConflictDialog.KEEP_MINE:
            rebase(self.draft, conflict)
            return self.save()
        if choice == ConflictDialog.TAKE_THEIRS:
            with self.db.session() as session:
                self.draft = load(session, self.draft.id)
            self._show_draft()
            self.message.setText(self.tr("已载入他人保存的内容，您的修改已放弃"))
        return False

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """保存 / 不保存 / 取消 for a window closed with unsaved changes."""
        buttons = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("尚未保存"),
            self.tr("“{0}”有尚未保存的修改，是否保存？").format(self.windowTitle().replace("[*]", "")),
            buttons.Save | buttons.Discard | buttons.Cancel,
            self,
        )
        box.button(buttons.Save).setText(self.tr("保存"))
        box.button(buttons.Discard).setText(self.tr("不保存"))
        box.button(buttons.Cancel).setText(self.tr("取消"))
        box.setDefaultButton(buttons.Save)
        return buttons(box.exec())

    def reject(self) -> None:
        """Esc, 关闭 and the window's close button all come here: ask before losing unsaved changes."""
        if has_changes(self.draft):
            answer = self.ask_unsaved()
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save and not self.save():
                return
        super().reject()


def open_household(
    parent: QWidget,
    db: Database,
    settings: AppSettings,
    household_id: int | None,
    *,
    village_id: int | None = None,
    user: str | None = None,
) -> HouseholdEditor | None:
    """Show the editor of a household (raising the one already open), or of a new household in `village_id`.

    Returns None, after telling the clerk why, when the household cannot be opened.
    """
    if household_id is not None:
        for editor in parent.findChildren(HouseholdEditor):
            if editor.household_id == household_id and editor.isVisible():
                editor.raise_()
                editor.activateWindow()
                return editor
    try:
        editor = HouseholdEditor(db, settings, household_id, village_id=village_id, user=user, parent=parent)
    except PovDeskError as exc:
        QMessageBox.warning(parent, parent.tr("无法打开农户档案"), str(exc))
        return None
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    editor.show()
    return editor
