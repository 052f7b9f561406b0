"""Export the pairings of an area: an .xlsx with the responsibility table (帮扶责任人一览表) and the sheet the national
system's 帮扶责任人 page needs, and optionally the table as PDF.

The national sheet is keyed or uploaded into the national system, so it carries full ID numbers; household numbers,
ID numbers and phones are text cells (Excel would turn "532930197001011234" into 5.3293E+17), and dates are written
as that page shows them: 2021年07月01日. Rows are streamed from one query into two sheets at once; the files appear
whole or not at all (written beside the target, then renamed).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from povdesk.db import Database
from povdesk.errors import NotFound
from povdesk.files import check_writable, writing
from povdesk.model import Area
from povdesk.notices.workflow import date_text
from povdesk.pairing import responsibility
from povdesk.pdf import responsibility as pdf_table
from povdesk.progress import Progress
from povdesk.roster.xlsxstream import HEADER, TITLE, SheetWriter
from povdesk.stats import find_area

TABLE_SHEET = "帮扶责任人一览表"
NATIONAL_SHEET = "全国系统帮扶责任人"
# (header, width in characters, text cell): the office's table, with a title and an information row above it
TABLE_COLUMNS = (
    ("序号", 6, False),
    ("乡镇", 10, False),
    ("行政村", 10, False),
    ("户编号", 20, True),
    ("户主姓名", 10, False),
    ("户主身份证号", 21, True),
    ("家庭人口", 6, False),
    ("帮扶责任人", 10, False),
    ("帮扶单位", 24, False),
    ("职务", 14, False),
    ("职级", 10, False),
    ("联系电话", 14, True),
    ("帮扶开始时间", 12, False),
)
TABLE_HEADER_ROW = 3
# The national system's 帮扶责任人 page (2018 UI): header on the first row, every cell text
NATIONAL_COLUMNS = (
    ("户编号", 20),
    ("户主姓名", 10),
    ("户主证件号码", 21),
    ("帮扶责任人姓名", 12),
    ("帮扶责任人证件号码", 21),
    ("帮扶单位", 24),
    ("联系电话", 14),
    ("帮扶开始时间", 15),
    ("帮扶结束时间", 15),
)


def national_date(day: dt.date | None) -> str:
    """帮扶开始/结束时间 as the national system writes them: 2021年07月01日."""
    return f"{day.year:04d}年{day.month:02d}月{day.day:02d}日" if day else ""


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    scope: str  # the area's name, or 全部
    households: int
    paired: int
    pdf: Path | None = None
    pdf_pages: int = 0
    unprintable: dict[str, str] = field(default_factory=dict)  # texts the PDF prints with boxes

    @property
    def unpaired(self) -> int:
        return self.households - self.paired

    def text(self) -> str:
        """One line for the clerk: what was written where."""
        text = (
            f"已导出{self.scope}帮扶责任人一览表：{self.households} 户，已落实帮扶责任人 {self.paired} 户，"
            f"未落实 {self.unpaired} 户 → {self.path}"
        )
        if self.pdf is not None:
            text += f"；PDF {self.pdf_pages} 页 → {self.pdf}"
        if self.unprintable:
            text += f"（PDF中有 {len(self.unprintable)} 处生僻字打印为方框，请手工补写）"
        return text


def _area(session: Session, area: str | int | Area | None) -> Area | None:
    if area is None or isinstance(area, str):
        return find_area(session, area) if area else None
    found = session.get(Area, area.id if isinstance(area, Area) else area)
    if found is None:
        raise NotFound("要导出的区划不存在，可能已被删除")
    return found


@contextmanager
def _replacing(path: Path, suffix: str) -> Iterator[Path]:
    """A temporary file beside `path`; the caller renames it over `path` once written. Removed on failure."""
    with writing(path):
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".povdesk-export-", suffix=suffix)
        os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _publish(temporary: Path, target: Path) -> None:
    """Rename the written file over the target. mkstemp made it readable by its owner only; give it the
    permissions of the file it replaces, or those of a new file (rw-r--r--)."""
    with writing(target):
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(temporary, target)


def _table_cells(number: int, row: responsibility.Row) -> list:
    return [
        number,
        row.township,
        row.village,
        row.household_number,
        row.head,
        row.head_id_number,
        row.members,
        row.helper,
        row.unit,
        row.position,
        row.rank_label,
        row.phone,
        row.start_on,
    ]


def _national_cells(row: responsibility.Row) -> list[str]:
    return [
        row.household_number,
        row.head,
        row.head_id_number,
        row.helper,
        row.helper_id_number,
        row.unit,
        row.phone,
        national_date(row.start_on),
        national_date(row.end_on),
    ]


def _join_sheets(parts: list[tuple[Path, str]], out: Path) -> None:
    """One workbook from single-sheet workbooks written by SheetWriter (same styles): the first file with the
    others' sheets added after its own, in order."""
    first, _ = parts[0]
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        names = source.namelist()
        texts = {name: source.read(name).decode() for name in names if not name.startswith("xl/worksheets/")}
        for n, (_, sheet_name) in enumerate(parts[1:], start=2):
            part = f"sheet{n}.xml"
            texts["[Content_Types].xml"] = texts["[Content_Types].xml"].replace(
                "</Types>",
                f'<Override PartName="/xl/worksheets/{part}" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
            )
            name = sheet_name.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            texts["xl/workbook.xml"] = texts["xl/workbook.xml"].replace(
                "</sheets>", f'<sheet name="{name}" sheetId="{n}" r:id="rIdSheet{n}"/></sheets>'
            )
            texts["xl/_rels/workbook.xml.rels"] = texts["xl/_rels/workbook.xml.rels"].replace(
                "</Relationships>",
                f'<Relationship Id="rIdSheet{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/worksheet" Target="worksheets/{part}"/></Relationships>',
            )
        for name in names:
            if name in texts:
                target.writestr(name, texts[name])
            else:
                _copy(source, name, target, name)
        for n, (path, _) in enumerate(parts[1:], start=2):
            with zipfile.ZipFile(path) as other:
                _copy(other, "xl/worksheets/sheet1.xml", target, f"xl/worksheets/sheet{n}.xml")


