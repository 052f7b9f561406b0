"""The reject report: the rejected rows with their original columns and a reason column, ready to fix and re-import."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from povdesk.files import check_writable, writing
from povdesk.roster.cells import CellError
from povdesk.roster.importer import ImportResult

REASON_HEADER = "未导入原因"
ROW_HEADER = "原行号"


def check_report_path(path: str | os.PathLike) -> Path:
    """Before an import: the report can be written there (raises OutputFileError in Chinese otherwise)."""
    return check_writable(path, suffix=".xlsx")


def _cell(value: object) -> object:
    if value.__class__ is CellError:
        return str(value)  # "#N/A" is written back as Excel's error, as the clerk's file had it
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def write_reject_report(result: ImportResult, path: str | os.PathLike) -> Path:
    """Write the rejected rows to `path` (.xlsx): the file's header, each rejected row as it was, then the reasons.

    Every cell is written as text where it was text, so ID numbers keep their digits; the clerk corrects the rows
    and imports this file again (the extra columns are ignored on import).
    """
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "未导入的行"
    header = [*result.header_texts, REASON_HEADER, ROW_HEADER]
    ws.append(header)
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    reason_col = len(result.header_texts) + 1
    ws.cell(1, reason_col).fill = PatternFill("solid", fgColor="FCE4D6")
    reasons: dict[int, list[str]] = {}
    for issue in result.rejected:
        reasons.setdefault(issue.row, []).append(issue.reason)
    for row_no in sorted(reasons):
        raw = result.rejected_raw.get(row_no, [])
        cells = [_cell(v) for v in raw[: len(result.header_texts)]]
        cells += [None] * (len(result.header_texts) - len(cells))
        ws.append([*cells, "；".join(reasons[row_no]), row_no])
        for cell in ws[ws.max_row][: len(result.header_texts)]:
            if isinstance(cell.value, str):
                cell.number_format = "@"
        ws.cell(ws.max_row, reason_col).alignment = Alignment(wrap_text=True, vertical="top")
    for i, text in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = (
            60 if i == reason_col else max(8, min(24, len(str(text)) * 2))
        )
    ws.freeze_panes = "A2"
    info = wb.create_sheet("说明")
    info.append(["源文件", str(result.path)])
    info.append(["工作表", result.sheet])
    info.append(["表头所在行", result.header_row])
    info.append(["生成时间", dt.datetime.now().strftime("%Y-%m-%d %H:%M")])
    info.append(["未导入行数", len(reasons)])
    info.append(["处理方法", "按“未导入原因”改正各行后，可直接导入本文件（身份证号列请保持“文本”格式）"])
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 80
    with writing(path):
        wb.save(path)
    return path
