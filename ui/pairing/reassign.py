"""调整帮扶责任人: give a household another helper by hand (the cadre's load shown), and end a cadre's pairings on
transfer or retirement, then re-pair those households with the solver."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from povdesk import registry
from povdesk.db import Database
from povdesk.pairing import manual
from povdesk.pairing.cadres import CadreRow
from povdesk.pairing.cadres import search as search_cadres
from ui.dialogs import RememberingDialog
from ui.household_editor.widgets import set_row, setup_table
from ui.operator_name import operator
from ui.ops import show_error
from ui.pairing.widgets import debounced, search_edit
from ui.settings import AppSettings

LIMIT = 200  # rows a search shows; the clerk narrows the search for more
FULL = QColor("#c62828")


def is_full(cadre: CadreRow) -> bool:
    """One more household would put the cadre over the scheme's quota."""
    return cadre.quota is not None and cadre.load >= cadre.quota


class CadreLoadPicker(QWidget):
    """Search cadres by name or pinyin in a table: each row shows rank, unit and load ("2/3户"), full cadres in red (the
    other screens pick from a short list, `ui.pairing.widgets.CadrePicker`)."""

    selected = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None, *, mark_full: bool = True) -> None:
        super().__init__(parent)
        self.db = db
        self.mark_full = mark_full
        self.choices: list[CadreRow] = []
        self.search = search_edit(self, self.tr("干部姓名或拼音（如 zjg）"))
        self.count = QLabel(self)
        self.table = QTableWidget(self)
        self.table.setObjectName("cadreTable")
        headers = [
            self.tr("姓名"),
            self.tr("级别"),
            self.tr("帮扶单位（乡镇、村）"),
            self.tr("职务"),
            self.tr("已结对 / 上限（户）"),
        ]
        setup_table(self.table, headers, stretch=2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self._timer = debounced(self.search, self.reload, on_enter=True)
        self.table.itemSelectionChanged.connect(self.selected.emit)

    def reload(self) -> None:
        keep = self.current()
        with self.db.session() as session:
            self.choices = search_cadres(session, self.search.text(), limit=LIMIT)
        self.table.setRowCount(len(self.choices))
        for i, c in enumerate(self.choices):
            full = self.mark_full and is_full(c)
            load = c.load_text + (self.tr("（已满）") if full and c.quota else "")
            set_row(self.table, i, [c.name, c.rank_label, c.unit or c.home_area, c.position, load], data=c.id)
            if full:
                self.table.item(i, 4).setForeground(FULL)
        more = self.tr("，只显示前 {0} 名，请输入姓名缩小范围").format(LIMIT) if len(self.choices) >= LIMIT else ""
        self.count.setText(self.tr("找到 {0} 名在岗干部{1}").format(len(self.choices), more))
        self.table.clearSelection()
        self.table.setCurrentCell(-1, -1)  # a cadre no longer listed leaves nothing selected, not the next one
        if keep is not None:
            self.select(keep.id)
        self.selected.emit()

    def current(self) -> CadreRow | None:
        row = self.table.currentRow()
        return self.choices[row] if 0 <= row < len(self.choices) and self.table.selectedItems() else None

    def select(self, cadre_id: int) -> bool:
        for i, c in enumerate(self.choices):
            if c.id == cadre_id:
                self.table.selectRow(i)
                return True
        return False


class ReassignTab(QWidget):
    """Pick a household, see its helper, pick a cadre, 确定."""

    def __init__(self, dialog: ReassignDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.rows: list[registry.Row] = []
        self.search = search_edit(self, self.tr("户编号、户主或成员姓名、拼音首字母"))
        self.households = QTableWidget(self)
        self.households.setObjectName("householdTable")
        setup_table(self.households, [self.tr("户编号"), self.tr("户主"), self.tr("乡镇"), self.tr("村"),
                                      self.tr("现帮扶责任人")])  # fmt: skip
        self.found = QLabel(self)
        self.helper = QLabel(self)
        self.helper.setObjectName("currentHelper")
        self.helper.setWordWrap(True)
        self.cadres = CadreLoadPicker(dialog.db, self)
        self.reason = QLineEdit(manual.DEFAULT_REASON, self)
        self.ok = QPushButton(self.tr("确定调整(&O)"), self)
        self.ok.setAutoDefault(False)

        left = QGroupBox(self.tr("1. 选择农户"), self)
        box = QVBoxLayout(left)
        box.addWidget(self.search)
        box.addWidget(self.households, 1)
        box.addWidget(self.found)
        box.addWidget(self.helper)
        right = QGroupBox(self.tr("2. 选择新的帮扶责任人"), self)
        QVBoxLayout(right).addWidget(self.cadres)
        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(right)
        split.setChildrenCollapsible(False)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel(self.tr("调整原因："), self))
        bottom.addWidget(self.reason, 1)
        bottom.addWidget(self.ok)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

        self._timer = debounced(self.search, self.reload, on_enter=True)
        self.households.itemSelectionChanged.connect(self._show_helper)
        self.cadres.selected.connect(self._update_ok)
        self.ok.clicked.connect(self.reassign)

    def reload(self) -> None:
        keep = self.household_id()
        query = registry.RegistryQuery(area_id=self.dialog.area_id, text=self.search.text())
        with self.dialog.db.session() as session:
            ids = registry.household_ids(session, query)
            found = registry.fetch_rows(session, ids[:LIMIT], None)
        self.rows = [found[i] for i in ids[:LIMIT] if i in found]
        self.households.clearSelection()
        self.households.setCurrentCell(-1, -1)
        self.households.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            set_row(self.households, i, [r.number, r.head, r.township, r.village, r.helper or self.tr("（无）")],
                    data=r.id)  # fmt: skip
        more = self.tr("，只显示前 {0} 户，请输入户编号或姓名缩小范围").format(LIMIT) if len(ids) > LIMIT else ""
        self.found.setText(self.tr("找到 {0} 户{1}").format(len(ids), more))
        if keep is not None:
            self.select(keep)
        self._show_helper()

    def household_id(self) -> int | None:
        row = self.households.currentRow()
        return self.rows[row].id if 0 <= row < len(self.rows) and self.households.selectedItems() else None

    def select(self, household_id: int) -> bool:
        for i, r in enumerate(self.rows):
            if r.id == household_id:
                self.households.selectRow(i)
                return True
        return False

    def _show_helper(self) -> None:
        household_id = self.household_id()
        if household_id is None:
            self.helper.setText(self.tr("请先在上表中选择一户。"))
        else:
            with self.dialog.db.session() as session:
                helpers = manual.helpers_of(session, household_id)
            now = helpers[0] if helpers and helpers[0].current else None
            if now is None:
                self.helper.setText(self.tr("该户目前没有帮扶责任人。"))
            else:
                self.helper.setText(
                    self.tr("现帮扶责任人：{0}（{1}，{2}），自 {3} 起").format(
                        now.cadre, now.rank, now.unit or self.tr("无单位"), now.start_on.isoformat()
                    )
                )
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok.setEnabled(self.household_id() is not None and self.cadres.current() is not None)

    def reassign(self) -> bool:
        household_id, cadre = self.household_id(), self.cadres.current()
        if household_id is None or cadre is None:
            return False
        d = self.dialog

        def write(force: bool) -> None:
            with d.db.transaction() as session:
                manual.reassign(session, household_id, cadre.id, user=d.user, today=d.today,
                                reason=self.reason.text(), force=force)  # fmt: skip

        try:
            try:
                write(False)
            except (
                manual.NeedsConfirmation
            ) as exc:  # asked outside the transaction: nothing is held while the clerk reads
                answer = QMessageBox.question(
                    self, d.windowTitle(), str(exc) + self.tr("。\n确定仍要让该干部帮扶这一户吗？")
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return False
                write(True)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk; nothing was written
            show_error(self, exc, d.windowTitle())
            return False
        d.data_changed.emit()
        self.reload()
        self.cadres.reload()
        d.message.setText(self.tr("已将该户的帮扶责任人调整为 {0}。").format(cadre.name))
        return True


class EndTab(QWidget):
    """干部调离: end every pairing of a cadre who moves or retires, then re-pair those households."""

    REASONS = ("调动", "退休", "其他")

    def __init__(self, dialog: ReassignDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.freed: list[int] = []
        self.cadres = CadreLoadPicker(dialog.db, self, mark_full=False)
        self.kind = QComboBox(self)
        self.kind.addItems([self.tr(r) for r in self.REASONS])
        self.detail = QLineEdit(self)
        self.detail.setPlaceholderText(self.tr("说明，如“调往州农业农村局”（选“其他”时必填）"))
        self.end_button = QPushButton(self.tr("结束该干部的全部结对(&E)…"), self)
        self.repair_button = QPushButton(self.tr("为这些户重新结对(&P)…"), self)
        self.result = QLabel(self)
        self.result.setObjectName("endResult")
        self.result.setWordWrap(True)
        for button in (self.end_button, self.repair_button):
            button.setAutoDefault(False)
        self.repair_button.setEnabled(False)

        note = QLabel(self.tr("干部调动或退休时，结束其全部结对（保留在历史记录中）并将其设为不在岗；"
                              "这些户随后可用“自动结对”重新安排帮扶责任人。"), self)  # fmt: skip
        note.setWordWrap(True)
        form = QFormLayout()
        reason = QHBoxLayout()
        reason.addWidget(self.kind)
        reason.addWidget(self.detail, 1)
        form.addRow(self.tr("结束原因："), reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result, 1)
        buttons.addWidget(self.end_button)
        buttons.addWidget(self.repair_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.cadres, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.cadres.selected.connect(lambda: self.end_button.setEnabled(self.cadres.current() is not None))
        self.end_button.clicked.connect(self.end_pairings)
        self.repair_button.clicked.connect(self.repair)
        self.end_button.setEnabled(False)

    def reason(self) -> str:
        kind, detail = self.kind.currentText(), self.detail.text().strip()
        return f"{kind}：{detail}" if detail else kind

    def end_pairings(self) -> bool:
        cadre = self.cadres.current()
        if cadre is None:
            return False
        d = self.dialog
        if self.kind.currentText() == self.tr("其他") and not self.detail.text().strip():
            QMessageBox.warning(self, d.windowTitle(), self.tr("选择“其他”时请填写结束结对的原因。"))
            self.detail.setFocus()
            return False
        who = self.tr("干部“{0}”（{1}，{2}）").format(
            cadre.name, cadre.rank_label, cadre.unit or cadre.home_area or "—"
        )
        if cadre.load:
            question = self.tr(
                "将结束{0}现有的 {1} 户结对，原因“{2}”，并将其设为不在岗。\n结束的结对保留在历史记录中。确定吗？"
            )
            question = question.format(who, cadre.load, self.reason())
        else:
            question = self.tr("{0}目前没有结对的农户。是否将其设为不在岗（原因“{1}”）？").format(who, self.reason())
        if QMessageBox.question(self, d.windowTitle(), question) != QMessageBox.StandardButton.Yes:
            return False
        try:
            with d.db.transaction() as session:
                freed = manual.end_cadre_pairings(session, cadre.id, reason=self.reason(), user=d.user, today=d.today)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk; nothing was written
            show_error(self, exc, d.windowTitle())
            return False
        self.freed = freed
        d.data_changed.emit()
        self.cadres.reload()
        done = (
            self.tr("已结束干部“{0}”的 {1} 户结对，这些户目前没有帮扶责任人。")
            if freed
            else self.tr("已将干部“{0}”设为不在岗。")
        )
        self.result.setText(done.format(cadre.name, len(freed)))
        self.repair_button.setEnabled(bool(freed))
        if freed:
            again = self.tr("是否现在用“自动结对”为这 {0} 户重新安排帮扶责任人？").format(len(freed))
            if QMessageBox.question(self, d.windowTitle(), again) == QMessageBox.StandardButton.Yes:
                self.repair()
        return True

    def repair(self) -> None:
        """The solver for the county: it pairs every household without a helper, these among them."""
        from ui.pairing.solver import SolverDialog

        d = self.dialog
        solver = SolverDialog(d.db, d.settings, None, d, user=d.user, today=d.today)
        solver.setWindowFlag(Qt.WindowType.Window)
        solver.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        solver.data_changed.connect(d.data_changed.emit)
        solver.data_changed.connect(self.cadres.reload)
        d.solver = solver
        solver.show()
        solver.run()


class ReassignDialog(RememberingDialog):
    data_changed = Signal()

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
        super().__init__("pairing_reassign", settings, parent)
        self.db, self.settings, self.area_id = db, settings, area_id
        self.user = user if user is not None else operator(settings, parent)
        self.today = today or dt.date.today()
        self.solver = None  # the solver opened to re-pair after ending a cadre's pairings
        self.setWindowTitle(self.tr("调整帮扶责任人"))
        self.reassign_tab = ReassignTab(self)
        self.end_tab = EndTab(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.reassign_tab, self.tr("调整农户的帮扶责任人"))
        self.tabs.addTab(self.end_tab, self.tr("干部调离（结束其全部结对）"))
        self.message = QLabel(self)
        self.message.setObjectName("reassignMessage")
        close = QPushButton(self.tr("关闭"), self)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.reassign_tab.reload()
        self.reassign_tab.cadres.reload()
        self.end_tab.cadres.reload()
        self.resize(1100, 680)
