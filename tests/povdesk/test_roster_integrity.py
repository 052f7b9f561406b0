"""Import integrity (issue 10): no household without its head, one head per household number, error cells and
over-long cells reported as what they are; an import keeps exactly the good rows and names the others."""

from __future__ import annotations

import copy
import datetime as dt

import openpyxl
import pytest
from sqlalchemy import select
from test_roster_fixtures import COL, TODAY, person_id, sample_households, write_roster

from povdesk.model import Cadre, ChangeLog, Household, HouseholdYear, Member
from povdesk.roster import importer
from povdesk.roster.cells import NO_CACHED_VALUE, CellError
from povdesk.roster.importer import import_roster
from povdesk.roster.layout import match_header
from povdesk.roster.reader import Header
from povdesk.roster.validate import RosterParser

# Data rows of sample_households(): 5 张建国 (head), 6 王秀英, 7 张小明 | 8 李桂兰 (head), 9 李强 | 10 杨发祥 (head)
FIRST, SECOND, THIRD = "5329301001000001", "5329301001000002", "5329302001000001"


def _reasons(issues) -> dict[int, str]:
    return {i.row: i.reason for i in issues}


def _registered(db) -> dict[str, list[tuple[str, str]]]:
    """Household number → (name, relation) of its current members, as the registry holds them."""
    found: dict[str, list[tuple[str, str]]] = {}
    with db.session() as s:
        for household in s.scalars(select(Household)):
            found[household.number] = []
        query = select(Household.number, Member.name, Member.relation).join(Member).where(Member.removed_on.is_(None))
        for number, name, relation in s.execute(query):
            found[number].append((name, relation))
    return {number: sorted(members) for number, members in found.items()}


