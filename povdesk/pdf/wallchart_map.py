"""The map of a printed wall chart: the schematic tiles (villages grouped by township) or, when the office loaded
village boundaries, the real shapes; filled by the sheet's indicator, with names, legend, north arrow and notes.
Drawn straight on the reportlab canvas inside a box (points, y upwards)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors as rl_colors
from reportlab.pdfgen.canvas import Canvas

from povdesk.pdf.fonts import FontChain
from povdesk.pdf.tables import HEADER_GRAY
from povdesk.wallchart import colors, geo
from povdesk.wallchart.model import METRICS, AreaRow, Dashboard
from povdesk.wallchart.targets import Target
from povdesk.wallchart.templates import format_value

INK = rl_colors.Color(0.1, 0.1, 0.1)
FRAME = rl_colors.Color(0.25, 0.25, 0.25)
BLOCK_LINE = rl_colors.Color(0.35, 0.35, 0.35)
RED = rl_colors.HexColor("#c00000")
CAPTION_SIZE = 11
LEGEND_SIZE = 8.5
TILE_TALLEST, TILE_WIDEST = 0.8, 2.2  # height / width of a tile at most, width / height at most
# points: smaller names are not legible even up close (A2/A1 prints double them); they are left out, the tables name
# every area
MIN_LABEL = 3.0


@dataclass
class MapResult:
    unmatched: list[str]  # areas of the chart without a shape in the GeoJSON layer (drawn nowhere)
    drawn: int  # areas drawn


def text(canvas: Canvas, fonts: FontChain, x: float, y: float, s: str, size: float, *, align: str = "left",
         color=INK, bold: bool = False) -> float:  # fmt: skip
    """Draw `s` in the font chain at baseline y; returns its width. `bold` strokes the outline (the CJK font has
    no bold face)."""
    width = fonts.width(s, size)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    canvas.saveState()
    canvas.setFillColor(color)
    if bold:
        canvas.setStrokeColor(color)
        canvas.setLineWidth(size / 28)
    for font, part in fonts.runs(s):
        t = canvas.beginText(x, y)
        t.setFont(font, size)
        if bold:
            t.setTextRenderMode(2)
        t.textOut(part)
        canvas.drawText(t)
        x += fonts.width(part, size)
    canvas.restoreState()
    return width


def _ink_on(fill: str):
    """Black or white text, whichever reads better on the fill."""
    c = rl_colors.HexColor(fill)
    luminance = 0.299 * c.red + 0.587 * c.green + 0.114 * c.blue
    return rl_colors.white if luminance < 0.55 else INK


def _label(canvas: Canvas, fonts: FontChain, cx: float, cy: float, w: float, h: float, name: str, value: str,
           fill: str) -> bool:  # fmt: skip
    """The area's name (and the value under it when there is room) centred at (cx, cy) within w × h."""
    if not name:
        return False
    ink = _ink_on(fill)
    per_point = max(fonts.width(name, 1), 1e-6)
    size = min(13.0, h * 0.3, (w * 0.9) / per_point)
    if size < 6:  # a small tile: the name alone, as large as the tile allows
        size = min(h * 0.6, (w * 0.92) / per_point)
    lines = [name]
    if size < 6.5 and len(name) >= 4:  # two lines of half the name read better than one tiny line
        half = (len(name) + 1) // 2
        two = [name[:half], name[half:]]
        size2 = min(13.0, h * 0.22, (w * 0.9) / max(fonts.width(two[0], 1), 1e-6))
        if size2 > size * 1.25:
            lines, size = two, size2
    if size < MIN_LABEL:
        return False
    value_size = min(size * 0.85, 10.0)
    show_value = bool(value) and h >= (len(lines) * size + value_size) * 1.3 and fonts.width(value, value_size) < w
    block = len(lines) * size * 1.15 + (value_size * 1.15 if show_value else 0)
    y = cy + block / 2 - size * 0.9
    for line in lines:
        text(canvas, fonts, cx, y, line, size, align="center", color=ink)
        y -= size * 1.15
    if show_value:
        text(canvas, fonts, cx, y + size * 0.1, value, value_size, align="center", color=ink)
    return True


def _extent(ring) -> float:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (max(xs) - min(xs)) * (max(ys) - min(ys))


def _values(dashboard: Dashboard, areas: Sequence[AreaRow], metric: str) -> list:
    return [a.values.get(metric) for a in areas]


def _tile_areas(dashboard: Dashboard) -> list[AreaRow]:
    """The areas drawn and coloured: a village sheet's groups, not the village around them."""
    areas = list(dashboard.map_areas)
    if dashboard.level == "village" and len(areas) > 1:
        inner = [a for a in areas if a.level != "village"]
        return inner or areas
    return areas


def map_title(dashboard: Dashboard, metric: str) -> str:
    label = METRICS[metric].label if metric in METRICS else metric
    noun = "各村"
    if dashboard.level == "village":  # its groups, or the village alone
        noun = "各村民小组" if len(dashboard.map_areas) > 1 else ""
    return f"{dashboard.total.name}{noun}{label}分布图"


