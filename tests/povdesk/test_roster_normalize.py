"""Cell normalisation and header recognition: what clerks type becomes the registry's values, or a plain reason."""

from __future__ import annotations

import datetime as dt

import pytest

from povdesk import codes, idnumber
from povdesk.roster import normalize as nz
from povdesk.roster.layout import match_header
from povdesk.roster.reader import detect_header


@pytest.mark.parametrize(
    ("raw", "year"),
    [(2014, 2014), (2014.0, 2014), ("2014", 2014), ("2014年", 2014), ("2014年度", 2014), ("2014-05", 2014),
     ("2014.5.1", 2014), ("２０１４年", 2014), (dt.date(2014, 5, 1), 2014), (dt.datetime(2014, 5, 1, 8), 2014),
     ("", None), (201405, 2014), (201405.0, 2014), ("201405", 2014), ("20140501", 2014), ("2014年5月", 2014),
     ("2017年底", 2017), (41609, 2013)],  # 41609: the serial number of 2013-12-01
)  # fmt: skip
def test_years(raw, year):
    assert nz.year(raw) == year


@pytest.mark.parametrize(("raw", "year"), [("2013年12月", 2014), ("2013年 12 月", 2014), ("2016年06月", 2016),
                                           (2014, 2014), ("2013-12", 2013), (201312, 2013)])  # fmt: skip
def test_first_identification_in_december_is_the_next_year(raw, year):
    # the national system stores the identification year and writes year Y as "(Y-1)年12月" (CODES.md §25)
    assert nz.identification_year(raw) == year


@pytest.mark.parametrize(
    ("raw", "amount"),
    [("4,200元", 4200.0), ("4200", 4200.0), (4200, 4200.0), ("￥4,200.50", 4200.5), ("0.42万", 4200.0),
     ("４２００", 4200.0), ("4，200 元", 4200.0)],
)  # fmt: skip
def test_incomes(raw, amount):
    assert nz.money(raw) == amount


@pytest.mark.parametrize(("raw", "value"), [("是", True), ("否", False), (" 是 ", True), ("√", True), (True, True),
                                            (1.0, True), ("无", False), ("", None), ("参加", True), ("未参加", False),
                                            ("没参加", False), ("有", True), (1, True), (0, False), ("1", True),
                                            ("0", False)])  # fmt: skip
def test_yes_no(raw, value):
    assert nz.boolean(raw) is value


def test_an_unreadable_value_keeps_the_text_the_clerk_sees():
    work = nz.code(codes.WORK)("县城（城关）务工")
    assert isinstance(work, nz.Unreadable) and work.text == "县城（城关）务工"  # full-width brackets as written
    assert work.advice.startswith("最接近的是“")
    assert nz.code(codes.WORK)("未务工") is None  # a value that means blank
    assert nz.boolean(2).text == "2" and nz.date(12.5).text == "12.5"
    health = nz.multi_code(codes.HEALTH)
    assert (
        health("长期慢性病，残疾") == health("长期慢性病/残疾") == health("长期慢性病 残疾") == ("chronic", "disabled")
    )
    assert "残废" in health("长期慢性病,残废").message and health("长期慢性病,残废").text == "长期慢性病,残废"
    three = nz.multi_code(codes.CAUSE, 2)("因学、缺技术、缺资金")
    assert three.text == "因学、缺技术、缺资金" and "最多填2项" in three.advice


@pytest.mark.parametrize(
    ("raw", "text"),
    [(12.0, "12"), (0.1 + 0.2, "0.3"), (dt.datetime(2014, 5, 1), "2014-05-01"),
     (dt.datetime(2014, 5, 1, 8, 30), "2014-05-01 08:30:00"), (" 居民身份证 ", "居民身份证"), (True, "TRUE"), (None, "")],
)  # fmt: skip
def test_kept_cells_are_the_text_the_clerk_sees(raw, text):
    assert nz.cell_text(raw) == text


def test_bad_values_get_a_reason_and_codes_a_suggestion():
    assert "年份" in nz.year("去年").message
    assert isinstance(nz.money("很多"), nz.Invalid)
    assert "是" in nz.boolean("可能").message
    attribute = nz.code(codes.ATTRIBUTE)
    assert attribute("低保户") == "low_income" and attribute(" 一般贫困户 ") == "general"
    assert "一般贫困户" in attribute("一股贫困户").message
    assert nz.multi_code(codes.CAUSE, 2)("因学、缺技术") == ("schooling", "skills")


