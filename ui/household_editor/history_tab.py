"""The 变更记录 tab: every recorded change of the household, newest first (who, when, what, old → new, why)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidget, QVBoxLayout, QWidget

from povdesk.db import Database
from povdesk.households import HistoryRow, history
from ui.audit import local_text
from ui.household_editor.widgets import date_text, set_row, setup_table


class HistoryTab(QWidget):
    audit_requested = Signal()  # 操作日志…: every write of this household, from the audit log

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[HistoryRow] = []
        self.summary = QLabel(self)
        self.audit_button = QPushButton(self.tr("操作日志…"), self)
        self.audit_button.setAutoDefault(False)
        self.audit_button.clicked.connect(self.audit_requested)
        self.table = QTableWidget(self)
        self.table.setObjectName("historyTable")
        setup_table(
            self.table,
            [self.tr("时间"), self.tr("经办人"), self.tr("类型"), self.tr("项目"), self.tr("原值"), self.tr("新值"),
             self.tr("生效日期"), self.tr("原因")]
        )  # fmt: skip
        self.table.setWordWrap(False)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.audit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def load(self, db: Database, household_id: int | None) -> None:
        if household_id is None:
            self.rows = []
        else:
            with db.session() as session:
                self.rows = history(session, household_id)
        self.summary.setText(
            self.tr("共 {0} 条变更记录").format(len(self.rows))
            if household_id
            else self.tr("新建户保存后开始记录变更。")
        )
        self.audit_button.setEnabled(household_id is not None)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            values = [local_text(row.at)[:16], row.user, row.kind_label, row.what,
                      row.old, row.new, date_text(row.effective_on), row.reason]  # fmt: skip
            set_row(self.table, i, values, data=row.id)
