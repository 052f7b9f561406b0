"""Messy roster workbooks as clerks send them, built with openpyxl (.xlsx) and xlwt (.xls), and checks of the builder."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import openpyxl
import xlwt
from openpyxl.styles import Alignment

from povdesk import idnumber
from povdesk.db import Database
from povdesk.model import Household, Member
from povdesk.roster.normalize import age_on

TODAY = dt.date.today()
REGION = "532930"

# (caption of the group row in a two-row header or None, header, household-level?)
COLUMNS = [
    (None, "序号", False),
    ("所在地", "乡（镇）", True),
    ("所在地", "行政村", True),
    ("所在地", "村民小组", True),
    (None, "户编号", True),
    ("家庭成员", "姓名", False),
    ("家庭成员", "证件号码", False),
    ("家庭成员", "性别", False),
    ("家庭成员", "年龄", False),
    ("家庭成员", "与户主关系", False),
    ("家庭成员", "民族", False),
    ("家庭成员", "健康状况", False),
    ("家庭成员", "劳动技能", False),
    ("家庭成员", "是否参加大病保险", False),
    (None, "人数", True),
    ("户基本情况", "贫困户属性", True),
    ("户基本情况", "主要致贫原因", True),
    ("户基本情况", "其他致贫原因", True),
    ("户基本情况", "脱贫属性", True),
    ("户基本情况", "识别年度", True),
    ("户基本情况", "脱贫年度", True),
    ("户基本情况", "联系电话", True),
    ("收入情况（元）", "收入年度", True),
    ("收入情况（元）", "人均纯收入", True),
    ("两不愁三保障", "住房安全有保障", True),
    ("两不愁三保障", "饮水安全有保障", True),
    ("帮扶责任人", "姓名", True),
    ("帮扶责任人", "单位", True),
    ("帮扶责任人", "联系电话", True),
]
HEADERS = [c[1] for c in COLUMNS]
HOUSEHOLD_COLUMNS = {i for i, c in enumerate(COLUMNS) if c[2]}
COL = {}
for _i, (_group, _name, _) in enumerate(COLUMNS):
    COL.setdefault(_name if _group != "帮扶责任人" else "帮扶" + _name, _i)


def person_id(born: dt.date, sequence: int) -> str:
    return idnumber.make(REGION, born, sequence)


def _member(name, born, seq, relation, sex, ethnicity="汉族", health="健康", labor="普通劳动力", insured="是"):
    return {"姓名": name, "证件号码": person_id(born, seq), "性别": sex, "年龄": age_on(born, TODAY),
            "与户主关系": relation, "民族": ethnicity, "健康状况": health, "劳动技能": labor, "是否参加大病保险": insured}  # fmt: skip


def sample_households() -> list[dict]:
    """Three households in two villages, with the formats clerks use (2014年, 4,200元, 是/否, full names)."""
    return [
        {
            "乡（镇）": "青山镇", "行政村": "红星村", "村民小组": "第一组", "户编号": "5329301001000001", "人数": 3,
            "贫困户属性": "一般贫困户", "主要致贫原因": "因病", "其他致贫原因": "缺技术、缺资金", "脱贫属性": "已脱贫",
            "识别年度": "2014年", "脱贫年度": 2018, "联系电话": "13812345678", "收入年度": 2020,
            "人均纯收入": "6,200元", "住房安全有保障": "是", "饮水安全有保障": "是",
            "帮扶姓名": "李卫东", "帮扶单位": "县农业农村局", "帮扶联系电话": "13900000001",
            "members": [
                _member("张建国", dt.date(1965, 3, 12), 11, "户主", "男"),
                _member("王秀英", dt.date(1967, 8, 2), 22, "配偶", "女", health="长期慢性病"),
                _member("张小明", dt.date(2008, 1, 20), 31, "之子", "男", labor="无劳动力"),
            ],
        },
        {
            "乡（镇）": "青山镇", "行政村": "红星村", "村民小组": "第二组", "户编号": "5329301001000002", "人数": 2,
            "贫困户属性": "低保户", "主要致贫原因": "因残致贫", "其他致贫原因": None, "脱贫属性": "未脱贫",
            "识别年度": "2015-06", "脱贫年度": None, "联系电话": "13812345679", "收入年度": 2020,
            "人均纯收入": 3900.5, "住房安全有保障": "否", "饮水安全有保障": "是",
            "帮扶姓名": "李卫东", "帮扶单位": "县农业农村局", "帮扶联系电话": "13900000001",
            "members": [
                _member("李桂兰", dt.date(1950, 5, 5), 42, "户主", "女", health="残疾", labor="丧失劳动力"),
                _member("李强", dt.date(1980, 11, 30), 51, "之子", "男"),
            ],
        },
        {
            "乡（镇）": "白沙乡", "行政村": "新田村", "村民小组": "第一组", "户编号": "5329302001000001", "人数": 1,
            "贫困户属性": "五保户", "主要致贫原因": "缺劳力", "其他致贫原因": None, "脱贫属性": "已脱贫",
            "识别年度": dt.date(2016, 3, 1), "脱贫年度": "2019年", "联系电话": None, "收入年度": 2020,
            "人均纯收入": "5200", "住房安全有保障": "是", "饮水安全有保障": "是",
            "帮扶姓名": "赵敏", "帮扶单位": "县教育局", "帮扶联系电话": "13900000002",
            "members": [_member("杨发祥", dt.date(1940, 2, 14), 73, "户主", "男", ethnicity="白族", labor="无劳动力")],
        },
    ]  # fmt: skip


def _household_cells(household: dict) -> dict[int, object]:
    cells = {}
    for i, (group, name, level) in enumerate(COLUMNS):
        if level:
            key = "帮扶" + name if group == "帮扶责任人" else name
            cells[i] = household.get(key)
    return cells


def roster_rows(households: list[dict], layout: str = "repeat") -> tuple[list[list], list[tuple[int, int]]]:
    """Data rows and, for the merged layout, (first, last) data-row index pairs of each household."""
    rows, spans, seq = [], [], 0
    for household in households:
        first = len(rows)
        for k, member in enumerate(household["members"]):
            seq += 1
            row = [None] * len(COLUMNS)
            row[0] = seq
            for i, (_group, name, level) in enumerate(COLUMNS):
                if not level and name in member:
                    row[i] = member[name]
            if k == 0 or layout == "repeat":
                for i, value in _household_cells(household).items():
                    row[i] = value
            rows.append(row)
        spans.append((first, len(rows) - 1))
    return rows, spans


def write_roster(
    path: Path,
    households: list[dict] | None = None,
    *,
    layout: str = "repeat",
    two_row_header: bool = False,
    title: bool = True,
    extra_rows: list[tuple[int, list]] = (),
    sheet: str = "花名册",
    other_sheet_first: bool = False,
) -> Path:
    """A roster as a township sends it: a title, a 填报单位 line, the header (one or two rows), the column-number row,
    the data (household cells repeated, on the head's row only, or merged vertically), a blank row and a 合计 row.

    `extra_rows` inserts (data index, cells) rows before the given data row (to plant defects)."""
    households = copy.deepcopy(households if households is not None else sample_households())
    rows, spans = roster_rows(households, layout)
    for index, cells in sorted(extra_rows, key=lambda item: -item[0]):
        rows.insert(index, cells)
        spans = [(a + (a >= index), b + (b >= index)) for a, b in spans]
    top: list[list] = []
    if title:
        top.append(["青山县建档立卡贫困人口明细表"])
        top.append(["填报单位：青山县乡村振兴局", None, None, None, None, None, "填报日期：2021年3月1日"])
    header_start = len(top)
    if two_row_header:
        top.append([group if group else name for group, name, _ in COLUMNS])
        top.append([name if group else None for group, name, _ in COLUMNS])
    else:
        helper = {"姓名": "帮扶责任人", "单位": "帮扶责任人单位", "联系电话": "帮扶责任人电话"}
        top.append([helper[name] if group == "帮扶责任人" else name for group, name, _ in COLUMNS])
    top.append(list(range(1, len(COLUMNS) + 1)))  # the column numbers official tables carry
    data_start = len(top)
    footer = [
        [None] * len(COLUMNS),
        ["合计", None, None, None, None, f"{sum(len(h['members']) for h in households)}人"],
    ]
    all_rows = top + rows + footer
    merges = []
    if title:
        merges.append((0, 0, 0, len(COLUMNS) - 1))
    if two_row_header:
        for i, (group, _, _) in enumerate(COLUMNS):
            if group is None:
                merges.append((header_start, i, header_start + 1, i))
        i = 0
        while i < len(COLUMNS):
            group = COLUMNS[i][0]
            j = i
            while j + 1 < len(COLUMNS) and group and COLUMNS[j + 1][0] == group:
                j += 1
            if group and j > i:
                merges.append((header_start, i, header_start, j))
            i = j + 1
    if layout == "merged":
        for first, last in spans:
            if last > first:
                for i in sorted(HOUSEHOLD_COLUMNS):
                    merges.append((data_start + first, i, data_start + last, i))
    if path.suffix == ".xls":
        _write_xls(path, all_rows, merges, sheet, other_sheet_first)
    else:
        _write_xlsx(path, all_rows, merges, sheet, other_sheet_first)
    return path


def _write_xlsx(path: Path, rows: list[list], merges, sheet: str, other_sheet_first: bool) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    if other_sheet_first:
        ws.title = "说明"
        ws["A1"] = "本表由村里填报"
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                cell = ws.cell(r, c, value)
                if isinstance(value, str) and value.isdigit():
                    cell.number_format = "@"
    for r1, c1, r2, c2 in merges:
        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        ws.cell(r1 + 1, c1 + 1).alignment = Alignment(vertical="center")
    wb.save(path)


def _write_xls(path: Path, rows: list[list], merges, sheet: str, other_sheet_first: bool) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    if other_sheet_first:
        wb.add_sheet("说明").write(0, 0, "本表由村里填报")
    ws = wb.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    merged_cells = {}
    for r1, c1, r2, c2 in merges:
        merged_cells[(r1, c1)] = (r2, c2)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    merged_cells[(r, c)] = None
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            span = merged_cells.get((r, c), ())
            if span is None:
                continue
            style = date_style if isinstance(value, dt.date) else xlwt.Style.default_style
            if span:
                ws.write_merge(r, span[0], c, span[1], value, style)
            elif value is not None:
                ws.write(r, c, value, style)
    wb.save(str(path))


def registry_dump(db: Database) -> list[tuple]:
    """The households and members in the database, comparable across imports (no ids, no timestamps)."""
    with db.session() as s:
        households = {h.id: h for h in s.query(Household)}
        rows = []
        for m in s.query(Member).filter(Member.removed_on.is_(None)):
            h = households[m.household_id]
            rows.append((h.number, h.village_id is not None, h.attribute, h.main_cause, h.other_cause_1, h.other_cause_2,
                         h.status, h.year_identified, h.year_exited, h.phone, m.id_number, m.name, m.sex, m.birth_date,
                         m.relation, m.ethnicity, m.health, m.labor, m.serious_illness_insurance))  # fmt: skip
        return sorted(rows)


def test_the_builder_writes_what_the_importer_is_tested_on(tmp_path):
    # GIVEN a roster in the merged layout with a two-row header
    path = write_roster(tmp_path / "r.xlsx", layout="merged", two_row_header=True)
    ws = openpyxl.load_workbook(path).active
    # THEN the title, the two header rows, the numbering row and the merges are where a clerk would see them
    assert ws["A1"].value == "青山县建档立卡贫困人口明细表"
    assert ws.cell(3, 2).value == "所在地" and ws.cell(4, 2).value == "乡（镇）"
    assert ws.cell(5, 1).value == 1
    assert any(str(r).startswith("B6:") for r in ws.merged_cells.ranges)
