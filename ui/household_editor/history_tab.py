"""The 变更记录 tab: every recorded change of the household, newest first (who, when, what, old → new, why)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTableWidget, QVBoxLayout, QWidget

from povdesk.db import Database
from povdesk.households import HistoryRow, history
from ui.household_editor.widgets import date_text, set_row, setup_table


class HistoryTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[HistoryRow] = []
        self.summary = QLabel(self)
        self.table = QTableWidget(self)
        self.table.setObjectName("historyTable")
        setup_table(
            self.table,
            [self.tr("时间"), self.tr("经办人"), self.tr("类型"), self.tr("项目"), self.tr("原值"), self.tr("新值"),
             self.tr("生效日期"), self.tr("原因")]
        )  # fmt: skip
        self.table.setWordWrap(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
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
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            values = [row.at.strftime("%Y-%m-%d %H:%M") if row.at else "", row.user, row.kind_label, row.what,
                      row.old, row.new, date_text(row.effective_on), row.reason]  # fmt: skip
            set_row(self.table, i, values, data=row.id)