def legend_height(entries: int, width: float) -> float:
    per_row = max(1, int(width // 95))
    rows = -(-entries // per_row)
    return rows * LEGEND_SIZE * 1.9 + LEGEND_SIZE * 2.2


def _legend(canvas: Canvas, fonts: FontChain, x: float, y: float, w: float, entries: list[tuple[str, str]],
            title: str) -> None:  # fmt: skip
    """Swatches in rows from (x, y) downwards (y = top)."""
    text(canvas, fonts, x, y - LEGEND_SIZE, f"图例：{title}", LEGEND_SIZE, bold=True)
    per_row = max(1, int(w // 95))
    col_w = w / per_row
    top = y - LEGEND_SIZE * 2.2
    for i, (fill, label) in enumerate(entries):
        cx = x + (i % per_row) * col_w
        cy = top - (i // per_row) * LEGEND_SIZE * 1.9
        canvas.setFillColor(rl_colors.HexColor(fill))
        canvas.setStrokeColor(FRAME)
        canvas.setLineWidth(0.5)
        canvas.rect(cx, cy - LEGEND_SIZE * 0.95, LEGEND_SIZE * 2.2, LEGEND_SIZE * 1.2, fill=1, stroke=1)
        text(canvas, fonts, cx + LEGEND_SIZE * 2.8, cy - LEGEND_SIZE * 0.75, label, LEGEND_SIZE)


def _north(canvas: Canvas, fonts: FontChain, x: float, y: float, size: float = 14) -> None:
    """A north arrow with its top at (x, y)."""
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    p = canvas.beginPath()
    p.moveTo(x, y - size * 0.9)
    p.lineTo(x - size * 0.35, y - size * 2.2)
    p.lineTo(x, y - size * 1.85)
    p.close()
    canvas.drawPath(p, fill=1, stroke=1)
    p = canvas.beginPath()
    p.moveTo(x, y - size * 0.9)
    p.lineTo(x + size * 0.35, y - size * 2.2)
    p.lineTo(x, y - size * 1.85)
    p.close()
    canvas.drawPath(p, fill=0, stroke=1)
    canvas.restoreState()
    text(canvas, fonts, x, y - size * 0.75, "北", size * 0.7, align="center", bold=True)


def draw(canvas: Canvas, fonts: FontChain, box: tuple[float, float, float, float], dashboard: Dashboard,
         metric: str, targets: Sequence[Target], geo_layer: geo.Layer | None = None) -> MapResult:  # fmt: skip
    """The map panel in `box` = (x, y, width, height), y at the bottom: caption, map, legend, notes."""
    x, y, w, h = box
    canvas.saveState()
    canvas.setStrokeColor(FRAME)
    canvas.setLineWidth(1.0)
    canvas.rect(x, y, w, h, fill=0, stroke=1)
    # caption strip, grey like the tables' headers
    cap_h = CAPTION_SIZE * 2.0
    canvas.setFillColor(HEADER_GRAY)
    canvas.rect(x, y + h - cap_h, w, cap_h, fill=1, stroke=1)
    canvas.restoreState()
    text(canvas, fonts, x + w / 2, y + h - cap_h + CAPTION_SIZE * 0.65, map_title(dashboard, metric), CAPTION_SIZE,
         align="center", bold=True)  # fmt: skip

    areas = _tile_areas(dashboard)
    values = _values(dashboard, areas, metric)
    kind = METRICS[metric].kind if metric in METRICS else "count"
    entries = colors.legend(metric, values, targets)
    pad = 8.0
    note_h = LEGEND_SIZE * 1.6
    leg_h = legend_height(len(entries), w - 2 * pad)
    inner = (x + pad, y + pad + leg_h + note_h, w - 2 * pad, h - cap_h - 2 * pad - leg_h - note_h)

    matched: dict[int, geo.Feature] = {}
    unmatched: list[str] = []
    if geo_layer is not None:
        matched, _ = geo.match(geo_layer, [a for a in areas if a.level == "village"] or areas)
    use_geo = bool(matched)
    if use_geo:
        unmatched = [a.name for a in areas if a.area_id not in matched and a.level == "village"]
        drawn = _draw_shapes(canvas, fonts, inner, areas, matched, metric, kind, values, targets)
        note = "注：村界依据所载入的边界文件绘制，仅供工作参考。"
        if unmatched:
            note = f"注：边界文件中缺少{len(unmatched)}个村（{'、'.join(unmatched[:6])}{'等' if len(unmatched) > 6 else ''}），未绘出。"  # noqa: E501
    else:
        drawn = _draw_tiles(canvas, fonts, inner, areas, metric, kind, values, targets)
        note = "注：示意图，按行政隶属排列，不反映实际位置、形状与面积。"
    _north(canvas, fonts, x + w - pad - 10, y + h - cap_h - pad)
    _legend(canvas, fonts, x + pad, y + pad + leg_h + note_h - 2, w - 2 * pad, entries,
            METRICS[metric].label if metric in METRICS else metric)  # fmt: skip
    text(canvas, fonts, x + pad, y + pad, note, LEGEND_SIZE * 0.95, color=rl_colors.Color(0.3, 0.3, 0.3))
    return MapResult(unmatched, drawn)


def _draw_tiles(canvas: Canvas, fonts: FontChain, box, areas: list[AreaRow], metric: str, kind: str,
                values: list, targets: Sequence[Target]) -> int:  # fmt: skip
    bx, by, bw, bh = box
    bw_inner = bw - 30  # room for the north arrow at the right
    tiles, blocks = geo.layout(areas, aspect=bw_inner / max(bh, 1))
    by_id = {a.area_id: a for a in areas}

    def rect(ux, uy, uw, uh):  # unit coordinates, y down → points, y up
        return bx + ux * bw_inner, by + bh - (uy + uh) * bh, uw * bw_inner, uh * bh

    canvas.saveState()
    for block in blocks:
        rx, ry, rw, rh = rect(block.x, block.y, block.w, block.h)
        canvas.setStrokeColor(BLOCK_LINE)
        canvas.setLineWidth(0.9)
        canvas.setDash(3, 2)
        canvas.rect(rx, ry, rw, rh, fill=0, stroke=1)
        canvas.setDash()
        if block.name:
            size = min(10.0, block.label_h * bh * 0.7, rw * 0.9 / max(fonts.width(block.name, 1), 1e-6))
            if size >= MIN_LABEL:
                text(canvas, fonts, rx + rw / 2, ry + rh - block.label_h * bh * 0.5 - size * 0.35, block.name, size,
                     align="center", bold=True)  # fmt: skip
    drawn = 0
    for tile in tiles:
        area = by_id.get(tile.area_id)
        value = area.values.get(metric) if area else None
        fill = colors.fill(metric, value, values, targets)
        rx, ry, rw, rh = rect(tile.x, tile.y, tile.w, tile.h)
        if rh > rw * TILE_TALLEST:  # a tall narrow cell: a tile of map-like proportions in its middle
            ry, rh = ry + (rh - rw * TILE_TALLEST) / 2, rw * TILE_TALLEST
        elif rw > rh * TILE_WIDEST:
            rx, rw = rx + (rw - rh * TILE_WIDEST) / 2, rh * TILE_WIDEST
        canvas.setFillColor(rl_colors.HexColor(fill))
        canvas.setStrokeColor(rl_colors.white)
        canvas.setLineWidth(0.8)
        canvas.rect(rx, ry, rw, rh, fill=1, stroke=1)
        canvas.setStrokeColor(FRAME)
        canvas.setLineWidth(0.3)
        canvas.rect(rx, ry, rw, rh, fill=0, stroke=1)
        _label(canvas, fonts, rx + rw / 2, ry + rh / 2, rw, rh, tile.name, format_value(value, kind), fill)
        drawn += 1
    canvas.restoreState()
    return drawn


def _draw_shapes(canvas: Canvas, fonts: FontChain, box, areas: list[AreaRow], matched: dict[int, geo.Feature],
                 metric: str, kind: str, values: list, targets: Sequence[Target]) -> int:  # fmt: skip
    bx, by, bw, bh = box
    bw_inner = bw - 30
    points = [pt for f in matched.values() for poly in f.xy for ring in poly for pt in ring]
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    scale = min(bw_inner / max(x1 - x0, 1e-12), bh / max(y1 - y0, 1e-12))
    ox = bx + (bw_inner - (x1 - x0) * scale) / 2
    oy = by + (bh - (y1 - y0) * scale) / 2

    def pt(p):
        return ox + (p[0] - x0) * scale, oy + (p[1] - y0) * scale

    canvas.saveState()
    labels = []
    for area in areas:
        feature = matched.get(area.area_id)
        if feature is None:
            continue
        value = area.values.get(metric)
        fill = colors.fill(metric, value, values, targets)
        path = canvas.beginPath()
        for poly in feature.xy:
            for ring in poly:
                first = pt(ring[0])
                path.moveTo(*first)
                for p in ring[1:]:
                    path.lineTo(*pt(p))
                path.close()
        canvas.setFillColor(rl_colors.HexColor(fill))
        canvas.setStrokeColor(FRAME)
        canvas.setLineWidth(0.6)
        canvas.drawPath(path, fill=1, stroke=1, fillMode=0)  # even-odd: holes stay holes
        ring = max((p[0] for p in feature.xy), key=_extent)
        xs, ys = [pt(p)[0] for p in ring], [pt(p)[1] for p in ring]
        cx, cy = pt(feature.centroid)
        labels.append((cx, cy, (max(xs) - min(xs)) * 0.8, (max(ys) - min(ys)) * 0.6, area, value, fill))
    for cx, cy, lw, lh, area, value, fill in labels:  # names over every shape, after all the fills
        _label(canvas, fonts, cx, cy, lw, lh, area.name, format_value(value, kind), fill)
    canvas.restoreState()
    return len(labels)
