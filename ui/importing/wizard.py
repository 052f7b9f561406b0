"""The roster import wizard: file → sheet → header and columns → preview (the import, held) → 导入 commits it."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl.utils import get_column_letter

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.roster.importer import PendingImport, import_roster
from povdesk.roster.kept import IGNORED_HEADERS
from povdesk.roster.layout import BY_KEY, COLUMNS, REQUIRED_COLUMNS
from povdesk.roster.reader import SPREADSHEET_SUFFIXES, RosterSheet, sheet_names
from povdesk.roster.report import write_reject_report
from povdesk.roster.result import ImportResult
from ui.files import open_path, remember_folder, save_path, show_saved
from ui.importing.issues import IssueTree
from ui.ops import BackgroundOp, run_in_background, show_error
from ui.settings import AppSettings

MAPPING_PREFIX = "import/mapping/"  # + header signature: the columns the clerk mapped by hand for that layout
# A preview holds what it wrote: others' saves of the same households wait until 导入 or 取消. Not for longer than this.
HOLD_MINUTES = 10


def choose_roster(parent: QWidget, settings: AppSettings) -> Path | None:
    """The open-file dialog for a roster, in the folder of the last one."""
    spreadsheets = parent.tr("Excel 表格 (*.xlsx *.xls *.ods *.xlsm)")
    return open_path(parent, settings, "rosters", parent.tr("选择花名册"), spreadsheets)


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("选择花名册文件"))
        self.setSubTitle(self.tr("支持 .xlsx、.xls、.ods 文件；也可以把文件拖到这里。"))
        self.setAcceptDrops(True)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(self.tr("花名册文件路径"))
        self.path_edit.textChanged.connect(self.completeChanged)
        browse = QPushButton(self.tr("浏览……"))
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        hint = QLabel(self.tr("每人一行（全国系统导出格式）。表头可以在标题行下面，也可以是两行合并表头；"
                              "户的信息可以每行都填、只填在户主行或上下合并。"))  # fmt: skip
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addStretch(1)

    def browse(self) -> None:
        path = choose_roster(self, self.w.settings)
        if path is not None:
            self.path_edit.setText(str(path))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.path_edit.setText(urls[0])

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return Path(self.path_edit.text().strip()).suffix.lower() in SPREADSHEET_SUFFIXES

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        path = Path(self.path_edit.text().strip())
        try:
            self.w.sheets = sheet_names(path)
        except PovDeskError as exc:
            show_error(self, exc, self.tr("无法读取文件"))
            return False
        self.w.path = path
        remember_folder(self.w.settings, "rosters", path)
        return True


class SheetPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("选择工作表"))
        self.combo = QComboBox()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("花名册所在的工作表：")))
        layout.addWidget(self.combo)
        layout.addStretch(1)
        self._loaded = False

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.combo.clear()
        self.combo.addItems(self.w.sheets)
        self._loaded = False

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.combo.count() > 0

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self._loaded:
            return True
        sheet = self.combo.currentText()
        self.w.sheet = sheet
        path = self.w.path

        def load(progress):
            progress.start(0, self.tr("正在读取表头……"))
            with RosterSheet(path, sheet) as roster:
                return roster.header, roster.col_offset

        def done(result) -> None:
            self.w.header, self.w.col_offset = result
            self._loaded = True
            self.w.next()

        run_in_background(self, self.tr("读取花名册"), load, done)
        return False


class MappingPage(QWizardPage):
    """The header row and, for every column, the field it fills; unmapped columns are left to the clerk."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("表头与列对应"))
        self.setSubTitle(self.tr("请核对表中每一列对应的标准项目（全国系统的列名）。没有对应项目的列标为黄色，"
                                 "原样保留在农户档案的“其他字段”中，导出时写回；也可以手动指定对应项目。"
                                 "指定结果会记住，下次导入同样格式的表格时自动使用。"))  # fmt: skip
        self.header_row = QSpinBox()
        self.header_row.setRange(1, 30)
        self.header_row.setPrefix(self.tr("第 "))
        self.header_row.setSuffix(self.tr(" 行"))
        self.header_row.editingFinished.connect(self.reload_header)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("表头（最后一行）位于：")))
        top.addWidget(self.header_row)
        top.addStretch(1)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("列"), self.tr("表中列名"), self.tr("对应标准项目")])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.missing = QLabel()
        self.missing.setStyleSheet("color: #b00000")
        self.missing.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.missing)
        self.combos: list[QComboBox] = []

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        header = self.w.header
        self.header_row.blockSignals(True)
        self.header_row.setValue(header.excel_row)
        self.header_row.blockSignals(False)
        remembered = self.w.settings.get_raw(MAPPING_PREFIX + header.signature)
        overrides = {int(k): v for k, v in json.loads(remembered).items()} if remembered else {}
        mapping = header.with_mapping(overrides).mapping if overrides else header.mapping
        self.table.setRowCount(len(header.texts))
        self.combos = []
        for col, text in enumerate(header.texts):
            self.table.setItem(col, 0, QTableWidgetItem(get_column_letter(col + self.w.col_offset + 1)))
            item = QTableWidgetItem(text)
            self.table.setItem(col, 1, item)
            combo = QComboBox()
            # an unmapped column is kept as written, except the explanations a reject report adds
            combo.addItem(self.tr("（不导入）") if text in IGNORED_HEADERS else self.tr("原样保留"), None)
            for column in COLUMNS:
                ignored = column.kind == "ignored"
                combo.addItem(self.tr("{0}（不导入）").format(column.header) if ignored else column.header, column.key)
            key = mapping.get(col)
            combo.setCurrentIndex(max(0, combo.findData(key)) if key else 0)
            combo.currentIndexChanged.connect(self.update_missing)
            if text and key is None:
                item.setBackground(QColor("#fff2cc"))
                item.setToolTip(self.tr("没有对应的标准项目：原样保留"))
            self.table.setCellWidget(col, 2, combo)
            self.combos.append(combo)
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(2, 220)
        self.update_missing()

    def reload_header(self) -> None:
        row = self.header_row.value()
        if row == self.w.header.excel_row:
            return
        try:
            with RosterSheet(self.w.path, self.w.sheet, header_row=row) as roster:
                self.w.header, self.w.col_offset = roster.header, roster.col_offset
        except PovDeskError as exc:
            show_error(self, exc, self.tr("无法读取表头"))
            return
        self.initializePage()

    def chosen_mapping(self) -> dict[int, str | None]:
        return {col: combo.currentData() for col, combo in enumerate(self.combos)}

    def update_missing(self) -> None:
        chosen = set(self.chosen_mapping().values())
        missing = [BY_KEY[k].header for k in REQUIRED_COLUMNS if k not in chosen]
        self.missing.setText(self.tr("还缺少必需的列：") + "、".join(missing) if missing else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self.missing.text()

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        chosen = self.chosen_mapping()
        header = self.w.header
        overrides = {col: key for col, key in chosen.items() if header.mapping.get(col) != key}
        if overrides:
            self.w.settings.set_raw(MAPPING_PREFIX + header.signature, json.dumps(overrides))
        self.w.mapping = chosen
        return True


class PreviewPage(QWizardPage):
    """Runs the import once and holds it uncommitted: the clerk reads what it would do, 导入 commits exactly that."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("预检结果"))
        self.setSubTitle(self.tr("以下为预检结果，尚未写入数据库。被拒绝的行列在最前面，提示按类别归组，点开可看各行；"
                                 "点“导入”写入数据库，点“上一步”或“取消”则不写入。"))  # fmt: skip
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tree = IssueTree(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        self._op: BackgroundOp | None = None  # the preview running now
        self._again = False  # the page was shown again while a cancelled preview was still stopping
        self._committing = False
        self._imported = False
        self.expiry = QTimer(self, singleShot=True, interval=HOLD_MINUTES * 60_000)
        self.expiry.timeout.connect(self._expire)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self._imported = self._committing = False
        self.summary.setText(self.tr("正在预检……"))
        self.tree.clear()
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("导入"))
        if self._op is not None:
            self._again = True  # one held import at a time: the next starts once that one is gone
        else:
            self._start()

    def _start(self) -> None:
        self._op = run_in_background(self, self.tr("预检花名册"), self.w.preview_import, self._previewed, self._failed)

    def stop(self) -> None:
        """Cancel a preview still running (it rolls itself back); a preview shown no longer expires."""
        self.expiry.stop()
        if self._op is not None:
            self._op.cancel()

    def _ended(self) -> bool:
        """The running preview has ended: is the clerk still waiting for it (not gone back, not closed)?"""
        self._op = None
        return not self._again and self.w.currentPage() is self and self.w.isVisible()

    def _restart(self) -> None:
        if self._again:
            self._again = False
            if self.w.currentPage() is self and self.w.isVisible():
                self._start()

    def _previewed(self, pending: PendingImport) -> None:
        if not self._ended():
            pending.rollback()
            self._restart()
            return
        self.w.pending = pending
        self.summary.setText(pending.result.summary())
        self.tree.show_result(pending.result)
        self.completeChanged.emit()
        self.expiry.start()

    def _expire(self) -> None:
        self.w.discard_preview()
        self.summary.setText(self.tr("预检结果已保留 {0} 分钟未导入，为免妨碍他人保存，已自动放弃，数据库未改动。"
                                     "请点“上一步”后重新预检。").format(HOLD_MINUTES))  # fmt: skip
        self.completeChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        if not self._ended():
            self._restart()
            return
        self.summary.setText(str(exc) if isinstance(exc, PovDeskError) else self.tr("预检失败"))
        show_error(self, exc, self.tr("预检失败"))

    def cleanupPage(self) -> None:  # noqa: N802 - Qt override: 上一步
        self.stop()
        self.w.discard_preview()
        super().cleanupPage()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.w.pending is not None

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self._imported:
            return True
        if self._committing:  # 导入 clicked twice before the progress dialog showed
            return False
        self._committing = True
        self.expiry.stop()
        pending = self.w.pending

        def done(result: ImportResult) -> None:
            self.w.pending, self.w.result = None, result
            self._imported = True
            self.w.imported.emit(result)
            self.w.next()

        def failed(exc: BaseException) -> None:
            self._committing = False
            self.w.pending = None
            self.completeChanged.emit()
            if self.w.isVisible():
                self.summary.setText(self.tr("导入失败，数据库未改动。请点“上一步”后重新预检。"))
                show_error(self, exc, self.tr("导入失败"))

        run_in_background(self, self.tr("正在导入花名册"), lambda _progress: pending.commit(), done, failed)
        return False


class ResultPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("导入完成"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tree = IssueTree(self)
        self.report_button = QPushButton(self.tr("保存未导入行报告……"))
        self.report_button.clicked.connect(self.save_report)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.report_button, 0, Qt.AlignmentFlag.AlignLeft)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        result = self.w.result
        self.summary.setText(result.summary())
        self.tree.show_result(result)
        self.report_button.setEnabled(bool(result.rejected))

    def save_report(self, path: str | None = None) -> Path | None:
        """Write the rows not imported to a workbook (asked for unless given) and say where it went."""
        if not path:
            name = self.w.path.stem + self.tr("_未导入行.xlsx")
            title, kind = self.tr("保存未导入行报告"), self.tr("Excel 表格 (*.xlsx)")
            chosen = save_path(self, self.w.settings, "reports", title, name, kind)
            if chosen is None:
                return None
            path = str(chosen)
        try:
            written = write_reject_report(self.w.result, path)
        except PovDeskError as exc:
            show_error(self, exc, self.tr("无法保存报告"))
            return None
        show_saved(self, Path(written), self.tr("未导入行报告"))
        return written


class ImportWizard(QWizard):
    """Import one roster. `imported(result)` is emitted once the import has been committed."""

    imported = Signal(object)

    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None, *, path: str | None = None,
                 user: str = "") -> None:  # fmt: skip
        """`user`: the 经办人 recorded with the import (the GUI passes the setting: ui.operator_name.operator)."""
        super().__init__(parent)
        self.db, self.settings, self.user = db, settings, user
        self.setWindowTitle(self.tr("导入花名册"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage)
        self.resize(900, 600)
        self.path: Path | None = None
        self.sheets: list[str] = []
        self.sheet: str | None = None
        self.header = None
        self.col_offset = 0
        self.mapping: dict[int, str | None] = {}
        self.result: ImportResult | None = None
        self.pending: PendingImport | None = None  # the previewed import, validated and not yet committed
        self.file_page, self.sheet_page = FilePage(self), SheetPage(self)
        self.mapping_page, self.preview_page, self.result_page = MappingPage(self), PreviewPage(self), ResultPage(self)
        for page in (self.file_page, self.sheet_page, self.mapping_page, self.preview_page, self.result_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))
        if path:
            self.file_page.path_edit.setText(path)

    def preview_import(self, progress) -> PendingImport:
        """The preview, on a worker thread: the whole import, held open for 导入 to commit (the core's own session)."""
        return import_roster(self.db, self.path, sheet=self.sheet, header_row=self.header.excel_row,
                             mapping=self.mapping, hold=True, progress=progress, user=self.user)  # fmt: skip

    def discard_preview(self) -> None:
        """Roll the previewed import back, if one is held: nothing of it stays in the database."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.rollback()

    def done(self, result: int) -> None:
        """Closed by 取消, 完成, Esc or the window's close button: a preview still held or running is undone."""
        self.preview_page.stop()
        self.discard_preview()
        super().done(result)