def _wrong_check_character(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# -- (2) never a household without its head ------------------------------------------------------------------------
def test_a_household_whose_head_row_is_rejected_is_not_stored_and_its_other_rows_say_why(db, tmp_path):
    # GIVEN a roster whose first head (row 5) has an ID number with a wrong check character
    households = sample_households()
    head = households[0]["members"][0]
    head["证件号码"] = _wrong_check_character(head["证件号码"])
    # WHEN it is imported
    result = import_roster(db, write_roster(tmp_path / "r.xlsx", households))
    # THEN the head's row says what is wrong with it, the household's other rows point at it, nothing of it is stored
    reasons = _reasons(result.rejected)
    assert set(reasons) == {5, 6, 7}
    assert "校验位" in reasons[5]
    assert reasons[6].startswith("户主行有误（第5行）") and reasons[7].startswith("户主行有误（第5行）")
    assert (result.households_added, result.persons_added) == (2, 3)
    assert set(_registered(db)) == {SECOND, THIRD}


def test_a_household_whose_every_row_is_rejected_is_not_stored(db, tmp_path):
    # GIVEN a household whose ID numbers were typed as numbers (Excel kept 15 digits): every row of it is refused
    households = sample_households()
    for member in households[1]["members"]:
        member["证件号码"] = float(member["证件号码"][:17] + "1")
    result = import_roster(db, write_roster(tmp_path / "r.xlsx", households))
    reasons = _reasons(result.rejected)
    assert set(reasons) == {8, 9} and all("存成了数字" in reasons[row] for row in (8, 9))
    # THEN no empty household is left behind
    assert (result.households_added, result.persons_added) == (2, 4)
    assert set(_registered(db)) == {FIRST, THIRD}


def test_a_new_household_whose_rows_have_no_head_is_rejected_with_a_clear_reason(db, tmp_path):
    households = sample_households()
    households[0]["members"][0]["与户主关系"] = "兄弟姐妹"  # the head's row lost its relation: nobody is 户主
    result = import_roster(db, write_roster(tmp_path / "r.xlsx", households))
    reasons = _reasons(result.rejected)
    assert set(reasons) == {5, 6, 7}
    assert all(f"户编号{FIRST}的各行中没有户主" in reasons[row] for row in (5, 6, 7))
    assert set(_registered(db)) == {SECOND, THIRD}


def test_an_update_of_registered_households_keeps_their_heads(db, tmp_path):
    # GIVEN the three households registered
    import_roster(db, write_roster(tmp_path / "r.xlsx"))
    before = _registered(db)
    with db.session() as s:
        logs_before = s.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1))
    # WHEN a second file brings: a new granddaughter of household 1 without its head's row (the head is registered);
    # household 2 with its head's row refused (a wrong check character), a new attribute and a member changed;
    # and a new household with no head at all
    households = sample_households()
    first = dict(households[0], members=[{"姓名": "张丽", "证件号码": person_id(dt.date(2015, 9, 9), 84),
                                          "与户主关系": "之孙女", "性别": "女"}])  # fmt: skip
    second = households[1]
    second["贫困户属性"] = "五保户"
    second["members"][0]["证件号码"] = _wrong_check_character(second["members"][0]["证件号码"])
    second["members"][1]["健康状况"] = "患有大病"
    newcomer = dict(copy.deepcopy(households[2]), 户编号="5329302001000009")
    newcomer["members"] = [{"姓名": "杨小兵", "证件号码": person_id(dt.date(1990, 7, 7), 93), "与户主关系": "之子",
                            "性别": "男"}]  # fmt: skip
    result = import_roster(db, write_roster(tmp_path / "again.xlsx", [first, second, newcomer]))
    # THEN the granddaughter joins household 1; household 2 is left as it was; the headless newcomer is refused
    reasons = _reasons(result.rejected)
    assert set(reasons) == {6, 7, 8}  # 5 张丽 | 6 李桂兰 (head), 7 李强 | 8 杨小兵
    assert "校验位" in reasons[6] and reasons[7].startswith("户主行有误（第6行）")
    assert "没有户主" in reasons[8]
    assert (result.households_added, result.households_updated, result.persons_added, result.persons_updated) == (
        0, 0, 1, 0)  # fmt: skip
    after = _registered(db)
    assert after[FIRST] == sorted([*before[FIRST], ("张丽", "granddaughter")])
    assert after[SECOND] == before[SECOND] and "5329302001000009" not in after
    with db.session() as s:
        assert s.scalar(select(Household.attribute).where(Household.number == SECOND)) == "low_income"
        changes = set(s.execute(select(ChangeLog.kind, ChangeLog.new_value).where(ChangeLog.id > logs_before)))
    assert changes == {("member_added", "张丽")}


def test_a_new_head_beside_the_registered_one_is_refused_and_a_swap_within_the_file_is_taken(db, tmp_path):
    # GIVEN household 1 registered with 张建国 as its head
    import_roster(db, write_roster(tmp_path / "r.xlsx"))
    before = _registered(db)
    # WHEN one file names his wife 户主 and leaves him out, and another names her 户主 and him 配偶
    households = sample_households()
    households[0]["members"] = [dict(households[0]["members"][1], 与户主关系="户主")]
    result = import_roster(db, write_roster(tmp_path / "wife.xlsx", households[:1]))
    # THEN the first is refused (two heads would result), naming both; the registry is as it was
    assert list(_reasons(result.rejected)) == [5]
    assert "库中的户主是张建国" in result.rejected[0].reason and "户主是王秀英" in result.rejected[0].reason
    assert _registered(db) == before
    households = sample_households()
    households[0]["members"][0]["与户主关系"] = "配偶"
    households[0]["members"][1]["与户主关系"] = "户主"
    result = import_roster(db, write_roster(tmp_path / "swap.xlsx", households[:1]))
    # AND the swap is taken: one head, the new one
    assert result.rejected == [] and result.persons_updated == 2
    heads = [name for name, relation in _registered(db)[FIRST] if relation == "head"]
    assert heads == ["王秀英"]


