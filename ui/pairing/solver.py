"""自动结对: run the pairing solver for the county or an area, review its proposal (shortfalls first), accept or discard.

Nothing is written until 接受; the proposal is computed on a worker thread with its own session."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.areas import load_tree
from povdesk.db import Database
from povdesk.model import Area
from povdesk.pairing import schemes, solver
from povdesk.pairing.solver import Proposal, ProposalRow
from ui.dialogs import RememberingDialog
from ui.operator_name import operator
from ui.ops import run_in_background, show_error
from ui.settings import AppSettings

RED = "color: #c62828;"
HEADERS = ("户编号", "户主", "乡镇", "村", "帮扶责任人", "级别", "帮扶单位", "结对依据")


class ProposalModel(QAbstractTableModel):
    """The proposal's rows (up to 120,000), filtered by township through a list of row indices."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ProposalRow] = []
        self.shown: list[int] = []
        self.headers = [self.tr(h) for h in HEADERS]

    def set_rows(self, rows: list[ProposalRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.shown = list(range(len(rows)))
        self.endResetModel()

    def filter_township(self, township: str | None) -> None:
        self.beginResetModel()
        rows = self.rows
        self.shown = [i for i, r in enumerate(rows) if township is None or r.township == township]
        self.endResetModel()

    def row(self, index: int) -> ProposalRow:
        return self.rows[self.shown[index]]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        r = self.rows[self.shown[index.row()]]
        values = (r.household_number, r.head, r.township, r.village, r.cadre, codes.CADRE_RANK.label_of(r.rank),
                  r.unit, r.reason)  # fmt: skip
        return values[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


class SolverDialog(RememberingDialog):
    """Choose the scheme and the area, run, review, then 接受 (one transaction) or 放弃."""

    data_changed = Signal()
    proposed = Signal()  # a proposal is shown (tests and the reassign screen wait for it)

    def __init__(
        self,
        db: Database,
        settings: AppSettings,
        area_id: int | None,
        parent: QWidget | None = None,
        *,
        user: str | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__("pairing_solver", settings, parent)
        self.db = db
        self.user = user if user is not None else operator(settings, parent)
        self.today = today or dt.date.today()
        self.proposal: Proposal | None = None
        self.setWindowTitle(self.tr("自动结对"))

        self.scheme = QComboBox(self)
        self.scheme_text = QLabel(self)
        self.scheme_text.setStyleSheet("color: #555;")
        self.area = QComboBox(self)
        self.replan = QCheckBox(self.tr("重新规划本区域（已有的结对也按新方案重新安排）"), self)
        self.replan_note = QLabel(
            self.tr("接受时将结束本区域中新方案改变的现有结对，结束的结对保留在历史记录中。"), self
        )
        self.replan_note.setStyleSheet("color: #8a5300;")
        self.replan_note.setVisible(False)
        self.run_button = QPushButton(self.tr("运行(&R)"), self)
        self.run_button.setDefault(True)

        self.summary = QLabel(self)
        self.summary.setObjectName("proposalSummary")
        self.summary.setWordWrap(True)
        self.shortfalls = QLabel(self)
        self.shortfalls.setObjectName("proposalShortfalls")
        self.shortfalls.setStyleSheet(RED)
        self.shortfalls.setWordWrap(True)
        self.counts = QLabel(self)
        self.counts.setObjectName("proposalCounts")
        self.counts.setWordWrap(True)
        self.township = QComboBox(self)
        for combo in (self.scheme, self.area, self.township):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.model = ProposalModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("proposalTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.accept_button = QPushButton(self.tr("接受(&A)"), self)
        self.discard_button = QPushButton(self.tr("放弃(&D)"), self)
        self.close_button = QPushButton(self.tr("关闭"), self)
        for button in (self.accept_button, self.discard_button, self.close_button):
            button.setAutoDefault(False)

        form = QFormLayout()
        scheme_row = QHBoxLayout()
        scheme_row.addWidget(self.scheme)
        scheme_row.addWidget(self.scheme_text, 1)
        form.addRow(self.tr("结对方案："), scheme_row)
        area_row = QHBoxLayout()
        area_row.addWidget(self.area)
        area_row.addWidget(self.replan)
        area_row.addStretch(1)
        area_row.addWidget(self.run_button)
        form.addRow(self.tr("结对范围："), area_row)
        form.addRow("", self.replan_note)
        filter_row = QHBoxLayout()
        filter_row.addWidget(QLabel(self.tr("只看乡镇："), self))
        filter_row.addWidget(self.township)
        filter_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.shortfalls)
        layout.addWidget(self.counts)
        layout.addLayout(filter_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.scheme.currentIndexChanged.connect(self._show_scheme)
        self.replan.toggled.connect(self.replan_note.setVisible)
        self.run_button.clicked.connect(self.run)
        self.township.currentIndexChanged.connect(self._filter)
        self.accept_button.clicked.connect(self.accept_proposal)
        self.discard_button.clicked.connect(self.discard)
        self.close_button.clicked.connect(self.reject)
        for widget in (self.scheme, self.area, self.replan):  # a changed choice makes the proposal stale
            signal = widget.toggled if widget is self.replan else widget.currentIndexChanged
            signal.connect(self.discard)
        self._load_choices(area_id)
        self._show_review()
        self.resize(1100, 700)

    # -- choices -------------------------------------------------------------------------------------------------------
    def _load_choices(self, area_id: int | None) -> None:
        with self.db.session() as session:
            self._schemes = schemes.list_schemes(session)
            in_use = schemes.current_name(session)
            nodes = load_tree(session)
        self.scheme.blockSignals(True)
        for scheme in self._schemes:
            label = self.tr("{0}（在用）").format(scheme.name) if scheme.name == in_use else scheme.name
            self.scheme.addItem(label, scheme.name)
        self.scheme.setCurrentIndex(max(0, self.scheme.findData(in_use)))
        self.scheme.blockSignals(False)
        self._show_scheme()
        by_id = {n.id: n for n in nodes}
        self._township_order = {n.name: i for i, n in enumerate(nodes) if n.level == "township"}
        chosen = by_id.get(area_id) if area_id is not None else None
        if chosen is not None and chosen.level == "group":
            chosen = by_id.get(chosen.parent_id)
        self.area.blockSignals(True)
        self.area.addItem(self.tr("全县"), None)
        for node in nodes:
            if node.level == "township":
                self.area.addItem(node.name, node.id)
        if chosen is not None and chosen.level == "village":
            parent = by_id.get(chosen.parent_id)
            self.area.addItem(f"{parent.name if parent else ''} {chosen.name}".strip(), chosen.id)
        self.area.setCurrentIndex(max(0, self.area.findData(chosen.id)) if chosen is not None else 0)
        self.area.blockSignals(False)

    def _show_scheme(self) -> None:
        scheme = next((s for s in self._schemes if s.name == self.scheme.currentData()), None)
        self.scheme_text.setText(scheme.describe() if scheme else "")

    @property
    def area_id(self) -> int | None:
        return self.area.currentData()

    # -- running -------------------------------------------------------------------------------------------------------
    def run(self) -> None:
        """Compute the proposal on a worker thread; the review shows when it is done."""
        self.discard()
        name, area_id, replan, today, db = (
            self.scheme.currentData(),
            self.area_id,
            self.replan.isChecked(),
            self.today,
            self.db,
        )

        def work(progress):
            with db.session() as session:
                area = session.get(Area, area_id) if area_id is not None else None
                scheme = schemes.current_scheme(session, name)
                proposal = solver.propose(session, scheme, area, replan=replan, today=today, progress=progress)
                rows = solver.describe(session, proposal)
            rows.sort(key=lambda r: (r.household_number, r.household_id))
            return proposal, rows

        self.run_button.setEnabled(False)
        self._op = run_in_background(self, self.tr("自动结对"), work, self._proposed, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.run_button.setEnabled(True)
        show_error(self, exc, self.tr("自动结对"))

    def _proposed(self, result: tuple[Proposal, list[ProposalRow]]) -> None:
        self.run_button.setEnabled(True)
        self.proposal, rows = result
        self.model.set_rows(rows)
        self._show_review()
        self.table.resizeColumnsToContents()
        self.proposed.emit()

    # -- the review ----------------------------------------------------------------------------------------------------
    def _show_review(self) -> None:
        proposal = self.proposal
        has = proposal is not None
        for widget in (self.summary, self.counts, self.township, self.table):
            widget.setEnabled(has)
        self.accept_button.setEnabled(has and bool(proposal.assignments or proposal.ending))
        self.discard_button.setEnabled(has)
        self.township.blockSignals(True)
        self.township.clear()
        if not has:
            self.summary.setText(
                self.tr("选择结对方案和范围后点“运行”。运行只生成方案供审核，点“接受”后才写入数据库。")
            )
            self.shortfalls.setVisible(False)
            self.counts.clear()
            self.township.blockSignals(False)
            return
        where = self.area.currentText()
        parts = [self.tr("{0}：拟新结对 {1} 户").format(where, len(proposal.assignments)),
                 self.tr("保留现有结对 {0} 户").format(proposal.kept)]  # fmt: skip
        if proposal.ending:
            parts.append(self.tr("重新规划将结束现有结对 {0} 个").format(len(proposal.ending)))
        left = sum(s.households for s in proposal.shortfalls)
        if left:
            parts.append(self.tr("仍有 {0} 户无法结对").format(left))
        self.summary.setText("；".join(parts) + "。")
        lines = [
            self.tr("{0}：{1} 户未能结对 —— {2}").format(s.township or self.tr("（未知乡镇）"), s.households, s.reason)
            for s in proposal.shortfalls
        ]
        self.shortfalls.setText(self.tr("结对缺口：") + "\n" + "\n".join(lines) if lines else "")
        self.shortfalls.setVisible(bool(lines))
        by_rank = "、".join(f"{codes.CADRE_RANK.label_of(r)} {n} 户" for r, n in proposal.by_rank().items())
        townships = sorted(proposal.by_township().items(), key=lambda t: self._township_order.get(t[0], 1 << 30))
        by_township = "、".join(f"{t or self.tr('（未知乡镇）')} {n} 户" for t, n in townships)
        self.counts.setText(
            self.tr("按干部级别：{0}\n按乡镇：{1}").format(by_rank or self.tr("无"), by_township or self.tr("无"))
        )
        self.township.addItem(self.tr("全部（{0} 户）").format(len(proposal.assignments)), None)
        for township, n in townships:
            self.township.addItem(self.tr("{0}（{1} 户）").format(township, n), township)
        self.township.blockSignals(False)

    def _filter(self) -> None:
        self.model.filter_township(self.township.currentData())

    # -- accept / discard ----------------------------------------------------------------------------------------------
    def discard(self) -> None:
        """Drop the proposal; nothing was written."""
        if self.proposal is None:
            return
        self.proposal = None
        self.model.set_rows([])
        self._show_review()

    def accept_proposal(self) -> bool:
        proposal = self.proposal
        if proposal is None:
            return False
        if proposal.ending:
            answer = QMessageBox.question(
                self,
                self.windowTitle(),
                self.tr("重新规划将结束{0}的 {1} 个现有结对（保留在历史记录中，结束原因“{2}”），并新建 {3} 个结对。"
                        "\n确定接受吗？").format(self.area.currentText(), len(proposal.ending), solver.REPLAN_REASON,
                                            len(proposal.assignments)),
            )  # fmt: skip
            if answer != QMessageBox.StandardButton.Yes:
                return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with self.db.transaction() as session:
                solver.apply(session, proposal, user=self.user, today=self.today)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk; the transaction was rolled back
            QGuiApplication.restoreOverrideCursor()
            show_error(self, exc, self.tr("自动结对"))
            return False
        QGuiApplication.restoreOverrideCursor()
        self.discard()
        self.data_changed.emit()
        left = sum(s.households for s in proposal.shortfalls)
        text = self.tr("已为 {0} 户结对帮扶责任人。").format(len(proposal.assignments))
        if left:
            text += self.tr("\n仍有 {0} 户未能结对，请补充帮扶干部或调整结对方案后再运行。").format(left)
        QMessageBox.information(self, self.windowTitle(), text)
        return True
