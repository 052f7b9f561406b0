"""The printed wall chart (挂图作战图): "one map and N tables" on one landscape sheet (A3; A2 and A1 are the same
layout scaled up for printing shops).

Page 1: a red title over a double rule, the issuing office, scope and date, a strip of the area's key figures tinted
by their target lights, the map at the left and the tables at the right (in rows of one or two) and under the map.
The layout is chosen among candidates (type size 11 pt down to 7 pt, the map keeping half to all of the height):
the most readable one that puts every table whole on one sheet. When even the most crowded does not (a village's
household rosters, a county of forty townships) the tables continue on further pages at a readable 8 pt instead of
shrinking, with their headers repeated, and the first page keeps the map. Every cell comes from `templates.table`:
numbers are formatted there, not here; the tables are drawn in `wallchart_tables`, the map in `wallchart_map`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors as rl_colors
from reportlab.lib.pagesizes import A1, A2, A3, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    FrameBreak,
    LayoutError,
    NextPageTemplate,
    PageTemplate,
)

from povdesk.errors import RuleViolation
from povdesk.pdf import fonts as pdf_fonts
from povdesk.pdf import wallchart_map
from povdesk.pdf.text import TextBlock
from povdesk.pdf.wallchart_map import text
from povdesk.pdf.wallchart_tables import Gap, SheetTable, draw_kpi_strip, kpi_data, natural_widths, table_data
from povdesk.wallchart import geo, templates
from povdesk.wallchart.model import METRICS, Dashboard
from povdesk.wallchart.targets import Target
from povdesk.wallchart.templates import SheetTemplate

PAPERS = {"A3": A3, "A2": A2, "A1": A1}
PAGE_W, PAGE_H = landscape(A3)  # the layout's units; bigger papers scale it
MARGIN = 12 * mm
GAP = 6 * mm
TITLE_SIZE = 30
INFO_SIZE = 11
NOTE_SIZE = 8
RED = rl_colors.HexColor("#c00000")
SIZES = (11.0, 10.0, 9.0, 8.5, 8.0, 7.5, 7.0)  # table type sizes tried, largest first
OVERFLOW_SIZE = 8.0  # when nothing fits on one sheet: continue on more pages at this size
MAP_SHARE = {"county": 0.42, "township": 0.42, "village": 0.34}  # of the body's width


def _date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def title_of(dashboard: Dashboard, template: SheetTemplate) -> str:
    return template.title.replace("{area}", dashboard.total.name).replace("{year}", str(dashboard.year))


# --- the page -----------------------------------------------------------------------------------------------------


@dataclass
class Layout:
    size: float  # the tables' type size
    map_height: float  # share of the body's height the map takes
    under: tuple[int, ...] = ()  # tables placed whole under the map (the rest go at the right and flow on)
    # One-sheet layouts: the first page's frames, (x, y, width, height, tables in it), each table whole
    boxes: tuple[tuple[float, float, float, float, tuple[int, ...]], ...] = ()


class _Sheet:
    """Draws the page furniture (title band, info line, key figures, map, notes) and lays the tables out."""

    def __init__(self, dashboard: Dashboard, template: SheetTemplate, targets: Sequence[Target],
                 geo_layer: geo.Layer | None, fonts: pdf_fonts.FontChain) -> None:  # fmt: skip
        self.dashboard = dashboard
        self.template = template
        self.targets = list(targets)
        self.geo_layer = geo_layer
        self.fonts = fonts
        self.title = title_of(dashboard, template)
        self.tables = [table_data(dashboard, t, targets) for t in template.tables]
        self.kpi = kpi_data(dashboard, self.targets)
        self.unmatched: list[str] = []
        self._heights: dict[tuple, float] = {}

    # geometry (layout units: A3 landscape points)
    band_top = PAGE_H - MARGIN
    title_h = TITLE_SIZE * 1.5
    info_h = INFO_SIZE * 2.2
    kpi_h = 2 * 9 * 2.3
    footer_h = NOTE_SIZE * 4.2

    @property
    def body_top_first(self) -> float:
        return self.band_top - self.title_h - 7 - self.info_h - self.kpi_h - GAP

    @property
    def body_top_later(self) -> float:
        return self.band_top - TITLE_SIZE * 0.9 - 7 - self.info_h - GAP / 2

    @property
    def body_bottom(self) -> float:
        return MARGIN + self.footer_h

    # -- furniture
    def _band(self, canvas: Canvas, doc, first: bool) -> None:
        fonts, d = self.fonts, self.dashboard
        x0, x1 = MARGIN, PAGE_W - MARGIN
        y = self.band_top
        size = TITLE_SIZE if first else TITLE_SIZE * 0.6
        title = self.title if first else f"{self.title}（续）"
        text(canvas, fonts, PAGE_W / 2, y - size * 1.05, title, size, align="center", color=RED, bold=True)
        y -= self.title_h if first else TITLE_SIZE * 0.9
        canvas.saveState()
        canvas.setStrokeColor(RED)
        canvas.setLineWidth(2.4)
        canvas.line(x0, y, x1, y)
        canvas.setLineWidth(0.7)
        canvas.line(x0, y - 3.5, x1, y - 3.5)
        canvas.restoreState()
        y -= 7 + INFO_SIZE * 1.45
        office = d.office or "　" * 12
        left = text(canvas, fonts, x0, y, f"填报单位（盖章）：{office}", INFO_SIZE)
        right = text(canvas, fonts, x1, y, f"数据截至：{_date_text(d.as_of)}", INFO_SIZE, align="right")
        scope = "　".join(name for _, name in d.path) if d.path else d.total.name
        middle = f"统计范围：{scope}　　统计年度：{d.year}年"
        room = PAGE_W - 2 * MARGIN - 2 * max(left, right) - 4 * INFO_SIZE
        if fonts.width(middle, INFO_SIZE) > room:  # a long office name: the title already names the area
            middle = f"统计年度：{d.year}年"
        if fonts.width(middle, INFO_SIZE) <= room:
            text(canvas, fonts, PAGE_W / 2, y, middle, INFO_SIZE, align="center")
        if first and self.kpi is not None:
            draw_kpi_strip(canvas, fonts, self.kpi, MARGIN, y - INFO_SIZE * 0.9, PAGE_W - 2 * MARGIN)

    def _footer(self, canvas: Canvas, doc, first: bool) -> None:
        fonts, d = self.fonts, self.dashboard
        grey = rl_colors.Color(0.3, 0.3, 0.3)
        y = MARGIN + NOTE_SIZE * 2.6
        if first:
            rules = "；".join(self._target_note(t) for t in self.targets)
            notes = (f"说明：1. 数据截至{_date_text(d.as_of)}，来源于建档立卡信息系统；2. 贫困发生率＝未脱贫人数÷农村人口，"
                     f"“—”表示无数据；3. 底色为考核指标的红黄绿灯：{rules}。")  # fmt: skip
            lines = TextBlock(notes, fonts, NOTE_SIZE).lines_for(PAGE_W * 0.62)
            for i, (line, _, _) in enumerate(lines[:3]):
                text(canvas, fonts, MARGIN, y - i * NOTE_SIZE * 1.35, line, NOTE_SIZE, color=grey)
            sign = "负责人：　　　　　　审核人：　　　　　　制表人：　　　　　　"
            text(canvas, fonts, PAGE_W - MARGIN, y, sign, INFO_SIZE * 0.9, align="right")
        line = f"制图：PovDesk　打印日期：{_date_text(dt.date.today())}"
        text(canvas, fonts, PAGE_W - MARGIN, MARGIN, line, NOTE_SIZE, align="right", color=grey)

    def _target_note(self, target: Target) -> str:
        kind = METRICS[target.metric].kind if target.metric in METRICS else "count"
        green, amber = templates.format_value(target.green, kind), templates.format_value(target.amber, kind)
        op = "≤" if target.better == "lower" else "≥"
        if green == amber:
            return f"{target.label}（{op}{green}绿，否则红）"
        return f"{target.label}（{op}{green}绿，{op}{amber}黄，否则红）"

    # -- layout
    def map_box(self, layout: Layout) -> tuple[float, float, float, float]:
        width = (PAGE_W - 2 * MARGIN) * MAP_SHARE[self.dashboard.level]
        body_h = self.body_top_first - self.body_bottom
        h = body_h * layout.map_height
        return MARGIN, self.body_top_first - h, width, h

    def templates_for(self, layout: Layout, two_columns: bool, probe: bool) -> list[PageTemplate]:
        mx, my, mw, mh = self.map_box(layout)
        right_x = mx + mw + GAP
        body_h = self.body_top_first - self.body_bottom
        frames = [Frame(right_x, self.body_bottom, PAGE_W - MARGIN - right_x, body_h, id="right", **_NO_PAD)]
        under = my - GAP - self.body_bottom
        if layout.boxes:
            frames = [Frame(x, y, w, h, id=f"box{n}", **_NO_PAD) for n, (x, y, w, h, _) in enumerate(layout.boxes)]
        elif layout.under or under > 30 * mm:
            frame = Frame(mx, self.body_bottom, mw, under, id="under", **_NO_PAD)
            frames.insert(0 if layout.under else 1, frame)
        later_h = self.body_top_later - self.body_bottom
        full = PAGE_W - 2 * MARGIN
        if two_columns:
            half = (full - GAP) / 2
            later = [Frame(MARGIN, self.body_bottom, half, later_h, id="l", **_NO_PAD),
                     Frame(MARGIN + half + GAP, self.body_bottom, half, later_h, id="r", **_NO_PAD)]  # fmt: skip
        else:
            later = [Frame(MARGIN, self.body_bottom, full, later_h, id="full", **_NO_PAD)]

        def first_page(canvas: Canvas, doc) -> None:
            if probe:  # the furniture does not move the tables: not drawn while layouts are tried
                return
            self._band(canvas, doc, True)
            result = wallchart_map.draw(canvas, self.fonts, (mx, my, mw, mh), self.dashboard,
                                        self.template.map_metric, self.targets, self.geo_layer)  # fmt: skip
            self.unmatched = result.unmatched
            self._footer(canvas, doc, True)

        def later_page(canvas: Canvas, doc) -> None:
            if probe:
                raise _TooLong
            self._band(canvas, doc, False)
            self._footer(canvas, doc, False)

        return [PageTemplate("first", frames, onPage=first_page, autoNextPageTemplate="later"),
                PageTemplate("later", later, onPage=later_page)]  # fmt: skip

    def _height(self, i: int, size: float, width: float) -> float:
        key = (i, size, round(width, 2))
        if key not in self._heights:
            table = SheetTable(self.tables[i], self.fonts, size, fresh_height=0)
            self._heights[key] = table.wrap(width, 1e6)[1]
        return self._heights[key]

    def _fits_half(self, i: int, size: float, width: float) -> bool:
        """Whether a table can share a row of the right column without squeezing its columns."""
        return sum(natural_widths(self.tables[i], self.fonts, size)[1]) <= width

    def _shelves(self, tables: list[int], size: float, width: float, room: float) -> list | None:
        """The right column as rows of one table, or of two narrow ones side by side, in the tables' order, within
        `room` points of height: [(tables of the row, its height)], as few pairs as possible, then as low as
        possible; None when no arrangement fits."""
        half = (width - GAP) / 2
        best: tuple | None = None
        for pairs in range(2 ** max(len(tables) - 1, 0)):  # bit k: table k shares a row with table k + 1
            rows, k, ok = [], 0, True
            while k < len(tables):
                if pairs >> k & 1 and k + 1 < len(tables):
                    two = tables[k : k + 2]
                    if not all(self._fits_half(t, size, half) for t in two):
                        ok = False
                        break
                    rows.append((tuple(two), max(self._height(t, size, half) for t in two)))
                    k += 2
                else:
                    rows.append(((tables[k],), self._height(tables[k], size, width)))
                    k += 1
            if not ok:
                continue
            height = sum(h for _, h in rows) + GAP * 0.8 * max(len(rows) - 1, 0)
            key = (len(tables) - len(rows), height)
            if height <= room and (best is None or key < best[0]):
                best = (key, rows)
        return best[1] if best else None

    def plan(self, size: float, least_map: float) -> Layout | None:
        """Every table whole on the first page at this type size, the map keeping at least `least_map` of the
        body's height: some tables under the map, the others at the right in rows of one or two; the split that
        leaves the map biggest. None when they do not fit."""
        top, bottom = self.body_top_first, self.body_bottom
        body_h = top - bottom
        mx, _, map_w, _ = self.map_box(Layout(size, 1.0))
        right_x = mx + map_w + GAP
        right_w = PAGE_W - MARGIN - right_x
        room = body_h * (1 - least_map) - GAP
        n, gap = len(self.tables), GAP * 0.8
        best = None
        for mask in range(2**n):
            under = tuple(i for i in range(n) if mask >> i & 1)
            need_under = sum(self._height(i, size, map_w) for i in under) + gap * max(len(under) - 1, 0)
            if under and need_under > room:
                continue
            shelves = self._shelves([i for i in range(n) if not mask >> i & 1], size, right_w, body_h)
            if shelves is None:
                continue
            need_right = sum(h for _, h in shelves) + gap * max(len(shelves) - 1, 0)
            key = (need_under, len(under), under)  # the biggest map, then the tables in their order
            if best is None or key < best[0]:
                best = (key, under, shelves, need_right, need_under)
        if best is None:
            return None
        _, under, shelves, need_right, need_under = best
        share = 1.0 if not under else 1 - (need_under + GAP + 1) / body_h
        spread = gap + min((body_h - need_right) / max(len(shelves), 1), 12 * mm)
        boxes, y = [], top
        for tables, h in shelves:
            w = right_w if len(tables) == 1 else (right_w - GAP) / 2
            for k, i in enumerate(tables):
                boxes.append((right_x + k * (w + GAP), y - h - 1, w, h + 1, (i,)))
            y -= h + spread
        if under:
            boxes.append((mx, bottom, map_w, need_under + 1, under))
        return Layout(size, share, under, tuple(boxes))

    def small_tables(self, size: float, least_map: float = 0.5) -> tuple[tuple[int, ...], float]:
        """The tables that fit whole under a map of at least `least_map` of the body's height (in their order,
        as many as fit), and the map's share of the height that leaves."""
        _, _, width, _ = self.map_box(Layout(size, 1.0))
        body_h = self.body_top_first - self.body_bottom
        room = body_h * (1 - least_map) - GAP
        chosen, used = [], 0.0
        for i in range(len(self.tables)):
            h = self._height(i, size, width)
            if used + h + GAP * 0.8 <= room:
                chosen.append(i)
                used += h + GAP * 0.8
        return tuple(chosen), 1 - (used + GAP) / body_h

    def later_height(self) -> float:
        return self.body_top_later - self.body_bottom

    def two_columns(self, size: float) -> bool:
        """Continuation pages in two columns when every table fits half the width without squeezing."""
        half = (PAGE_W - 2 * MARGIN - GAP) / 2
        return all(sum(natural_widths(t, self.fonts, size)[1]) <= half * 0.98 for t in self.tables)

    def build(self, out, layout: Layout, scale: float, paper: tuple[float, float], *,
              probe: bool = False) -> int:  # fmt: skip
        """Lay the sheet out and write it; returns the number of pages. `probe`: stop (returning 2) as soon as a
        second page would begin, to try layouts quickly."""
        two = self.two_columns(layout.size)
        page_templates = self.templates_for(layout, two, probe)
        story: list = [NextPageTemplate("later")]
        fresh = self.later_height() - 1
        for *_, tables in layout.boxes:
            for n, i in enumerate(tables):
                story.append(SheetTable(self.tables[i], self.fonts, layout.size, fresh_height=fresh))
                story.append(FrameBreak() if n == len(tables) - 1 else Gap(GAP * 0.8))
        for n, i in enumerate(() if layout.boxes else layout.under):
            story.append(SheetTable(self.tables[i], self.fonts, layout.size, fresh_height=fresh))
            story.append(FrameBreak() if n == len(layout.under) - 1 else Gap(GAP * 0.8))
        for i in () if layout.boxes else (i for i in range(len(self.tables)) if i not in layout.under):
            story.append(SheetTable(self.tables[i], self.fonts, layout.size, fresh_height=fresh))
            story.append(Gap(GAP * 0.8))
        doc = BaseDocTemplate(out, pagesize=paper, pageTemplates=page_templates, leftMargin=0, rightMargin=0,
                              topMargin=0, bottomMargin=0, title=self.title, author=self.dashboard.office,
                              subject=f"{self.dashboard.year}年 挂图作战", creator="PovDesk")  # fmt: skip
        for template in page_templates:  # bigger papers: the same layout, scaled
            template.beforeDrawPage = _scaler(scale)
        try:
            doc.build(story, canvasmaker=_canvas_class(self.fonts))
        except _TooLong:
            return 2
        except LayoutError:
            if probe:
                return 2
            raise
        return doc.page


