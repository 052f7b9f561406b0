"""Headers of rosters as the national systems export them: title and information rows above the header, group
captions over part of the columns, headers of one to three rows, ~170 columns, and the official column names."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from povdesk.roster.layout import COLUMNS, fold, header_forms, match_header
from povdesk.roster.reader import RosterSheet, data_year_hint

ID = "532930196503120011"

# The E2016 国办数据 "贫困户数据" export, one row per person (CODES.md §1), and the field each column fills.
E2016 = [
    ("序号", "seq"), ("县(市、区、旗)", "county"), ("乡(镇)", "township"), ("行政村", "village"), ("自然村", "group"),
    ("户编号", "household_number"), ("人编号", None), ("姓名", "name"), ("证件号码", "id_number"),
    ("人数", "household_size"), ("与户主关系", "relation"), ("民族", "ethnicity"), ("文化程度", "education"),
    ("在校生状况", "school_status"), ("健康状况", "health"), ("劳动技能", "labor"), ("务工状况", "work_status"),
    ("务工时间（月）", "work_months"), ("参加大病医疗", "serious_illness_insurance"), ("脱贫属性", "status"),
    ("脱贫年度", "year_exited"), ("贫困户属性", "attribute"), ("主要致贫原因", "main_cause"),
    ("危房户", "dangerous_house"), ("饮水安全", "water_ok"), ("饮水困难", None), ("人均纯收入", "per_capita_income"),
    ("联系电话", "phone"),
]  # fmt: skip
E2016_ROW = [1, "龙山县", "石牌镇", "红岩村", "二组", "43313010100100001", "4331301010010000101", "彭大山", ID, 3,
             "户主", "土家族", "小学", "", "健康", "普通劳动力", "县外省内务工", 6, "是", "已脱贫", 2017, "一般贫困户",
             "因病", "否", "是", "否", 4200, "13807431234"]  # fmt: skip

# The E2021 （自定义）监测对象信息 export (CODES.md §1): the columns PovDesk models among many it does not.
E2021 = [
    ("序号", "seq"), ("省", None), ("市", None), ("县", "county"), ("乡", "township"), ("村", "village"),
    ("户编号", "household_number"), ("人口编号", None), ("姓名", "name"), ("证件类型", None),
    ("证件号码", "id_number"), ("性别", "sex"), ("出生日期", None), ("民族", "ethnicity"), ("政治面貌", None),
    ("与户主关系", "relation"), ("文化程度", "education"), ("在校生状况", "school_status"),
    ("义务教育阶段未上学原因", None), ("健康状况", "health"), ("劳动技能", "labor"), ("务工所在地", None),
    ("务工时间（月）", "work_months"), ("务工企业名称", None), ("就业渠道（易地搬迁后扶使用）", None),
    ("公益性岗位", None), ("公益性岗位(月数)", None), ("是否参加城乡居民基本医疗保险", "medical_insurance"),
    ("是否参加城镇职工基本医疗保险", None), ("是否参加大病保险", "serious_illness_insurance"),
    ("是否参加城乡居民基本养老保险", "pension_insurance"), ("是否参加城镇职工基本养老保险", None),
    ("享受低保政策情况", "low_income_support"), ("享受特困供养政策情况", "extreme_support"),
    ("家庭成员联系电话", "member_phone"), ("是否会讲普通话", None), ("残疾证办证年度", None),
    ("是否事实无人抚养儿童", None), ("大专或本科毕业生未就业原因", None), ("户联系电话", "phone"),
    ("家庭人口数", "household_size"), ("户类型", "household_type"), ("监测对象类别", "monitor_type"),
    ("是否军烈属", None), ("人均纯收入（元）", "per_capita_income"), ("工资性收入", "wage_income"),
    ("生产经营性收入", "business_income"), ("转移性收入", "transfer_income"), ("合规自付支出", None),
    ("是否危房户", "dangerous_house"), ("是否解决安全饮用水", "water_ok"),
    ("是否义务教育阶段适龄儿童少年失学辍学", None), ("是否有家庭成员未参加城乡居民（职工）基本医疗保险", None),
    ("实施开发式帮扶措施情况", None), ("产业帮扶", None), ("就业帮扶", None), ("金融帮扶", None),
    ("公益岗位帮扶", None), ("住房安全保障", None), ("饮水安全保障", None), ("健康帮扶", None),
    ("义务教育保障", None), ("教育帮扶", None), ("综合保障", None), ("社会帮扶", None), ("搬迁", None),
    ("生产生活条件改善", None), ("基础设施建设", None), ("整户无劳动能力兜底保障户", None),
    ("风险是否已消除", "risk_eliminated"), ("风险消除方式", "elimination_method"),
    ("识别监测时间", "monitor_since"), ("消除监测时间", "risk_eliminated_on"), ("因自然灾害子项", None),
    *((f"{kind}项目{i}{what}", None) for i in range(1, 17) for kind in ("产业", "就业")
      for what in ("名称", "资金（万元）", "实施年度")),
    ("风险是否已消除", None),  # the export's second column of that name: left to the clerk
    *((f"致贫/返贫风险{i}", f"risk_{i}") for i in range(1, 6)),
]  # fmt: skip


def write(path: Path, rows: list[list], merges: list[str] = ()) -> Path:
    """An .xlsx file with these rows from A1 and these merged ranges ("A1:AB1")."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value not in (None, ""):
                ws.cell(r, c, value)
    for cells in merges:
        ws.merge_cells(cells)
    wb.save(path)
    return path


