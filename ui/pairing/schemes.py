"""结对方案: the pairing tables ("321", "532"…) — households per cadre of each rank — and which one the county uses.

Edits stay in the dialog until 确定, which checks every scheme and writes them all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.pairing import schemes
from povdesk.pairing.schemes import CATCH_ALL_RANK, Scheme
from ui.dialogs import RememberingDialog
from ui.household_editor.widgets import error_label
from ui.ops import show_error
from ui.settings import AppSettings


@dataclass
class Draft:
    """A scheme as edited; `stored` is its name in the database (None: new)."""

    name: str
    quotas: dict[str, int | None]
    note: str = ""
    stored: str | None = None
    original: tuple = field(default=())

    @classmethod
    def of(cls, scheme: Scheme) -> Draft:
        draft = cls(scheme.name, dict(scheme.quotas), scheme.note or "", scheme.name)
        draft.original = draft.key()
        return draft

    def key(self) -> tuple:
        return self.name.strip(), sorted(self.quotas.items()), self.note.strip()

    def describe(self) -> str:
        return Scheme(0, self.name, self.quotas, self.note).describe()


class QuotaTable(QWidget):
    """One line per rank: 结对 (takes households) and the households per cadre; township cadres may be 兜底 (no cap)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.takes: dict[str, QCheckBox] = {}
        self.counts: dict[str, QSpinBox] = {}
        self.catch_all = QCheckBox(self.tr("兜底（不设上限，承担本乡镇剩余全部农户）"), self)
        grid = QGridLayout(self)
        for column, title in enumerate((self.tr("干部级别"), self.tr("参与结对"), self.tr("每人结对户数"))):
            header = QLabel(title, self)
            header.setStyleSheet("font-weight: bold;")
            grid.addWidget(header, 0, column)
        for row, item in enumerate(codes.CADRE_RANK, 1):
            takes = QCheckBox(self)
            count = QSpinBox(self)
            count.setRange(1, 100)
            count.setSuffix(self.tr(" 户"))
            grid.addWidget(QLabel(item.label, self), row, 0)
            grid.addWidget(takes, row, 1, Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(count, row, 2)
            if item.code == CATCH_ALL_RANK:
                grid.addWidget(self.catch_all, row, 3)
            self.takes[item.code], self.counts[item.code] = takes, count
            takes.toggled.connect(self._update)
            count.valueChanged.connect(lambda _value: self.changed.emit())
        grid.setColumnStretch(4, 1)
        self.catch_all.toggled.connect(self._update)

    def _update(self) -> None:
        for rank, takes in self.takes.items():
            capped = rank != CATCH_ALL_RANK or not self.catch_all.isChecked()
            self.counts[rank].setEnabled(takes.isChecked() and capped)
        self.catch_all.setEnabled(self.takes[CATCH_ALL_RANK].isChecked())
        self.changed.emit()

    def load(self, quotas: dict[str, int | None]) -> None:
        for widget in (*self.takes.values(), *self.counts.values(), self.catch_all):
            widget.blockSignals(True)
        for rank, takes in self.takes.items():
            takes.setChecked(rank in quotas)
            self.counts[rank].setValue(quotas.get(rank) or 1)
        self.catch_all.setChecked(CATCH_ALL_RANK in quotas and quotas[CATCH_ALL_RANK] is None)
        for widget in (*self.takes.values(), *self.counts.values(), self.catch_all):
            widget.blockSignals(False)
        self._update()

    def quotas(self) -> dict[str, int | None]:
        result: dict[str, int | None] = {}
        for rank, takes in self.takes.items():
            if takes.isChecked():
                no_cap = rank == CATCH_ALL_RANK and self.catch_all.isChecked()
                result[rank] = None if no_cap else self.counts[rank].value()
        return result


class SchemesDialog(RememberingDialog):
    data_changed = Signal()

    def __init__(self, db: Database, settings: AppSettings, area_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__("pairing_schemes", settings, parent)
        self.db = db
        self.setWindowTitle(self.tr("结对方案"))
        self.drafts: list[Draft] = []
        self.deleted: list[str] = []  # stored names to delete on 确定
        self.in_use: Draft | None = None
        self._loading = False

        self.list = QListWidget(self)
        self.list.setObjectName("schemeList")
        self.add_button = QPushButton(self.tr("新建(&N)"), self)
        self.copy_button = QPushButton(self.tr("复制(&C)"), self)
        self.delete_button = QPushButton(self.tr("删除(&D)"), self)
        self.use_button = QPushButton(self.tr("设为在用方案(&U)"), self)
        self.name = QLineEdit(self)
        self.name.setMaxLength(32)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(self.tr("如：本县2021年起执行"))
        self.table = QuotaTable(self)
        self.summary = QLabel(self)
        self.summary.setStyleSheet("color: #555;")
        self.summary.setWordWrap(True)
        self.error = error_label(self)
        self.error.setObjectName("schemeError")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        for button in (self.add_button, self.copy_button, self.delete_button, self.use_button):
            button.setAutoDefault(False)

        side = QVBoxLayout()
        side.addWidget(QLabel(self.tr("方案"), self))
        side.addWidget(self.list, 1)
        row = QHBoxLayout()
        for button in (self.add_button, self.copy_button, self.delete_button):
            row.addWidget(button)
        side.addLayout(row)
        side.addWidget(self.use_button)
        editor = QGroupBox(self.tr("方案内容"), self)
        form = QFormLayout(editor)
        form.addRow(self.tr("名称："), self.name)
        form.addRow(self.tr("说明："), self.note)
        form.addRow(self.table)
        form.addRow(self.summary)
        top = QHBoxLayout()
        top.addLayout(side)
        top.addWidget(editor, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.list.currentRowChanged.connect(self._show)
        for signal in (self.name.textEdited, self.note.textEdited, self.table.changed):
            signal.connect(self._edited)
        self.add_button.clicked.connect(self.add)
        self.copy_button.clicked.connect(self.copy)
        self.delete_button.clicked.connect(self.delete)
        self.use_button.clicked.connect(self.use)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.load()
        self.resize(820, 420)

    # -- load / save ---------------------------------------------------------------------------------------------------
    def load(self) -> None:
        with self.db.session() as session:
            self.drafts = [Draft.of(s) for s in schemes.list_schemes(session)]
            in_use = schemes.current_name(session)
        self.in_use = next((d for d in self.drafts if d.name == in_use), None)
        self._fill_list(self.drafts.index(self.in_use) if self.in_use else 0)

    def problem(self) -> tuple[int, str, bool] | None:
        """The first scheme that cannot be saved, why, and whether its name is what is wrong."""
        seen: set[str] = set()
        for i, draft in enumerate(self.drafts):
            name = draft.name.strip()
            try:
                schemes.validate(draft.name, draft.quotas)
            except PovDeskError as exc:
                return i, self.tr("方案“{0}”：{1}").format(name or self.tr("（未命名）"), exc), not name
            if name in seen:
                return i, self.tr("有两个方案都叫“{0}”，请改用不同的名称").format(name), True
            seen.add(name)
        if not self.drafts:
            return 0, self.tr("至少要保留一个结对方案"), False
        return None

    def save(self) -> bool:
        """Write every changed scheme, the one in use and the deletions in one transaction."""
        self._store_editor()
        found = self.problem()
        if found is not None:
            row, message, bad_name = found
            self.list.setCurrentRow(row)
            self.error.setText(message)
            self.name.setStyleSheet("border: 1px solid #c62828;" if bad_name else "")
            if bad_name:
                self.name.setFocus()
            return False
        in_use_name = (self.in_use or self.drafts[0]).name.strip()
        names = {d.name.strip() for d in self.drafts}
        gone = [n for n in self.deleted + [d.stored for d in self.drafts if d.stored] if n not in names]
        try:
            with self.db.transaction() as session:
                for draft in self.drafts:
                    if draft.stored is None or draft.key() != draft.original:
                        schemes.save_scheme(session, draft.name.strip(), draft.quotas, draft.note.strip() or None)
                schemes.set_current(session, in_use_name)
                for name in dict.fromkeys(gone):
                    schemes.delete_scheme(session, name)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk; nothing was written
            show_error(self, exc, self.windowTitle())
            return False
        self.data_changed.emit()
        return True

    def accept(self) -> None:
        if self.save():
            super().accept()

    # -- the list ------------------------------------------------------------------------------------------------------
    def _label(self, draft: Draft) -> str:
        name = draft.name.strip() or self.tr("（未命名）")
        return name + (self.tr("（在用）") if draft is self.in_use else "")

    def _fill_list(self, row: int) -> None:
        self._loading = True
        self.list.clear()
        for draft in self.drafts:
            item = QListWidgetItem(self._label(draft), self.list)
            if draft is self.in_use:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
        self._loading = False
        self.list.setCurrentRow(min(row, len(self.drafts) - 1))
        self._show(self.list.currentRow())

    def current(self) -> Draft | None:
        row = self.list.currentRow()
        return self.drafts[row] if 0 <= row < len(self.drafts) else None

    def _show(self, row: int) -> None:
        if self._loading:
            return
        draft = self.current()
        self._loading = True
        self.name.setText(draft.name if draft else "")
        self.note.setText(draft.note if draft else "")
        self.table.load(draft.quotas if draft else {})
        self._loading = False
        for widget in (self.name, self.note, self.table, self.copy_button, self.delete_button, self.use_button):
            widget.setEnabled(draft is not None)
        self._update_summary()

    def _store_editor(self) -> None:
        draft = self.current()
        if draft is not None:
            draft.name, draft.note, draft.quotas = self.name.text(), self.note.text(), self.table.quotas()

    def _edited(self) -> None:
        if self._loading:
            return
        self._store_editor()
        draft = self.current()
        self.list.currentItem().setText(self._label(draft))
        self.error.clear()
        self.name.setStyleSheet("")
        self._update_summary()

    def _update_summary(self) -> None:
        draft = self.current()
        if draft is None:
            self.summary.clear()
            return
        ranks = "、".join(codes.CADRE_RANK.label_of(r) for r in codes.CADRE_RANK.codes if r not in draft.quotas)
        text = self.tr("本方案：{0}").format(draft.describe() or self.tr("（无）"))
        if ranks:
            text += self.tr("。{0}不结对农户").format(ranks)
        self.summary.setText(text + self.tr("。"))

    def _unique(self, base: str) -> str:
        names = {d.name.strip() for d in self.drafts}
        name, n = base, 2
        while name in names:
            name, n = f"{base}{n}", n + 1
        return name

    def add(self) -> None:
        self._store_editor()
        quotas = {"county_leader": 3, "section": 2, "general": 1, CATCH_ALL_RANK: None}
        self.drafts.append(Draft(self._unique(self.tr("新方案")), quotas))
        self._fill_list(len(self.drafts) - 1)
        self.name.setFocus()
        self.name.selectAll()

    def copy(self) -> None:
        self._store_editor()
        draft = self.current()
        if draft is None:
            return
        self.drafts.append(
            Draft(self._unique(self.tr("{0}副本").format(draft.name.strip())), dict(draft.quotas), draft.note)
        )
        self._fill_list(len(self.drafts) - 1)

    def delete(self) -> None:
        draft = self.current()
        if draft is None:
            return
        if draft is self.in_use:
            self.error.setText(self.tr("“{0}”是正在使用的方案，不能删除；请先把其他方案设为在用").format(draft.name))
            return
        row = self.list.currentRow()
        if draft.stored:
            self.deleted.append(draft.stored)
        del self.drafts[row]
        self.error.clear()
        self._fill_list(max(0, row - 1))

    def use(self) -> None:
        self._store_editor()
        draft = self.current()
        if draft is None:
            return
        self.in_use = draft
        self._fill_list(self.list.currentRow())
