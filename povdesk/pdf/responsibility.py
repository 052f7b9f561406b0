"""The responsibility table (帮扶责任人一览表) as PDF: A4 landscape, one section per village, each with its title, the
issuing office and date, the list with its header on every page and its own page numbers. Head ID numbers are
masked: the sheet is posted in the village and handed to the helpers.

A township's table is one section per village rather than one list with a village column: each village's sheet is
posted and filed in that village, the title names it ("梨园村帮扶责任人一览表"), and its pages are numbered on
their own (第1页 共3页), so the file can be printed once and the sheets handed out village by village.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Table, TableStyle

from povdesk import idnumber
from povdesk.errors import RuleViolation
from povdesk.model import Area
from povdesk.notices.workflow import date_text
from povdesk.pairing.responsibility import Row, by_village
from povdesk.pdf import fonts as pdf_fonts
from povdesk.pdf.pages import SectionStart, numbered_canvas
from povdesk.pdf.tables import grid
from povdesk.pdf.text import TextBlock
from povdesk.progress import Progress

MARGIN = 15 * mm
SIZE = 10
TEXT_SIZE = 11
TITLE_SIZE = 18
ROWS_PER_PAGE = 24  # about, for the progress bar while pages are laid out
UNPAIRED = colors.Color(1, 0.93, 0.8)  # rows still without a helper; prints as a light grey
# (header, share of the width): a 16-digit household number, a masked ID and a mobile number on one line
COLUMNS = (
    ("序号", 0.04),
    ("户编号", 0.13),
    ("户主姓名", 0.07),
    ("户主身份证号", 0.14),
    ("家庭人口", 0.065),
    ("帮扶责任人", 0.075),
    ("帮扶单位", 0.193),  # 14 characters on a line: 县农业农村局（县乡村振兴局）
    ("职务", 0.09),
    ("联系电话", 0.09),
    ("帮扶开始时间", 0.107),  # 2021年12月31日
)


@dataclass(frozen=True)
class Rendered:
    pages: int
    sections: int  # villages
    unprintable: dict[str, str]  # text → characters no font has (printed as boxes)


def can_print(level: str | None) -> bool:
    """Whether the PDF is made for an area of this level (None: the whole database). It is made for a township or
    a village: a county's would run to thousands of pages (120,000 households: about 5,300, 1.5 minutes to lay
    out) that nobody posts or files as one document; the county's Excel has every row."""
    return level not in (None, "county")


def check_area(area: Area | None) -> None:
    """Refuse, in the clerk's words, a PDF for the whole county (see can_print)."""
    if not can_print(area.level if area is not None else None):
        scope = "全县" if area is None else area.name
        raise RuleViolation(
            f"帮扶责任人一览表的PDF按乡镇或村打印，{scope}的一览表页数太多，不宜打印成一个文件。"
            "请选择一个乡镇或村导出PDF；全县的一览表请导出为Excel。"
        )


def _cells(number: int, row: Row) -> list[str]:
    return [
        str(number),
        row.household_number,
        row.head,
        idnumber.mask(row.head_id_number),
        str(row.members or ""),
        row.helper,
        row.unit,
        row.position,
        row.phone,
        date_text(row.start_on) if row.start_on else "",
    ]


def _heading(left: str, right: str, fonts: pdf_fonts.FontChain, width: float) -> Table:
    """One line with text at the left and at the right (issuing office … date)."""
    line = [TextBlock(left, fonts, TEXT_SIZE, align="left"), TextBlock(right, fonts, TEXT_SIZE, align="right")]
    table = Table([line], colWidths=[width * 0.6, width * 0.4])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.main, TEXT_SIZE),  # else the cells name Helvetica
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
            ]
        )
    )
    return table


def _section(rows: list[Row], issuer: str | None, today: dt.date, fonts, width: float) -> list:
    first = rows[0]
    paired = sum(1 for r in rows if r.paired)
    totals = f"共 {len(rows)} 户，已落实帮扶责任人 {paired} 户"
    if paired < len(rows):
        totals += f"，未落实 {len(rows) - paired} 户（底色标出）"
    issuer = issuer if issuer is not None else (f"{first.township}人民政府" if first.township else "")
    widths = [width * share for _, share in COLUMNS]
    table = [[header for header, _ in COLUMNS]]
    table += [_cells(i, row) for i, row in enumerate(rows, start=1)]
    gaps = [("BACKGROUND", (0, i), (-1, i), UNPAIRED) for i, row in enumerate(rows, start=1) if not row.paired]
    return [
        TextBlock(f"{first.village}帮扶责任人一览表", fonts, TITLE_SIZE, leading=TITLE_SIZE * 1.6, align="center"),
        _heading(f"填报单位（盖章）：{issuer}", f"填报日期：{date_text(today)}", fonts, width),
        _heading(f"乡镇：{first.township}　　行政村：{first.village}", totals, fonts, width),
        grid(table, widths, fonts, SIZE, extra_style=gaps),
    ]


def render(
    table: list[Row],
    out: str | Path | BinaryIO,
    *,
    title: str,
    issuer: str | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Rendered:
    """Write the table's rows (responsibility.rows of a township or village) as a PDF with one section per village.
    `issuer`: the office on the sheet; by default the township's government ("梨园乡人民政府")."""
    if not table:
        raise RuleViolation(f"没有建档立卡户，无法生成{title}")
    progress = progress or Progress()
    today = today or dt.date.today()
    fonts = pdf_fonts.chain()
    width = landscape(A4)[0] - 2 * MARGIN
    villages = by_village(table)
    progress.start(len(villages), "正在排版帮扶责任人一览表……")
    story: list = []
    for number, rows in enumerate(villages):
        if number:
            story.append(PageBreak())
        story.append(SectionStart(number))
        story.extend(_section(rows, issuer, today, fonts, width))
        progress.update(number + 1)
    estimate = len(villages) + len(table) // ROWS_PER_PAGE

    def laid_out(canvas, doc) -> None:  # called once per page: report, and stop here if the clerk cancels
        progress.update(min(doc.page, estimate), label=f"正在生成PDF：第{doc.page}页")

    doc = SimpleDocTemplate(
        str(out) if isinstance(out, Path) else out,
        pagesize=landscape(A4),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author=issuer or "",
        creator="PovDesk",
    )
    progress.start(estimate, "正在生成PDF……")
    doc.build(story, onFirstPage=laid_out, onLaterPages=laid_out, canvasmaker=numbered_canvas(fonts.main))
    texts = {text for row in table for text in (row.head, row.helper, row.unit, row.position, row.village)}
    return Rendered(doc.page, len(villages), pdf_fonts.unprintable(sorted(texts)))
