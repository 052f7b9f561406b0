"""导出帮扶责任人一览表: choose the area and the files, export in the background, then show where the files went."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from povdesk import areas
from povdesk.db import Database
from ui.dialogs import RememberingDialog
from ui.files import last_folder, open_url, remember_folder, save_path
from ui.ops import run_in_background, show_error
from ui.settings import AppSettings, Option

WITH_PDF = Option("pairing_export/pdf", True, bool)
INVALID = "QLineEdit { border: 1px solid #c9302c; }"


class ExportDialog(RememberingDialog):
    """Export the responsibility table and the national 帮扶责任人 sheet (.xlsx) and the PDF of an area."""

    data_changed = Signal()  # the screens' contract; an export writes nothing to the database

    def __init__(self, db: Database, settings: AppSettings, area_id: int | None, parent: QWidget | None = None):
        super().__init__("pairing_export", settings, parent)
        self.db = db
        self.settings = settings
        self.written: list[Path] = []  # the files of the last export
        self.setWindowTitle(self.tr("导出帮扶责任人一览表"))
        self._build()
        self._load(area_id)

    # -- widgets ------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.area = QComboBox(self)
        self.xlsx = QLineEdit(self)
        self.pdf_wanted = QCheckBox(self.tr("同时生成PDF（按村分节，户主身份证号隐去中间部分）"), self)
        self.pdf = QLineEdit(self)
        self.pdf_hint = QLabel(self)
        self.pdf_hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("区划："), self.area)
        form.addRow(self.tr("Excel文件："), self._with_browse(self.xlsx, self._browse_xlsx))
        form.addRow(self.pdf_wanted)
        form.addRow(self.tr("PDF文件："), self._with_browse(self.pdf, self._browse_pdf))
        form.addRow(self.pdf_hint)
        note = QLabel(
            self.tr(
                "Excel文件含两个工作表：“帮扶责任人一览表”，以及按全国系统“帮扶责任人”页面格式整理的"
                "“全国系统帮扶责任人”（完整证件号码，供录入或上传，请妥善保管）。"
            ),
            self,
        )
        note.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c9302c;")
        self.message.hide()

        self.result = QGroupBox(self.tr("已导出"), self)
        self.result_text = QLabel(self.result)
        self.result_text.setWordWrap(True)
        self.result_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_xlsx = QPushButton(self.tr("打开Excel文件"), self.result)
        self.open_pdf = QPushButton(self.tr("打开PDF"), self.result)
        self.open_folder = QPushButton(self.tr("打开所在文件夹"), self.result)
        buttons = QHBoxLayout()
        for button in (self.open_xlsx, self.open_pdf, self.open_folder):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box = QVBoxLayout(self.result)
        box.addWidget(self.result_text)
        box.addLayout(buttons)
        self.result.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.export_button = self.buttons.addButton(self.tr("导出"), QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(self.result)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.area.currentIndexChanged.connect(self._area_changed)
        self.pdf_wanted.toggled.connect(self._update_pdf_row)
        self.pdf_wanted.clicked.connect(lambda checked: self.settings.set(WITH_PDF, checked))
        self.export_button.clicked.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        self.open_xlsx.clicked.connect(lambda: open_url(self, self.written[0]))
        self.open_pdf.clicked.connect(lambda: open_url(self, self.written[-1]))
        self.open_folder.clicked.connect(lambda: open_url(self, self.written[0], folder=True))
        self.setMinimumWidth(560)
        self.resize(640, 0)

    def _with_browse(self, edit: QLineEdit, browse) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        button = QPushButton(self.tr("浏览…"), row)
        button.clicked.connect(browse)
        layout.addWidget(edit, 1)
        layout.addWidget(button)
        edit.textEdited.connect(lambda: edit.setStyleSheet(""))
        return row

    # -- load / save --------------------------------------------------------------------------------------------
    def _load(self, area_id: int | None) -> None:
        with self.db.session() as session:
            nodes = areas.load_tree(session)
        by_id = {node.id: node for node in nodes}
        selected = by_id.get(area_id) if area_id is not None else None
        if selected is not None and selected.level == "group":  # the table is per village: take the group's
            selected = by_id.get(selected.parent_id)
        self._levels: dict[int | None, str | None] = {None: None}
        self.area.blockSignals(True)  # file names and the PDF row are set once, below
        if sum(1 for node in nodes if node.parent_id is None) != 1:  # one county: the county is everything
            self.area.addItem(self.tr("全部"), None)
        indent = {"county": "", "township": "　", "village": "　　"}
        for node in nodes:
            if node.level in indent:
                self.area.addItem(indent[node.level] + node.name, node.id)
                self._levels[node.id] = node.level
        if selected is not None:
            self.area.setCurrentIndex(max(0, self.area.findData(selected.id)))
        self.area.blockSignals(False)
        self.pdf_wanted.setChecked(self.settings.get(WITH_PDF))
        self._area_changed()

    def area_id(self) -> int | None:
        return self.area.currentData()

    def _scope(self) -> str:
        return self.area.currentText().strip() if self.area_id() is not None else self.tr("全县")

    def _area_changed(self) -> None:
        """Default file names follow the area (梨园乡帮扶责任人一览表.xlsx) in the folder last used."""
        folder = last_folder(self.settings, "pairing")
        name = self.tr("{0}帮扶责任人一览表").format(self._scope())
        self.xlsx.setText(str(folder / f"{name}.xlsx"))
        self.pdf.setText(str(folder / f"{name}.pdf"))
        self._update_pdf_row()

    def _pdf_possible(self) -> bool:
        from povdesk.pdf.responsibility import can_print

        return can_print(self._levels.get(self.area_id()))

    def _update_pdf_row(self) -> None:
        possible = self._pdf_possible()
        if possible != self.pdf_wanted.isEnabled():  # no tick on a PDF that will not be made; the choice comes back
            self.pdf_wanted.setChecked(possible and self.settings.get(WITH_PDF))
        self.pdf_wanted.setEnabled(possible)
        self.pdf.setEnabled(possible and self.pdf_wanted.isChecked())
        self.pdf_hint.setText(
            ""
            if possible
            else self.tr("PDF按乡镇或村生成：全县的一览表有数千页，请导出Excel，或选择乡镇、村后生成PDF。")
        )
        self.pdf_hint.setVisible(not possible)

    def _browse_xlsx(self) -> None:
        path = save_path(
            self, self.settings, "pairing", self.tr("保存Excel文件"), self.xlsx.text(), self.tr("Excel 文件 (*.xlsx)")
        )
        if path is not None:
            self.xlsx.setText(str(path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")))
            self.xlsx.setStyleSheet("")

    def _browse_pdf(self) -> None:
        path = save_path(
            self, self.settings, "pairing", self.tr("保存PDF"), self.pdf.text(), self.tr("PDF 文件 (*.pdf)")
        )
        if path is not None:
            self.pdf.setText(str(path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")))
            self.pdf.setStyleSheet("")

    # -- export -------------------------------------------------------------------------------------------------
    def _complain(self, edit: QLineEdit, text: str) -> None:
        """Keep the dialog as it is, with the field marked and the reason shown."""
        edit.setStyleSheet(INVALID)
        edit.setFocus()
        self.message.setText(text)
        self.message.show()

    def _paths(self) -> tuple[Path, Path | None] | None:
        xlsx = self.xlsx.text().strip()
        if not xlsx.lower().endswith(".xlsx"):
            self._complain(self.xlsx, self.tr("请填写以 .xlsx 结尾的Excel文件名"))
            return None
        pdf = self.pdf.text().strip() if self.pdf.isEnabled() else None
        if pdf is not None and not pdf.lower().endswith(".pdf"):
            self._complain(self.pdf, self.tr("请填写以 .pdf 结尾的PDF文件名"))
            return None
        return Path(xlsx), Path(pdf) if pdf else None

    def export(self) -> None:
        paths = self._paths()
        if paths is None:
            return
        xlsx, pdf = paths
        self.message.hide()
        self.result.hide()
        remember_folder(self.settings, "pairing", xlsx)
        from povdesk.pairing.export import export_pairs  # with reportlab: loaded when first used

        db, area_id = self.db, self.area_id()
        self.export_button.setEnabled(False)
        self._op = run_in_background(
            self,
            self.tr("正在导出帮扶责任人一览表"),
            lambda progress: export_pairs(db, xlsx, area=area_id, pdf=pdf, progress=progress),
            self._done,
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        show_error(self, exc, self.tr("导出帮扶责任人一览表"))

    def _done(self, summary) -> None:
        self.export_button.setEnabled(True)
        self.written = [summary.path] + ([summary.pdf] if summary.pdf else [])
        lines = [
            self.tr("{0}：共 {1} 户，已落实帮扶责任人 {2} 户，未落实 {3} 户。").format(
                summary.scope, summary.households, summary.paired, summary.unpaired
            ),
            self.tr("Excel文件：{0}").format(summary.path),
        ]
        if summary.pdf:
            lines.append(self.tr("PDF文件（{0} 页）：{1}").format(summary.pdf_pages, summary.pdf))
        if summary.unprintable:
            from povdesk.pdf.fonts import warning_text

            lines.append(warning_text(summary.unprintable))
        self.result_text.setText("\n".join(lines))
        self.open_pdf.setVisible(summary.pdf is not None)
        self.result.show()
