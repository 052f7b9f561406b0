"""The printed wall chart: every area's name and the totals in the PDF text, fonts embedded, paper sizes, the
GeoJSON map, long village rosters continued on more pages, and the PNG for slides. Dashboards are built by hand
(hand-computed figures), so these tests need no database."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess

import pytest

from povdesk.pdf import wallchart
from povdesk.wallchart import geo, templates
from povdesk.wallchart import targets as targets_mod
from povdesk.wallchart.model import AreaRow, Dashboard, HouseholdRow
from povdesk.wallchart.png import pdf_to_png

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
YEARS = [2016, 2017, 2018, 2019, 2020]
TOWNSHIPS = {
    "梨园乡": ["梨园村", "桃溪村", "上坝村", "石门村"],
    "青山镇": ["青山村", "河湾村", "柏树村"],
    "红岩乡": ["红岩村", "新华村", "龙井村", "松林村", "杏花村"],
}


def _values(seed: int, *, rural: int | None = 1000) -> dict:
    """Consistent figures for one village from a seed."""
    households = 20 + seed * 7 % 41
    persons = households * 3 + seed % 5
    poor = seed % 4
    poor_persons = poor * 3
    exited = households - poor
    values = {
        "households": households, "persons": persons, "poor_households": poor, "poor_persons": poor_persons,
        "exited_households": exited, "exited_persons": persons - poor_persons, "returned_households": seed % 2,
        "rural_population": rural, "incidence": None if rural is None else poor_persons / rural,
        "exits_planned": poor, "exits_actual": 0, "food_clothing_rate": 1.0, "education_rate": 0.98,
        "medical_rate": 1.0, "housing_rate": 0.95, "water_rate": 0.99, "guarantee_short_households": seed % 3 == 0,
        "units": 1, "teams": 1, "cadres": 4 + seed % 3, "paired_households": households - seed % 2,
        "pairing_coverage": (households - seed % 2) / households, "visits_recent": 10 + seed,
        "monitored_households": 2 + seed % 3, "monitored_unstable": 1, "monitored_marginal": 1 + seed % 3,
        "monitored_sudden": 0, "risk_eliminated_households": 1 + seed % 2,
    }  # fmt: skip
    values["guarantee_short_households"] = int(values["guarantee_short_households"])
    values["risk_elimination_rate"] = values["risk_eliminated_households"] / values["monitored_households"]
    for i, year in enumerate(YEARS):
        values[f"exits_planned_{year}"] = exited // 5 + (1 if i < exited % 5 else 0)
        values[f"exits_actual_{year}"] = values[f"exits_planned_{year}"] - (1 if i == 4 and seed % 2 else 0)
    return values


def _sum(rows: list[AreaRow]) -> dict:
    """Sum the counts and recompute the rates (as figures.py would)."""
    total: dict = {}
    for row in rows:
        for key, value in row.values.items():
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
            elif value is None and key == "rural_population":
                total.setdefault(key, 0)
    total["incidence"] = total["poor_persons"] / total["rural_population"] if total.get("rural_population") else None
    total["pairing_coverage"] = total["paired_households"] / total["households"]
    total["risk_elimination_rate"] = total["risk_eliminated_households"] / total["monitored_households"]
    for key in ("food_clothing_rate", "education_rate", "medical_rate", "housing_rate", "water_rate"):
        total[key] = 0.99
    return total


def _lit(row: AreaRow, targets: list) -> AreaRow:
    row.lights = targets_mod.lights(targets, row.values)
    return row


def county_dashboard(targets: list, layout: dict[str, list[str]] | None = None) -> Dashboard:
    villages: list[AreaRow] = []
    townships: list[AreaRow] = []
    area_id = 100
    for t, (township, names) in enumerate((layout or TOWNSHIPS).items()):
        mine = []
        for v, name in enumerate(names):
            area_id += 1
            seed = t * 10 + v + 1
            code = f"5329{31:02d}{100 + t:03d}{200 + v:03d}"
            mine.append(_lit(AreaRow(area_id, name, "village", code, township, _values(seed)), targets))
        villages += mine
        townships.append(_lit(AreaRow(10 + t, township, "township", f"532931{100 + t:03d}000", "示范县",
                                      _sum(mine)), targets))  # fmt: skip
    total = _lit(AreaRow(1, "示范县", "county", "532931000000", None, _sum(townships)), targets)
    return Dashboard("county", 2020, dt.date(2020, 12, 31), total, townships, villages, YEARS,
                     path=[(1, "示范县")], office="示范县扶贫开发领导小组办公室")  # fmt: skip


def township_dashboard(targets: list) -> Dashboard:
    county = county_dashboard(targets)
    township = county.children[0]
    villages = [v for v in county.map_areas if v.parent_name == township.name]
    return Dashboard("township", 2020, dt.date(2020, 12, 31), township, villages, villages, YEARS,
                     path=[(1, "示范县"), (township.area_id, township.name)], office="梨园乡人民政府")  # fmt: skip


def village_dashboard(targets: list, households: int = 40) -> Dashboard:
    groups = [
        _lit(AreaRow(500 + g, f"第{g + 1}村民小组", "group", None, "梨园村", _values(g + 3, rural=None)), targets)
        for g in range(4)
    ]
    village = _lit(AreaRow(101, "梨园村", "village", "532931100200", "梨园乡", _sum(groups)), targets)
    rows = []
    statuses = ["已脱贫", "已脱贫", "未脱贫", "已脱贫（稳定）"]
    for i in range(households):
        rows.append(HouseholdRow(i + 1, {
            "number": f"53293110020000{i + 1:02d}", "group": f"第{i % 4 + 1}村民小组", "head": f"李{'明华建国春'[i % 5]}{i}",
            "persons": 2 + i % 5, "status": statuses[i % 4], "attribute": "一般贫困户" if i % 3 else "低保贫困户",
            "cause": ["因病", "缺技术", "缺劳力", "因学"][i % 4], "plan_exit_year": f"{2016 + i % 5}年",
            "year_exited": None if i % 4 == 2 else f"{2016 + i % 5}年", "helper": f"张{i % 7}干部",
            "helper_unit": "县农业农村局（县乡村振兴局）" if i % 2 else "县教育局", "helper_phone": f"1390871{i:04d}",
            "measures": "产业扶持：发放核桃苗200株；就业扶持：推荐外出务工1人；教育资助：雨露计划" if i % 2 else "光伏收益分红",
            "per_capita_income": 5230.5 + i * 101, "monitor_type": "边缘易致贫户" if i % 6 == 0 else None,
        }))  # fmt: skip
    return Dashboard("village", 2020, dt.date(2020, 12, 31), village, groups, [village, *groups], YEARS, rows,
                     path=[(1, "示范县"), (10, "梨园乡"), (101, "梨园村")], office="梨园乡梨园村村民委员会")  # fmt: skip


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pages(path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(path)], capture_output=True, text=True, check=True)
    return [tuple(map(float, m)) for m in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info.stdout)]


@pytest.fixture
def targets():
    return list(targets_mod.DEFAULTS)


@needs_poppler
@pytest.mark.parametrize("level", ["county", "township"])
def test_sheet_has_every_area_and_the_totals(tmp_path, targets, level):
    # GIVEN a county (or township) dashboard with hand-computed figures
    dashboard = county_dashboard(targets) if level == "county" else township_dashboard(targets)
    out = tmp_path / "chart.pdf"
    # WHEN it is printed on A3
    wallchart.write(dashboard, templates.DEFAULTS[level], targets, out)
    # THEN one landscape A3 sheet carries the title, the office, every child and map area and the totals
    text = _text(out)
    flat = re.sub(r"\s+", "", text)
    assert _pages(out) == [(1190.55, 841.89)]
    assert f"{dashboard.total.name}2020年脱贫攻坚作战图" in flat
    assert dashboard.office in flat
    for area in [*dashboard.children, *dashboard.map_areas]:
        assert area.name in flat, area.name
    for template in templates.DEFAULTS[level].tables:
        _, _, total = templates.table(dashboard, template)
        assert template.title.replace("　", "") in flat.replace("　", "")
        # the total row as the table prints it (合计 then the formatted figures)
        assert "".join(total) in flat, total
    households = dashboard.total.values["households"]
    assert f"{households:,}" in flat


@needs_poppler
def test_fonts_are_embedded(tmp_path, targets):
    out = tmp_path / "chart.pdf"
    wallchart.write(county_dashboard(targets), templates.DEFAULTS["county"], targets, out)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    for row in rows:
        assert row.split()[-5] == "yes", row  # the "emb" column
    assert "Helvetica" not in fonts


@needs_poppler
@pytest.mark.parametrize(("paper", "size"), [("A2", (1683.78, 1190.55)), ("A1", (2383.94, 1683.78))])
def test_bigger_papers_scale_the_same_layout(tmp_path, targets, paper, size):
    dashboard = county_dashboard(targets)
    a3, big = tmp_path / "a3.pdf", tmp_path / "big.pdf"
    wallchart.write(dashboard, templates.DEFAULTS["county"], targets, a3)
    wallchart.write(dashboard, templates.DEFAULTS["county"], targets, big, paper=paper)
    assert _pages(big) == [size]
    assert re.sub(r"\s+", "", _text(big)) == re.sub(r"\s+", "", _text(a3))


def test_unknown_paper_is_refused(tmp_path, targets):
    with pytest.raises(Exception, match="A3、A2 或 A1"):
        wallchart.write(county_dashboard(targets), templates.DEFAULTS["county"], targets, tmp_path / "x.pdf",
                        paper="A0")  # fmt: skip


def _square(name: str, code: str, x: float, y: float) -> dict:
    ring = [[x, y], [x + 0.05, y], [x + 0.05, y + 0.04], [x, y + 0.04], [x, y]]
    return {"type": "Feature", "properties": {"name": name, "code": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip


@needs_poppler
def test_geojson_layer_draws_the_shapes(tmp_path, targets):
    # GIVEN a township and a GeoJSON file with the boundaries of two of its villages (one by code, one by name)
    dashboard = township_dashboard(targets)
    a, b = dashboard.map_areas[0], dashboard.map_areas[1]
    layer = geo.load(json.dumps({"type": "FeatureCollection", "features": [
        _square("随便叫", a.code, 100.0, 25.0), _square(b.name, "", 100.06, 25.0)]}))  # fmt: skip
    plain, shaped = tmp_path / "plain.pdf", tmp_path / "shaped.pdf"
    # WHEN the sheet is printed with and without the layer
    wallchart.write(dashboard, templates.DEFAULTS["township"], targets, plain)
    wallchart.write(dashboard, templates.DEFAULTS["township"], targets, shaped, geo_layer=layer)
    # THEN the shapes are drawn (polygon paths instead of tiles), named, and the villages without a shape are noted
    flat = re.sub(r"\s+", "", _text(shaped))
    assert a.name in flat and b.name in flat
    assert "边界文件中缺少2个村" in flat
    assert "示意图" not in flat
    assert "示意图" in re.sub(r"\s+", "", _text(plain))
    png = tmp_path / "shaped.png"
    pdf_to_png(shaped, png, dpi=60)
    assert png.stat().st_size > 10_000


@needs_poppler
def test_village_roster_continues_on_more_pages_with_the_map_first(tmp_path, targets):
    # GIVEN a village of 120 households (three per-household tables)
    dashboard = village_dashboard(targets, households=120)
    out = tmp_path / "village.pdf"
    wallchart.write(dashboard, templates.DEFAULTS["village"], targets, out)
    pages = _pages(out)
    assert len(pages) > 1
    first = subprocess.run(["pdftotext", "-l", "1", str(out), "-"], capture_output=True, text=True).stdout
    flat_first = re.sub(r"\s+", "", first)
    assert "分布图" in flat_first and "图例" in flat_first  # the map is on the first page
    flat = re.sub(r"\s+", "", _text(out))
    for row in dashboard.households:  # every household, whole (type not shrunk to nothing)
        assert row.values["head"] in flat
    assert "（续）" in flat
    assert f"第1页共{len(pages)}页" in flat


@needs_poppler
def test_a_county_of_forty_townships_continues_on_more_pages(tmp_path, targets):
    # GIVEN a county the size of the 120,000-household benchmark: 44 townships of 11 villages
    syllables = "东南西北上下前后左右大小新老金银石竹松柏桃李杏梅兰菊河湾坝岭坪寨沟"
    names = iter(a + b for a in syllables for b in syllables if a != b)
    layout = {next(names) + "乡": [next(names) + "村" for _ in range(11)] for _ in range(44)}
    dashboard = county_dashboard(targets, layout)
    out = tmp_path / "county.pdf"
    wallchart.write(dashboard, templates.DEFAULTS["county"], targets, out)
    # THEN the tables continue on further pages at a readable size, the map stays on the first
    assert len(_pages(out)) > 1
    first = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-l", "1", str(out), "-"], capture_output=True,
                                               text=True, check=True).stdout)  # fmt: skip
    assert "贫困发生率分布图" in first
    flat = re.sub(r"\s+", "", _text(out))
    for township in layout:
        assert flat.count(township) >= 4, township  # in each of the four tables (and on the map)


@needs_poppler
def test_no_full_id_number_is_printed(tmp_path, targets):
    dashboard = village_dashboard(targets, households=5)
    dashboard.households[0].values["head"] = "530102199001011234"  # a template that puts an ID in a cell
    out = tmp_path / "village.pdf"
    wallchart.write(dashboard, templates.DEFAULTS["village"], targets, out)
    flat = re.sub(r"\s+", "", _text(out))
    assert "530102199001011234" not in flat
    assert "530102********1234" in flat


def test_png_is_written_and_not_blank(tmp_path, targets):
    out, png = tmp_path / "chart.pdf", tmp_path / "chart.png"
    wallchart.write(county_dashboard(targets), templates.DEFAULTS["county"], targets, out)
    pdf_to_png(out, png, dpi=50)
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (round(1190.55 * 50 / 72), round(841.89 * 50 / 72))
        extrema = image.convert("L").getextrema()
        assert extrema[0] < 60 and extrema[1] == 255  # dark ink on white paper
        colours = image.convert("RGB").getcolors(1_000_000)
        assert len(colours) > 50


def test_png_of_a_missing_page_is_a_clear_error(tmp_path, targets):
    out = tmp_path / "chart.pdf"
    wallchart.write(township_dashboard(targets), templates.DEFAULTS["township"], targets, out)
    with pytest.raises(Exception, match="没有第3页"):
        pdf_to_png(out, tmp_path / "x.png", page=2)
