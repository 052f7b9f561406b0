"""The printed notice sheet as a clerk gets it: text (pdftotext), fonts (pdffonts), page size (pdfinfo)."""

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from povdesk import demo
from povdesk.model import Area, Household, Member
from povdesk.notices import settings as notice_settings
from povdesk.notices import sheet, workflow
from povdesk.notices.export import export_sheets
from povdesk.pdf import notice_sheet

FULL_ID = re.compile(r"\d{17}[\dX]")
MASKED_ID = re.compile(r"532930\*{8}[\dX]{4}")
PHONE = re.compile(r"1[3589]\d{9}")
BANK = re.compile(r"6217\d{15}")
D = dt.date


def pdf_text(path, *args) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def pdf_pages(path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return pages, re.search(r"Page size:\s+(.*)", info).group(1)


@pytest.fixture
def county(db):
    demo.generate(db, households=1200, seed=2)
    return db


def village_with_most_exits(s, year=2019) -> Area:
    counts = s.execute(
        select(Household.village_id, func.count())
        .where(Household.status == "exited", Household.year_exited == year)
        .group_by(Household.village_id)
    ).all()
    return s.get(Area, max(counts, key=lambda r: r[1])[0])


def test_village_notice_has_title_totals_masked_ids_and_nothing_private(county, tmp_path):
    with county.session() as s:
        village = village_with_most_exits(s)
        batch = workflow.create_batch(s, kind="exit", year=2019, area=village)
        workflow.start_stage(s, batch, "village_notice", D(2019, 12, 24), today=D(2019, 12, 31))
        households, persons = workflow.counts(s, batch)
        data = sheet.build(s, batch, "village_notice")
        s.commit()
    out = tmp_path / "notice.pdf"
    rendered = notice_sheet.render(data, out)
    text = pdf_text(out)
    flat = text.replace("\n", "")
    assert f"{village.name}2019年贫困户退出公示" in text
    assert f"共 {households} 户 {persons} 人" in flat
    assert "自2019年12月24日起至2019年12月30日止" in flat
    assert "12317" in flat and f"{village.name}村民委员会" in text
    assert "2019年12月24日" in text.splitlines()[-3:][0] or "2019年12月24日" in text
    assert len(MASKED_ID.findall(text)) == households
    assert not FULL_ID.search(text) and not PHONE.search(text) and not BANK.search(text)
    assert "第1页 共1页" in text and rendered.pages == 1 and rendered.unprintable == {}
    assert not [line for line in text.splitlines() if line.startswith(tuple("，。；：？！）》、"))]
    fonts = pdf_fonts(out)
    assert fonts and all(row[-5] == "yes" for row in fonts)  # every font embedded
    assert all("WenQuanYi" in row[0] for row in fonts)
    _, size = pdf_pages(out)
    assert size.startswith("595.276 x 841.89")  # A4 portrait


def test_long_lists_repeat_the_header_and_number_the_pages(county, tmp_path):
    with county.session() as s:
        area = s.scalars(select(Area).where(Area.level == "county")).one()
        batch = workflow.create_batch(s, kind="identify", year=2014, area=area)
        data = sheet.build(s, batch, "county_announcement", today=D(2015, 1, 5))
        s.rollback()
    out = tmp_path / "announcement.pdf"
    rendered = notice_sheet.render(data, out)
    pages, _ = pdf_pages(out)
    assert pages == rendered.pages > 5
    for page in (1, pages // 2, pages):
        text = pdf_text(out, "-f", str(page), "-l", str(page))
        assert "户主姓名" in text and "序号" in text  # the header row on every page
        assert f"第{page}页 共{pages}页" in text
    assert "云岭县2014年贫困户识别公告" in pdf_text(out, "-l", "1")
    assert "行政村" in pdf_text(out, "-l", "1") and "乡镇" in pdf_text(out, "-l", "1")  # several villages: say which


def test_wide_column_sets_turn_the_page_and_the_id_column_can_be_dropped(county, tmp_path):
    with county.transaction() as s:
        settings = notice_settings.load(s)
        wide = "seq village group head number persons attribute cause status income"
        settings.columns["exit"] = wide.split()
        notice_settings.save(s, settings)
    with county.session() as s:
        batch = workflow.create_batch(s, kind="exit", year=2019, area=village_with_most_exits(s))
        data = sheet.build(s, batch, "village_notice", today=D(2019, 12, 1))
        s.rollback()
    out = tmp_path / "wide.pdf"
    assert notice_sheet.render(data, out).landscape
    _, size = pdf_pages(out)
    assert size.startswith("841.89 x 595.276")
    text = pdf_text(out)
    # the header may wrap in its cell (人均纯收 / 入（元）) once the longer official status labels widen 脱贫属性
    assert "人均纯收入" in text.replace("\n", "") and "户编号" in text
    assert not MASKED_ID.search(text) and not FULL_ID.search(text)


def test_rare_characters_print_with_the_fallback_fonts_or_are_reported(county, tmp_path):
    with county.transaction() as s:
        village = village_with_most_exits(s)
        batch = workflow.create_batch(s, kind="exit", year=2019, area=village)
        heads = s.scalars(
            select(Member).where(
                Member.household_id.in_(workflow.active_household_ids(s, batch)), Member.relation == "head"
            )
        ).all()
        heads[0].name, heads[1].name, heads[2].name = "王䶮", "张𠮷", "李\ue000"  # Ext A, Ext B, a home-made character
        data = sheet.build(s, batch, "village_notice", today=D(2019, 12, 1))
    assert notice_sheet.unprintable(data) == {"李\ue000": "\ue000"}
    out = tmp_path / "rare.pdf"
    rendered = notice_sheet.render(data, out)
    assert rendered.unprintable == {"李\ue000": "\ue000"}
    text = pdf_text(out)
    assert "王䶮" in text and "张𠮷" in text
    fonts = {row[0].split("+")[-1] for row in pdf_fonts(out)}
    assert any(name.startswith("HanaMinA") for name in fonts)
    assert all(row[-5] == "yes" for row in pdf_fonts(out))


def test_township_batch_exports_one_file_per_village(county, tmp_path):
    with county.session() as s:
        township = s.get(Area, village_with_most_exits(s).parent_id)
        batch = workflow.create_batch(s, kind="exit", year=2019, area=township)
        villages = {s.get(Household, i).village_id for i in workflow.active_household_ids(s, batch)}
        workflow.start_stage(s, batch, "village_notice", D(2019, 12, 1), today=D(2019, 12, 31))
        workflow.start_stage(s, batch, "township_review", D(2019, 12, 8), today=D(2019, 12, 31))
        s.commit()
        batch_id = batch.id
        names = {s.get(Area, v).name for v in villages}
    files = export_sheets(county, [batch_id], "township_notice", tmp_path / "out", today=D(2019, 12, 9))
    assert len(files) == len(villages) > 1
    for path in files:
        text = pdf_text(path)
        title = text.splitlines()[0]
        assert title.startswith(township.name) and title.endswith("2019年贫困户退出公示")
        assert any(name in title for name in names)
        assert f"{township.name}人民政府" in text and "2019年12月9日" in text


def test_cancelling_an_export_stops_it(county, tmp_path):
    from povdesk.progress import Cancelled, Progress

    with county.session() as s:
        area = s.scalars(select(Area).where(Area.level == "county")).one()
        batch_id = workflow.create_batch(s, kind="exit", year=2019, area=area).id
        s.commit()
    progress = Progress(
        lambda done, total, label: progress.cancel() if "正在生成公示单：" in label else None, interval=0
    )
    with pytest.raises(Cancelled):
        export_sheets(county, [batch_id], "village_notice", tmp_path / "out", progress, today=D(2019, 12, 1))
    assert len(list((tmp_path / "out").iterdir())) == 1  # stopped after the first village


def test_the_sheet_reads_as_laid_out_names_the_village_contact_and_leaves_room_for_the_seal(county, tmp_path):
    with county.transaction() as s:
        settings = notice_settings.load(s)
        settings.contact = "李文书 13812345678"
        notice_settings.save(s, settings)
    with county.session() as s:
        village = village_with_most_exits(s)
        batch = workflow.create_batch(s, kind="exit", year=2019, area=village)
        workflow.start_stage(s, batch, "village_notice", D(2019, 12, 24), today=D(2019, 12, 31))
        data = sheet.build(s, batch, "village_notice")
    text = data.sections[0].text
    assert "名单附后" not in text and "名单如下" in text  # the list follows the text directly
    assert "12317，村联系人及电话：李文书 13812345678" in text
    out = tmp_path / "sheet.pdf"
    notice_sheet.render(data, out)
    shots = Path("/tmp/shots15")
    shots.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(out), str(shots / "notice_sheet")],
                   check=True)  # fmt: skip
    # the seal's room: blank paper between the totals line and the issuing body
    boxes = pdf_text(out, "-bbox")
    lines = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', boxes)
    total = max(float(y2) for y1, y2, word in lines if word.startswith("合计"))
    issuer = min(float(y1) for y1, y2, word in lines if word == data.sections[0].issuer and float(y1) > total)
    assert issuer - total >= 25 * 72 / 25.4  # at least 25 mm


def test_each_village_sheet_names_its_own_contact_else_the_office_wide_one(county):
    with county.session() as s:
        township = s.scalars(select(Area).where(Area.level == "township").order_by(Area.path)).first()
        batch = workflow.create_batch(s, kind="exit", year=2019, area=township)
        villages = sorted({r.village_id for r in sheet.load_rows(s, batch, workflow.active_household_ids(s, batch))})
        assert len(villages) >= 2
        settings = notice_settings.load(s)
        settings.contact = "乡扶贫站 0743-1234567"
        settings.village_contacts = {str(villages[0]): "李文书 13812345678"}
        data = sheet.build(s, batch, "village_notice", settings=settings, today=D(2019, 12, 31))
        township_sheet = sheet.build(s, batch, "township_notice", settings=settings, today=D(2019, 12, 31))
        names = dict(s.execute(select(Area.id, Area.name).where(Area.id.in_(villages))).all())
    by_village = {section.village: section.text for section in data.sections}
    assert "村联系人及电话：李文书 13812345678" in by_village[names[villages[0]]]
    assert "村联系人及电话：乡扶贫站 0743-1234567" in by_village[names[villages[1]]]
    assert all("李文书" not in section.text for section in township_sheet.sections)
