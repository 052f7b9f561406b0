"""The responsibility table (帮扶责任人一览表) and the national 帮扶责任人 sheet, as a clerk gets them: the PDF's text
(pdftotext), fonts (pdffonts) and page size (pdfinfo), and the workbook's cells as Excel reads them (openpyxl)."""

import datetime as dt
import re
import subprocess

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from povdesk import demo, idnumber
from povdesk.errors import NotFound, RuleViolation
from povdesk.model import Area, Cadre, Household, Member, Pairing
from povdesk.pairing import responsibility
from povdesk.pairing.export import NATIONAL_SHEET, TABLE_SHEET, export_pairs
from povdesk.progress import Cancelled, Progress

TODAY = dt.date(2024, 3, 5)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def pdf_info(path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def county(db):
    """A demo county of 300 households; one household's helper moved away (its pairing ended, none new)."""
    demo.generate(db, households=300, seed=5)
    with db.transaction() as s:
        township = s.scalars(select(Area).where(Area.level == "township").order_by(Area.sort_order)).first()
        village = s.scalars(select(Area).where(Area.parent_id == township.id).order_by(Area.sort_order)).first()
        household = s.scalars(select(Household).where(Household.village_id == village.id).order_by(Household.number))
        gap = list(household)[1]
        pairing = s.scalars(select(Pairing).where(Pairing.household_id == gap.id, Pairing.end_on.is_(None))).one()
        pairing.end_on, pairing.end_reason = dt.date(2023, 12, 31), "帮扶干部调离"
        pairing.cadre.position = "副局长"
    return db, township.name, village.name, gap.number


def heads_and_helpers(s, area_name: str) -> tuple[list[Member], list[Cadre], list[str]]:
    area = s.scalars(select(Area).where(Area.name == area_name)).one()
    villages = select(Area.id).where(Area.path.startswith(area.path))
    ids = select(Household.id).where(Household.village_id.in_(villages))
    heads = s.scalars(select(Member).where(Member.household_id.in_(ids), Member.relation == "head")).all()
    cadres = s.scalars(
        select(Cadre).join(Pairing).where(Pairing.household_id.in_(ids), Pairing.end_on.is_(None)).distinct()
    ).all()
    numbers = s.scalars(select(Household.number).where(Household.id.in_(ids)).order_by(Household.number)).all()
    return heads, cadres, numbers


def test_village_pdf_names_every_head_and_helper_with_masked_ids_and_embedded_fonts(county, tmp_path):
    db, township, village, gap = county
    summary = export_pairs(db, tmp_path / "v.xlsx", area=village, pdf=tmp_path / "v.pdf", today=TODAY)
    text = pdf_text(tmp_path / "v.pdf")
    with db.session() as s:
        heads, cadres, numbers = heads_and_helpers(s, village)
    assert heads and cadres
    assert f"{village}帮扶责任人一览表" in text and f"{township}人民政府" in text and "2024年3月5日" in text
    flat = text.replace("\n", "")  # a long unit name may wrap in its cell
    for head in heads:
        assert head.name in text
        assert idnumber.mask(head.id_number) in text
        assert head.id_number not in flat  # a posted sheet never shows a full ID number
    for cadre in cadres:
        assert cadre.name in text and cadre.phone in text
        if cadre.id_number:
            assert cadre.id_number not in flat
    assert "副局长" in text
    assert all(number in text for number in numbers)
    assert f"共 {len(numbers)} 户，已落实帮扶责任人 {len(numbers) - 1} 户，未落实 1 户" in text
    assert re.search(r"第1页 共\d+页", text)
    fonts = pdf_fonts(tmp_path / "v.pdf")
    assert fonts and all(row[-5] == "yes" for row in fonts)  # every font embedded
    assert re.search(r"Page size:\s+841.89 x 595.276", pdf_info(tmp_path / "v.pdf"))  # A4 landscape
    assert summary.households == len(numbers) and summary.unpaired == 1 and summary.pdf_pages >= 1


def test_township_pdf_has_a_section_per_village_each_numbered_on_its_own(county, tmp_path):
    db, township, _, _ = county
    summary = export_pairs(db, tmp_path / "t.xlsx", area=township, pdf=tmp_path / "t.pdf", today=TODAY)
    text = pdf_text(tmp_path / "t.pdf")
    with db.session() as s:
        area = s.scalars(select(Area).where(Area.name == township)).one()
        villages = [v.name for v in area.children]
        heads, cadres, _ = heads_and_helpers(s, township)
    assert len(villages) > 1
    for name in villages:
        assert text.count(f"{name}帮扶责任人一览表") == 1
    assert text.count("第1页 共") == len(villages)  # each village's sheet starts at page 1
    assert all(head.name in text for head in heads) and all(cadre.name in text for cadre in cadres)
    assert summary.pdf_pages >= len(villages)
    assert "已导出" in summary.text() and str(tmp_path / "t.pdf") in summary.text()


def test_national_sheet_has_full_ids_as_text_and_national_dates_one_row_per_household(county, tmp_path):
    db, township, _, gap = county
    summary = export_pairs(db, tmp_path / "pairs.xlsx", area=township, today=TODAY)
    book = load_workbook(tmp_path / "pairs.xlsx")
    assert book.sheetnames == [TABLE_SHEET, NATIONAL_SHEET]
    sheet = book[NATIONAL_SHEET]
    header = [c.value for c in sheet[1]]
    assert header == [
        "户编号",
        "户主姓名",
        "户主证件号码",
        "帮扶责任人姓名",
        "帮扶责任人证件号码",
        "帮扶单位",
        "联系电话",
        "帮扶开始时间",
        "帮扶结束时间",
    ]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    with db.session() as s:
        heads, _, numbers = heads_and_helpers(s, township)
        head_of = {s.get(Household, h.household_id).number: h for h in heads}
        pairing = s.scalars(select(Pairing).join(Household).where(Household.number == numbers[0])).one()
        helper_id = pairing.cadre.id_number
    assert sorted(rows) == numbers and sheet.max_row == len(numbers) + 1  # one row per household
    first = rows[numbers[0]]
    head = head_of[numbers[0]]
    assert first[2].value == head.id_number and first[2].data_type == "s" and first[2].number_format == "@"
    assert first[0].data_type == "s" and first[0].number_format == "@"  # 户编号 as text: no 5.3293E+15
    assert first[4].value == helper_id and first[4].data_type == "s"
    assert first[7].value == "2021年07月01日" and first[8].value is None
    unpaired = rows[gap]
    assert unpaired[1].value == head_of[gap].name and unpaired[2].value == head_of[gap].id_number
    assert all(cell.value is None for cell in unpaired[3:])  # the gap shows: no helper, no dates
    assert summary.households == len(numbers) and summary.paired == len(numbers) - 1


def test_responsibility_sheet_lists_the_table_with_the_gap_blank(county, tmp_path):
    db, township, village, gap = county
    export_pairs(db, tmp_path / "pairs.xlsx", area=township, today=TODAY)
    sheet = load_workbook(tmp_path / "pairs.xlsx")[TABLE_SHEET]
    assert sheet["A1"].value == f"{township}帮扶责任人一览表"
    assert "2024年3月5日" in sheet["A2"].value and "未落实 1 户" in sheet["A2"].value
    header = [c.value for c in sheet[3]]
    assert header[:8] == ["序号", "乡镇", "行政村", "户编号", "户主姓名", "户主身份证号", "家庭人口", "帮扶责任人"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert all(r[1] == township for r in rows)
    by_number = {r[3]: r for r in rows}
    assert by_number[gap][2] == village and by_number[gap][4] and by_number[gap][7] is None
    paired = next(r for r in rows if r[9] == "副局长")
    assert paired[7] and paired[8] and paired[11] and paired[12] == dt.datetime(2021, 7, 1)
    assert [r[3] for r in rows if r[2] == village] == sorted(r[3] for r in rows if r[2] == village)


def test_rows_are_current_pairings_only_sorted_by_township_village_number(county):
    db, _, _, gap = county
    with db.transaction() as s:  # the gap household gets a new helper: the ended pairing stays as history
        household = s.scalars(select(Household).where(Household.number == gap)).one()
        cadre = s.scalars(select(Cadre).where(Cadre.rank == "township").order_by(Cadre.id)).first()
        s.add(Pairing(cadre_id=cadre.id, household_id=household.id, start_on=dt.date(2024, 1, 2)))
    with db.session() as s:
        table = responsibility.rows(s)
        assert len(table) == 300 and len({r.household_id for r in table}) == 300
        row = next(r for r in table if r.household_number == gap)
        assert row.helper == cadre.name and row.start_on == dt.date(2024, 1, 2) and row.end_on is None
        assert row.rank_label == "乡镇干部" and row.members >= 1
        order = {a.id: (a.parent.sort_order if a.parent else 0, a.sort_order) for a in s.scalars(select(Area))}
        keys = [(order[r.village_id], r.village_id, r.household_number) for r in table]
        assert keys == sorted(keys)
        assert responsibility.count(s) == (300, 300)


def test_county_pdf_is_refused_before_anything_is_written(county, tmp_path):
    db, *_ = county
    tmp_path = tmp_path / "out"  # the SQLite database lives in the test's folder
    tmp_path.mkdir()
    with db.session() as s:
        name = s.scalars(select(Area.name).where(Area.level == "county")).one()
    for area in (None, name):
        with pytest.raises(RuleViolation, match="请选择一个乡镇或村导出PDF"):
            export_pairs(db, tmp_path / "all.xlsx", area=area, pdf=tmp_path / "all.pdf")
    assert list(tmp_path.iterdir()) == []
    summary = export_pairs(db, tmp_path / "all.xlsx", area=name)  # the county's Excel is fine
    assert summary.households == 300 and summary.pdf is None
    with pytest.raises(NotFound, match="找不到名为“不存在村”"):
        export_pairs(db, tmp_path / "x.xlsx", area="不存在村")


def test_cancel_leaves_no_file_and_keeps_the_previous_one(county, tmp_path):
    db, township, _, _ = county
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "pairs.xlsx"
    target.write_bytes(b"the previous export")
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        export_pairs(db, target, area=township, pdf=tmp_path / "pairs.pdf", progress=progress)
    assert target.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.xlsx"]  # no temporary file left behind

    seen = []
    export_pairs(db, target, area=township, pdf=tmp_path / "pairs.pdf", progress=Progress(lambda *a: seen.append(a)))
    assert any("PDF" in label for _, _, label in seen) and any("导出" in label for _, _, label in seen)
    assert target.stat().st_size > 1000 and (tmp_path / "pairs.pdf").exists()