def test_id_numbers_take_every_form_idnumber_accepts_and_give_its_reasons():
    check = nz.IdChecker()
    number = idnumber.make("532930", dt.date(1970, 5, 3), 13)
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert check(number).number == check(full_width).number == check(f" {number} ").number == number
    x_number = next(n for n in (idnumber.make("532930", dt.date(1970, 5, 3), s) for s in range(200)) if n[-1] == "X")
    assert check(x_number.lower()).number == x_number
    old = number[:6] + number[8:17]
    assert check(old).number == number  # 15 digits upgraded
    assert check(float(old)).number == number  # a 15-digit number survives being stored as a number
    assert "文本" in check(float(number)).message  # an 18-digit one does not
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    assert check(wrong).message == _reason(wrong)
    assert check(number[:10] + "1399" + number[14:]).message == _reason(number[:10] + "1399" + number[14:])
    born = check(number)
    assert (born.sex, born.birth_date) == ("male", dt.date(1970, 5, 3))


def _reason(text):
    try:
        idnumber.parse(text)
    except idnumber.InvalidIdNumber as exc:
        return str(exc)
    raise AssertionError("should be invalid")


def test_the_fast_id_check_agrees_with_idnumber():
    check = nz.IdChecker()
    base = idnumber.make("532930", dt.date(1988, 2, 29), 1)
    for i in range(2000):
        candidate = f"{base[:14]}{i % 1000:03d}{'0123456789X'[i % 11]}"
        ok = not isinstance(check(candidate), nz.Invalid)
        assert ok == idnumber.is_valid(candidate), candidate


@pytest.mark.parametrize(
    ("text", "key"),
    [("证件号码", "id_number"), ("身份证号", "id_number"), ("公民身份号码", "id_number"), ("乡（镇）", "township"),
     ("乡(镇)", "township"), ("乡镇", "township"), (" 姓 名 ", "name"), ("工资性收入（元）", "wage_income"),
     ("*户编号", "household_number"), ("与户主关系", "relation"), ("是否参加大病保险", "serious_illness_insurance")],
)  # fmt: skip
def test_headers_are_recognised_with_synonyms_brackets_and_spaces(text, key):
    assert match_header(text) == key


def test_the_header_is_found_under_title_rows_and_across_two_merged_rows():
    rows = [
        ["某某县建档立卡贫困人口明细表", "", "", "", "", ""],
        ["填报单位：某某镇", "", "", "", "", ""],
        ["户编号", "家庭成员", "家庭成员", "家庭成员", "帮扶责任人", "帮扶责任人"],
        ["户编号", "姓名", "证件号码", "与户主关系", "姓名", "联系电话"],
        [1, 2, 3, 4, 5, 6],
        ["001", "张三", "532930197005030132", "户主", "李四", "139"],
    ]
    header = detect_header(rows)
    assert (header.first_row, header.last_row, header.data_start) == (2, 3, 5)
    assert header.mapping == {0: "household_number", 1: "name", 2: "id_number", 3: "relation", 4: "helper_name",
                              5: "helper_phone"}  # fmt: skip
    assert detect_header([["花名册"], ["说明"]]) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (44621, dt.date(2022, 3, 1)),  # a date cell formatted as a number: Excel's serial
        (44621.0, dt.date(2022, 3, 1)),
        ("44621", dt.date(2022, 3, 1)),
        (44621.75, dt.date(2022, 3, 1)),  # with a time of day
        ("2022-03-15", dt.date(2022, 3, 15)),
        ("2022-03-15 00:00:00", dt.date(2022, 3, 15)),
        ("2022年3月15日", dt.date(2022, 3, 15)),
        ("2022/3/15", dt.date(2022, 3, 15)),
        ("20220315", dt.date(2022, 3, 15)),
        (202304.0, dt.date(2023, 4, 1)),  # 识别监测时间 of the 2021 monitoring export, read as a number
        (202304, dt.date(2023, 4, 1)),
        ("2013年12月", dt.date(2013, 12, 1)),
        ("2022-03", dt.date(2022, 3, 1)),
        ("2019年", dt.date(2019, 1, 1)),
        ("2019年度", dt.date(2019, 1, 1)),
        ("2019", dt.date(2019, 1, 1)),
        (2019, dt.date(2019, 1, 1)),
        (dt.datetime(2022, 3, 15, 8), dt.date(2022, 3, 15)),
        ("", None),
    ],
)
def test_dates_as_rosters_write_them(raw, expected):
    assert nz.date(raw, today=dt.date(2026, 11, 30)) == expected


def test_serial_numbers_follow_the_workbooks_date_system():
    assert nz.date(43160, epoch=nz.EXCEL_EPOCH_1904) == dt.date(2022, 3, 2)
    assert nz.date(43160) == dt.date(2018, 3, 1)


@pytest.mark.parametrize("raw", [123, 99999, "2022-13-01", "明年", True, 20991231])
def test_what_is_no_plausible_date_is_refused_saying_how_it_was_read(raw):
    result = nz.date(raw, today=dt.date(2026, 11, 30))
    assert isinstance(result, nz.Invalid) and not result.warning
    assert "日期" in result.message and "2022-03-15" in result.message
    if raw == 123:
        assert "1900-05-02" in result.message  # the clerk sees what the number would have meant
