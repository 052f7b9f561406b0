"""Exporting the registry in the national layout; export → import into an empty database gives the same figures."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import distinct, func, select

from povdesk import demo, stats
from povdesk.db import open_database
from povdesk.model import Area, Household, Member, MonitoredHousehold, Pairing, Setting
from povdesk.progress import Cancelled, Progress
from povdesk.roster import kept
from povdesk.roster.export_layouts import LAYOUTS
from povdesk.roster.exporter import export_roster
from povdesk.roster.importer import import_roster
from povdesk.roster.layout import COLUMNS, export_headers, match_header
from povdesk.roster.xlsxstream import TITLE, SheetWriter

ROOT = Path(__file__).parents[2]


def test_export_then_import_into_an_empty_database_gives_identical_figures(db, tmp_path):
    # GIVEN a demo county
    demo.generate(db, households=400, seed=3)
    path = tmp_path / "county.xlsx"
    # WHEN it is exported and imported into an empty database
    result = export_roster(db, path)
    assert result.households == 400
    target = open_database(f"sqlite:///{tmp_path / 'copy.db'}")
    imported = import_roster(target, path)
    assert (imported.households_added, imported.persons_added, imported.rejected) == (400, result.persons, [])
    # THEN the registry figures are the same; cadres travel with the households they help (a roster of
    # households cannot carry cadres who help nobody)
    with db.session() as s:
        before = stats.compute(s)
        helpers = s.scalar(select(func.count(distinct(Pairing.cadre_id))).where(Pairing.end_on.is_(None)))
    with target.session() as s:
        after = stats.compute(s)
    assert after.pop("cadres") == helpers
    before.pop("cadres")
    assert after == before
    # AND a township's figures too
    with db.session() as s:
        township = s.scalars(select(Area).where(Area.level == "township")).first().name
        township_before = stats.compute(s, stats.find_area(s, township))
    with target.session() as s:
        township_after = stats.compute(s, stats.find_area(s, township))
    township_before.pop("cadres"), township_after.pop("cadres")
    assert township_after == township_before
    target.close()


def test_id_and_phone_columns_are_text_and_one_area_or_a_selection_can_be_exported(db, tmp_path):
    demo.generate(db, households=60, seed=4)
    with db.session() as s:
        village = s.scalars(select(Area).where(Area.level == "village")).first()
        in_village = s.scalar(select(func.count()).select_from(Household).where(Household.village_id == village.id))
        some = list(s.scalars(select(Household.id).order_by(Household.id).limit(5)))
    result = export_roster(db, tmp_path / "village.xlsx", area_id=village.id)
    assert result.households == in_village
    ws = openpyxl.load_workbook(tmp_path / "village.xlsx").active
    header = [c.value for c in ws[3]]
    assert header == export_headers()
    first = ws[4]
    for key in ("id_number", "household_number", "phone"):
        cell = first[[c.key for c in COLUMNS].index(key)]
        assert cell.number_format == "@" and isinstance(cell.value, str)
    assert {row[3] for row in ws.iter_rows(min_row=4, values_only=True)} == {village.name}
    chosen = export_roster(db, tmp_path / "chosen.xlsx", household_ids=some)
    assert chosen.households == 5


# -- the national layouts ------------------------------------------------------------------------------------------
E2016_HEADERS = (
    "序号 县(市、区、旗) 乡(镇) 行政村 自然村 户编号 人编号 姓名 证件号码 人数 与户主关系 民族 文化程度 在校生状况 "
    "健康状况 劳动技能 务工状况 务工时间（月） 参加大病医疗 脱贫属性 脱贫年度 贫困户属性 主要致贫原因 危房户 饮水安全 饮水困难 "
    "人均纯收入 联系电话"
).split()  # ../shared/CODES.md §1, in the national system's order


def _sheet(path) -> tuple[list, list[str], list[dict], object]:
    """(the two rows above the header, the header on row 3, the data rows by header, the worksheet)."""
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[2])
    return [r[0] for r in rows[:2]], header, [dict(zip(header, r, strict=True)) for r in rows[3:]], ws


def _household(s, **where) -> Household:
    return s.scalars(
        select(Household).where(*(getattr(Household, k) == v for k, v in where.items())).order_by(Household.id)
    ).first()


def test_national_2016_layout_writes_the_columns_and_values_of_the_national_person_export(db, tmp_path):
    # GIVEN a county with an exited general household whose house is unsafe and whose head has two health states
    demo.generate(db, households=40, seed=5)
    with db.session() as s, s.begin():
        exited = _household(s, status="exited")
        exited.attribute = "general"
        head = next(m for m in exited.members if m.relation == "head")
        head.health = "chronic,disabled"
        latest = max(exited.years, key=lambda y: y.year)
        latest.housing_ok, latest.water_ok = False, True
        poor = _household(s, status="poor")
        poor.attribute = "low_income"
        number, poor_number, id_number, year = exited.number, poor.number, head.id_number, latest.year
    # WHEN the county is exported in the E2016 layout
    result = export_roster(db, tmp_path / "国办.xlsx", layout="national-2016")
    above, header, rows, ws = _sheet(result.path)
    # THEN the title and information rows are above the national header on row 3, data from row 4
    assert header == E2016_HEADERS
    assert above[0].startswith("贫困户数据") and f"数据截止：{year}年12月31日" in above[1]
    assert [r["序号"] for r in rows] == list(range(1, result.persons + 1))
    # AND the values are written as the national system writes them
    row = next(r for r in rows if r["证件号码"] == id_number)
    assert (row["户编号"], row["与户主关系"], row["健康状况"]) == (number, "户主", "长期慢性病,残疾")
    assert (row["脱贫属性"], row["贫困户属性"], row["危房户"], row["饮水安全"]) == (
        "已脱贫（享受政策）",
        "一般脱贫户",
        "是",
        "是",
    )
    assert next(r for r in rows if r["户编号"] == poor_number)["贫困户属性"] == "低保贫困户"
    # AND the household and ID numbers are text, so that Excel keeps every digit
    for column in ("户编号", "证件号码", "联系电话"):
        cell = ws.cell(4, header.index(column) + 1)
        assert cell.number_format == "@" and isinstance(cell.value, str)


def test_monitoring_2021_layout_writes_the_monitoring_columns_as_the_e2021_export_does(db, tmp_path):
    # GIVEN an ordinary household under monitoring since April 2023 with two risks, eliminated by assistance,
    # and an exited household that no longer enjoys the policies
    demo.generate(db, households=30, seed=6)
    with db.session() as s, s.begin():
        marginal = _household(s, status="exited")
        marginal.status = None
        s.query(MonitoredHousehold).filter_by(household_id=marginal.id).delete()
        s.add(
            MonitoredHousehold(
                household_id=marginal.id,
                type="marginal",
                identified_on=dt.date(2023, 4, 17),
                risk="因病、因学",
                risk_eliminated_on=dt.date(2024, 1, 5),
                elimination_method="assisted",
            )
        )
        stable = s.scalars(select(Household).where(Household.status == "exited", Household.id != marginal.id)).first()
        stable.status = "exited_stable"
        head = next(m for m in marginal.members if m.relation == "head")
        head.school_status = "none"
        born = head.birth_date
        numbers = marginal.number, stable.number
    # WHEN the county is exported in the E2021 layout
    result = export_roster(db, tmp_path / "监测对象信息.xlsx", layout="monitoring-2021")
    above, header, rows, _ = _sheet(result.path)
    # THEN the header is on row 3 with the monitoring columns on the right
    assert header[:8] == ["序号", "县", "乡", "村", "户编号", "户联系电话", "户类型", "监测对象类别"]
    assert header[-5:] == [f"致贫/返贫风险{i}" for i in range(1, 6)]
    row = next(r for r in rows if r["户编号"] == numbers[0] and r["与户主关系"] == "户主")
    # AND the months are YYYYMM, the birth date YYYYMMDD, the risks one per column, and 非在校生 is a blank
    assert (row["识别监测时间"], row["消除监测时间"], row["出生日期"]) == ("202304", "202401", f"{born:%Y%m%d}")
    assert (row["监测对象类别"], row["风险是否已消除"], row["风险消除方式"]) == ("边缘易致贫户", "是", "帮扶消除")
    assert [row[f"致贫/返贫风险{i}"] for i in range(1, 6)] == ["因病", "因学", None, None, None]
    assert row["在校生状况"] is None
    # AND 户类型 says what the status says
    assert row["户类型"] == "一般农户"
    assert {r["户类型"] for r in rows if r["户编号"] == numbers[1]} == {"脱贫不享受政策户"}


def test_kept_columns_and_values_to_review_are_written_back(db, tmp_path):
    # GIVEN columns kept from an earlier roster: 人编号 (a column of the E2016 layout), 备注 and a second
    # 风险是否已消除; a household's values, one person's own values, and a 务工状况 outside the code list
    demo.generate(db, households=20, seed=7)
    with db.session() as s, s.begin():
        s.add(
            Setting(key=kept.SETTING_KEY, value=json.dumps(["人编号", "备注", "风险是否已消除#2"], ensure_ascii=False))
        )
        household = s.scalars(
            select(Household)
            .join(Member)
            .group_by(Household.id)
            .having(func.count(Member.id) >= 2)
            .order_by(Household.id)
        ).first()
        household.extra = {"备注": "户备注", "风险是否已消除#2": "否"}
        first, second = sorted(household.members, key=lambda m: m.relation != "head")[:2]
        first.extra = {"人编号": "4331300010010000101", "备注": "本人备注"}
        first.work_status, first.unverified = None, {"work_status": "外出打零工"}
        household.unverified = {"main_cause": "因懒"}
        household.main_cause = None
        ids = first.id_number, second.id_number
    for layout in ("national-2016", "povdesk"):
        # WHEN the registry is exported
        result = export_roster(db, tmp_path / f"{layout}.xlsx", layout=layout)
        _, header, rows, ws = _sheet(result.path)
        # THEN the kept columns the layout lacks follow its own columns, in the order they were first imported
        own = E2016_HEADERS if layout == "national-2016" else export_headers()
        assert header == [
            *own,
            *(["备注", "风险是否已消除"] if layout == "national-2016" else ["人编号", "备注", "风险是否已消除"]),
        ]
        first_row, second_row = (next(r for r in rows if r["证件号码"] == i) for i in ids)
        # AND a person's own value comes before the household's; the second 风险是否已消除 keeps its value
        assert (first_row["人编号"], first_row["备注"], second_row["备注"]) == (
            "4331300010010000101",
            "本人备注",
            "户备注",
        )
        assert ws.cell(3 + rows.index(first_row) + 1, header.index("人编号") + 1).number_format == "@"
        assert [v for h, v in zip(header, ws[4 + rows.index(second_row)], strict=True) if h == "风险是否已消除"][
            -1
        ].value == "否"
        # AND the texts kept for review are written where the coded field is empty: nothing typed is lost
        assert (first_row["务工状况"], first_row["主要致贫原因"], second_row["主要致贫原因"]) == (
            "外出打零工",
            "因懒",
            "因懒",
        )


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_column_the_importer_reads_is_read_back_into_the_field_it_was_written_from(layout):
    for column in LAYOUTS[layout].columns:
        if column.key is not None:
            assert match_header(column.header) == column.key, column.header
        elif column.level != "ignored":  # written from the kept column of its header, which the importer keeps
            assert match_header(column.header) is None, column.header


def test_cells_keep_what_was_typed(tmp_path):
    # GIVEN text with XML's special characters, a control character, spaces at the ends, a long number as text,
    # a date and a number
    path = tmp_path / "cells.xlsx"
    writer = SheetWriter(path, "花名册", [10, 10, 10, 10, 10], text_columns=[2], freeze_rows=1, rows=2)
    writer.write(["标题 & <说明>"], TITLE, merge_to=4)
    writer.write([" 张三 ", "a\x07b", 532930195004120057, dt.date(2023, 4, 17), 10214.78])
    writer.close()
    # WHEN it is read back by Excel's reader (openpyxl) and by the importer's (python-calamine)
    ws = openpyxl.load_workbook(path).active
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    # THEN every value is as written; the number in the text column is text
    assert [c.value for c in ws[2]] == [" 张三 ", "ab", "532930195004120057", dt.datetime(2023, 4, 17), 10214.78]
    assert ws["C2"].number_format == "@" and {r.coord for r in ws.merged_cells.ranges} == {"A1:E1"}
    assert calamine[1][:3] == [" 张三 ", "ab", "532930195004120057"] and calamine[0][0] == "标题 & <说明>"


def test_a_cancelled_export_leaves_the_existing_file_as_it_was(db, tmp_path):
    demo.generate(db, households=30, seed=8)
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "花名册.xlsx"
    path.write_bytes(b"the clerk's earlier export")
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        export_roster(db, path, progress=progress)
    assert path.read_bytes() == b"the clerk's earlier export"
    assert list(path.parent.iterdir()) == [path]  # and no half-written file beside it


def test_cli_exports_a_township_in_a_national_layout(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    database = open_database(url)
    demo.generate(database, households=30, seed=9)
    with database.session() as s:
        township = s.scalars(select(Area).where(Area.level == "township")).first().name
    database.close()
    out = tmp_path / "乡镇.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--db",
            url,
            "export",
            str(out),
            "--area",
            township,
            "--layout",
            "national-2016",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    _, header, rows, _ = _sheet(out)
    assert header == E2016_HEADERS and {r["乡(镇)"] for r in rows} == {township}
    assert f"{len(rows)} 人" in done.stdout