def across(row: int, columns: int) -> str:
    return f"A{row}:{get_column_letter(columns)}{row}"


def read_header(path: Path, **kwargs):
    with RosterSheet(path, **kwargs) as roster:
        first = next(roster.rows())
        return roster.header, first


def expected_mapping(columns: list[tuple[str, str | None]]) -> dict[int, str]:
    return {col: key for col, (_, key) in enumerate(columns) if key}


@pytest.mark.parametrize(
    ("title_merge", "info_merge"),
    [(across(1, 28), across(2, 28)), ("A1:T1", None), (None, None)],
    ids=["merged-across", "title-over-most-columns", "single-cells"],
)
def test_the_2016_national_export_has_its_header_on_the_third_row_under_a_title_and_an_info_row(
    tmp_path, title_merge, info_merge
):
    # GIVEN the 国办 export: a title, an information line, the header on row 3 and people from row 4
    title, info = "龙山县建档立卡贫困户数据", "统计范围：龙山县 数据截止：2018年12月31日"
    rows = [[title], [info], [name for name, _ in E2016], E2016_ROW]
    path = write(tmp_path / "国办数据.xlsx", rows, [m for m in (title_merge, info_merge) if m])
    # WHEN it is read
    header, (excel_row, cells) = read_header(path)
    # THEN every column keeps its own name and the field it fills; the title and the info line are context
    assert header.excel_row == 3 and header.first_row == 2 and excel_row == 4 and cells[7] == "彭大山"
    assert header.texts == [name for name, _ in E2016]
    assert header.mapping == expected_mapping(E2016)
    assert [header.texts[c] for c in header.unmapped] == ["人编号", "饮水困难"]
    assert header.context == [title, info]
    assert data_year_hint(header.context) == 2018


def test_a_header_of_three_rows_reads_each_column_under_its_captions(tmp_path):
    # GIVEN a title and a header of three rows: group captions, sub-captions, names; names merged down where they
    # have no caption; 帮扶责任人 over 姓名 and 联系方式 › 联系电话
    top = ["序号", "县(市、区、旗)", "乡(镇)", "行政村", "户编号", "家庭成员", *[""] * 6, "户基本情况", "", "",
           "帮扶责任人", ""]  # fmt: skip
    middle = [""] * 5 + ["姓名", "证件号码", "与户主关系", "健康状况", "务工情况", "", "人编号", "贫困户属性",
                         "脱贫属性", "年人均纯收入（元）", "姓名", "联系方式"]  # fmt: skip
    bottom = [""] * 9 + ["务工状况", "务工时间（月）"] + [""] * 5 + ["联系电话"]
    data = [1, "龙山县", "石牌镇", "红岩村", "43313010100100001", "彭大山", ID, "户主", "健康", "省外务工", 8,
            "4331301010010000101", "一般贫困户", "已脱贫", 5200, "向红梅", "13907431234"]  # fmt: skip
    merges = [across(1, 17), "F2:L2", "M2:O2", "P2:Q2", "J3:K3"]
    merges += [f"{get_column_letter(c)}2:{get_column_letter(c)}4" for c in range(1, 6)]
    merges += [f"{get_column_letter(c)}3:{get_column_letter(c)}4" for c in (6, 7, 8, 9, 12, 13, 14, 15, 16)]
    path = write(tmp_path / "三行表头.xlsx", [["龙山县建档立卡贫困人口花名册"], top, middle, bottom, data], merges)
    # WHEN it is read, with the header found, and with its last row given as the clerk does in the wizard
    for header, (excel_row, cells) in (read_header(path), read_header(path, header_row=4)):
        # THEN the three rows are the header, the data starts on row 5, and each column fills its field
        assert (header.first_row, header.excel_row, excel_row, cells[5]) == (1, 4, 5, "彭大山")
        assert header.mapping == {
            0: "seq", 1: "county", 2: "township", 3: "village", 4: "household_number", 5: "name", 6: "id_number",
            7: "relation", 8: "health", 9: "work_status", 10: "work_months", 12: "attribute", 13: "status",
            14: "per_capita_income", 15: "helper_name", 16: "helper_phone",
        }  # fmt: skip
        assert header.texts[9:17] == ["务工状况", "务工时间（月）", "人编号", "贫困户属性", "脱贫属性",
                                      "年人均纯收入（元）", "帮扶责任人姓名", "帮扶责任人联系电话"]  # fmt: skip
        assert header.context == ["龙山县建档立卡贫困人口花名册"]


