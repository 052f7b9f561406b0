"""The printed notice sheet (公示/公告) on A4: title, text, the list with its header on every page, totals,
issuing body and date with room for the seal, page numbers. Portrait unless the columns need landscape."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

from povdesk.notices.sheet import Section, Sheet
from povdesk.pdf import fonts as pdf_fonts
from povdesk.pdf.pages import SectionStart, numbered_canvas
from povdesk.pdf.tables import PADDING, cell, style
from povdesk.pdf.text import TextBlock

MARGIN = 18 * mm
TITLE_SIZE = 18
TEXT_SIZE = 12  # 小四
# The round seal (about 42 mm) is stamped over the issuing body and date; its upper part needs blank paper above them.
SEAL_SPACE = 26 * mm
RIGID = {"seq", "persons", "income", "id", "number"}  # numbers are never broken across lines


@dataclass
class Rendered:
    pages: int
    landscape: bool
    unprintable: dict[str, str]  # text → characters no font has (printed as boxes)


def unprintable(sheet: Sheet) -> dict[str, str]:
    """Names and other texts of the sheet with characters no font can print: warn before printing."""
    texts = {cell for section in sheet.sections for row in section.rows for cell in row}
    texts.update(t for section in sheet.sections for t in (section.title, section.issuer, section.text))
    return pdf_fonts.unprintable(sorted(texts))


def _natural_widths(sheet: Sheet, fonts: pdf_fonts.FontChain, size: float) -> tuple[list[float], list[float]]:
    """Per column: the width of its widest cell, and the least it can take (text columns may wrap to 4 characters,
    numbers and ID numbers may not)."""
    natural: list[float] = []
    for section in sheet.sections:
        widths = [fonts.width(header, size) / (2 if len(header) > 4 else 1) for _, header in section.columns]
        for row in section.rows:
            for i, text in enumerate(row):
                w = fonts.width(text, size)
                if w > widths[i]:
                    widths[i] = w
        natural = widths if not natural else [max(a, b) for a, b in zip(natural, widths, strict=True)]
    codes = [code for code, _ in sheet.sections[0].columns]
    four = fonts.width("四个汉字", size)
    least = [w if code in RIGID else min(w, four) for code, w in zip(codes, natural, strict=True)]
    extra = 2 * PADDING + 2
    return [w + extra for w in natural], [w + extra for w in least]


def _column_widths(sheet: Sheet, fonts: pdf_fonts.FontChain) -> tuple[list[float], bool, float]:
    """Column widths, orientation and font size: portrait A4 if the widest cells fit, else landscape; there text
    columns wrap before numbers do, and only if that is not enough the list's type gets smaller (not below 7 pt)."""
    portrait, landscape_width = A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN
    size = sheet.font_size
    natural, least = _natural_widths(sheet, fonts, size)
    if sum(natural) <= portrait:
        return [w * portrait / sum(natural) for w in natural], False, size
    frame = landscape_width
    if sum(natural) <= frame:
        return [w * frame / sum(natural) for w in natural], True, size
    if sum(least) > frame:
        size = max(7.0, size * frame / sum(least))
        natural, least = _natural_widths(sheet, fonts, size)
        if sum(least) > frame:  # still too many columns: shrink all alike and let every cell wrap
            return [w * frame / sum(least) for w in least], True, size
    # Give the room to the columns that need least of it first: fewer columns wrap, and those that do are the long ones.
    widths, room = list(least), frame - sum(least)
    for i in sorted(range(len(widths)), key=lambda i: natural[i] - least[i]):
        give = min(natural[i] - least[i], room)
        widths[i] += give
        room -= give
    return widths, True, size


def _table(section: Section, widths: list[float], size: float, fonts: pdf_fonts.FontChain) -> Table:
    header = [TextBlock(h, fonts, size, leading=size * 1.25, align="center") for _, h in section.columns]
    data = [header]
    for row in section.rows:
        data.append([cell(text, w, size, fonts) for text, w in zip(row, widths, strict=True)])
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style(fonts, size)))
    return table


def _section_story(section: Section, widths: list[float], size: float, fonts: pdf_fonts.FontChain) -> list:
    story = [
        TextBlock(section.title, fonts, TITLE_SIZE, leading=TITLE_SIZE * 1.6, align="center", space_after=4 * mm),
        TextBlock(
            section.text,
            fonts,
            TEXT_SIZE,
            leading=TEXT_SIZE * 1.75,
            align="justify",
            first_indent=2 * TEXT_SIZE,
            space_after=4 * mm,
        ),  # fmt: skip
        _table(section, widths, size, fonts),
    ]
    signature = [
        Spacer(1, 3 * mm),
        TextBlock(f"合计：{section.totals_text}", fonts, TEXT_SIZE, leading=TEXT_SIZE * 1.6),
        Spacer(1, SEAL_SPACE),
        TextBlock(section.issuer, fonts, TEXT_SIZE, leading=TEXT_SIZE * 1.75, align="right"),
        TextBlock(section.date_text, fonts, TEXT_SIZE, leading=TEXT_SIZE * 1.75, align="right"),
    ]
    story.append(KeepTogether(signature))
    return story


def render(sheet: Sheet, out: str | Path | BinaryIO) -> Rendered:
    """Write the sheet as a PDF with embedded fonts; each section starts a page and is numbered on its own."""
    fonts = pdf_fonts.chain()
    widths, is_landscape, size = _column_widths(sheet, fonts)
    pagesize = landscape(A4) if is_landscape else A4
    first = sheet.sections[0]
    doc = SimpleDocTemplate(
        str(out) if isinstance(out, Path) else out, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm, title=first.title, author=first.issuer,
        subject=f"{sheet.year} {sheet.kind} {sheet.stage}", creator="PovDesk",
    )  # fmt: skip
    story: list = []
    for number, section in enumerate(sheet.sections):
        if number:
            story.append(PageBreak())
        story.append(SectionStart(number))
        story.extend(_section_story(section, widths, size, fonts))
    canvas_class = numbered_canvas(fonts.main)
    doc.build(story, canvasmaker=canvas_class)
    return Rendered(pages=doc.page, landscape=is_landscape, unprintable=unprintable(sheet))
