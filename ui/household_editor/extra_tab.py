"""The 其他字段 tab: what a roster said that PovDesk keeps as written — the values to verify, and the columns it does
not model (read-only, written back by export)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidget, QVBoxLayout, QWidget

from povdesk.households import HouseholdDraft, field_name, kept_values, values_to_verify
from ui.household_editor.widgets import TO_VERIFY_STYLE, set_row, setup_table


class ExtraTab(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: HouseholdDraft | None = None
        self._entries: list = []  # (row, key) of each line of the verify table

        self.verify_title = QLabel(
            self.tr("待核实：原表中这些值不在标准代码表中，未导入对应项目。请在“基本信息”页或成员信息中选择正确的项目；"
                    "核实后确应留空的，选中后点“标为已核实”。保存后原表值不再保留。"), self)  # fmt: skip
        self.verify_title.setWordWrap(True)
        self.verify_title.setStyleSheet(TO_VERIFY_STYLE)
        self.verify_table = QTableWidget(self)
        self.verify_table.setObjectName("toVerifyTable")
        setup_table(self.verify_table, [self.tr("所属"), self.tr("项目"), self.tr("原表填写")])
        self.check_button = QPushButton(self.tr("标为已核实"), self)
        self.check_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addStretch(1)
        self.kept_title = QLabel(self)
        self.kept_table = QTableWidget(self)
        self.kept_table.setObjectName("keptTable")
        setup_table(self.kept_table, [self.tr("所属"), self.tr("列名"), self.tr("内容")])
        layout = QVBoxLayout(self)
        layout.addWidget(self.verify_title)
        layout.addWidget(self.verify_table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.kept_title)
        layout.addWidget(self.kept_table, 2)

        self.check_button.clicked.connect(self.mark_checked)
        self.verify_table.itemSelectionChanged.connect(self._update_button)

    def load(self, draft: HouseholdDraft) -> None:
        self.draft = draft
        self.refresh()

    def refresh(self) -> None:
        """The values still to verify (they change as codes are picked on the other tabs) and the kept columns."""
        entries = values_to_verify(self.draft)
        self._entries = [(row, key) for row, key, _text in entries]
        self.verify_table.setRowCount(len(entries))
        for i, (row, key, text) in enumerate(entries):
            set_row(self.verify_table, i, [self._whose(row), field_name(key), text])
        for widget in (self.verify_title, self.verify_table, self.check_button):
            widget.setVisible(bool(entries))
        kept = kept_values(self.draft)
        self.kept_table.setRowCount(len(kept))
        for i, (member, header, value) in enumerate(kept):
            set_row(self.kept_table, i, [self._whose(member), header, value])
        self.kept_title.setText(
            self.tr("原表中的其他字段（没有对应标准项目的列，原样保留，只读；导出时写回）：")
            if kept
            else self.tr("原表中没有其他字段。")
        )
        self.kept_table.setVisible(bool(kept))
        self._update_button()

    def _whose(self, row) -> str:
        return self.tr("本户") if row is None or row is self.draft else row.name

    def _update_button(self) -> None:
        self.check_button.setEnabled(bool(self.verify_table.selectionModel().selectedRows()))

    def mark_checked(self) -> None:
        """The selected value is verified as it stands: its field stays as it is and the text as written goes."""
        rows = self.verify_table.selectionModel().selectedRows()
        if not rows:
            return
        row, key = self._entries[rows[0].row()]
        row.checked.add(key)
        self.refresh()
        self.changed.emit()