def test_the_2021_monitoring_export_of_170_columns_maps_its_fields_and_keeps_the_others_by_name(tmp_path):
    # GIVEN （自定义）监测对象信息: a title and an export line merged across ~170 columns, the header on row 3,
    # 致贫/返贫风险1–5 at the far right
    names = [name for name, _ in E2021]
    assert len(names) >= 160
    title, info = "（自定义）监测对象信息", "导出时间：2023-05-10 10:21:33 导出范围：贵州省黔南布依族苗族自治州长顺县"
    data = ["1", "贵州省", "黔南州", "长顺县", "广顺镇", "石洞村", "52273010100100001", "5227301010010000101",
            "罗小芬", "居民身份证（户口簿）", ID]  # fmt: skip
    path = write(tmp_path / "（自定义）监测对象信息.xlsx", [[title], [info], names, data],
                 [across(1, len(names)), across(2, len(names))])  # fmt: skip
    # WHEN it is read
    header, (excel_row, cells) = read_header(path)
    # THEN the header is row 3 with the export's own column names, the data starts on row 4
    assert header.excel_row == 3 and excel_row == 4 and cells[8] == "罗小芬"
    assert header.texts == names
    assert header.mapping == expected_mapping(E2021)
    assert [header.mapping[c] for c in range(len(names) - 5, len(names))] == [f"risk_{i}" for i in range(1, 6)]
    # AND the title and export line are context that names no data year (when it was exported is not one)
    assert header.context == [title, info]
    assert data_year_hint(header.context) is None


def test_a_group_caption_applies_over_its_merged_columns_only_and_a_title_over_none(tmp_path):
    # GIVEN a title over the whole sheet, then 户基本情况 merged over three columns and 帮扶责任人 over two, the
    # other columns' names merged down over both header rows
    names = ["户编号", "姓名", "证件号码", "与户主关系", "行政村", "年人均纯收入（元）", "是否危房户", "是否饮水安全",
             "姓名", "联系电话", "是否军烈属"]  # fmt: skip
    captions = names[:5] + ["户基本情况", "", "", "帮扶责任人", "", names[10]]
    merges = [across(1, len(names)), "F2:H2", "I2:J2"] + [f"{c}2:{c}3" for c in "ABCDEK"]
    title = "青山县2019年度脱贫户花名册"
    data = ["5329301001000001", "张建国", ID, "户主", "红星村", 6200, "否", "是", "李卫东", "13900000001", "否"]
    path = write(tmp_path / "分组表头.xlsx", [[title], captions, [""] * 5 + names[5:10] + [""], data], merges)
    # WHEN it is read
    header, (excel_row, _) = read_header(path)
    # THEN the caption rows are the header; each column fills its field and shows its own name
    assert (header.first_row, header.excel_row, excel_row) == (1, 3, 4)
    assert header.mapping == {0: "household_number", 1: "name", 2: "id_number", 3: "relation", 4: "village",
                              5: "per_capita_income", 6: "dangerous_house", 7: "water_ok", 8: "helper_name",
                              9: "helper_phone"}  # fmt: skip
    assert header.texts == names[:8] + ["帮扶责任人姓名", "帮扶责任人联系电话", "是否军烈属"]
    assert not any(title in text for text in header.texts)
    assert header.context == [title] and data_year_hint(header.context) == 2019


