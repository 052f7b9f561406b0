"""The notice sheet in the app: rendered off the GUI thread, shown with QtPdf, printed, saved, opened, batch-exported."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, QTemporaryDir, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from povdesk.db import Database
from povdesk.model import Area
from povdesk.notices import export, sheet, workflow
from povdesk.pdf import fonts
from povdesk.progress import Progress
from ui.files import last_folder, open_url, remember_folder, save_path, show_saved
from ui.ops import run_in_background
from ui.settings import AppSettings

SHEET_STAGES = ("village_notice", "township_notice", "county_announcement")
PRINT_DPI = 300


def print_pdf(parent: QWidget, path: Path, title: str) -> bool:
    """Print a PDF through the Qt print dialog, page by page at the printer's resolution."""
    document = QPdfDocument(parent)
    document.load(str(path))
    if document.status() != QPdfDocument.Status.Ready:
        QMessageBox.warning(parent, title, parent.tr("无法读取PDF文件“{0}”").format(path))
        return False
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFromTo(1, document.pageCount())
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(parent.tr("打印 {0}").format(title))
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    first, last = printer.fromPage() or 1, printer.toPage() or document.pageCount()
    painter = QPainter()
    if not painter.begin(printer):
        QMessageBox.warning(parent, title, parent.tr("打印机无法开始打印，请检查打印机"))
        return False
    try:
        for number in range(first - 1, last):
            if number > first - 1:
                printer.newPage()
            target = painter.viewport()
            size = document.pagePointSize(number)
            scale = min(target.width() / size.width(), target.height() / size.height())
            # 300 dpi is sharp on office printers; the printer's own 1200 dpi would take seconds per page
            image = document.render(
                number, QSize(round(size.width() * PRINT_DPI / 72), round(size.height() * PRINT_DPI / 72))
            )
            painter.drawImage(QRectF(0, 0, size.width() * scale, size.height() * scale), image)
    finally:
        painter.end()
    return True


