"""导出作战图PDF: choose the area, the year, the paper (A3, or A2/A1 for printing shops) and the file; the sheet is
built and written in the background, then the clerk is told where it went."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
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
from ui.files import last_folder, remember_folder, save_path, show_saved
from ui.ops import run_in_background, show_error
from ui.settings import AppSettings, Option

PAPER = Option("wallchart/paper", "A3", str)
WITH_PNG = Option("wallchart/png", False, bool)
PAPERS = (("A3", "A3 横向（420×297毫米）"), ("A2", "A2 横向（594×420毫米，图文店打印）"),
          ("A1", "A1 横向（841×594毫米，图文店打印）"))  # fmt: skip
INVALID = "QLineEdit { border: 1px solid #c9302c; }"
FIRST_YEAR = 2014


def write_sheet(db: Database, area_id: int | None, year: int, pdf: Path, *, paper: str, png: Path | None,
                office: str, today: dt.date | None = None) -> Path:  # fmt: skip
    """Build the area's figures and write its sheet (and a PNG of the first page); runs on a worker thread."""
    from povdesk.pdf.wallchart import write
    from povdesk.wallchart import figures, geo, targets, templates
    from ui.wallchart.dashboard import village_of_group

    with db.session() as session:
        dashboard = figures.build(session, village_of_group(session, area_id), year, today=today, office=office)
        template = templates.load(session, dashboard.level)
        office_targets = targets.load(session)
        layer = geo.load_stored(session)
    write(dashboard, template, office_targets, pdf, paper=paper, geo_layer=layer)
    if png is not None:
        from povdesk.wallchart.png import pdf_to_png

        pdf_to_png(pdf, png)
    return pdf


class ExportDialog(RememberingDialog):
    """Export the printable wall chart (一图N表) of an area and year as a PDF."""

    data_changed = Signal()  # the screens' contract; an export writes nothing to the database
    written = Signal(object)  # the PDF's path

    def __init__(self, db: Database, settings: AppSettings, area_id: int | None, parent: QWidget | None = None, *,
                 year: int | None = None, today: dt.date | None = None) -> None:  # fmt: skip
        super().__init__("wallchart_export", settings, parent)
        self.db = db
        self.settings = settings
        self.today = today or dt.date.today()
        self.setWindowTitle(self.tr("导出作战图PDF"))
        self._build()
        self._load(area_id, year or self.today.year)

    def _build(self) -> None:
        self.area = QComboBox(self)
        self.year = QComboBox(self)
        for year in range(self.today.year, FIRST_YEAR - 1, -1):
            self.year.addItem(self.tr("{0}年").format(year), year)
        self.paper = QComboBox(self)
        for key, text in PAPERS:
            self.paper.addItem(self.tr(text), key)
        self.pdf = QLineEdit(self)
        self.pdf.textEdited.connect(lambda: self.pdf.setStyleSheet(""))
        browse = QPushButton(self.tr("浏览…"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.pdf, 1)
        row.addWidget(browse)
        self.png = QCheckBox(self.tr("同时保存第一页为PNG图片（用于汇报幻灯片）"), self)
        form = QFormLayout()
        form.addRow(self.tr("区划："), self.area)
        form.addRow(self.tr("年度："), self.year)
        form.addRow(self.tr("纸张："), self.paper)
        form.addRow(self.tr("PDF文件："), row)
        form.addRow(self.png)
        note = QLabel(self.tr("县级为“一图四表”，乡镇级为“一图三表”，村级为“一图四表”；表格的列可在“作战图设置”中调整。"),
                      self)  # fmt: skip
        note.setWordWrap(True)
        note.setStyleSheet("color: #555555;")
        self.message = QLabel(self)
        self.message.setStyleSheet("color: #c9302c;")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        self.export_button = self.buttons.addButton(self.tr("导出"), QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.area.currentIndexChanged.connect(self._suggest_name)
        self.year.currentIndexChanged.connect(self._suggest_name)
        self.setMinimumWidth(560)

    def _load(self, area_id: int | None, year: int) -> None:
        with self.db.session() as session:
            nodes = areas.load_tree(session)
        by_id = {node.id: node for node in nodes}
        selected = by_id.get(area_id) if area_id is not None else None
        if selected is not None and selected.level == "group":  # a group has no sheet of its own: its village's
            selected = by_id.get(selected.parent_id)
        self.area.blockSignals(True)
        if sum(1 for node in nodes if node.parent_id is None) != 1:
            self.area.addItem(self.tr("全部"), None)
        indent = {"county": "", "township": "　", "village": "　　"}
        for node in nodes:
            if node.level in indent:
                self.area.addItem(indent[node.level] + node.name, node.id)
        if selected is not None:
            self.area.setCurrentIndex(max(0, self.area.findData(selected.id)))
        self.year.setCurrentIndex(max(0, self.year.findData(year)))
        self.paper.setCurrentIndex(max(0, self.paper.findData(self.settings.get(PAPER))))
        self.png.setChecked(self.settings.get(WITH_PNG))
        self.area.blockSignals(False)
        self._suggest_name()

    def _suggest_name(self) -> None:
        name = self.tr("{0}{1}年作战图.pdf").format(self.area.currentText().strip(), self.year.currentData())
        self.pdf.setText(str(last_folder(self.settings, "reports") / name))

    def _browse(self) -> None:
        path = save_path(self, self.settings, "reports", self.tr("保存作战图PDF"), self.pdf.text(),
                         self.tr("PDF 文件 (*.pdf)"))  # fmt: skip
        if path is not None:
            self.pdf.setText(str(path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")))
            self.pdf.setStyleSheet("")

    def export(self) -> None:
        text = self.pdf.text().strip()
        if not text.lower().endswith(".pdf") or not Path(text).parent.is_dir():
            self.pdf.setStyleSheet(INVALID)
            self.pdf.setFocus()
            self.message.setText(self.tr("请填写以 .pdf 结尾、所在文件夹存在的文件名"))
            self.message.show()
            return
        self.message.hide()
        pdf = Path(text)
        png = pdf.with_suffix(".png") if self.png.isChecked() else None
        remember_folder(self.settings, "reports", pdf)
        self.settings.set(PAPER, self.paper.currentData())
        self.settings.set(WITH_PNG, self.png.isChecked())
        from ui.wallchart.dashboard import OFFICE

        db, area_id, year, paper = self.db, self.area.currentData(), self.year.currentData(), self.paper.currentData()
        office, today = self.settings.get(OFFICE), self.today
        self.export_button.setEnabled(False)
        self._op = run_in_background(
            self,
            self.tr("正在生成作战图PDF"),
            lambda progress: write_sheet(db, area_id, year, pdf, paper=paper, png=png, office=office, today=today),
            self._done,
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        show_error(self, exc, self.tr("导出作战图PDF"))

    def _done(self, path: Path) -> None:
        self.export_button.setEnabled(True)
        self.written.emit(path)
        show_saved(self, path, self.tr("作战图PDF"))
