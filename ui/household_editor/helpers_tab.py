"""The 帮扶责任人 tab: the household's current helper, the helpers it had before (end date, reason), and its visits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidget, QVBoxLayout, QWidget

from povdesk.db import Database
from povdesk.pairing import manual, visits
from povdesk.pairing.manual import HelperRow
from ui.household_editor.widgets import date_text, set_row, setup_table
from ui.settings import AppSettings


class HelpersTab(QWidget):
    """Read-only: pairings are changed in 结对帮扶 → 调整帮扶责任人; visits are recorded from here."""

    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.settings = db, settings
        self.household_id: int | None = None
        self.helpers: list[HelperRow] = []
        self.current = QLabel(self)
        self.current.setObjectName("currentHelper")
        self.current.setTextFormat(Qt.TextFormat.PlainText)
        self.current.setWordWrap(True)
        self.current.setStyleSheet("font-size: 11pt; padding: 4px 0;")
        self.table = QTableWidget(self)
        self.table.setObjectName("helpersTable")
        headers = ["帮扶责任人", "级别", "帮扶单位", "职务", "联系电话", "开始日期", "结束日期", "结束原因", "经办人"]
        setup_table(self.table, [self.tr(h) for h in headers], stretch=7)
        self.visit_button = QPushButton(self.tr("记录走访(&V)…"), self)
        self.visit_button.setAutoDefault(False)
        self.visits_title = QLabel(self)
        self.visits = QTableWidget(self)
        self.visits.setObjectName("visitsTable")
        setup_table(
            self.visits, [self.tr(h) for h in ("走访日期", "帮扶责任人", "走访内容", "情况记录", "经办人")], stretch=3
        )
        row = QHBoxLayout()
        row.addWidget(self.current, 1)
        row.addWidget(self.visit_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(QLabel(self.tr("历任帮扶责任人（最新在前）："), self))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.visits_title)
        layout.addWidget(self.visits, 1)
        self.visit_button.clicked.connect(self.record_visit)

    def now(self) -> HelperRow | None:
        return self.helpers[0] if self.helpers and self.helpers[0].current else None

    def load(self, household_id: int | None) -> None:
        self.household_id = household_id
        visit_rows = []
        if household_id is None:
            self.helpers = []
        else:
            with self.db.session() as session:
                self.helpers = manual.helpers_of(session, household_id)
                visit_rows = visits.list_visits(session, household_id=household_id)
        now = self.now()
        if household_id is None:
            self.current.setText(self.tr("新建户保存后，可在“结对帮扶 → 调整帮扶责任人”中为其指定帮扶责任人。"))
        elif now is None:
            self.current.setText(self.tr("该户目前没有帮扶责任人。请在“结对帮扶”菜单中自动结对或调整帮扶责任人。"))
        else:
            place = "，".join(p for p in (now.rank, now.unit, now.position) if p)
            phone = self.tr("，电话 {0}").format(now.phone) if now.phone else ""
            self.current.setText(
                self.tr("现帮扶责任人：{0}（{1}）{2}，自 {3} 起帮扶").format(
                    now.cadre, place, phone, date_text(now.start_on)
                )
            )
        self.table.setRowCount(len(self.helpers))
        for i, h in enumerate(self.helpers):
            values = [h.cadre, h.rank, h.unit, h.position, h.phone, date_text(h.start_on),
                      date_text(h.end_on) or self.tr("（在帮）"), h.end_reason, h.created_by]  # fmt: skip
            set_row(self.table, i, values, data=h.pairing_id, grey=not h.current)
        self.visits_title.setText(self.tr("走访记录（{0} 次）：").format(len(visit_rows)))
        self.visits.setRowCount(len(visit_rows))
        for i, v in enumerate(visit_rows):
            set_row(self.visits, i, [date_text(v.visited_on), v.cadre, v.kinds_text, v.note, v.created_by], data=v.id)
        self.visit_button.setEnabled(household_id is not None)

    def record_visit(self) -> bool:
        """Record a visit of this household by its current helper (the dialog lets the clerk pick another)."""
        from ui.pairing.visits import VisitDialog  # the pairing screens load only when used

        now = self.now()
        dialog = VisitDialog(self.db, self.settings, self, household_id=self.household_id,
                             cadre_id=now.cadre_id if now else None)  # fmt: skip
        if not dialog.exec():
            return False
        self.load(self.household_id)
        return True
