"""The 状态变更 tab: the current status and monitoring episodes, and status changes to save with the household."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.errors import RuleViolation
from povdesk.households import ACTIONS, HouseholdDraft, apply_status_change, undo_last_status_change
from povdesk.households.status import allowed_actions, status_label
from ui.household_editor.widgets import CodeCombo, DateEdit, date_text, error_label, set_row, setup_table


class StatusTab(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: HouseholdDraft | None = None

        self.current = QLabel(self)
        self.current.setObjectName("currentStatus")
        self.current.setTextFormat(Qt.TextFormat.PlainText)
        self.episodes = QTableWidget(self)
        self.episodes.setObjectName("episodesTable")
        setup_table(
            self.episodes,
            [self.tr("监测对象类型"), self.tr("纳入监测日期"), self.tr("风险情况"), self.tr("风险消除日期")],
            stretch=2,
        )
        self.episodes.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.episodes.setMaximumHeight(150)

        self.action = CodeCombo(ACTIONS, parent=self)
        self.on = DateEdit(parent=self)
        self.on.setMaximumDate(self.on.date())
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(self.tr("例如：经民主评议和两公示一公告，人均纯收入稳定超过标准"))
        self.add_button = QPushButton(self.tr("登记变更"), self)
        self.add_button.setAutoDefault(False)
        self.error = error_label(self)
        self.error.setObjectName("statusError")
        self.pending = QListWidget(self)
        self.pending.setObjectName("pendingChanges")
        self.undo_button = QPushButton(self.tr("撤销最后一项"), self)
        self.undo_button.setAutoDefault(False)

        now = QGroupBox(self.tr("当前状态"), self)
        now_layout = QVBoxLayout(now)
        now_layout.addWidget(self.current)
        now_layout.addWidget(QLabel(self.tr("监测记录"), self))
        now_layout.addWidget(self.episodes)
        change = QGroupBox(self.tr("登记状态变更"), self)
        form = QFormLayout(change)
        form.addRow(self.tr("变更类型"), self.action)
        form.addRow(self.tr("变更日期"), self.on)
        form.addRow(self.tr("变更原因"), self.reason)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        form.addRow("", row)
        form.addRow("", self.error)
        waiting = QGroupBox(self.tr("待保存的变更（点“保存”后生效并记入变更记录）"), self)
        waiting_layout = QVBoxLayout(waiting)
        waiting_layout.addWidget(self.pending)
        undo_row = QHBoxLayout()
        undo_row.addWidget(self.undo_button)
        undo_row.addStretch(1)
        waiting_layout.addLayout(undo_row)
        layout = QVBoxLayout(self)
        layout.addWidget(now)
        lower = QHBoxLayout()
        lower.addWidget(change, 3)
        lower.addWidget(waiting, 2)
        layout.addLayout(lower, 1)

        self.add_button.clicked.connect(self.add_change)
        self.undo_button.clicked.connect(self.undo_change)
        self.reason.returnPressed.connect(self.add_change)

    def load(self, draft: HouseholdDraft) -> None:
        self.draft = draft
        self.error.clear()
        self.reason.clear()
        self.refresh()
        self._suggest_action()

    def _suggest_action(self) -> None:
        """Preselect the first change the rules allow now (e.g. 脱贫退出 for a poor household)."""
        allowed = allowed_actions(self.draft)
        if allowed:
            self.action.set_code(allowed[0])

    def refresh(self) -> None:
        draft = self.draft
        parts = [self.tr("脱贫属性：{0}").format(status_label(draft.status))]
        if draft.year_identified:
            parts.append(self.tr("识别年度：{0}年").format(draft.year_identified))
        if draft.year_exited:
            parts.append(self.tr("脱贫年度：{0}年").format(draft.year_exited))
        episode = draft.open_episode()
        parts.append(
            self.tr("监测对象：{0}").format(codes.MONITOR_TYPE.label_of(episode.type))
            if episode
            else self.tr("非监测对象")
        )
        self.current.setText("　　".join(parts))
        self.episodes.setRowCount(len(draft.episodes))
        for row, e in enumerate(draft.episodes):
            values = [codes.MONITOR_TYPE.label_of(e.type), date_text(e.identified_on), e.risk or "",
                      date_text(e.risk_eliminated_on) or self.tr("（风险未消除）")]  # fmt: skip
            set_row(self.episodes, row, values, grey=not e.open)
        self.pending.clear()
        for change in draft.status_changes:
            self.pending.addItem(self.tr("{0}　{1}　{2}").format(change.on.isoformat(), change.label, change.reason))
        if not draft.status_changes:
            self.pending.addItem(self.tr("（无）"))
        self.undo_button.setEnabled(bool(draft.status_changes))

    def add_change(self) -> None:
        try:
            apply_status_change(self.draft, self.action.code(), self.on.value(), self.reason.text())
        except RuleViolation as exc:
            self.error.setText(str(exc))
            return
        self.error.clear()
        self.reason.clear()
        self.refresh()
        self._suggest_action()
        self.changed.emit()

    def undo_change(self) -> None:
        if undo_last_status_change(self.draft) is not None:
            self.error.clear()
            self.refresh()
            self._suggest_action()
            self.changed.emit()
