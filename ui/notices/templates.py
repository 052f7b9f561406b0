"""Settings → 公示模板: the office-wide notice templates (period, hotline, address, titles, texts, columns)."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.households.draft import VillageOption, village_options
from povdesk.notices import settings as notice_settings
from ui.dialogs import RememberingDialog
from ui.ops import show_error
from ui.settings import AppSettings

SHEET_STAGES = ("village_notice", "township_notice", "county_announcement")


class TemplateDialog(RememberingDialog):
    """Edits povdesk.notices.settings for every clerk of the database; `load()` fills, `save()` validates and stores."""

    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__("notice_templates", settings, parent)
        self.db = db
        self.setWindowTitle(self.tr("公示模板"))
        self.period = QSpinBox(self)
        self.period.setRange(1, 60)
        self.period.setSuffix(self.tr(" 天"))
        self.hotline = QLineEdit(self)
        self.address = QLineEdit(self)
        self.address.setToolTip(self.tr("可用【发布单位】表示发布单位"))
        self.contact = QLineEdit(self)
        self.contact.setPlaceholderText(self.tr("如：李文书 13800000000（印在举报电话之后）"))
        self.font_size = QSpinBox(self)
        self.font_size.setRange(7, 16)
        self.font_size.setSuffix(self.tr(" 磅"))
        general = QFormLayout()
        general.addRow(self.tr("默认公示期："), self.period)
        general.addRow(self.tr("监督举报电话："), self.hotline)
        general.addRow(self.tr("受理地址："), self.address)
        self.village_contacts_button = QPushButton(self.tr("各村分别设置…"), self)
        self.village_contacts_button.setToolTip(self.tr("各村公示单印本村的联系人；未单独设置的村印上面这一项"))
        self.village_contacts_button.clicked.connect(self.edit_village_contacts)
        contact_row = QHBoxLayout()
        contact_row.addWidget(self.contact, 1)
        contact_row.addWidget(self.village_contacts_button)
        general.addRow(self.tr("村联系人及电话："), contact_row)
        general.addRow(self.tr("名单字号："), self.font_size)
        self.stage_tabs = QTabWidget(self)
        self.stage_fields: dict[str, tuple[QLineEdit, QLineEdit, QPlainTextEdit]] = {}
        for stage in SHEET_STAGES:
            page = QWidget(self)
            form = QFormLayout(page)
            title, issuer, text = QLineEdit(page), QLineEdit(page), QPlainTextEdit(page)
            form.addRow(self.tr("标题："), title)
            form.addRow(self.tr("发布单位："), issuer)
            form.addRow(self.tr("正文："), text)
            self.stage_tabs.addTab(page, self.tr(codes.NOTICE_STAGE.label_of(stage)))
            self.stage_fields[stage] = (title, issuer, text)
            for edit in (title, issuer, text):
                edit.textChanged.connect(self.update_preview)
        names = "".join(f"【{n}】" for n in notice_settings.PLACEHOLDER_NAMES.values())
        self.names = QLabel(self.tr("可用：{0}").format(names), self)
        self.names.setWordWrap(True)
        self.names.setStyleSheet("color: #616161;")
        self.preview = QLabel(self)
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview.setMargin(6)
        preview_box = QGroupBox(self.tr("公示单预览（示例村）"), self)
        QVBoxLayout(preview_box).addWidget(self.preview)
        for edit in (self.hotline, self.address, self.contact):
            edit.textChanged.connect(self.update_preview)
        self.period.valueChanged.connect(self.update_preview)
        self.stage_tabs.currentChanged.connect(self.update_preview)
        self.kind = QComboBox(self)
        for item in codes.NOTICE_KIND:
            self.kind.addItem(self.tr(item.label), item.code)
        self.column_boxes: dict[str, QCheckBox] = {}
        columns = QGroupBox(self.tr("名单列（完整身份证号、电话、银行账号不得公示，不在可选之列）"), self)
        grid = QGridLayout(columns)
        grid.addWidget(self.kind, 0, 0, 1, 4)
        for i, (code, label) in enumerate(notice_settings.COLUMNS.items()):
            box = QCheckBox(self.tr(label), columns)
            self.column_boxes[code] = box
            grid.addWidget(box, 1 + i // 4, i % 4)
        self.reset_button = QPushButton(self.tr("恢复默认"), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.addButton(self.reset_button, QDialogButtonBox.ButtonRole.ResetRole)
        layout = QVBoxLayout(self)
        layout.addLayout(general)
        layout.addWidget(self.stage_tabs, 1)
        layout.addWidget(self.names)
        layout.addWidget(preview_box)
        layout.addWidget(columns)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reset_button.clicked.connect(lambda: self.load(notice_settings.NoticeSettings()))
        self._kind_shown: str | None = None
        self.kind.currentIndexChanged.connect(self._show_columns)
        self.kind.currentIndexChanged.connect(self.update_preview)
        with db.session() as session:
            self.load(notice_settings.load(session))

    def load(self, values: notice_settings.NoticeSettings) -> None:
        self.values = values
        self.period.setValue(values.period_days)
        self.hotline.setText(values.hotline)
        self.address.setText(notice_settings.to_display(values.address))
        self.contact.setText(values.contact)
        self.font_size.setValue(round(values.font_size))
        for stage, (title, issuer, text) in self.stage_fields.items():
            template = values.stages[stage]
            title.setText(notice_settings.to_display(template.title))
            issuer.setText(notice_settings.to_display(template.issuer))
            text.setPlainText(notice_settings.to_display(template.text))
        self._kind_shown = None
        self._show_columns()
        self.update_preview()

    def edit_village_contacts(self) -> None:
        with self.db.session() as session:
            villages = village_options(session)
        dialog = VillageContactsDialog(villages, self.values.village_contacts, self._settings, self)
        if dialog.exec():
            self.values.village_contacts = dialog.contacts()

    def update_preview(self) -> None:
        """The current tab's sheet text with an example village, as it will print."""
        if not hasattr(self, "preview"):
            return
        stage = SHEET_STAGES[max(self.stage_tabs.currentIndex(), 0)]
        title, issuer, text = self.stage_fields[stage]
        values = dataclasses.replace(self.values, hotline=self.hotline.text().strip(), contact=self.contact.text(),
                                     address=notice_settings.from_display(self.address.text().strip()),
                                     period_days=self.period.value(), stages=dict(self.values.stages))  # fmt: skip
        values.stages[stage] = notice_settings.StageTemplate(
            *(notice_settings.from_display(t) for t in (title.text(), issuer.text(), text.toPlainText()))
        )
        try:
            head, body, tail = notice_settings.preview(values, stage, self.kind.currentData() or "exit")
        except PovDeskError as exc:
            self.preview.setText(str(exc))
            return
        self.preview.setText(f"{head}\n\n{body}\n\n{tail}")

    def _keep_columns(self) -> None:
        if self._kind_shown is not None:  # keep the clerk's order; newly ticked columns go last
            checked = [c for c, box in self.column_boxes.items() if box.isChecked()]
            old = self.values.columns_for(self._kind_shown)
            self.values.columns[self._kind_shown] = [c for c in old if c in checked] + [
                c for c in checked if c not in old
            ]

    def _show_columns(self) -> None:
        self._keep_columns()
        kind = self.kind.currentData()
        chosen = set(self.values.columns_for(kind))
        for code, box in self.column_boxes.items():
            box.setChecked(code in chosen)
        self._kind_shown = kind

    def collect(self) -> notice_settings.NoticeSettings:
        self._keep_columns()
        values = self.values
        values.period_days = self.period.value()
        values.hotline = self.hotline.text().strip()
        values.address = notice_settings.from_display(self.address.text().strip())
        values.contact = self.contact.text().strip()
        values.font_size = float(self.font_size.value())
        for stage, (title, issuer, text) in self.stage_fields.items():
            values.stages[stage] = notice_settings.StageTemplate(
                *(notice_settings.from_display(t) for t in (title.text(), issuer.text(), text.toPlainText()))
            )
        return values

    def save(self) -> bool:
        try:
            with self.db.transaction() as session:
                notice_settings.save(session, self.collect())
        except PovDeskError as exc:
            show_error(self, exc, self.windowTitle())
            return False
        return True

    def accept(self) -> None:
        if self.save():
            super().accept()


class VillageContactsDialog(RememberingDialog):
    """Each village's own 村联系人及电话, printed on its village notice; empty: the office-wide contact."""

    def __init__(self, villages: list[VillageOption], contacts: dict[str, str], settings: AppSettings,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__("notice_village_contacts", settings, parent)
        self.setWindowTitle(self.tr("各村联系人及电话"))
        self.table = QTableWidget(len(villages), 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("村"), self.tr("联系人及电话（如：李文书 13800000000）")])
        self.table.verticalHeader().hide()
        for row, village in enumerate(villages):
            name = QTableWidgetItem(village.label)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            name.setData(Qt.ItemDataRole.UserRole, village.id)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(contacts.get(str(village.id), "")))
        self.table.resizeColumnToContents(0)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 420)

    def contacts(self) -> dict[str, str]:
        """village id (as text) → contact, the villages given one only."""
        out = {}
        for row in range(self.table.rowCount()):
            text = self.table.item(row, 1).text().strip()
            if text:
                out[str(self.table.item(row, 0).data(Qt.ItemDataRole.UserRole))] = text
        return out