def test_a_head_registered_in_another_household_keeps_the_new_household_out(db, tmp_path):
    import_roster(db, write_roster(tmp_path / "r.xlsx"))
    # GIVEN a new household whose head is 李强, registered as the son in household 2
    son = sample_households()[1]["members"][1]
    household = dict(sample_households()[2], 户编号="5329302001000009")
    household["members"] = [dict(son, 与户主关系="户主"),
                            {"姓名": "李小燕", "证件号码": person_id(dt.date(2010, 3, 3), 64), "与户主关系": "之女",
                             "性别": "女"}]  # fmt: skip
    result = import_roster(db, write_roster(tmp_path / "again.xlsx", [household]))
    reasons = _reasons(result.rejected)
    assert set(reasons) == {5, 6}
    assert SECOND in reasons[5] and reasons[6].startswith("户主行有误（第5行）")
    assert "5329302001000009" not in _registered(db) and result.households_added == 0


# -- (3) one household number, one head --------------------------------------------------------------------------
def test_two_families_under_one_number_are_not_merged(db, tmp_path):
    # GIVEN household 2's number typed as household 1's: one run of rows 5-9 with two heads
    households = sample_households()
    households[1]["户编号"] = FIRST
    result = import_roster(db, write_roster(tmp_path / "r.xlsx", households))
    # THEN the second family is refused naming both row ranges; the first is stored as it is
    reasons = _reasons(result.rejected)
    assert set(reasons) == {8, 9}
    for reason in reasons.values():
        assert "第5–7行" in reason and "张建国" in reason and "第8–9行" in reason and "李桂兰" in reason
    registered = _registered(db)
    assert registered[FIRST] == [("张小明", "son"), ("张建国", "head"), ("王秀英", "spouse")]
    assert set(registered) == {FIRST, THIRD}


def _far_apart_roster(tmp_path):
    """Rows 5-10 the three sample households; row 11 a son of household 1 whose village and phone differ from row 5;
    rows 12-13 another family (head 王五) under household 2's number."""
    households = sample_households()
    son = {"姓名": "张小军", "证件号码": person_id(dt.date(2010, 5, 5), 35), "与户主关系": "之子", "性别": "男"}
    late_son = dict(copy.deepcopy(households[0]), 行政村="新田村", 联系电话="13700000000", members=[son])
    other = dict(copy.deepcopy(households[1]), 行政村="新田村")
    other["members"] = [
        {"姓名": "王五", "证件号码": person_id(dt.date(1970, 1, 1), 15), "与户主关系": "户主", "性别": "男"},
        {"姓名": "赵六", "证件号码": person_id(dt.date(1972, 2, 2), 26), "与户主关系": "配偶", "性别": "女"},
    ]
    return write_roster(tmp_path / "r.xlsx", [*households, late_son, other])


@pytest.mark.parametrize("flush_members", [1, importer.FLUSH_MEMBERS])
def test_a_number_met_again_far_below_is_judged_alike_whatever_the_distance(db, tmp_path, monkeypatch, flush_members):
    # GIVEN rows that come back to a household number after other households, with the first block already stored
    # (flush_members=1: every household is written before the next is read) or still pending
    monkeypatch.setattr(importer, "FLUSH_MEMBERS", flush_members)
    monkeypatch.setattr(importer, "CHUNK_ROWS", 1 if flush_members == 1 else importer.CHUNK_ROWS)
    result = import_roster(db, _far_apart_roster(tmp_path))
    # THEN another head under a used number is refused naming both row ranges
    reasons = _reasons(result.rejected)
    assert set(reasons) == {12, 13}
    assert all("第8–9行" in r and "李桂兰" in r and "第12–13行" in r and "王五" in r for r in reasons.values())
    # AND a headless block joins its household, every household-level cell that differs being reported
    late = sorted(i.reason for i in result.warnings if i.row == 11)
    assert late == ["联系电话：与同户第5行填写的“13812345678”不一致，以第5行为准",
                    "行政村：与同户第5行填写的“红星村”不一致，以第5行为准"]  # fmt: skip
    registered = _registered(db)
    assert ("张小军", "son") in registered[FIRST] and len(registered[FIRST]) == 4
    assert registered[SECOND] == [("李强", "son"), ("李桂兰", "head")]
    with db.session() as s:
        assert s.scalar(select(Household.phone).where(Household.number == FIRST)) == "13812345678"


