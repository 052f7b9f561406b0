"""Maps: a GeoJSON layer of village boundaries matched to areas by code then name, with clear errors; and the
schematic map of tiles grouped by township that needs no file."""

import itertools
import json

import pytest

from povdesk.wallchart import geo
from povdesk.wallchart.model import AreaRow


def _square(x, y, size=0.01):
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def _collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)


def _feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


AREAS = [
    AreaRow(11, "坡田村", "village", "532930100200", "岩庄镇"),
    AreaRow(12, "安岗村", "village", "532930100201", "岩庄镇"),
    AreaRow(13, "北鹿村", "village", None, "竹湾乡"),
]


def test_a_layer_matches_villages_by_code_then_name_and_lists_the_rest():
    text = _collection(
        _feature({"name": "坡田", "code": "532930100200"}, {"type": "Polygon", "coordinates": _square(100.0, 26.0)}),
        _feature({"名称": "北鹿村村民委员会"}, {"type": "MultiPolygon",
                                          "coordinates": [_square(100.02, 26.0), _square(100.04, 26.0, 0.005)]}),
        _feature({"NAME": "远方村", "CODE": "999999999999"}, {"type": "Polygon", "coordinates": _square(100.1, 26.1)}),
    )  # fmt: skip
    layer = geo.load(text)
    matched, unmatched = geo.match(layer, AREAS)
    assert {k: f.name for k, f in matched.items()} == {11: "坡田", 13: "北鹿村村民委员会"}
    assert unmatched == ["远方村"]
    x0, y0, x1, y1 = geo.bounds(layer)
    assert x0 == 0 and x1 == pytest.approx(0.11 * 0.8988, rel=1e-3)  # longitude shrunk by cos(26.055°)
    assert y1 - y0 == pytest.approx(0.11)
    cx, cy = matched[11].centroid
    assert cx == pytest.approx(0.005 * 0.8988, rel=1e-3) and y0 < cy < y1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "不是有效的 GeoJSON"),
        ('{"type": "Point", "coordinates": [1, 2]}', "FeatureCollection"),
        (_collection(_feature({"code": "1"}, {"type": "Polygon", "coordinates": _square(1, 1)})), "没有名称"),
        (_collection(_feature({"name": "甲村"}, {"type": "LineString", "coordinates": [[1, 1], [2, 2]]})),
         "只支持 Polygon"),
        (_collection(_feature({"name": "甲村"}, {"type": "Polygon", "coordinates": [[["a", 1], [2, 2], [3, 3]]]})),
         "坐标不是数字对"),
        (_collection(), "没有任何村界"),
    ],
)  # fmt: skip
def test_unusable_files_say_why_in_chinese(text, message):
    with pytest.raises(geo.GeoError, match=message):
        geo.load(text)


def test_the_layer_is_kept_in_the_database(sqlite_db):
    text = _collection(_feature({"name": "坡田村"}, {"type": "Polygon", "coordinates": _square(100, 26)}))
    with sqlite_db.session() as s:
        assert geo.load_stored(s) is None
    with sqlite_db.transaction() as s:
        geo.save(s, text)
    with sqlite_db.session() as s:
        assert [f.name for f in geo.load_stored(s).features] == ["坡田村"]
    with pytest.raises(geo.GeoError), sqlite_db.transaction() as s:
        geo.save(s, "[]")
    with sqlite_db.transaction() as s:
        geo.clear(s)
    with sqlite_db.session() as s:
        assert geo.load_stored(s) is None


def _overlap(a, b) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def test_the_schematic_map_groups_villages_by_township_in_the_unit_square():
    areas = [AreaRow(i, f"{i}村", "village", parent_name=f"{i % 4}镇") for i in range(1, 40)]
    tiles, blocks = geo.layout(areas)
    assert sorted(t.area_id for t in tiles) == list(range(1, 40))
    assert [b.name for b in blocks] == ["1镇", "2镇", "3镇", "0镇"]
    assert all(t.x >= 0 and t.x + t.w <= 1 and t.y >= 0 and t.y + t.h <= 1 for t in tiles)
    assert not any(_overlap(a, b) for a, b in itertools.combinations(tiles, 2))
    for tile in tiles:  # every tile inside its township's block, below the label
        block = next(b for b in blocks if b.name == tile.group)
        assert block.x <= tile.x and tile.x + tile.w <= block.x + block.w + 1e-9
        assert block.y + block.label_h <= tile.y + 1e-9 and tile.y + tile.h <= block.y + block.h + 1e-9
    assert geo.schematic(areas) == tiles


def test_a_village_sheets_map_has_its_groups_as_tiles_in_the_village():
    village = AreaRow(5, "坡田村", "village", parent_name="岩庄镇")
    groups = [AreaRow(50 + i, f"第{i}组", "group", parent_name="坡田村") for i in range(1, 6)]
    tiles, blocks = geo.layout([village, *groups])
    assert [t.name for t in tiles] == [g.name for g in groups] and [b.name for b in blocks] == ["坡田村"]
    (alone,) = geo.schematic([village])  # a village without groups: one tile in its township's block
    assert (alone.area_id, alone.group) == (5, "岩庄镇")
