"""The 基本信息 tab: household number, place, contact and bank, identification standard, attribute and causes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from povdesk import codes
from povdesk.households import HouseholdDraft, VillageOption
from povdesk.households.status import status_label
from ui.household_editor.widgets import AsWritten, CodeCombo, with_as_written

# The roster field whose text as written is shown beside each widget of the tab.
AS_WRITTEN = {"ident_standard": "ident_standard", "attribute": "attribute", "main_cause": "main_cause",
              "other_cause_1": "other_causes", "status": "status", "monitoring": "monitor_type"}  # fmt: skip


class BasicTab(QWidget):
    changed = Signal()

    def __init__(self, villages: list[VillageOption], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: HouseholdDraft | None = None
        self._loading = False
        self._villages = {v.id: v for v in villages}

        self.number = QLineEdit(self)
        self.number.setMaxLength(32)
        self.village = QComboBox(self)
        self.village.setMaxVisibleItems(25)
        for option in villages:
            self.village.addItem(option.label, option.id)
        self.group = QComboBox(self)
        self.address = QLineEdit(self)
        self.address.setMaxLength(128)
        self.phone = QLineEdit(self)
        self.phone.setMaxLength(32)
        self.bank_name = QLineEdit(self)
        self.bank_name.setMaxLength(64)
        self.bank_account = QLineEdit(self)
        self.bank_account.setMaxLength(32)
        self.ident_standard = CodeCombo(codes.IDENT_STANDARD, empty=self.tr("（未填）"), parent=self)
        self.attribute = CodeCombo(codes.ATTRIBUTE, empty=self.tr("（未填）"), parent=self)
        self.main_cause = CodeCombo(codes.CAUSE, empty=self.tr("（未填）"), parent=self)
        self.other_cause_1 = CodeCombo(codes.CAUSE, empty=self.tr("（无）"), parent=self)
        self.other_cause_2 = CodeCombo(codes.CAUSE, empty=self.tr("（无）"), parent=self)
        self.status = QLabel(self)
        self.year_identified = QLabel(self)
        self.year_exited = QLabel(self)
        self.monitoring = QLabel(self)
        for label in (self.status, self.year_identified, self.year_exited, self.monitoring):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.as_written = {name: AsWritten(self) for name in AS_WRITTEN}

        place = QGroupBox(self.tr("户基本情况"), self)
        form = QFormLayout(place)
        form.addRow(self.tr("户编号"), self.number)
        form.addRow(self.tr("所在村"), self.village)
        form.addRow(self.tr("村民小组"), self.group)
        form.addRow(self.tr("住址"), self.address)
        form.addRow(self.tr("联系电话"), self.phone)
        form.addRow(self.tr("开户银行"), self.bank_name)
        form.addRow(self.tr("银行账号"), self.bank_account)
        poverty = QGroupBox(self.tr("贫困情况"), self)
        form = QFormLayout(poverty)
        form.addRow(self.tr("识别标准"), self._with_as_written("ident_standard"))
        form.addRow(self.tr("贫困户属性"), self._with_as_written("attribute"))
        form.addRow(self.tr("主要致贫原因"), self._with_as_written("main_cause"))
        form.addRow(self.tr("其他致贫原因一"), self._with_as_written("other_cause_1"))
        form.addRow(self.tr("其他致贫原因二"), self.other_cause_2)
        form.addRow(self.tr("脱贫属性"), self._with_as_written("status"))
        form.addRow(self.tr("识别年度"), self.year_identified)
        form.addRow(self.tr("脱贫年度"), self.year_exited)
        form.addRow(self.tr("监测情况"), self._with_as_written("monitoring"))
        hint = QLabel(self.tr("脱贫属性、识别和脱贫年度、监测情况在“状态变更”页登记。"), self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #616161;")
        form.addRow(hint)
        layout = QHBoxLayout(self)
        layout.addWidget(place, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(poverty, 1, Qt.AlignmentFlag.AlignTop)

        for edit in (self.number, self.address, self.phone, self.bank_name, self.bank_account):
            edit.textEdited.connect(self._store)
        for combo in (self.ident_standard, self.attribute, self.main_cause, self.other_cause_1, self.other_cause_2):
            combo.currentIndexChanged.connect(self._store)
        self.village.currentIndexChanged.connect(self._village_changed)
        self.group.currentIndexChanged.connect(self._store)

    def _with_as_written(self, name: str) -> QWidget:
        return with_as_written(getattr(self, name), self.as_written[name], self)

    def load(self, draft: HouseholdDraft) -> None:
        self.draft = draft
        self._loading = True
        try:
            self.number.setText(draft.number or "")
            self.village.setCurrentIndex(self.village.findData(draft.village_id))
            self._fill_groups(draft.village_id, draft.group_id)
            self.address.setText(draft.address or "")
            self.phone.setText(draft.phone or "")
            self.bank_name.setText(draft.bank_name or "")
            self.bank_account.setText(draft.bank_account or "")
            self.ident_standard.set_code(draft.ident_standard)
            self.attribute.set_code(draft.attribute)
            self.main_cause.set_code(draft.main_cause)
            self.other_cause_1.set_code(draft.other_cause_1)
            self.other_cause_2.set_code(draft.other_cause_2)
        finally:
            self._loading = False
        self.refresh()

    def refresh(self) -> None:
        """Show the status fields, which change on the status tab."""
        draft = self.draft
        self.status.setText(status_label(draft.status))
        self.year_identified.setText(self.tr("{0}年").format(draft.year_identified) if draft.year_identified else "—")
        self.year_exited.setText(self.tr("{0}年").format(draft.year_exited) if draft.year_exited else "—")
        episode = draft.open_episode()
        self.monitoring.setText(
            self.tr("{0}（{1}起）").format(codes.MONITOR_TYPE.label_of(episode.type), episode.identified_on.isoformat())
            if episode
            else self.tr("非监测对象")
        )
        self._show_as_written()

    def _show_as_written(self) -> None:
        draft = self.draft
        for name, key in AS_WRITTEN.items():
            self.as_written[name].show_text(draft.written(key), answered=draft.answered(key))

    def _fill_groups(self, village_id: int | None, group_id: int | None) -> None:
        self.group.blockSignals(True)
        self.group.clear()
        self.group.addItem(self.tr("（未分组）"), 0)
        option = self._villages.get(village_id)
        for gid, name in option.groups if option else ():
            self.group.addItem(name, gid)
        self.group.setCurrentIndex(max(0, self.group.findData(group_id or 0)))
        self.group.blockSignals(False)

    def _village_changed(self) -> None:
        if self._loading:
            return
        self._fill_groups(self.village.currentData(), None)
        self._store()

    def _store(self) -> None:
        if self._loading or self.draft is None:
            return
        draft = self.draft
        draft.number = self.number.text().strip()
        draft.village_id = self.village.currentData()
        draft.group_id = self.group.currentData() or None
        for name in ("address", "phone", "bank_name", "bank_account"):
            setattr(draft, name, getattr(self, name).text().strip() or None)
        for name in ("ident_standard", "attribute", "main_cause", "other_cause_1", "other_cause_2"):
            setattr(draft, name, getattr(self, name).code())
        self._show_as_written()
        self.changed.emit()