# -- (4) error cells and formulas without a value ---------------------------------------------------------------------
TEXTS = ["户编号", "行政村", "姓名", "证件号码", "与户主关系", "人均纯收入", "收入年度"]


def _parse(rows: list[tuple[int, list]]) -> RosterParser:
    """Rows through the parser as the importer sends them, households resolved as it resolves them."""
    mapping = {col: match_header(text) for col, text in enumerate(TEXTS)}
    parser = RosterParser(Header(0, 0, 1, TEXTS, mapping), TEXTS.__getitem__, today=TODAY)
    for household in [*parser.feed(rows), *parser.finish()]:
        parser.resolve(household)
        if household.error is not None:
            parser.reject_household(household)
    return parser


def test_error_cells_and_formulas_without_a_value_are_reported_as_such_not_as_blanks():
    ids = [person_id(dt.date(1960 + i, 1, 1), 11 + i) for i in range(7)]
    parser = _parse([
        (5, ["0001", "红星村", "张建国", ids[0], "户主", CellError("#N/A"), 2020]),
        (6, ["0001", "红星村", "王秀英", ids[1], "配偶", CellError("#N/A"), 2020]),
        (7, ["0002", "红星村", CellError("#REF!"), ids[2], "之子", 5200, 2020]),
        (8, ["0002", "红星村", "李强", CellError(NO_CACHED_VALUE), "之子", 5200, 2020]),
        (9, [CellError("#N/A"), "红星村", "赵六", ids[4], "户主", 5200, 2020]),
        (10, ["0003", "新田村", "杨发祥", ids[5], CellError("#DIV/0!"), 5200, 2020]),
        (11, ["0003", CellError("#VALUE!"), "杨小兵", ids[6], "之子", 5200, 2020]),
    ])  # fmt: skip
    reasons = _reasons(parser.rejected)
    assert reasons[5].startswith("“人均纯收入”是公式错误 #N/A")
    assert reasons[6].startswith("同户第5行有误") and "“人均纯收入”是公式错误 #N/A" in reasons[6]
    assert reasons[7].startswith("“姓名”是公式错误 #REF!") and "缺少姓名" not in reasons[7]
    assert reasons[8].startswith("“证件号码”是公式，但文件中没有保存计算结果") and "缺少" not in reasons[8]
    assert reasons[9].startswith("“户编号”是公式错误 #N/A")
    assert reasons[10].startswith("“与户主关系”是公式错误 #DIV/0!")
    assert "“行政村”是公式错误 #VALUE!" in reasons[11]  # a household-level cell below the first: still refused
    assert not parser.warnings


