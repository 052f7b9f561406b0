"""Cadre rosters and pairing sheets written as real .xlsx files, the way county offices keep them: a merged title and
an information row above the header, ID numbers as text, phone numbers as numbers, a name with a trailing space, a
blank row, a 合计 row, a typo'd rank, a duplicate ID number, dates as `2018年03月01日` text and as real Excel dates.

Each builder returns the file and where its rows are (Excel row numbers), so tests assert what a clerk would read in
the import report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment
from sqlalchemy import select

from povdesk import idnumber
from povdesk.model import Area, Household, Member

REGION = "532930"


def cadre_id(birth: dt.date, sequence: int) -> str:
    """A valid ID number (odd sequence: male)."""
    return idnumber.make(REGION, birth, sequence)


def bad_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


@dataclass
class Written:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)  # label → Excel row
    ids: dict[str, str] = field(default_factory=dict)  # name → ID number


def _write(path: Path, title: str, header: list[list], rows: list[list | None], *, merges=(),
           text_columns=(), footer: list | None = None) -> tuple[int, list[int]]:  # fmt: skip
    """Title (merged over the table), an information row, the header rows, the data rows (None: a blank row), a 合计
    row. Returns the first data row and each data row's Excel row number."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    width = len(header[-1])
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    info = [None] * width
    info[0], info[width - 3] = "填报单位：云岭县乡村振兴局", "填报日期：2022年6月30日"
    ws.append(info)
    for cells in header:
        ws.append(cells)
    for r1, c1, r2, c2 in merges:  # in header coordinates (0-based rows under the information row)
        ws.merge_cells(start_row=3 + r1, start_column=c1 + 1, end_row=3 + r2, end_column=c2 + 1)
    first = ws.max_row + 1
    numbers = []
    for cells in rows:
        ws.append(cells if cells is not None else [None] * width)
        numbers.append(ws.max_row)
        for col in text_columns:
            ws.cell(ws.max_row, col + 1).number_format = "@"
    if footer is not None:
        ws.append(footer)
    wb.save(path)
    return first, numbers


def plain_sheet(path: Path, rows: list[list]) -> Path:
    """Bare rows from A1 with no title: a file that is not the kind of sheet the importer expects."""
    wb = openpyxl.Workbook()
    for cells in rows:
        wb.active.append(cells)
    wb.save(path)
    return path


# -- areas of a demo county ---------------------------------------------------------------------------------------
@dataclass
class County:
    townships: list[str]
    villages: dict[str, list[str]]  # township → its villages
    households: list[tuple[str, str, str]]  # (household number, head's ID number, head's name)


def county_of(db) -> County:
    with db.session() as s:
        townships = dict(s.execute(select(Area.id, Area.name).where(Area.level == "township").order_by(Area.id)).all())
        villages: dict[str, list[str]] = {}
        for name, parent in s.execute(select(Area.name, Area.parent_id).where(Area.level == "village")
                                      .order_by(Area.id)):  # fmt: skip
            villages.setdefault(townships[parent], []).append(name)
        households = s.execute(
            select(Household.number, Member.id_number, Member.name)
            .join(Member, Member.household_id == Household.id)
            .where(Member.relation == "head")
            .order_by(Household.id)
        ).all()
    return County(list(townships.values()), villages, [tuple(h) for h in households])


# -- a cadre roster ---------------------------------------------------------------------------------------------------
CADRE_HEADER = ["序号", "姓名", "性别", "身份证号", "工作单位", "职务", "职级", "联系电话", "政治面貌", "乡镇"]


def cadre_roster(path: Path, county: County) -> Written:
    """A county's 帮扶干部花名册 with defects a clerk leaves in (see the module docstring)."""
    t0, t1, t2 = county.townships[:3]
    v0 = county.villages[t0][0]
    born = dt.date(1975, 5, 12)
    ids = {name: cadre_id(born, 11 + 2 * i) for i, name in enumerate(
        ("王建国", "李秀英", "张明华", "彭志强", "田玉兰", "向春梅", "黄光荣", "吴德顺", "贾世清", "鲁家兴", "石文静"))}  # fmt: skip
    ids["李秀英"] = cadre_id(born, 12)  # a woman
    ids["田玉兰"] = cadre_id(born, 14)
    ids["向春梅"] = cadre_id(born, 16)
    stem = t1[:-1]  # 竹湾乡 → 竹湾: a 乡镇 cell without its suffix
    spec = [
        ("county", ["王建国", "男", ids["王建国"], "县发展和改革局", "局长", "县处级", 13907431001, "中共党员", None]),
        ("section", ["李秀英 ", "女", ids["李秀英"], "县教育局", "副局长", "副科级", 13907431002, "中共党员", None]),
        ("general", ["张明华", "男", ids["张明华"], "县农业农村局", "科员", "一般干部", 13907431003, "群众", None]),
        ("township_unit", ["彭志强", "男", ids["彭志强"], f"{t0}人民政府", "副镇长", "乡镇干部", 13907431004, "中共党员",
                           None]),
        ("township_column", ["田玉兰", "女", ids["田玉兰"], "乡镇扶贫工作站", "站长", "乡(镇)干部", 13907431005, "共青团员",
                             stem]),
        ("township_party", ["向春梅", "女", ids["向春梅"], f"中共{t2}委员会", "组织委员", "乡镇干部", 13907431006, "13",
                            None]),
        ("township_unknown", ["黄光荣", "男", ids["黄光荣"], "县乡村振兴局", "干事", "乡镇干部", 13907431007, "中共党员",
                              None]),
        ("village", ["吴德顺", "男", ids["吴德顺"], f"{v0}委会", "党支部书记", "村干部", 13907431008, "中共党员", None]),
        ("bad_rank", ["贾世清", "男", ids["贾世清"], "县财政局", "副局长", "县处汲", 13907431009, "中共党员", None]),
        ("blank", None),
        ("duplicate", ["鲁家兴", "男", ids["王建国"], "县水利局", "股长", "科级干部", 13907431010, "群众", None]),
        ("no_id", ["瞿丽娟", "女", None, "县卫生健康局", "科员", "一般干部", 13907431011, "群众", None]),
        ("bad_id", ["石文静", "女", bad_check_digit(ids["石文静"]), "县民政局", "科员", "一般干部", 13907431012, "群众",
                    None]),
    ]  # fmt: skip
    rows = [None if cells is None else [i + 1, *cells] for i, (_, cells) in enumerate(spec)]
    footer = ["合计", None, None, None, None, None, None, None, None, f"共{len(spec) - 1}人"]
    _, numbers = _write(path, "云岭县结对帮扶干部花名册", [CADRE_HEADER], rows, text_columns=(3,), footer=footer)
    written = Written(path, {label: number for (label, _), number in zip(spec, numbers, strict=True)}, ids)
    written.rows["total"] = numbers[-1] + 1
    return written


