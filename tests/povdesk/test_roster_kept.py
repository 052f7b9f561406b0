"""Nothing a clerk typed is thrown away: values no code list knows are imported and kept for review (待核实), columns
PovDesk does not model are kept per household or per person, and the national columns mean what they mean there."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
from sqlalchemy import select
from test_roster_fixtures import person_id

from povdesk import codes
from povdesk.model import ChangeLog, Household, HouseholdYear, Member, MonitoredHousehold, Setting
from povdesk.roster.importer import import_roster
from povdesk.roster.kept import SETTING_KEY

BASE = ["乡（镇）", "行政村", "户编号", "姓名", "证件号码", "与户主关系"]
FIRST_ROW = 3  # a title row, the header, then the data


def _write(path, headers: list[str], rows: list[list], *, title: str = "花名册") -> object:
    """A roster as the national systems export it: a title row, the header, one row per person, digits as text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for line in ws.iter_rows(min_row=3):
        for cell in line:
            if isinstance(cell.value, str) and cell.value.isdigit():
                cell.number_format = "@"
    wb.save(path)
    return path


def _person(number: str, name: str, born: dt.date, seq: int, relation: str | None, *extra) -> list:
    return ["青山镇", "红星村", number, name, person_id(born, seq), relation, *extra]


def _members(db) -> dict[str, Member]:
    with db.session() as s:
        return {m.name: m for m in s.scalars(select(Member))}


def _households(db) -> dict[str, Household]:
    with db.session() as s:
        return {h.number: h for h in s.scalars(select(Household))}


def _kinds(result) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for issue in result.warnings:
        found.setdefault(issue.kind, []).append(issue.row)
    return found


def test_an_unknown_work_status_is_imported_and_kept_as_written(db, tmp_path):
    # GIVEN a family whose wife's 务工状况 is no official value, written with full-width brackets
    rows = [_person("0001", "张建国", dt.date(1965, 3, 12), 11, "户主", "乡（镇）内务工"),
            _person("0001", "王秀英", dt.date(1967, 8, 2), 22, "配偶", "县城（城关）务工"),
            _person("0001", "张小明", dt.date(2008, 1, 20), 31, "之子", "未务工")]  # fmt: skip
    # WHEN it is imported
    result = import_roster(db, _write(tmp_path / "r.xlsx", [*BASE, "务工状况"], rows))
    # THEN every person is in, the wife's text is kept as written, and the warning names the nearest official value
    assert (result.persons_added, result.rejected) == (3, [])
    warning = next(w for w in result.warnings if w.kind == "务工状况无法识别")
    nearest = codes.WORK.suggest("县城（城关）务工")
    assert warning.row == FIRST_ROW + 1
    assert warning.reason == f"务工状况“县城（城关）务工”无法识别，已原样保留待核实，最接近的是“{nearest}”"
    members = _members(db)
    assert (members["王秀英"].work_status, members["王秀英"].unverified) == (None, {"work_status": "县城（城关）务工"})
    assert members["张建国"].work_status == codes.WORK.parse("乡（镇）内务工") and members["张建国"].unverified is None
    assert (members["张小明"].work_status, members["张小明"].unverified) == (None, None)  # 未务工: a blank
    assert _households(db)["0001"].needs_review