class PreviewPane(QWidget):
    """Stage and village choosers, the rendered sheet, and what can be done with it."""

    exported = Signal(list)  # paths written by the batch export

    def __init__(
        self, db: Database, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today,
        settings: AppSettings,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.db = db
        self.settings = settings  # remembers the folder sheets are saved to
        self.today = today  # the screen's idea of today (tests fix it)
        self.batch_id: int | None = None
        self.path: Path | None = None
        self.title = ""
        self.unprintable: dict[str, str] = {}
        self._tmp = QTemporaryDir()
        self._serial = 0
        self.stage = QComboBox(self)
        for stage in SHEET_STAGES:
            self.stage.addItem(self.tr(workflow.stage_label(stage)), stage)
        self.village = QComboBox(self)
        self.refresh_button = QPushButton(self.tr("生成预览"), self)
        self.print_button = QPushButton(self.tr("打印…"), self)
        self.open_button = QPushButton(self.tr("用系统程序打开"), self)
        self.save_button = QPushButton(self.tr("另存为…"), self)
        self.export_button = QPushButton(self.tr("各村分别生成PDF…"), self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        bar = QHBoxLayout()
        for widget in (QLabel(self.tr("环节："), self), self.stage, QLabel(self.tr("范围："), self), self.village,
                       self.refresh_button, self.print_button, self.open_button, self.save_button, self.export_button):  # fmt: skip
            bar.addWidget(widget)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self.refresh_button.clicked.connect(self.make_preview)
        self.print_button.clicked.connect(self.print_sheet)
        self.open_button.clicked.connect(self.open_external)
        self.save_button.clicked.connect(self.save_as)
        self.export_button.clicked.connect(self.export_villages)
        self.stage.currentIndexChanged.connect(self._clear)
        self.village.currentIndexChanged.connect(self._clear)
        self._clear()

    def set_batch(self, batch_id: int | None, villages: list[tuple[int, str]]) -> None:
        self.batch_id = batch_id
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(self.tr("全部"), None)
        for area_id, name in villages:
            self.village.addItem(name, area_id)
        self.village.blockSignals(False)
        self._clear()

    def _clear(self) -> None:
        self.document.close()
        self.path = None
        self.unprintable = {}
        self.status.setText(self.tr("点击“生成预览”查看公示单") if self.batch_id else self.tr("请先选择一个批次"))
        for button in (self.print_button, self.open_button, self.save_button):
            button.setEnabled(False)
        self.refresh_button.setEnabled(self.batch_id is not None)
        self.export_button.setEnabled(self.batch_id is not None)

    def make_preview(self) -> None:
        if self.batch_id is None:
            return
        batch_id, stage, village_id = self.batch_id, self.stage.currentData(), self.village.currentData()
        today = self.today()
        self._serial += 1
        path = Path(self._tmp.path()) / f"sheet-{self._serial}.pdf"
        db = self.db

        def work(progress: Progress):
            progress.start(2, "正在整理名单……")
            with db.session() as session:
                within = session.get(Area, village_id) if village_id else None
                data = sheet.build(session, workflow.get_batch(session, batch_id), stage, within=within, today=today)
            progress.update(1, label="正在排版……")
            return data, export.write_pdf(data, path)

        self.status.setText(self.tr("正在生成……"))
        self._op = run_in_background(self, self.tr("生成公示单"), work, lambda result: self._show(path, *result))

    def _show(self, path: Path, data: sheet.Sheet, rendered) -> None:
        self.document.load(str(path))
        self.path = path
        self.title = data.sections[0].title
        self.unprintable = rendered.unprintable
        orientation = self.tr("横向") if rendered.landscape else self.tr("纵向")
        what = self.title if len(data.sections) == 1 else self.tr("{0}个村的公示单").format(len(data.sections))
        text = self.tr("{0}：共 {1} 户 {2} 人，{3} 页，A4{4}").format(
            what, data.households, sum(s.persons for s in data.sections), rendered.pages, orientation
        )
        if self.unprintable:
            text += "\n" + fonts.warning_text(self.unprintable)
        self.status.setText(text)
        for button in (self.print_button, self.open_button, self.save_button):
            button.setEnabled(True)

    def confirm_printable(self) -> bool:
        """Warn before printing when names have characters no font has; the clerk may still print."""
        if not self.unprintable:
            return True
        answer = QMessageBox.warning(
            self, self.tr("生僻字"), fonts.warning_text(self.unprintable) + self.tr("\n\n仍要打印吗？"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def print_sheet(self) -> None:
        if self.path and self.confirm_printable():
            print_pdf(self, self.path, self.title)

    def open_external(self) -> None:
        if self.path and self.confirm_printable():
            open_url(self, self.path)

    def save_as(self) -> None:
        if not self.path:
            return
        target = save_path(
            self,
            self.settings,
            "notices",
            self.tr("保存公示单"),
            export.file_name(self.title),
            self.tr("PDF 文件 (*.pdf)"),
        )
        if target:
            shutil.copyfile(self.path, target)
            self.saved_box = show_saved(self, target, self.tr("公示单"))

    def export_villages(self, folder: str | None = None) -> None:
        """One PDF per village (per posted sheet) of the batch, written off the GUI thread with progress."""
        if self.batch_id is None:
            return
        show = not folder  # a folder the clerk chose gets the "saved" message; one given by a caller does not
        if not folder:
            start = str(last_folder(self.settings, "notices"))
            folder = QFileDialog.getExistingDirectory(self, self.tr("选择保存公示单的文件夹"), start)
            if not folder:
                return
            remember_folder(self.settings, "notices", Path(folder) / "公示单.pdf")
        batch_id, stage, db, today = self.batch_id, self.stage.currentData(), self.db, self.today()

        def work(progress: Progress) -> list[Path]:
            return export.export_sheets(db, [batch_id], stage, Path(folder), progress, today=today)

        def done(paths: list[Path]) -> None:
            self.status.setText(self.tr("已在“{0}”生成 {1} 个PDF文件").format(folder, len(paths)))
            self.exported.emit(paths)
            if show and paths:
                self.saved_box = show_saved(self, paths[0], self.tr("{0}个公示单").format(len(paths)))

        self._op = run_in_background(self, self.tr("生成各村公示单"), work, done)
