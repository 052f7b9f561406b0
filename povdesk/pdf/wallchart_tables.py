"""The wall chart sheet's tables: each template table as text with its tints, its columns fitted to a frame, drawn
as a ruled reportlab flowable that continues across frames and pages; and the strip of key figures."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors as rl_colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Table, TableStyle

from povdesk import idnumber
from povdesk.pdf import fonts as pdf_fonts
from povdesk.pdf.tables import HEADER_GRAY, PADDING, cell
from povdesk.pdf.text import TextBlock
from povdesk.pdf.wallchart_map import text
from povdesk.wallchart import templates
from povdesk.wallchart.model import HOUSEHOLD_COLUMNS, METRICS, Dashboard
from povdesk.wallchart.targets import Target
from povdesk.wallchart.templates import Column, TableTemplate

INK = rl_colors.Color(0.1, 0.1, 0.1)
TOTAL_GRAY = rl_colors.Color(0.95, 0.95, 0.95)
TINTS = {"green": rl_colors.HexColor("#d5efdc"), "amber": rl_colors.HexColor("#fde9c4"),
         "red": rl_colors.HexColor("#f8d3cf")}  # fmt: skip
KPI_KEYS = {
    "county": ("households", "persons", "poor_households", "poor_persons", "incidence", "exited_households",
               "units", "cadres", "pairing_coverage", "guarantee_short_households", "monitored_households",
               "risk_elimination_rate"),
    "township": ("households", "persons", "poor_households", "poor_persons", "incidence", "exited_households",
                 "units", "cadres", "pairing_coverage", "guarantee_short_households", "monitored_households",
                 "risk_elimination_rate"),
    "village": ("households", "persons", "poor_households", "poor_persons", "incidence", "exited_households",
                "paired_households", "pairing_coverage", "guarantee_short_households", "monitored_households",
                "risk_elimination_rate"),
}  # fmt: skip
# Household columns whose text is long and reads better from the left, wrapped
LEFT_KEYS = {"measures", "helper_unit", "cause"}
TEXT_KINDS = {"text"}
_ID_NUMBER = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?!\d)")


def _safe(text: str) -> str:
    """Never print a full ID number, whatever a template puts in a cell."""
    return _ID_NUMBER.sub(lambda m: idnumber.mask(m.group(1)), text) if len(text) >= 15 else text


@dataclass
class TableData:
    """One table of the sheet as text, with what the layout needs to know about its columns."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    total: list[str] | None
    rigid: list[bool]  # numbers: never wrapped
    left: list[bool]  # long texts: left-aligned
    tints: dict[tuple[int, int], rl_colors.Color]  # (row index in rows, or -1 for the total; column) → fill


def _kind(key: str) -> str:
    metric = METRICS.get(key) or HOUSEHOLD_COLUMNS.get(key)
    if metric is not None:
        return metric.kind
    return "text" if key in (templates.NAME_KEY, "code") else "count"


def table_data(dashboard: Dashboard, template: TableTemplate, targets: Sequence[Target]) -> TableData:
    headers, rows, total = templates.table(dashboard, template)
    if template.rows == "children":
        columns: list[tuple[str, Column]] = templates.expand(template, dashboard.years)
    else:
        columns = [(c.key, c) for c in template.columns]
    keys = [key for key, _ in columns]
    rigid = [_kind(c.key) not in TEXT_KINDS or c.key in ("number", "plan_exit_year", "year_exited") for _, c in columns]
    left = [c.key in LEFT_KEYS for _, c in columns]
    tints: dict[tuple[int, int], rl_colors.Color] = {}
    if template.rows == "children":
        by_metric = {t.metric: t.key for t in targets}
        for j, key in enumerate(keys):
            target_key = by_metric.get(key)
            if target_key is None:
                continue
            for i, child in enumerate(dashboard.children):
                light = child.lights.get(target_key)
                if light:
                    tints[(i, j)] = TINTS[light]
            light = dashboard.total.lights.get(target_key)
            if light:
                tints[(-1, j)] = TINTS[light]
    rows = [[_safe(c) for c in row] for row in rows]
    return TableData(template.title, headers, rows, total, rigid, left, tints)