def test_error_cells_in_a_workbook_are_reported_end_to_end(db, tmp_path):
    # GIVEN a workbook with #N/A as an income, #REF! as a name and a formula Excel never calculated as an ID number
    path = write_roster(tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.cell(5, COL["人均纯收入"] + 1).value = "#N/A"
    sheet.cell(6, COL["姓名"] + 1).value = "#REF!"
    sheet.cell(8, COL["证件号码"] + 1).value = '="5329"&"30"'
    book.save(path)
    result = import_roster(db, path)
    reasons = _reasons(result.rejected)
    assert set(reasons) == {5, 6, 7, 8, 9}
    assert reasons[5].startswith("“人均纯收入”是公式错误 #N/A")
    assert reasons[6].startswith("“姓名”是公式错误 #REF!")
    assert reasons[7].startswith("同户第5行有误")
    assert reasons[8].startswith("“证件号码”是公式，但文件中没有保存计算结果")
    assert reasons[9].startswith("户主行有误（第8行）")
    assert set(_registered(db)) == {THIRD}


# -- (5) what the database columns hold -------------------------------------------------------------------------------
def test_over_long_cells_are_refused_naming_the_limit_and_the_longest_names_fit(db, tmp_path):
    households = sample_households()
    households[0]["members"][1]["姓名"] = "张" * 32767  # the most an Excel cell holds
    households[0]["members"][2]["姓名"] = "庄" * 32  # the longest name: its pinyin (223 letters) must still fit
    households[1]["行政村"] = "红" * 65
    households[2]["帮扶单位"] = "县" * 65
    extra = copy.deepcopy(households[2])
    extra.update(户编号="5329302001000002", 帮扶单位="县教育局", 帮扶姓名="赵" * 33)
    extra["members"] = [{"姓名": "杨大海", "证件号码": person_id(dt.date(1955, 5, 5), 13), "与户主关系": "户主"}]
    extra_long_number = copy.deepcopy(extra)
    extra_long_number.update(户编号="5" * 33, 帮扶姓名="赵敏")
    extra_long_number["members"] = [{"姓名": "杨二海", "证件号码": person_id(dt.date(1957, 5, 5), 17),
                                     "与户主关系": "户主"}]  # fmt: skip
    huge_income = copy.deepcopy(extra_long_number)
    huge_income.update(户编号="5329302001000003", 人均纯收入=10**13)
    huge_income["members"] = [{"姓名": "杨三海", "证件号码": person_id(dt.date(1959, 5, 5), 19), "与户主关系": "户主"}]
    path = write_roster(tmp_path / "r.xlsx", [*households, extra, extra_long_number, huge_income])
    result = import_roster(db, path)
    reasons = _reasons(result.rejected)
    assert reasons[6] == "“姓名”超过32个字（共32767个字）：“张张张张张张张张…”"
    assert reasons[8].startswith("“行政村”超过64个字（共65个字）：“红红红红红红红红…”")
    assert reasons[9].startswith("同户第8行有误") and "“行政村”超过64个字" in reasons[9]
    assert reasons[10] == "“帮扶责任人单位”超过64个字（共65个字）：“县县县县县县县县…”"
    assert reasons[11] == "“帮扶责任人”超过32个字（共33个字）：“赵赵赵赵赵赵赵赵…”"
    assert reasons[12].startswith("“户编号”超过32个字（共33个字）")
    assert "人均纯收入" in reasons[13] and "超出了可以保存的范围" in reasons[13]
    assert set(reasons) == {6, 8, 9, 10, 11, 12, 13}
    assert _registered(db)[FIRST] == [("庄" * 32, "son"), ("张建国", "head")]
    with db.session() as s:
        pinyin = s.scalar(select(Member.name_pinyin).where(Member.name == "庄" * 32))
        assert pinyin.startswith("zhuang zhuang") and len(pinyin) <= 128
        assert s.scalar(select(HouseholdYear.id).where(HouseholdYear.per_capita_income > 10**12)) is None


def test_a_changed_name_of_the_longest_kind_updates_on_every_database(db, tmp_path):
    import_roster(db, write_roster(tmp_path / "r.xlsx"))
    households = sample_households()
    households[0]["members"][2]["姓名"] = "庄" * 32
    households[2]["帮扶姓名"] = "双" * 32  # a new cadre: its pinyin sort key is cut to its column as well
    result = import_roster(db, write_roster(tmp_path / "again.xlsx", households))
    assert result.rejected == [] and result.persons_updated == 1
    with db.session() as s:
        assert len(s.scalar(select(Member.name_pinyin).where(Member.name == "庄" * 32))) <= 128
        assert len(s.scalar(select(Cadre.name_pinyin).where(Cadre.name == "双" * 32))) <= 128
