"""Maps for wall charts: village boundaries from a GeoJSON file (matched to areas by code, then name), projected to
plane coordinates, and the schematic map drawn from the area tree when no file is loaded (no internet needed).

Coordinates handed to renderers: GeoJSON shapes in plane units with y growing northwards (`Feature.xy`, `bounds`);
schematic tiles in unit coordinates, the whole map being [0, 1] × [0, 1] with y growing downwards (0 = top)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from povdesk import office_settings
from povdesk.errors import PovDeskError
from povdesk.wallchart.model import AreaRow

SETTING_KEY = "wallchart.geojson"
NAME_KEYS = ("name", "NAME", "名称", "Name", "村名")
CODE_KEYS = ("code", "CODE", "代码", "Code", "区划代码")

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]  # the outer ring, then holes


class GeoError(PovDeskError):
    """A GeoJSON file that cannot be used as a map."""


@dataclass
class Feature:
    name: str
    code: str | None
    polygons: list[Polygon]  # longitude, latitude
    xy: list[Polygon] = field(default_factory=list)  # projected: x east, y north, in degrees of latitude

    @property
    def centroid(self) -> Point:
        """The centre of the largest polygon's outer ring (plane coordinates), where the name is written."""
        ring = max((p[0] for p in self.xy), key=lambda r: abs(_area(r)), default=[])
        if not ring:
            return (0.0, 0.0)
        a = _area(ring)
        if abs(a) < 1e-18:
            return (sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring))
        cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        return (cx / (6 * a), cy / (6 * a))


@dataclass
class Layer:
    features: list[Feature]
    origin: Point = (0.0, 0.0)  # longitude, latitude of the projection's origin
    scale_x: float = 1.0  # cos(mid-latitude)


def _area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def _ring(raw, where: str) -> Ring:
    try:
        ring = [(float(p[0]), float(p[1])) for p in raw]
    except (TypeError, ValueError, IndexError) as exc:
        raise GeoError(f"{where}的坐标不是数字对（经度, 纬度）") from exc
    if len(ring) < 3:
        raise GeoError(f"{where}的边界少于 3 个点")
    return ring


def _polygons(geometry, where: str) -> list[Polygon]:
    if not isinstance(geometry, dict):
        raise GeoError(f"{where}没有几何形状（geometry）")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return [[_ring(r, where) for r in coords or []]]
    if kind == "MultiPolygon":
        return [[_ring(r, where) for r in poly] for poly in coords or []]
    raise GeoError(f"{where}的形状类型为“{kind}”，只支持 Polygon 和 MultiPolygon（村界面）")


def _prop(props: dict, keys: Sequence[str]) -> str | None:
    for key in keys:
        value = props.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return None


def load(text: str) -> Layer:
    """A GeoJSON FeatureCollection of village boundaries as a projected layer; a clear Chinese error otherwise."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise GeoError(f"地图文件不是有效的 GeoJSON（第 {getattr(exc, 'lineno', '?')} 行：{exc}）") from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeoError("地图文件应为 GeoJSON 的 FeatureCollection（要素集合）")
    features: list[Feature] = []
    for i, raw in enumerate(data.get("features") or [], start=1):
        props = (raw or {}).get("properties") or {}
        name = _prop(props, NAME_KEYS)
        where = f"第 {i} 个要素（{name}）" if name else f"第 {i} 个要素"
        if name is None:
            raise GeoError(f"{where}没有名称属性（name、NAME 或 名称）")
        polygons = _polygons(raw.get("geometry"), where)
        features.append(Feature(name, _prop(props, CODE_KEYS), polygons))
    if not features:
        raise GeoError("地图文件中没有任何村界要素")
    lon0, lat0, k = _project(features)
    return Layer(features, (lon0, lat0), k)


def _project(features: list[Feature]) -> tuple[float, float, float]:
    """Equirectangular with cos(mid-latitude): good enough for a county, and no dependency."""
    lons = [x for f in features for p in f.polygons for r in p for x, _ in r]
    lats = [y for f in features for p in f.polygons for r in p for _, y in r]
    lon0, lat0 = min(lons), (min(lats) + max(lats)) / 2
    k = math.cos(math.radians(lat0))
    for f in features:
        f.xy = [[[((x - lon0) * k, y - lat0) for x, y in ring] for ring in poly] for poly in f.polygons]
    return lon0, lat0, k


def bounds(layer: Layer) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of the projected layer."""
    xs = [x for f in layer.features for p in f.xy for r in p for x, _ in r]
    ys = [y for f in layer.features for p in f.xy for r in p for _, y in r]
    return (min(xs), min(ys), max(xs), max(ys))


_SUFFIX = re.compile(r"(村民委员会|村委会|居民委员会|居委会|社区)$")


def _name_key(name: str) -> str:
    return _SUFFIX.sub("", "".join(name.split()))