def natural_widths(data: TableData, fonts: pdf_fonts.FontChain, size: float) -> tuple[list[float], list[float]]:
    """Per column: the width of its widest cell (headers may take two or three lines), and the least it can take
    (texts wrap to four characters, numbers never)."""
    extra = 2 * PADDING + 2
    natural = []
    for j, header in enumerate(data.headers):
        lines = 1 if len(header) <= 4 else 2 if len(header) <= 10 else 3
        widest = fonts.width(header, size) / lines
        for row in (*data.rows, *([data.total] if data.total else [])):
            widest = max(widest, fonts.width(row[j], size))
        natural.append(widest + extra)
    four = fonts.width("四个汉字", size) + extra
    least = [w if data.rigid[j] else min(w, four) for j, w in enumerate(natural)]
    return natural, least


def column_widths(data: TableData, fonts: pdf_fonts.FontChain, size: float, width: float) -> list[float]:
    """Widths filling `width`: spare room shared out evenly; when short, text columns wrap first (those needing
    least first, so few of them wrap), and only then every column narrows alike."""
    natural, least = natural_widths(data, fonts, size)
    if sum(natural) <= width:
        spare = (width - sum(natural)) / len(natural)
        return [w + spare for w in natural]
    if sum(least) > width:
        return [w * width / sum(least) for w in least]
    widths, room = list(least), width - sum(least)
    for j in sorted(range(len(widths)), key=lambda j: natural[j] - least[j]):
        give = min(natural[j] - least[j], room)
        widths[j] += give
        room -= give
    return widths


class SheetTable(Flowable):
    """A captioned, ruled table that lays its columns out for the frame it lands in and, when it has to continue in
    another frame or on another page, carries on there with its header repeated and "（续）" in the caption."""

    def __init__(self, data: TableData, fonts: pdf_fonts.FontChain, size: float, *, fresh_height: float,
                 first: int = 0, count: int | None = None, with_total: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.data = data
        self.fonts = fonts
        self.size = size
        self.fresh_height = fresh_height  # a whole frame of a later page: a table smaller than that is not split
        self.first = first  # the first of data.rows shown here
        self.count = len(data.rows) - first if count is None else count
        self.with_total = with_total and data.total is not None
        self.caption_size = size + 2.5
        self.caption_h = self.caption_size * 1.9
        self._table: Table | None = None
        self._for_width = -1.0

    @property
    def continued(self) -> bool:
        return self.first > 0

    def _rows(self) -> list[list[str]]:
        return self.data.rows[self.first : self.first + self.count]

    def _build(self, width: float) -> Table:
        if self._table is not None and self._for_width == width:
            return self._table
        data, fonts, size = self.data, self.fonts, self.size
        widths = column_widths(data, fonts, size, width)
        header = [TextBlock(h, fonts, size, leading=size * 1.25, align="center") for h in data.headers]
        body = [header]
        if self.with_total:
            body.append([cell(t, w, size, fonts) for t, w in zip(data.total, widths, strict=True)])
        for row in self._rows():
            body.append([cell(t, w, size, fonts, "left" if data.left[j] else "center")
                         for j, (t, w) in enumerate(zip(row, widths, strict=True))])  # fmt: skip
        table = Table(body, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle(self._style()))
        self._table, self._for_width = table, width
        return table

    def _style(self) -> list[tuple]:
        size, top = self.size, 2 if self.with_total else 1
        commands: list[tuple] = [
            ("FONT", (0, 0), (-1, -1), self.fonts.main, size, size * 1.25),
            ("GRID", (0, 0), (-1, -1), 0.5, INK),
            ("BOX", (0, 0), (-1, -1), 1.3, INK),
            ("LINEBELOW", (0, 0), (-1, 0), 1.0, INK),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 2.2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.0),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_GRAY),
        ]
        commands += [("ALIGN", (j, 1), (j, -1), "LEFT") for j, left in enumerate(self.data.left) if left]
        if self.with_total:
            commands.append(("BACKGROUND", (0, 1), (-1, 1), TOTAL_GRAY))
        for (i, j), tint in self.data.tints.items():
            if i == -1:
                if self.with_total:
                    commands.append(("BACKGROUND", (j, 1), (j, 1), tint))
            elif self.first <= i < self.first + self.count:
                r = i - self.first + top
                commands.append(("BACKGROUND", (j, r), (j, r), tint))
        return commands

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        table = self._build(avail_width)
        _, th = table.wrap(avail_width, avail_height)
        self.width, self.height = avail_width, self.caption_h + th
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        if self.height <= avail_height:
            return [self]
        again = getattr(self, "_postponed", False)  # moved on once already: must split here (reportlab's rule)
        if self.height <= self.fresh_height and self.count <= 15 and not again:
            return []  # a small table goes whole into the next frame
        heights = self._table._rowHeights
        top = 2 if self.with_total else 1
        room = avail_height - self.caption_h - sum(heights[:top])
        fit = 0
        for h in heights[top:]:
            if h > room:
                break
            room -= h
            fit += 1
        if fit >= self.count or fit < (1 if again else min(3, self.count)):
            return []
        kw = dict(fresh_height=self.fresh_height)
        head = SheetTable(self.data, self.fonts, self.size, first=self.first, count=fit,
                          with_total=self.with_total, **kw)  # fmt: skip
        tail = SheetTable(self.data, self.fonts, self.size, first=self.first + fit, count=self.count - fit,
                          with_total=False, **kw)  # fmt: skip
        return [head, tail]

    def draw(self) -> None:
        caption = self.data.title + ("（续）" if self.continued else "")
        text(self.canv, self.fonts, self.width / 2, self.height - self.caption_size * 1.35, caption,
             self.caption_size, align="center", bold=True)  # fmt: skip
        self._table.drawOn(self.canv, 0, 0)