def _copy(source: zipfile.ZipFile, name: str, target: zipfile.ZipFile, as_name: str) -> None:
    """Copy a part under another name; ZIP64 declared only for a part that needs it (as SheetWriter does)."""
    big = source.getinfo(name).file_size * 1.05 > zipfile.ZIP64_LIMIT
    with source.open(name) as reading, target.open(as_name, "w", force_zip64=big) as written:
        while chunk := reading.read(1 << 20):
            written.write(chunk)


def _write_sheets(
    rows: Iterator[responsibility.Row],
    files: tuple[Path, Path],
    *,
    scope: str,
    counts: tuple[int, int],
    today: dt.date,
    progress: Progress,
    keep: list[responsibility.Row] | None,
) -> tuple[int, int]:
    """Both sheets, each into its own file, in one pass over the rows; returns (households, paired) written.
    `keep` collects the rows for the PDF."""
    households, with_helper = counts
    table_columns = [i for i, (_, _, text) in enumerate(TABLE_COLUMNS) if text]
    table_sheet = dict(freeze_rows=TABLE_HEADER_ROW, text_columns=table_columns, rows=households + TABLE_HEADER_ROW)
    national_sheet = dict(freeze_rows=1, text_columns=range(len(NATIONAL_COLUMNS)), rows=households + 1)
    written = paired = 0
    with (
        SheetWriter(files[0], TABLE_SHEET, [w for _, w, _ in TABLE_COLUMNS], **table_sheet) as table,
        SheetWriter(files[1], NATIONAL_SHEET, [w for _, w in NATIONAL_COLUMNS], **national_sheet) as national,
    ):
        last = len(TABLE_COLUMNS) - 1
        info = f"导出日期：{date_text(today)}　共 {households} 户，已落实帮扶责任人 {with_helper} 户，"
        table.write([f"{scope}帮扶责任人一览表"], TITLE, merge_to=last)
        table.write([f"{info}未落实 {households - with_helper} 户"], merge_to=last)
        table.write([header for header, _, _ in TABLE_COLUMNS], HEADER)
        national.write([header for header, _ in NATIONAL_COLUMNS], HEADER)
        progress.start(households, "正在导出帮扶责任人……")
        for row in rows:
            written += 1
            paired += row.paired
            table.write(_table_cells(written, row))
            national.write(_national_cells(row))
            if keep is not None:
                keep.append(row)
            if written % 500 == 0:
                progress.update(written)
    return written, paired


def export_pairs(
    db: Database,
    out_xlsx: str | os.PathLike,
    *,
    area: str | int | Area | None = None,
    pdf: str | os.PathLike | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ExportSummary:
    """Write the responsibility table and the national 帮扶责任人 sheet of an area (a name, an id or an Area; None:
    the whole database) to `out_xlsx`, and the table as PDF to `pdf` (a township or a village only)."""
    progress = progress or Progress()
    today = today or dt.date.today()
    path = check_writable(out_xlsx, suffix=".xlsx")
    pdf_path = check_writable(pdf, suffix=".pdf") if pdf is not None else None
    with db.session() as session, ExitStack() as temporary:
        chosen = _area(session, area)
        if pdf_path is not None:
            pdf_table.check_area(chosen)  # refused before any work is done
        scope = chosen.name if chosen is not None else "全部"
        kept: list[responsibility.Row] | None = [] if pdf_path is not None else None  # a township's rows at most
        table_file, national_file, joined = (temporary.enter_context(_replacing(path, ".xlsx")) for _ in range(3))
        with writing(path):
            households, paired = _write_sheets(
                responsibility.stream(session, chosen),
                (table_file, national_file),
                scope=scope,
                today=today,
                counts=responsibility.count(session, chosen),
                progress=progress,
                keep=kept,
            )
            progress.update(households, label="正在保存Excel文件……")
            _join_sheets([(table_file, TABLE_SHEET), (national_file, NATIONAL_SHEET)], joined)
        pages, unprintable = 0, {}
        if pdf_path is not None:
            pdf_file = temporary.enter_context(_replacing(pdf_path, ".pdf"))
            title = f"{scope}帮扶责任人一览表"
            with writing(pdf_path):
                rendered = pdf_table.render(kept, pdf_file, title=title, today=today, progress=progress)
            pages, unprintable = rendered.pages, rendered.unprintable
            _publish(pdf_file, pdf_path)
        _publish(joined, path)
    return ExportSummary(path, scope, households, paired, pdf_path, pages, unprintable)