_NO_PAD = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, showBoundary=0)


class _TooLong(Exception):
    """A probe layout needs a second page."""


def _scaler(scale: float):
    def before(canvas: Canvas, doc) -> None:
        if scale != 1:
            canvas.scale(scale, scale)

    return before


def _canvas_class(fonts: pdf_fonts.FontChain):
    """A canvas that holds the pages back until the end to number them (第1页 共3页) when there is more than one.
    The numbers are drawn in the layout's units: each page's scaling (A2, A1) is still in force at its end."""

    class SheetCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            kwargs["initialFontName"] = fonts.main  # else every page names Helvetica, which nothing uses
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                if total > 1:
                    page = f"第{number}页 共{total}页"
                    text(self, fonts, PAGE_W - MARGIN, MARGIN + NOTE_SIZE * 1.35, page, NOTE_SIZE + 1, align="right")
                Canvas.showPage(self)
            Canvas.save(self)

    return SheetCanvas


# (type size, least share of the height the map keeps), best first: readable tables, then a big map
LAYOUTS = sorted(((size, share) for size in SIZES for share in (1.0, 0.7, 0.6, 0.5)),
                 key=lambda c: -(c[0] + 3 * c[1]))  # fmt: skip


def choose_layout(sheet: _Sheet) -> Layout:
    """The best layout that puts everything on one sheet; else the tables continue on further pages at a readable
    size, small ones under the map, the rest at the right and on."""
    # when not even the most crowded layout fits, the others are not tried
    candidates = [] if sheet.plan(min(SIZES), 0.5) is None else LAYOUTS
    for size, share in candidates:
        layout = sheet.plan(size, share)
        if layout is not None and sheet.build(io.BytesIO(), layout, 1.0, landscape(A3), probe=True) == 1:
            return layout
    under, share = sheet.small_tables(OVERFLOW_SIZE)
    if under and len(under) < len(sheet.tables):
        layout = Layout(OVERFLOW_SIZE, share, under=under)
    else:
        layout = Layout(OVERFLOW_SIZE, 1.0)
    return layout


def write(dashboard: Dashboard, template: SheetTemplate, targets: Sequence[Target], path: str | Path | BinaryIO,
          *, paper: str = "A3", geo_layer: geo.Layer | None = None) -> None:  # fmt: skip
    """Write the wall chart as a PDF with embedded fonts on landscape `paper` (A3, A2 or A1)."""
    if paper not in PAPERS:
        raise RuleViolation(f"作战图的纸张应为 A3、A2 或 A1，而不是“{paper}”")
    if dashboard.level not in MAP_SHARE:
        raise RuleViolation(f"没有“{dashboard.level}”层级的作战图")
    fonts = pdf_fonts.chain()
    sheet = _Sheet(dashboard, template, targets, geo_layer, fonts)
    layout = choose_layout(sheet)
    size = landscape(PAPERS[paper])
    scale = size[0] / PAGE_W
    out = str(path) if isinstance(path, Path) else path
    sheet.build(out, layout, scale, size)