# -- a pairing sheet --------------------------------------------------------------------------------------------------
# The 帮扶责任人 page's layout: two header rows, 户主 and 帮扶责任人 captions merged over their columns
PAIRING_TOP = ["序号", "户编号", "户主", None, "帮扶责任人", None, None, None, "帮扶开始时间", "帮扶结束时间"]
PAIRING_UNDER = [None, None, "姓名", "证件号码", "姓名", "身份证号", "单位", "联系方式", None, None]
PAIRING_MERGES = ((0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 0, 7), (0, 8, 1, 8), (0, 9, 1, 9))


def pairing_sheet(path: Path, county: County, cadres: Written) -> Written:
    """Pairings an office made by hand, for the first households of `county`; helpers from `cadres`' roster."""
    ids = cadres.ids
    (n1, _, head1), (n2, _, head2), (_, id3, head3), (n4, _, head4), (n5, _, head5) = county.households[:5]
    spec = [
        # a current pairing, the date as the national UI writes it
        ("current", [n1, head1, None, "王建国", ids["王建国"], "县发展和改革局", 13907431001, "2022年03月01日", None]),
        # a past helper: history, real Excel dates
        ("ended", [n2, head2, None, "李秀英", ids["李秀英"], "县教育局", 13907431002, dt.datetime(2016, 1, 1),
                   dt.datetime(2018, 3, 1)]),
        # the household by its head's ID number only; a helper the registry does not know
        ("new_helper", [None, head3, id3, "赵新人", None, "县交通运输局", 13800000009, "2022.3.1", None]),
        ("end_before_start", [n4, head4, None, "张明华", ids["张明华"], "县农业农村局", None, "2022年05月01日",
                              "2021年01月01日"]),
        ("unknown_household", ["5329309999999999", "无此人", None, "张明华", ids["张明华"], "县农业农村局", None,
                               "2022年05月01日", None]),
        ("second_current", [n1, head1, None, "张明华", ids["张明华"], "县农业农村局", None, "2022年04月01日", None]),
        ("blank", None),
        ("no_start", [n5, head5, None, "张明华", ids["张明华"], "县农业农村局", 13907431003, None, None]),
    ]  # fmt: skip
    rows = [None if cells is None else [i + 1, *cells] for i, (_, cells) in enumerate(spec)]
    footer = ["合计", None, None, None, None, None, None, None, None, None]
    _, numbers = _write(path, "云岭县建档立卡贫困户帮扶责任人结对表", [PAIRING_TOP, PAIRING_UNDER], rows,
                        merges=PAIRING_MERGES, text_columns=(1, 3, 5), footer=footer)  # fmt: skip
    return Written(path, {label: number for (label, _), number in zip(spec, numbers, strict=True)}, ids)


# -- a household roster with helpers and their dates ----------------------------------------------------------------
HOUSEHOLD_HEADER = ["序号", "乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "帮扶责任人", "帮扶责任人单位",
                    "帮扶责任人电话", "帮扶开始时间", "帮扶结束时间"]  # fmt: skip


def household_roster(path: Path, helpers: list[tuple[str, str, object, object]]) -> Written:
    """Two households of one person each; `helpers`: per household (name, unit, start, end) as written."""
    born = dt.date(1960, 3, 4)
    rows, ids = [], {}
    for i, (helper, unit, start, end) in enumerate(helpers):
        name = ("杨发祥", "段玉珍")[i]
        ids[name] = idnumber.make(REGION, born, 21 + 2 * i)
        rows.append([i + 1, "岩庄镇", "湾塘村", f"53293010010000{i + 1:02d}", name, ids[name], "户主", helper, unit,
                     13907439000 + i, start, end])  # fmt: skip
    _, numbers = _write(path, "云岭县建档立卡贫困人口花名册", [HOUSEHOLD_HEADER], rows, text_columns=(3, 5))
    return Written(path, {f"household{i + 1}": n for i, n in enumerate(numbers)}, ids)


FLAT_PAIRING_HEADER = ["户编号", "户主姓名", "帮扶责任人姓名", "帮扶责任人身份证号", "帮扶责任人单位", "帮扶责任人电话",
                       "帮扶开始时间", "帮扶结束时间"]  # fmt: skip


def flat_pairing_sheet(path: Path, rows: list[list]) -> Written:
    """A pairing sheet with a one-row header (FLAT_PAIRING_HEADER), under a title and an information row."""
    _, numbers = _write(path, "结对帮扶责任人名单", [FLAT_PAIRING_HEADER], rows, text_columns=(0, 3))
    return Written(path, {f"row{i + 1}": n for i, n in enumerate(numbers)})