def test_unknown_codes_relations_and_too_many_causes_keep_the_household(db, tmp_path):
    # GIVEN a household with an attribute of a local system, three 其他致贫原因, two states of health, a member
    # without 与户主关系 and one whose relation no list knows
    headers = [*BASE, "健康状况", "贫困户属性", "其他致贫原因", "脱贫属性"]
    household = ["扶贫户", "因学、缺技术、缺资金", "已脱贫(享受政策)"]
    rows = [_person("0001", "张建国", dt.date(1965, 3, 12), 11, "户主", "长期慢性病,残疾", *household),
            _person("0001", "王秀英", dt.date(1967, 8, 2), 22, None, "健康", *household),
            _person("0001", "赵表哥", dt.date(1970, 2, 2), 33, "表哥", "患有大病", *household)]  # fmt: skip
    result = import_roster(db, _write(tmp_path / "r.xlsx", headers, rows))
    # THEN the household and its three people are in; what no list knows is kept for review, with a warning each
    assert (result.households_added, result.persons_added, result.rejected) == (1, 3, [])
    kinds = _kinds(result)
    assert kinds["贫困户属性无法识别"] == kinds["其他致贫原因无法识别"] == [FIRST_ROW]
    assert kinds["与户主关系未填写"] == [FIRST_ROW + 1] and kinds["与户主关系无法识别"] == [FIRST_ROW + 2]
    assert any("最多填2项" in w.reason for w in result.warnings if w.kind == "其他致贫原因无法识别")
    saved = _households(db)["0001"]
    assert (saved.attribute, saved.other_cause_1, saved.status) == (None, None, "exited")
    assert saved.unverified == {"attribute": "扶贫户", "other_causes": "因学、缺技术、缺资金"} and saved.needs_review
    members = _members(db)
    assert members["张建国"].health == "chronic,disabled"
    assert (members["王秀英"].relation, members["王秀英"].unverified) == ("other", {"relation": ""})
    assert (members["赵表哥"].relation, members["赵表哥"].unverified) == ("other", {"relation": "表哥"})


def test_a_valid_value_imported_again_clears_what_was_kept_for_review(db, tmp_path):
    headers = [*BASE, "务工状况", "贫困户属性"]
    rows = [_person("0001", "张建国", dt.date(1965, 3, 12), 11, "户主", "县城务工", "扶贫户")]
    import_roster(db, _write(tmp_path / "r.xlsx", headers, rows))
    assert _households(db)["0001"].needs_review
    # WHEN the corrected roster is imported
    rows[0][-2:] = ["乡（镇）外县内务工", "一般贫困户"]
    result = import_roster(db, _write(tmp_path / "fixed.xlsx", headers, rows))
    # THEN the coded fields are set, nothing is left to verify, and the household leaves the 待核实 list
    assert (result.households_updated, result.persons_updated, result.warnings) == (1, 1, [])
    saved, member = _households(db)["0001"], _members(db)["张建国"]
    assert (saved.attribute, saved.unverified, saved.needs_review) == ("general", None, False)
    assert (member.work_status, member.unverified) == (codes.WORK.parse("乡（镇）外县内务工"), None)


def test_unmapped_columns_are_kept_per_household_or_per_person(db, tmp_path):
    # GIVEN columns PovDesk does not model: a person number, an ID type the same on every row, a household flag,
    # a remark on the head's row only, numbers and dates, a second column 风险是否已消除, and a column left blank
    headers = [*BASE, "人编号", "证件类型", "是否军烈属", "特殊情况", "耕地面积（亩）", "建档时间", "空列",
               "风险是否已消除", "风险是否已消除"]  # fmt: skip
    rows = [_person("0001", "张建国", dt.date(1965, 3, 12), 11, "户主", "43313000010101", "居民身份证", "是", "低保边缘",
                    3.0, dt.datetime(2014, 5, 1), None, "否", "否"),
            _person("0001", "王秀英", dt.date(1967, 8, 2), 22, "配偶", "43313000010102", "居民身份证", "是", None, 3.0,
                    dt.datetime(2014, 5, 1), None, "否", "否"),
            _person("0002", "李桂兰", dt.date(1950, 5, 5), 42, "户主", "43313000020101", "居民身份证", "否", None, 1.0,
                    dt.datetime(2015, 6, 1), None, "否", "是")]  # fmt: skip
    result = import_roster(db, _write(tmp_path / "r.xlsx", headers, rows))
    # THEN every such column is kept, none is reported as dropped, and the summary says how many
    assert (result.persons_added, result.rejected, result.kept_columns) == (3, [], 8)
    assert not any("未导入" in w.reason for w in result.warnings)
    assert result.to_json()["kept_columns"] == 8 and "8 列" in result.summary()
    households, members = _households(db), _members(db)
    assert households["0001"].extra == {"证件类型": "居民身份证", "是否军烈属": "是", "耕地面积（亩）": "3",
                                        "建档时间": "2014-05-01", "风险是否已消除#2": "否"}  # fmt: skip
    assert members["张建国"].extra == {"人编号": "43313000010101", "特殊情况": "低保边缘"}
    assert members["王秀英"].extra == {"人编号": "43313000010102"}
    assert households["0002"].extra["风险是否已消除#2"] == "是" and households["0002"].extra["是否军烈属"] == "否"
    with db.session() as s:
        kept = json.loads(s.get(Setting, SETTING_KEY).value)
    assert kept == ["人编号", "证件类型", "是否军烈属", "特殊情况", "耕地面积（亩）", "建档时间", "空列",
                    "风险是否已消除#2"]  # fmt: skip


