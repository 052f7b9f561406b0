"""Reading roster workbooks with python-calamine: sheets, the header under title rows, merged cells, Excel row numbers."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import python_calamine as calamine

from povdesk.errors import PovDeskError
from povdesk.files import os_error_text
from povdesk.roster.cells import CellError
from povdesk.roster.header import ROSTER, Vocabulary, detect_header
from povdesk.roster.header import Header as Header  # importable from here, as the importer and the wizard do
from povdesk.roster.header import data_year_hint as data_year_hint
from povdesk.roster.normalize import EXCEL_EPOCH_1900, EXCEL_EPOCH_1904
from povdesk.roster.sheetxml import FarCell, survey
from povdesk.roster.slices import SPLIT_SUFFIXES, SlicedSheet, SliceError, far_cell_message, place_errors, sheet_part
from povdesk.roster.sniff import TextSheet, is_encrypted_package, kind_of, unreadable_message

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
HEADER_SCAN_ROWS = 30
log = logging.getLogger(__name__)


class RosterReadError(PovDeskError):
    """The file cannot be read as a roster at all; nothing was imported."""


class HeaderNotFound(RosterReadError):
    """No row near the top of the sheet looks like a roster header."""


class MissingColumns(RosterReadError):
    """The header lacks columns without which rows cannot be placed."""


class _Merges:
    """Vertically merged cells, filled with their top-left value as rows stream past (layout with merged households)."""

    def __init__(self, ranges, col_offset: int, start_row: int) -> None:
        self.by_start: dict[int, list[tuple[int, int, int]]] = {}
        for (r1, c1), (r2, c2) in ranges or ():
            if r2 > r1 and r2 >= start_row:
                self.by_start.setdefault(r1, []).append((r2, c1 - col_offset, c2 - col_offset))
        self.active: list[tuple[int, int, int, object]] = []

    def __bool__(self) -> bool:
        return bool(self.by_start or self.active)

    def fill(self, index: int, row: list) -> list:
        if self.active:
            self.active = [m for m in self.active if m[0] >= index]
            for _, c1, c2, value in self.active:
                for c in range(max(c1, 0), min(c2 + 1, len(row))):
                    row[c] = value
        started = self.by_start.pop(index, None)
        if started:
            for r2, c1, c2 in started:
                if 0 <= c1 < len(row):
                    self.active.append((r2, c1, c2, row[c1]))
                    for c in range(c1 + 1, min(c2 + 1, len(row))):
                        row[c] = row[c1]
        return row


class _WholeSheet:
    """A worksheet calamine loads at once: small sheets, .xls, .ods (a big .xlsx is read in slices).

    `errors`: the error cells found in its XML by (row, column), which calamine reads as blanks or not at all.
    """

    def __init__(self, sheet: calamine.CalamineSheet, errors: dict[tuple[int, int], CellError] | None = None) -> None:
        self.sheet = sheet
        self.start = sheet.start
        self.end_row = sheet.end[0] if sheet.end else 0
        self.merged_cell_ranges = sheet.merged_cell_ranges or []
        self.errors: dict[int, dict[int, CellError]] = {}
        self.pad = 0
        if errors:
            if self.start is None:
                self.start = (min(r for r, _ in errors), min(c for _, c in errors))
            self.pad = max(0, self.start[1] - min(c for _, c in errors))  # an unsaved formula left of every value
            self.start = (self.start[0], self.start[1] - self.pad)
            for (row, col), error in errors.items():
                self.errors.setdefault(row, {})[col - self.start[1]] = error
            self.end_row = max(self.end_row, max(self.errors))

    def head(self, n: int) -> list[list]:
        return [row for _, row in itertools.islice(self.rows(), n)]

    def rows(self) -> Iterator[tuple[int, list]]:
        rows = enumerate(self.sheet.iter_rows()) if self.sheet.start else iter(())  # every row from row 0 (#177)
        if not self.errors:
            yield from rows
            return
        errors = dict(self.errors)  # rows() may be called again (the header first, then the rows)
        index = -1
        for index, row in rows:
            if self.pad:
                row = [""] * self.pad + row
            if index in errors:
                _, placed = place_errors(errors, index, [row], index, index)
                row = placed[0]
            yield index, row
        width = (self.sheet.width if self.sheet.start else 0) + self.pad
        while errors:  # rows of unsaved formulas only, below the last row calamine read: as wide as the others
            index += 1
            if index in errors:
                _, placed = place_errors(errors, index, [[""] * width], index, index)
                yield index, placed[0]
            else:
                yield index, [""] * width

    def close(self) -> None:
        pass


def _open_workbook(path: Path) -> calamine.CalamineWorkbook | TextSheet:
    """The workbook, or a text roster (CSV, tab-separated) saved under an Excel name; RosterReadError if neither."""
    try:
        if not path.exists():
            raise RosterReadError(f"找不到文件“{path}”，它可能已被移动、改名或删除")
        if path.is_dir():
            raise RosterReadError(f"“{path}”是文件夹，不是 Excel 文件")
        if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
            raise RosterReadError(f"“{path.name}”不是 Excel 表格文件，请选择 .xlsx、.xls 或 .ods 文件")
        if path.stat().st_size == 0:
            raise RosterReadError(f"文件“{path.name}”是空文件（0 字节），可能未保存完整或复制失败，请重新获取原文件")
        with path.open("rb"):
            pass  # unreadable (permissions, locked by another program): said before calamine tries
    except OSError as exc:
        log.warning("cannot open %s", path, exc_info=True)
        raise RosterReadError(f"无法打开“{path.name}”：{os_error_text(exc)}") from None
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise RosterReadError(f"文件“{path.name}”设置了打开密码，请在 Excel 中取消密码后另存，再导入") from None
    except OSError as exc:
        log.warning("cannot open %s", path, exc_info=True)
        raise RosterReadError(f"无法打开“{path.name}”：{os_error_text(exc)}") from None
    except (calamine.CalamineError, ValueError):
        log.warning("calamine cannot open %s", path, exc_info=True)
    try:
        if is_encrypted_package(path):
            raise RosterReadError(f"文件“{path.name}”已加密（设置了打开密码），请在 Excel 中取消密码后另存，再导入")
        if kind_of(path) == "text":
            return TextSheet(path)
        with path.open("rb") as f:  # a misnamed file (.xls that is really .xlsx…): let calamine sniff the content
            return calamine.CalamineWorkbook.from_filelike(f)
    except calamine.PasswordError:
        raise RosterReadError(f"文件“{path.name}”设置了打开密码，请在 Excel 中取消密码后另存，再导入") from None
    except OSError as exc:
        log.warning("cannot read %s", path, exc_info=True)
        raise RosterReadError(f"无法打开“{path.name}”：{os_error_text(exc)}") from None
    except (calamine.CalamineError, ValueError, UnicodeError):
        log.warning("calamine cannot read %s", path, exc_info=True)
    raise RosterReadError(unreadable_message(path))


def _close(workbook) -> None:
    with contextlib.suppress(calamine.CalamineError):  # already closed
        workbook.close()


def sheet_names(path: str | os.PathLike) -> list[str]:
    """The visible worksheets of a workbook, in order (a text roster has one, named after the file)."""
    workbook = _open_workbook(Path(path))
    try:
        if isinstance(workbook, TextSheet):
            return [Path(path).stem]
        return [m.name for m in workbook.sheets_metadata
                if m.visible == calamine.SheetVisibleEnum.Visible and m.typ == calamine.SheetTypeEnum.WorkSheet] \
            or list(workbook.sheet_names)  # fmt: skip
    finally:
        _close(workbook)


def _source(path: Path, workbook: calamine.CalamineWorkbook, sheet: str):
    """The rows of one worksheet: read in slices when big or sparse, whole otherwise; error cells in place.

    An .xlsx sheet's XML is surveyed first: calamine reads error cells as blanks, and fills with blanks every row
    and column up to its last value (a value at row 1,000,000 or in column XFD costs gigabytes). A sheet whose rows
    leave wide gaps is read in slices cut at the gaps; a value beyond column IV is refused.
    """
    sliced = SlicedSheet.open(path, sheet)
    if sliced is not None:
        return sliced
    errors: dict = {}
    if path.suffix.lower() in SPLIT_SUFFIXES and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                part = sheet_part(zf, sheet)
                found, sparse = survey(zf, part) if part in zf.NameToInfo else (None, False)
        except FarCell as exc:
            raise RosterReadError(far_cell_message(path.name, sheet, exc.ref)) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError, KeyError):
            log.warning("sheet %r of %s cannot be surveyed", sheet, path, exc_info=True)
            found, sparse = None, False  # calamine says what is wrong with it
        if sparse:
            sliced = SlicedSheet.open(path, sheet, force=True)
            if sliced is None:
                raise RosterReadError(
                    f"“{path.name}”工作表“{sheet}”的数据行之间相隔太远（最后一行在第{found.last_row}行），"
                    "临时文件夹又没有足够的空间分段读取：请删除表格下方远处的内容后再导入"
                )
            return sliced
        errors = found.errors if found else {}
    return _WholeSheet(workbook.get_sheet_by_name(sheet), errors)


def _date_epoch(path: Path) -> dt.date:
    """Day 0 of the bare serial numbers in date columns: 1904-01-01 in a workbook saved with the 1904 date system
    (old Mac Excel), 1899-12-30 otherwise. Cells formatted as dates are converted by calamine itself."""
    if path.suffix.lower() in SPLIT_SUFFIXES and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                head = zf.read("xl/workbook.xml")[:4096]
        except (KeyError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError):
            return EXCEL_EPOCH_1900
        if re.search(rb"""<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*["'](?:1|true)["']""", head):
            return EXCEL_EPOCH_1904
    return EXCEL_EPOCH_1900


class RosterSheet:
    """One worksheet of a roster: its header and its data rows with the row numbers the clerk sees in Excel."""

    def __init__(
        self,
        path: str | os.PathLike,
        sheet: str | None = None,
        *,
        header_row: int | None = None,
        vocabulary: Vocabulary = ROSTER,
    ) -> None:
        """`header_row`: the Excel row number of the header's last row, to override the detection; `vocabulary`: the
        columns the sheet has (a household roster's by default; a cadre roster or a pairing sheet has its own)."""
        self.path = Path(path)
        self.vocabulary = vocabulary
        self.workbook = _open_workbook(self.path)
        try:
            if isinstance(self.workbook, TextSheet):
                self.source, sheet = self.workbook, self.path.stem
            elif sheet is None:
                names = [m.name for m in self.workbook.sheets_metadata
                         if m.visible == calamine.SheetVisibleEnum.Visible] or self.workbook.sheet_names  # fmt: skip
                if not names:
                    raise RosterReadError(f"文件“{self.path.name}”中没有工作表")
                sheet = names[0]
            try:
                if not isinstance(self.workbook, TextSheet):
                    self.source = _source(self.path, self.workbook, sheet)
            except calamine.WorksheetNotFound:
                if sheet in self.workbook.sheet_names:  # listed by the workbook, but its part is not in the zip
                    raise RosterReadError(
                        f"“{self.path.name}”的工作表“{sheet}”在文件中列出，但它的内容缺失：文件已损坏或不完整，"
                        "请重新获取原文件"
                    ) from None
                raise RosterReadError(
                    f"文件“{self.path.name}”中没有名为“{sheet}”的工作表。现有工作表：{'、'.join(self.workbook.sheet_names)}"
                ) from None
            except SliceError as exc:
                raise RosterReadError(str(exc)) from None
            except (calamine.CalamineError, ValueError):
                log.warning("sheet %r of %s cannot be read", sheet, self.path, exc_info=True)
                raise RosterReadError(
                    f"无法读取“{self.path.name}”的工作表“{sheet}”：文件可能已损坏或不完整，请重新获取原文件"
                ) from None
            except OSError as exc:
                log.warning("sheet %r of %s cannot be read", sheet, self.path, exc_info=True)
                raise RosterReadError(f"无法读取“{self.path.name}”：{os_error_text(exc)}") from None
            self.name = sheet
            self.date_epoch = _date_epoch(self.path)
            start = self.source.start
            if start is None:
                raise HeaderNotFound(f"“{self.path.name}”的工作表“{sheet}”是空的，没有任何数据")
            # rows are numbered from the sheet's first row but start at its first used column; merged ranges are in
            # absolute coordinates.
            self.col_offset = start[1]
            self.end_row = self.source.end_row
            top = self.source.head(HEADER_SCAN_ROWS)
            ranges = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in self.source.merged_cell_ranges if r1 < len(top)]
            merged = [(r1, c1 - start[1], r2, c2 - start[1]) for r1, c1, r2, c2 in ranges]
            header = detect_header(top, header_row=None if header_row is None else header_row - 1, merged=merged,
                                   vocabulary=vocabulary)  # fmt: skip
            if header is None and isinstance(self.source, TextSheet):
                raise HeaderNotFound(
                    f"“{self.path.name}”不是有效的 Excel 文件，而是文本文件；按逗号或制表符分隔的表格读取，"
                    f"前{HEADER_SCAN_ROWS}行中也找不到{vocabulary.what}表头。请用 Excel 打开后“另存为” .xlsx，检查表头后再导入"
                )
            if header is None:
                raise HeaderNotFound(
                    f"在“{self.path.name}”工作表“{sheet}”的前{HEADER_SCAN_ROWS}行中找不到{vocabulary.what}表头：表头应包含"
                    f"{vocabulary.hint}等列名"
                )
            self.header = header
        except BaseException:
            self.close()
            raise

    @property
    def data_rows_estimate(self) -> int:
        return max(0, self.end_row + 1 - self.header.data_start)

    def column_label(self, col: int) -> str:
        text = self.header.texts[col] if col < len(self.header.texts) else ""
        key = self.header.mapping.get(col)
        return text or (self.vocabulary.headers.get(key, key) if key else f"第{col + 1}列")

    def rows(self) -> Iterator[tuple[int, list]]:
        """(Excel row number, cells) for every row below the header; vertically merged cells filled."""
        start = self.header.data_start
        merges = _Merges(self.source.merged_cell_ranges, self.col_offset, start)
        iterator = self.source.rows()
        for index, row in iterator:
            if index >= start:
                break
            if merges:
                merges.fill(index, list(row))
        else:
            return
        if merges:
            yield index + 1, merges.fill(index, row)
            for index, row in iterator:
                yield index + 1, merges.fill(index, row)
        else:
            yield index + 1, row
            for index, row in iterator:
                yield index + 1, row

    def close(self) -> None:
        if hasattr(self, "source"):
            self.source.close()
        if hasattr(self, "workbook"):
            _close(self.workbook)

    def __enter__(self) -> RosterSheet:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
