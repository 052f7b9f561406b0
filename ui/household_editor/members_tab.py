"""The 家庭成员 tab: the members table with add, edit and remove (with reason and date)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.households import HouseholdDraft, MemberDraft, remove_member
from ui.household_editor.member_dialog import MemberDialog, RemoveMemberDialog
from ui.household_editor.widgets import date_text, set_row, setup_table
from ui.settings import AppSettings


class MembersTab(QWidget):
    changed = Signal()

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.draft: HouseholdDraft | None = None
        self.dialog: MemberDialog | RemoveMemberDialog | None = None  # the sub-dialog open now, if any

        self.table = QTableWidget(self)
        self.table.setObjectName("membersTable")
        setup_table(
            self.table,
            [self.tr("姓名"), self.tr("与户主关系"), self.tr("身份证号"), self.tr("性别"), self.tr("出生日期"),
             self.tr("民族"), self.tr("健康状况"), self.tr("劳动技能"), self.tr("状态")]
        )  # fmt: skip
        self.add_button = QPushButton(self.tr("添加成员"), self)
        self.edit_button = QPushButton(self.tr("修改"), self)
        self.remove_button = QPushButton(self.tr("减员"), self)
        self.restore_button = QPushButton(self.tr("撤销减员"), self)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button, self.restore_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)

        self.add_button.clicked.connect(self.add_member)
        self.edit_button.clicked.connect(self.edit_member)
        self.remove_button.clicked.connect(self.remove_member)
        self.restore_button.clicked.connect(self.restore_member)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit_member())
        self.table.itemSelectionChanged.connect(self._update_buttons)

    def load(self, draft: HouseholdDraft) -> None:
        self.draft = draft
        self.refresh()

    def refresh(self, select: MemberDraft | None = None) -> None:
        members = self.draft.members
        self.table.setRowCount(len(members))
        for row, member in enumerate(members):
            state = self.tr("在册")
            if not member.active:
                state = self.tr("已减员：{0} {1}").format(
                    codes.REMOVAL_REASON.label_of(member.removed_reason), date_text(member.removed_on)
                )
            elif member.id is None:
                state = self.tr("新增（未保存）")
            elif member.to_verify():
                state = self.tr("在册（待核实 {0} 项）").format(len(member.to_verify()))
            values = [
                member.name, codes.RELATION.label_of(member.relation), member.id_number or "",
                codes.SEX.label_of(member.sex), date_text(member.birth_date), codes.ETHNICITY.label_of(member.ethnicity),
                codes.HEALTH.label_of(member.health), codes.LABOR.label_of(member.labor), state,
            ]  # fmt: skip
            set_row(self.table, row, values, data=row, grey=not member.active)
        if select is not None and select in members:
            self.table.selectRow(members.index(select))
        self._update_buttons()

    def selected(self) -> MemberDraft | None:
        rows = self.table.selectionModel().selectedRows()
        return self.draft.members[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        member = self.selected()
        self.edit_button.setEnabled(member is not None and member.active)
        self.remove_button.setEnabled(member is not None and member.active)
        pending_removal = member is not None and not member.active and not (member.original or {}).get("removed_on")
        self.restore_button.setEnabled(pending_removal)

    def _head_sex(self) -> str | None:
        """The sex of the household's head, to check a spouse's against it."""
        return next((m.sex for m in self.draft.active_members() if m.relation == "head"), None)

    def add_member(self) -> None:
        member = MemberDraft(relation="head" if not self.draft.active_members() else "other")
        self._open(MemberDialog(member, self.settings, self, head_sex=self._head_sex()), lambda: self._added(member))

    def _added(self, member: MemberDraft) -> None:
        self.draft.members.append(member)
        self._changed(member)

    def edit_member(self) -> None:
        member = self.selected()
        if member is not None and member.active:
            self._open(
                MemberDialog(member, self.settings, self, head_sex=self._head_sex()), lambda: self._changed(member)
            )

    def remove_member(self) -> None:
        member = self.selected()
        if member is None or not member.active:
            return
        dialog = RemoveMemberDialog(member, self.settings, self)
        self._open(dialog, lambda: self._removed(member, dialog))

    def _removed(self, member: MemberDraft, dialog: RemoveMemberDialog) -> None:
        reason, on = dialog.values()
        remove_member(self.draft, member, reason, on)
        self._changed(member)

    def restore_member(self) -> None:
        member = self.selected()
        if member is not None and not member.active:
            member.removed_on = member.removed_reason = None
            self._changed(member)

    def _open(self, dialog, on_accept) -> None:
        """Sub-dialogs are window-modal and asynchronous (open(), not exec()), so nothing blocks the event loop."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_accept)
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _dialog_closed(self) -> None:
        self.dialog = None

    def _changed(self, member: MemberDraft | None = None) -> None:
        self.refresh(select=member)
        self.changed.emit()