def test_the_kept_headers_are_remembered_in_the_order_first_met(db, tmp_path):
    first = [_person("0001", "张建国", dt.date(1965, 3, 12), 11, "户主", "1", "居民身份证")]
    import_roster(db, _write(tmp_path / "a.xlsx", [*BASE, "人编号", "证件类型"], first))
    second = [_person("0002", "李桂兰", dt.date(1950, 5, 5), 42, "户主", "否", "2")]
    import_roster(db, _write(tmp_path / "b.xlsx", [*BASE, "是否军烈属", "人编号"], second))
    with db.session() as s:
        assert json.loads(s.get(Setting, SETTING_KEY).value) == ["人编号", "证件类型", "是否军烈属"]


def test_a_changed_kept_value_is_updated_with_history_and_the_same_file_changes_nothing(db, tmp_path):
    headers = [*BASE, "是否军烈属"]
    rows = [_person("0001", "张建国", dt.date(1965, 3, 12), 11, "户主", "否")]
    import_roster(db, _write(tmp_path / "r.xlsx", headers, rows))
    rows[0][-1] = "是"
    path = _write(tmp_path / "changed.xlsx", headers, rows)
    result = import_roster(db, path)
    assert result.households_updated == 1 and _households(db)["0001"].extra == {"是否军烈属": "是"}
    with db.session() as s:
        logs = set(s.execute(select(ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value)
                             .where(ChangeLog.kind == "field")))  # fmt: skip
    assert logs == {("是否军烈属", "否", "是")}
    again = import_roster(db, path)
    assert (again.households_updated, again.persons_updated) == (0, 0)


def test_the_attribute_of_exited_people_is_derived_from_their_support(db, tmp_path):
    # GIVEN a list of exited people with their 低保 and 特困 support and no 贫困户属性, and a marginal 一般农户
    headers = [*BASE, "户类型", "享受低保政策情况", "享受特困供养政策情况"]
    rows = [_person("0001", "张建国", dt.date(1965, 3, 12), 11, "户主", "脱贫户", "农村低保", "未享受"),
            _person("0001", "张奶奶", dt.date(1940, 1, 1), 22, "之母", "脱贫户", "未享受", "农村特困"),
            _person("0002", "李桂兰", dt.date(1950, 5, 5), 42, "户主", "脱贫户", "城市低保", "不享受"),
            _person("0003", "杨发祥", dt.date(1960, 2, 14), 73, "户主", "脱贫不享受政策户", None, None),
            _person("0004", "赵大海", dt.date(1970, 7, 7), 15, "户主", "一般农户", "农村低保", None)]  # fmt: skip
    result = import_roster(db, _write(tmp_path / "r.xlsx", headers, rows))
    # THEN each exited household gets the attribute its members' support says, and the summary says it was derived
    assert (result.persons_added, result.rejected, result.attributes_derived) == (5, [], 3)
    assert "推定" in result.summary()
    households = _households(db)
    assert {n: (h.status, h.attribute) for n, h in households.items()} == {
        "0001": ("exited", "extreme"), "0002": ("exited", "low_income"), "0003": ("exited_stable", "general"),
        "0004": (None, None)}  # fmt: skip
    members = _members(db)
    assert (members["张奶奶"].extreme_support, members["李桂兰"].low_income_support) == ("rural", "urban")


