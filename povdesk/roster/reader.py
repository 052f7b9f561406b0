"""Reading roster workbooks with python-calamine: sheets, the header under title rows, merged cells, Excel row numbers."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from povdesk.errors import PovDeskError
from povdesk.roster.layout import BY_KEY, REQUIRED_COLUMNS, match_header
from povdesk.roster.slices import SlicedSheet, SliceError

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
HEADER_SCAN_ROWS = 30
MIN_HEADER_COLUMNS = 3
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: legacy .xls, or an encrypted .xlsx


class RosterReadError(PovDeskError):
    """The file cannot be read as a roster at all; nothing was imported."""


class HeaderNotFound(RosterReadError):
    """No row near the top of the sheet looks like a roster header."""


class MissingColumns(RosterReadError):
    """The header lacks columns without which rows cannot be placed."""


@dataclass
class Header:
    """Where the header is and what its columns mean. Rows are 0-based sheet rows; columns index the row lists."""

    first_row: int
    last_row: int
    data_start: int
    texts: list[str]
    mapping: dict[int, str]
    signature: str = ""
    unmapped: list[int] = field(default_factory=list)

    @property
    def excel_row(self) -> int:
        """The header's (last) row as the clerk sees it in Excel."""
        return self.last_row + 1

    def column_of(self, key: str) -> int | None:
        for col, mapped in self.mapping.items():
            if mapped == key:
                return col
        return None

    def missing_required(self) -> list[str]:
        mapped = set(self.mapping.values())
        return [key for key in REQUIRED_COLUMNS if key not in mapped]

    def with_mapping(self, overrides: dict[int, str | None]) -> Header:
        """The header with some columns mapped by hand (None: ignore the column); a field keeps one column."""
        mapping = dict(self.mapping)
        for col, key in overrides.items():
            if key is None:
                mapping.pop(col, None)
                continue
            for other, mapped in list(mapping.items()):
                if mapped == key and other != col:
                    del mapping[other]
            mapping[col] = key
        unmapped = [c for c, t in enumerate(self.texts) if t and c not in mapping]
        return Header(self.first_row, self.last_row, self.data_start, self.texts, mapping, self.signature, unmapped)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _map_row(texts: list[str]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    seen: set[str] = set()
    for col, text in enumerate(texts):
        key = match_header(text)
        if key and key not in seen:
            mapping[col] = key
            seen.add(key)
    return mapping


def _combine(top: list[str], bottom: list[str]) -> tuple[list[str], dict[int, str]]:
    """A two-row header: group captions over columns ("帮扶责任人" over "姓名", "电话") read together."""
    texts, mapping, seen = [], {}, set()
    for col in range(max(len(top), len(bottom))):
        a = top[col] if col < len(top) else ""
        b = bottom[col] if col < len(bottom) else ""
        if not b or a == b:
            candidates, shown = [a], a
        elif not a:
            candidates, shown = [b], b
        else:
            candidates, shown = [a + b, b, a], a + b
        for candidate in candidates:
            key = match_header(candidate)
            if key and key not in seen:
                mapping[col] = key
                seen.add(key)
                shown = candidate  # the name that maps: a reject report with this header imports again
                break
        texts.append(shown)
    return texts, mapping


def _is_numbering_row(row: list[str], header_columns: int) -> bool:
    """The row of column numbers (1, 2, 3 …) official tables put under the header."""
    cells = [c for c in row if c]
    return len(cells) >= max(2, header_columns // 2) and all(c.isdigit() and int(c) <= 200 for c in cells)


def detect_header(rows: list[list], *, header_row: int | None = None) -> Header | None:
    """Find the header among the first rows: the (one- or two-row) header that maps the most known columns.

    `header_row` (0-based) forces the header's last row, as the clerk chose it in the wizard.
    """
    texts = [[_cell_text(v) for v in row] for row in rows]
    best: tuple[int, int, int, list[str], dict[int, str]] | None = None
    candidates = range(len(texts)) if header_row is None else [header_row - 1, header_row]
    for i in candidates:
        if i < 0 or i >= len(texts):
            continue
        options = []
        if header_row is None or i == header_row:
            options.append((i, i, texts[i], _map_row(texts[i])))
        if i + 1 < len(texts) and (header_row is None or i + 1 == header_row):
            combined, mapping = _combine(texts[i], texts[i + 1])
            options.append((i, i + 1, combined, mapping))
        for first, last, shown, mapping in options:
            score = len(mapping)
            if best is None or score > best[0] or (score == best[0] and first == best[1] and last < best[2]):
                best = (score, first, last, shown, mapping)
    if best is None:
        return None
    score, first, last, shown, mapping = best
    keys = set(mapping.values())
    if header_row is None and (score < MIN_HEADER_COLUMNS or not keys & {"name", "id_number"}):
        return None
    data_start = last + 1
    if data_start < len(texts) and _is_numbering_row(texts[data_start], len(mapping)):
        data_start += 1
    signature = hashlib.sha1("|".join(shown).encode()).hexdigest()[:16]
    unmapped = [c for c, t in enumerate(shown) if t and c not in mapping]
    return Header(first, last, data_start, shown, mapping, signature, unmapped)


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
            for (
                r2,
                c1,
                c2,
            ) in started:
                if 0 <= c1 < len(row):
                    self.active.append((r2, c1, c2, row[c1]))
                    for c in range(c1 + 1, min(c2 + 1, len(row))):
                        row[c] = row[c1]
        return row


class _WholeSheet:
    """A worksheet calamine loads at once: small sheets, .xls, .ods (a big .xlsx is read in slices)."""

    def __init__(self, sheet: calamine.CalamineSheet) -> None:
        self.sheet = sheet
        self.start = sheet.start
        self.end_row = sheet.end[0] if sheet.end else 0
        self.merged_cell_ranges = sheet.merged_cell_ranges or []

    def head(self, n: int) -> list[list]:
        return list(itertools.islice(self.sheet.iter_rows(), n))  # every row from row 0 (python-calamine #177)

    def rows(self) -> Iterator[tuple[int, list]]:
        return enumerate(self.sheet.iter_rows())

    def close(self) -> None:
        pass


def _open_workbook(path: Path) -> calamine.CalamineWorkbook:
    if not path.exists():
        raise RosterReadError(f"找不到文件“{path}”")
    if path.is_dir():
        raise RosterReadError(f"“{path}”是文件夹，不是 Excel 文件")
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        raise RosterReadError(f"“{path.name}”不是 Excel 表格文件，请选择 .xlsx、.xls 或 .ods 文件")
    if path.stat().st_size == 0:
        raise RosterReadError(f"文件“{path.name}”是空文件（0 字节），可能未保存完整或复制失败")
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise RosterReadError(f"文件“{path.name}”设置了打开密码，请在 Excel 中取消密码后另存，再导入") from None
    except (calamine.CalamineError, ValueError) as first_error:
        with path.open("rb") as f:
            head = f.read(8)
        encrypted = b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00"  # the EncryptionInfo stream of a locked .xlsx
        if head == _CFB_MAGIC and path.suffix.lower() != ".xls" and encrypted in path.read_bytes()[: 1 << 20]:
            raise RosterReadError(
                f"文件“{path.name}”已加密（设置了打开密码），请在 Excel 中取消密码后另存，再导入"
            ) from None
        try:  # a misnamed file (.xls that is really .xlsx…): let calamine sniff the content
            with path.open("rb") as f:
                return calamine.CalamineWorkbook.from_filelike(f)
        except calamine.PasswordError:
            raise RosterReadError(f"文件“{path.name}”设置了打开密码，请在 Excel 中取消密码后另存，再导入") from None
        except (calamine.CalamineError, ValueError):
            pass
        if head.lstrip().lower().startswith((b"<", b"\xef\xbb\xbf<")):
            hint = "它其实是网页格式，请用 Excel 打开后“另存为” .xlsx 再导入"
        else:
            hint = "文件可能已损坏或不完整（例如下载、复制中断），请重新获取原文件"
        raise RosterReadError(f"无法读取“{path.name}”：不是有效的 Excel 文件，{hint}（{first_error}）") from None
    except OSError as exc:
        raise RosterReadError(f"无法打开“{path.name}”：{exc.strerror or exc}") from None


def sheet_names(path: str | os.PathLike) -> list[str]:
    """The visible worksheets of a workbook, in order."""
    workbook = _open_workbook(Path(path))
    try:
        return [m.name for m in workbook.sheets_metadata
                if m.visible == calamine.SheetVisibleEnum.Visible and m.typ == calamine.SheetTypeEnum.WorkSheet] \
            or list(workbook.sheet_names)  # fmt: skip
    finally:
        workbook.close()


class RosterSheet:
    """One worksheet of a roster: its header and its data rows with the row numbers the clerk sees in Excel."""

    def __init__(self, path: str | os.PathLike, sheet: str | None = None, *, header_row: int | None = None) -> None:
        """`header_row`: the Excel row number of the header's last row, to override the detection."""
        self.path = Path(path)
        self.workbook = _open_workbook(self.path)
        try:
            if sheet is None:
                names = [m.name for m in self.workbook.sheets_metadata
                         if m.visible == calamine.SheetVisibleEnum.Visible] or self.workbook.sheet_names  # fmt: skip
                if not names:
                    raise RosterReadError(f"文件“{self.path.name}”中没有工作表")
                sheet = names[0]
            try:
                self.source = SlicedSheet.open(self.path, sheet) or _WholeSheet(self.workbook.get_sheet_by_name(sheet))
            except calamine.WorksheetNotFound:
                raise RosterReadError(
                    f"文件“{self.path.name}”中没有名为“{sheet}”的工作表。现有工作表：{'、'.join(self.workbook.sheet_names)}"
                ) from None
            except SliceError as exc:
                raise RosterReadError(str(exc)) from None
            except calamine.CalamineError as exc:
                raise RosterReadError(f"无法读取“{self.path.name}”的工作表“{sheet}”，文件可能已损坏（{exc}）") from None
            self.name = sheet
            start = self.source.start
            if start is None:
                raise HeaderNotFound(f"“{self.path.name}”的工作表“{sheet}”是空的，没有任何数据")
            # rows are numbered from the sheet's first row but start at its first used column; merged ranges are in
            # absolute coordinates.
            self.col_offset = start[1]
            self.end_row = self.source.end_row
            top = self.source.head(HEADER_SCAN_ROWS)
            merges = _Merges(self.source.merged_cell_ranges, self.col_offset, 0)
            header_rows = [merges.fill(i, list(row)) if merges else row for i, row in enumerate(top)]
            self._fill_horizontal(header_rows)
            header = detect_header(header_rows, header_row=None if header_row is None else header_row - 1)
            if header is None:
                raise HeaderNotFound(
                    f"在“{self.path.name}”工作表“{sheet}”的前{HEADER_SCAN_ROWS}行中找不到花名册表头：表头应包含"
                    "“户编号”“姓名”“证件号码”“与户主关系”等列名"
                )
            self.header = header
        except BaseException:
            self.close()
            raise

    def _fill_horizontal(self, rows: list[list]) -> None:
        """Group captions merged across columns in the header rows apply to every column beneath them."""
        for (r1, c1), (r2, c2) in self.source.merged_cell_ranges:
            c1, c2 = c1 - self.col_offset, c2 - self.col_offset
            if c2 > c1 and r1 < len(rows):
                for r in range(r1, min(r2 + 1, len(rows))):
                    row = rows[r]
                    if 0 <= c1 < len(row):
                        for c in range(c1 + 1, min(c2 + 1, len(row))):
                            if row[c] == "":
                                row[c] = row[c1]

    @property
    def data_rows_estimate(self) -> int:
        return max(0, self.end_row + 1 - self.header.data_start)

    def column_label(self, col: int) -> str:
        text = self.header.texts[col] if col < len(self.header.texts) else ""
        key = self.header.mapping.get(col)
        return text or (BY_KEY[key].header if key else f"第{col + 1}列")

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
        with contextlib.suppress(calamine.CalamineError):  # already closed
            self.workbook.close()

    def __enter__(self) -> RosterSheet:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
