"""Settings → monitoring income lines: the yuan-per-person line of each year for the county."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povdesk import alerts
from povdesk.db import Database
from povdesk.errors import PovDeskError, RuleViolation
from ui.dialogs import RememberingDialog
from ui.ops import show_error
from ui.settings import AppSettings


class MonitoringLinesDialog(RememberingDialog):
    """load() fills the table from the database; save() writes every line in one transaction."""

    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__("monitoringLines", settings, parent)
        self._db = db
        self.setWindowTitle(self.tr("监测收入线"))
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("年度"), self.tr("监测线（元/人·年）")])
        self.table.horizontalHeader().setStretchLastSection(True)
        add = QPushButton(self.tr("添加年度"), self)
        add.clicked.connect(self.add_year)
        remove = QPushButton(self.tr("删除所选"), self)
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("省里每年公布的防返贫监测收入线。2020年及以前未设置时按国家扶贫标准预警。"), self)
        )
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.load()

    def load(self) -> None:
        with self._db.session() as session:
            lines = alerts.county_lines(session)
        self.table.setRowCount(0)
        for year, amount in sorted(lines.items()):
            self._append(str(year), f"{amount:g}")

    def _append(self, year: str, amount: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(year))
        self.table.setItem(row, 1, QTableWidgetItem(amount))

    def add_year(self) -> None:
        years = [int(self.table.item(r, 0).text()) for r in range(self.table.rowCount()) if self._is_int(r, 0)]
        self._append(str(max(years) + 1 if years else 2021), "")
        self.table.editItem(self.table.item(self.table.rowCount() - 1, 1))

    def _is_int(self, row: int, column: int) -> bool:
        item = self.table.item(row, column)
        return item is not None and item.text().strip().isdigit()

    def lines(self) -> dict[int, float]:
        """The table as {year: amount}; RuleViolation names the first bad cell."""
        lines: dict[int, float] = {}
        for row in range(self.table.rowCount()):
            year_text = (self.table.item(row, 0).text() if self.table.item(row, 0) else "").strip()
            amount_text = (self.table.item(row, 1).text() if self.table.item(row, 1) else "").strip()
            if not year_text.isdigit():
                raise RuleViolation(self.tr("第 {0} 行：年度“{1}”不是数字").format(row + 1, year_text))
            try:
                amount = float(amount_text.replace(",", "").replace("元", ""))
            except ValueError:
                raise RuleViolation(self.tr("第 {0} 行：监测线“{1}”不是金额").format(row + 1, amount_text)) from None
            if int(year_text) in lines:
                raise RuleViolation(self.tr("{0}年出现了两次").format(year_text))
            lines[int(year_text)] = amount
        return lines

    def accept(self) -> None:
        try:
            lines = self.lines()
            with self._db.transaction() as session:
                alerts.set_county_lines(session, lines)
        except PovDeskError as exc:  # the dialog stays open with the clerk's input
            show_error(self, exc, self.windowTitle())
            return
        super().accept()