def match(layer: Layer, areas: Sequence[AreaRow]) -> tuple[dict[int, Feature], list[str]]:
    """Feature per area id, by 12-digit code first, then by name (an ambiguous name matches nothing); and the
    names of the features that matched no area."""
    by_code = {a.code: a for a in areas if a.code and a.area_id is not None}
    by_name: dict[str, list[AreaRow]] = {}
    for a in areas:
        if a.area_id is not None:
            by_name.setdefault(_name_key(a.name), []).append(a)
    matched: dict[int, Feature] = {}
    unmatched: list[str] = []
    for feature in layer.features:
        code = re.sub(r"\D", "", feature.code or "")
        area = by_code.get(code[:12]) if len(code) >= 12 else None
        if area is None:
            candidates = [a for a in by_name.get(_name_key(feature.name), []) if a.area_id not in matched]
            area = candidates[0] if len(candidates) == 1 else None
        if area is None or area.area_id in matched:
            unmatched.append(feature.name)
        else:
            matched[area.area_id] = feature
    return matched, unmatched


def save(session: Session, text: str) -> Layer:
    """Check and keep an office's GeoJSON file in the database; returns the layer."""
    layer = load(text)
    office_settings.write(session, SETTING_KEY, text)
    return layer


def load_stored(session: Session) -> Layer | None:
    stored = office_settings.read(session, SETTING_KEY)
    return load(stored) if stored is not None else None


def clear(session: Session) -> None:
    office_settings.remove(session, SETTING_KEY)


# --- the schematic map ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    area_id: int | None
    name: str
    group: str  # the block it belongs to (the township of a village, the village of a group)
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Block:
    """A group of tiles with its label above them (label_h is the label strip's height, inside the block)."""

    name: str
    x: float
    y: float
    w: float
    h: float
    label_h: float


GAP = 0.12  # of a cell, between tiles
LABEL = 0.22  # of a block's height at most, for the township's name


def _grid(n: int, aspect: float) -> tuple[int, int]:
    """(columns, rows) for n cells in a box `aspect` times wider than high, cells roughly square."""
    if n <= 0:
        return (1, 1)
    cols = max(1, min(n, round(math.sqrt(n * aspect))))
    return cols, math.ceil(n / cols)


def _groups(map_areas: Sequence[AreaRow]) -> dict[str, list[AreaRow]]:
    """Areas grouped by parent name in order of appearance; an area that is itself the parent of others (the village
    of a village sheet) is the block, not a tile."""
    parents = {a.parent_name for a in map_areas}
    groups: dict[str, list[AreaRow]] = {}
    for area in map_areas:
        if area.name in parents and any(b.parent_name == area.name for b in map_areas if b is not area):
            groups.setdefault(area.name, [])
            continue
        groups.setdefault(area.parent_name or "", []).append(area)
    return {k: v for k, v in groups.items() if v}


def layout(map_areas: Sequence[AreaRow], aspect: float = 1.4) -> tuple[list[Tile], list[Block]]:
    """Tiles and their blocks in unit coordinates for a map box `aspect` times wider than high."""
    groups = _groups(map_areas)
    if not groups:
        return [], []
    gcols, grows = _grid(len(groups), aspect * 0.8)
    bw, bh = 1 / gcols, 1 / grows
    tiles: list[Tile] = []
    blocks: list[Block] = []
    for i, (name, areas) in enumerate(groups.items()):
        bx, by = (i % gcols) * bw, (i // gcols) * bh
        pad_x, pad_y = bw * 0.03, bh * 0.03
        label_h = min(bh * LABEL, 0.06) if name else 0.0
        inner_w, inner_h = bw - 2 * pad_x, bh - 2 * pad_y - label_h
        cols, rows = _grid(len(areas), (inner_w * aspect) / max(inner_h, 1e-9))
        cw, ch = inner_w / cols, inner_h / rows
        blocks.append(Block(name, bx + pad_x, by + pad_y, inner_w, bh - 2 * pad_y, label_h))
        for j, area in enumerate(areas):
            cx, cy = bx + pad_x + (j % cols) * cw, by + pad_y + label_h + (j // cols) * ch
            tiles.append(Tile(area.area_id, area.name, name, cx + cw * GAP / 2, cy + ch * GAP / 2,
                              cw * (1 - GAP), ch * (1 - GAP)))  # fmt: skip
    return tiles, blocks


def schematic(map_areas: Sequence[AreaRow], aspect: float = 1.4) -> list[Tile]:
    """The schematic map's tiles: villages grouped by township (or groups within their village), in unit
    coordinates, y downwards. `blocks(map_areas)` gives the labelled blocks around them."""
    return layout(map_areas, aspect)[0]


def blocks(map_areas: Sequence[AreaRow], aspect: float = 1.4) -> list[Block]:
    return layout(map_areas, aspect)[1]