def test_a_monitoring_export_gives_each_monitored_household_its_episode(db, tmp_path):
    # GIVEN an E2021 监测对象信息 export: type, month of identification (as a number), risks, elimination
    headers = [*BASE, "户类型", "监测对象类别", "识别监测时间", "风险是否已消除", "消除监测时间", "风险消除方式",
               "致贫/返贫风险1", "致贫/返贫风险2", "致贫/返贫风险3", "是否危房户"]  # fmt: skip
    rows = [_person("0001", "张建国", dt.date(1965, 3, 12), 11, "户主", "脱贫户", "脱贫不稳定户", 202304.0, "是",
                    "202312", "帮扶消除", "因病", "务工就业不稳", "子女上学负担重", "否"),
            _person("0002", "李桂兰", dt.date(1950, 5, 5), 42, "户主", "一般农户", "边缘易致贫户", "2022年5月", "是", None,
                    None, "因残", None, None, "是"),
            _person("0003", "杨发祥", dt.date(1960, 2, 14), 73, "户主", "一般农户", "突发严重困难户", None, "否", None,
                    None, "因自然灾害", None, None, "否")]  # fmt: skip
    result = import_roster(db, _write(tmp_path / "r.xlsx", headers, rows, title="（自定义）监测对象信息"))
    assert (result.households_added, result.rejected) == (3, [])
    with db.session() as s:
        episodes = {h.number: (m.type, m.identified_on, m.risk, m.risk_eliminated_on, m.elimination_method)
                    for m, h in s.execute(select(MonitoredHousehold, Household).join(Household))}  # fmt: skip
        housing = dict(s.execute(select(Household.number, HouseholdYear.housing_ok).join(HouseholdYear)).all())
        years = set(s.scalars(select(HouseholdYear.year)))
    # THEN the first is eliminated by assistance; the second said 是 without a date, so it stays open (with a warning)
    assert episodes == {
        "0001": ("unstable", dt.date(2023, 4, 1), "因病、因务工就业不稳、子女上学负担重", dt.date(2023, 12, 1), "assisted"),
        "0002": ("marginal", dt.date(2022, 5, 1), "因残", None, None)}  # fmt: skip
    kinds = _kinds(result)
    assert kinds["缺少消除监测时间"] == [FIRST_ROW + 1]
    # AND the third, without its month of identification, is no monitored household: its type is kept for review
    assert kinds["缺少识别监测时间"] == [FIRST_ROW + 2]
    third = _households(db)["0003"]
    assert (third.unverified, third.needs_review) == ({"monitor_type": "突发严重困难户"}, True)
    assert {n: h.status for n, h in _households(db).items()} == {"0001": "exited", "0002": None, "0003": None}
    # AND 是否危房户 is the housing guarantee, filed under last year: the file names no year, which is said once
    assert housing == {"0001": True, "0002": False, "0003": True} and years == {dt.date.today().year - 1}
    assert kinds["收入年度未填写"] == [2] and "上一年" in result.summary()


def test_the_income_year_is_taken_from_the_title_rows(db, tmp_path):
    rows = [_person("0001", "张建国", dt.date(1965, 3, 12), 11, "户主", 6200)]
    path = _write(tmp_path / "r.xlsx", [*BASE, "人均纯收入"], rows, title="统计范围：青山县 数据截止：2018年12月31日")
    result = import_roster(db, path)
    assert (result.income_year, result.income_year_from) == (2018, "title") and "2018 年" in result.summary()
    assert "收入年度未填写" not in _kinds(result)
    with db.session() as s:
        assert s.scalar(select(HouseholdYear.year)) == 2018


def test_first_identification_written_as_december_is_the_next_year(db, tmp_path):
    # GIVEN the national system's rendering of identification year 2014 as 2013年12月 (CODES.md §25)
    headers = [*BASE, "首次识别时间", "脱贫年度"]
    rows = [_person("0001", "张建国", dt.date(1965, 3, 12), 11, "户主", "2013年12月", "2019年12月"),
            _person("0002", "李桂兰", dt.date(1950, 5, 5), 42, "户主", "2016年06月", 201912)]  # fmt: skip
    result = import_roster(db, _write(tmp_path / "r.xlsx", headers, rows))
    assert result.rejected == []
    households = _households(db)
    # THEN December of 首次识别时间 is the year after; a real month, and every other year column, read as written
    assert (households["0001"].year_identified, households["0001"].year_exited) == (2014, 2019)
    assert (households["0002"].year_identified, households["0002"].year_exited) == (2016, 2019)