@pytest.mark.parametrize(
    ("text", "key"),
    [("户联系电话", "phone"), ("人联系电话", "member_phone"), ("家庭成员联系电话", "member_phone"),
     ("致贫原因1", "main_cause"), ("易返贫致贫户(监测对象)类型", "monitor_type"),
     ("易返贫致贫户（监测对象）类型", "monitor_type"), ("易返贫致贫户类型", "monitor_type"),
     ("监测对象类型", "monitor_type"), ("检测对象类别", "monitor_type"), ("首次识别时间", "year_identified"),
     ("县(市、区、旗)", "county"), ("县", "county"), ("乡(镇)", "township"), ("乡", "township"), ("村", "village"),
     ("行政村", "village"), ("自然村", "group"), ("参加大病医疗", "serious_illness_insurance"),
     ("是否参加大病保险", "serious_illness_insurance"),
     ("是否参加新型农村合作医疗（城乡居民基本医疗保险）", "medical_insurance"),
     ("是否参加新型农村社会养老保险（城乡居民社会养老保险）", "pension_insurance"), ("饮水安全", "water_ok"),
     ("是否饮水安全", "water_ok"), ("是否解决安全饮用水", "water_ok"), ("饮水是否安全", "water_ok"),
     ("危房户", "dangerous_house"), ("是否危房户", "dangerous_house"), ("人均纯收入（元）", "per_capita_income"),
     ("年人均纯收入", "per_capita_income"), ("年人均纯收入(元)", "per_capita_income"),
     ("家庭人口数", "household_size"), ("风险是否消除", "risk_eliminated"), ("风险是否已消除", "risk_eliminated"),
     ("识别监测时间", "monitor_since"), ("风险识别时间", "monitor_since"), ("消除监测时间", "risk_eliminated_on"),
     ("风险消除时间", "risk_eliminated_on"), ("致贫/返贫风险1", "risk_1"), ("致贫／返贫风险5", "risk_5"),
     ("享受低保政策情况", "low_income_support"), ("是否享受低保", "low_income_support"),
     ("是否享受农村居民最低生活保障", "low_income_support"), ("享受特困供养政策情况", "extreme_support"),
     ("是否特困供养人员", "extreme_support"), ("与户主之间的关系", "relation"), ("劳动技能情况", "labor"),
     ("在校生情况", "school_status"), ("健康情况", "health"), ("务工时间(月)", "work_months"),
     ("年内务工时间（月数）", "work_months"), ("务工时长(月)", "work_months"), ("脱贫状态", "status"),
     ("脱贫标志", "status"), ("特殊人群标识", "attribute"), ("证件号码", "id_number"), ("户编号", "household_number"),
     ("户类型", "household_type"), ("【元】人均纯收入", "per_capita_income")],
)  # fmt: skip
def test_the_national_systems_column_names_are_recognised(text, key):
    assert match_header(text) == key


@pytest.mark.parametrize(
    "text",
    ["人编号", "人口编号", "证件类型", "出生日期", "政治面貌", "务工所在地", "是否军烈属", "饮水困难", "户主", "户主姓名",
     "贫困人员识别时间", "人员识别时间", "是否参加城镇职工基本医疗保险", "住房安全保障", "饮水安全保障", "义务教育保障"],
)  # fmt: skip
def test_columns_povdesk_does_not_model_stay_unmapped(text):
    # 住房安全保障, 饮水安全保障, 义务教育保障 are help measures in the 2021 export, not the 是/否 indicators
    assert match_header(text) is None


def test_no_name_loses_a_prefix_or_a_bracket_into_another_columns_name():
    for column in COLUMNS:
        for name in (column.header, *column.synonyms):
            assert match_header(name) == column.key, name  # no name is shared by two columns
            for form in header_forms(fold(name))[1:]:
                assert match_header(form) in (None, column.key), (name, form)


@pytest.mark.parametrize(
    ("texts", "year"),
    [(["统计范围：龙山县 数据截止：2018年12月31日"], 2018), (["2019年度"], 2019),
     (["统计截止日期：2020-12-31"], 2020), (["青山县2019年度脱贫户花名册"], 2019), (["数据年度：2021"], 2021),
     (["某某县贫困人口花名册", "截至2017年底"], 2017),
     (["导出时间：2023-05-10 导出范围：龙山县"], None), (["填报单位：青山镇", "填报日期：2021年3月1日"], None),
     (["（自定义）监测对象信息"], None), ([], None), (["制表单位：龙山县扶贫办 2019年度"], 2019),
     (["打印日期：2020年1月5日"], None),
     (["导出时间：2023-05-10 10:21:33 数据截止：2022年12月31日"], 2022)],
)  # fmt: skip
def test_the_data_year_is_read_from_the_lines_above_the_header(texts, year):
    assert data_year_hint(texts) == year
