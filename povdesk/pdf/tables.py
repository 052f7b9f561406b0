"""Grid tables in the CJK font chain, shared by notice sheets and household cards."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import Table, TableStyle

from povdesk.pdf.fonts import FontChain
from povdesk.pdf.text import TextBlock

PADDING = 3  # points left and right inside a cell
HEADER_GRAY = colors.Color(0.9, 0.9, 0.9)


def cell(text: str, width: float, size: float, fonts: FontChain, align: str = "center"):
    """A plain string when it fits in the main font (fast path), else wrapped text with fallback fonts."""
    if fonts.simple(text) and fonts.width(text, size) <= width - 2 * PADDING:
        return text
    return TextBlock(text, fonts, size, leading=size * 1.25, align=align)


def style(fonts: FontChain, size: float, *, header_rows: int = 1, align: str = "CENTER") -> list[tuple]:
    commands = [
        ("FONT", (0, 0), (-1, -1), fonts.main, size, size * 1.25),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("ALIGN", (0, 0), (-1, -1), align),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_GRAY))
    return commands


def grid(
    rows: list[list[str]], widths: list[float], fonts: FontChain, size: float, *, header_rows: int = 1,
    repeat_header: bool = True, extra_style: list[tuple] = (),
) -> Table:  # fmt: skip
    """A ruled table of strings; cells too wide for their column wrap by the Chinese line-breaking rules."""
    data = [[cell(text, w, size, fonts) for text, w in zip(row, widths, strict=True)] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=header_rows if repeat_header else 0)
    table.setStyle(TableStyle([*style(fonts, size, header_rows=header_rows), *extra_style]))
    return table