class Gap(Flowable):
    """Space between tables that disappears at the top of a frame."""

    def __init__(self, height: float) -> None:
        super().__init__()
        self.gap = height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return avail_width, min(self.gap, avail_height)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        pass


def kpi_data(dashboard: Dashboard, targets: Sequence[Target]) -> TableData | None:
    """The area's key figures of its level as a one-row table, tinted by their target lights; None without a total."""
    keys = [k for k in KPI_KEYS[dashboard.level] if k in METRICS]
    template = TableTemplate("kpi", "", "children", tuple(Column(k, METRICS[k].label) for k in keys))
    headers, _, total = templates.table(dashboard, template)
    if total is None:
        return None
    tints = {}
    by_metric = {t.metric: t.key for t in targets}
    for j, key in enumerate(keys):
        light = dashboard.total.lights.get(by_metric.get(key, ""))
        if light:
            tints[(0, j)] = TINTS[light]
    return TableData("", headers, [total], None, [True] * len(keys), [False] * len(keys), tints)


def draw_kpi_strip(
    canvas: Canvas, fonts: pdf_fonts.FontChain, data: TableData, x: float, top: float, width: float
) -> None:
    """The area's key figures in one ruled row, tinted by their target lights, with a label cell at the left."""
    size = 9
    label_w = 22 * mm
    widths = [(width - label_w) / len(data.headers)] * len(data.headers)
    header = [TextBlock(h, fonts, size, leading=size * 1.2, align="center") for h in data.headers]
    body = [["主要指标", *header], ["", *data.rows[0]]]
    table = Table(body, colWidths=[label_w, *widths], rowHeights=[size * 2.5, size * 2.1])
    style = [
        ("FONT", (0, 0), (-1, -1), fonts.main, size + 1),
        ("GRID", (0, 0), (-1, -1), 0.5, INK),
        ("BOX", (0, 0), (-1, -1), 1.3, INK),
        ("SPAN", (0, 0), (0, 1)),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_GRAY),
        ("BACKGROUND", (0, 0), (0, 1), HEADER_GRAY),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    style += [("BACKGROUND", (j + 1, 1), (j + 1, 1), tint) for (_, j), tint in data.tints.items()]
    table.setStyle(TableStyle(style))
    _, h = table.wrap(width, 100)
    table.drawOn(canvas, x, top - h)
