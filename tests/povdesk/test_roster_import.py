"""Importing rosters as clerks send them: layouts, defects with row numbers, idempotency, history, strict, rollback."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select
from test_roster_fixtures import (
    COL,
    COLUMNS,
    person_id,
    registry_dump,
    sample_households,
    write_roster,
)

from povdesk import stats
from povdesk.model import Area, ChangeLog, Household, HouseholdYear, Member, MonitoredHousehold, Pairing
from povdesk.progress import Cancelled, Progress
from povdesk.roster.importer import import_roster
from povdesk.roster.reader import MissingColumns
from povdesk.roster.report import write_reject_report

FIRST_DATA_ROW = 5  # title, 填报单位, header, column numbers → data from Excel row 5


def _row(**cells) -> list:
    row = [None] * len(COLUMNS)
    for name, value in cells.items():
        row[COL[name]] = value
    return row


def _count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def _reasons(issues) -> dict[int, str]:
    return {i.row: i.reason for i in issues}


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_three_household_layouts_import_to_the_same_registry(db, tmp_path, suffix):
    # GIVEN the same three households written with household cells on every row, on the head's row only, and
    # merged vertically, each under a title and a two-row merged header
    dumps = []
    for layout in ("repeat", "head", "merged"):
        path = write_roster(tmp_path / f"{layout}{suffix}", layout=layout, two_row_header=True)
        # WHEN each is imported into an empty database
        database = db if layout == "repeat" else None
        if database is None:
            from povdesk.db import open_database

            database = open_database(f"sqlite:///{tmp_path / f'{layout}.db'}")
        result = import_roster(database, path)
        # THEN every household and person arrives, with nothing rejected
        assert (result.households_added, result.persons_added, result.rejected) == (3, 6, [])
        dumps.append(registry_dump(database))
        if database is not db:
            database.close()
    assert dumps[0] == dumps[1] == dumps[2]
    household = dumps[0][0]
    assert household[:10] == ("5329301001000001", True, "general", "illness", "skills", "capital", "exited", 2014,
                              2018, "13812345678")  # fmt: skip


def test_values_are_normalised_as_clerks_type_them(db, tmp_path):
    households = sample_households()
    head = households[0]["members"][0]
    head["证件号码"] = head["证件号码"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))  # full-width
    wife = households[0]["members"][1]
    born = dt.date(1962, 4, 4)
    old = person_id(born, 8)
    wife["证件号码"] = old[:6] + old[8:17]  # a first-generation 15-digit number
    wife["年龄"] = None
    son = households[1]["members"][1]
    son["证件号码"] = son["证件号码"][:17] + son["证件号码"][17].lower()
    path = write_roster(tmp_path / "r.xlsx", households)
    result = import_roster(db, path)
    assert result.rejected == [] and result.persons_added == 6
    with db.session() as s:
        numbers = set(s.scalars(select(Member.id_number)))
        year = s.scalar(select(HouseholdYear).join(Household).where(Household.number == "5329301001000001"))
        second = s.scalar(select(Household).where(Household.number == "5329301001000002"))
        third = s.scalar(select(Household).where(Household.number == "5329302001000001"))
    assert person_id(dt.date(1965, 3, 12), 11) in numbers  # full-width digits
    assert old in numbers  # 15 → 18 digits
    assert (year.year, year.per_capita_income, year.housing_ok) == (2020, 6200.0, True)  # "6,200元", 是
    assert (second.attribute, second.main_cause, second.year_identified) == ("low_income", "disability", 2015)
    assert (third.attribute, third.year_identified, third.year_exited) == ("extreme", 2016, 2019)  # date cell, 2019年


def test_every_defect_is_reported_with_the_excel_row_and_a_plain_reason(db, tmp_path):
    households = sample_households()
    members = households[0]["members"]
    bad_check = members[2]["证件号码"]
    members[2]["证件号码"] = bad_check[:17] + ("0" if bad_check[17] != "0" else "1")  # row 7: wrong check char
    households[1]["members"][1]["证件号码"] = 532930198011300512.0  # row 9: typed as a number
    households[1]["members"][1]["民族"] = "汉旅"  # and an ethnicity not in the list
    households[2]["贫困户属性"] = "一股贫困户"  # row 12: not in the code list → imported, the text kept for review
    first_id = members[0]["证件号码"]
    planted = [
        # row 8: a new person with the ID number of 张建国 of household 1, placed in household 2 → rejected
        (
            3,
            _row(
                户编号="5329301001000002",
                姓名="张冒名",
                证件号码=first_id,
                与户主关系="之子",
                **{"乡（镇）": "青山镇", "行政村": "红星村"},
            ),
        ),  # fmt: skip
        # a person row without a name: rejected, the rest of household 1 still imports
        (
            1,
            _row(
                户编号="5329301001000001",
                证件号码=person_id(dt.date(1990, 1, 1), 61),
                与户主关系="之女",
                **{"乡（镇）": "青山镇", "行政村": "红星村"},
            ),
        ),  # fmt: skip
    ]
    path = write_roster(tmp_path / "r.xlsx", households, extra_rows=planted)
    result = import_roster(db, path)
    reasons = _reasons(result.rejected)
    # rows: 5 张建国, 6 (no name), 7 王秀英, 8 张小明 (bad check), 9 张冒名, 10 李桂兰, 11 李强, 12 杨发祥
    assert set(reasons) == {6, 8, 9, 11}
    assert "缺少姓名" in reasons[6]
    assert "校验位错误" in reasons[8]
    assert "户编号5329301001000001" in reasons[9] and "张建国" in reasons[9]
    # a rejected row names its unreadable values too, so that one correction of the report fixes all
    assert "存成了数字" in reasons[11] and "文本" in reasons[11] and "汉旅" in reasons[11] and "汉族" in reasons[11]
    # an attribute not in the code list is not fatal: the household is in, the text kept for review
    warning = next(w for w in result.warnings if w.kind == "贫困户属性无法识别")
    assert warning.row == 12 and "一股贫困户" in warning.reason and "一般贫困户" in warning.reason
    # the valid rows are in: 张建国, 王秀英, 李桂兰 and 杨发祥
    assert (result.households_added, result.persons_added) == (3, 4)
    with db.session() as s:
        owner = s.scalar(select(Household.number).join(Member).where(Member.id_number == first_id))
        third = s.scalar(select(Household).where(Household.number == "5329302001000001"))
        assert (third.attribute, third.unverified, third.needs_review) == (None, {"attribute": "一股贫困户"}, True)
    assert owner == "5329301001000001"  # the first occurrence stays


def test_warnings_are_listed_but_the_rows_imported(db, tmp_path):
    households = sample_households()
    households[0]["members"][0]["性别"] = "女"  # the ID number says male
    households[0]["members"][1]["年龄"] = 30  # born 1967
    households[1]["人数"] = 4  # two rows
    result = import_roster(db, write_roster(tmp_path / "r.xlsx", households))
    assert result.rejected == [] and result.persons_added == 6
    warnings = _reasons(result.warnings)
    assert "身份证号" in warnings[5] and "男" in warnings[5]
    assert "30" in warnings[6]
    assert "4人" in warnings[8] and "2行" in warnings[8]
    with db.session() as s:
        assert s.scalar(select(Member.sex).where(Member.name == "张建国")) == "male"


def test_importing_the_same_file_again_changes_nothing(db, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", layout="merged")
    import_roster(db, path)
    before = (registry_dump(db), _count(db, ChangeLog), _count(db, Pairing), _count(db, HouseholdYear))
    again = import_roster(db, path)
    assert (again.households_added, again.households_updated, again.persons_added, again.persons_updated) == (0,) * 4
    assert (registry_dump(db), _count(db, ChangeLog), _count(db, Pairing), _count(db, HouseholdYear)) == before


def test_a_changed_file_updates_what_changed_and_records_it(db, tmp_path):
    import_roster(db, write_roster(tmp_path / "r.xlsx"))
    households = sample_households()
    households[0]["贫困户属性"] = "低保贫困户"
    households[0]["members"][1]["健康状况"] = "患有大病"
    households[1]["members"].append(
        {"姓名": "李小花", "证件号码": person_id(dt.date(2012, 6, 1), 82), "与户主关系": "之孙女", "性别": "女"}
    )
    result = import_roster(db, write_roster(tmp_path / "changed.xlsx", households))
    assert (result.households_added, result.households_updated) == (0, 1)
    assert (result.persons_added, result.persons_updated) == (1, 1)
    with db.session() as s:
        logs = {(c.kind, c.field, c.old_value, c.new_value) for c in s.scalars(select(ChangeLog))}
        assert s.scalar(select(Household.attribute).where(Household.number == "5329301001000001")) == "low_income"
    assert ("field", "attribute", "general", "low_income") in logs
    assert ("member_changed", "health", "chronic", "serious") in logs
    assert ("member_added", None, None, "李小花") in logs


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_household_moved_to_a_new_village_and_group_is_updated(db, tmp_path, dry_run):
    # GIVEN a registry, and the same roster after villages were merged: the first household now lives in a village
    # and a group the registry does not know yet
    import_roster(db, write_roster(tmp_path / "r.xlsx"))
    households = sample_households()
    households[0]["行政村"], households[0]["村民小组"] = "红光村", "第九组"
    # WHEN it is imported again (or checked with a dry run)
    result = import_roster(db, write_roster(tmp_path / "moved.xlsx", households), dry_run=dry_run)
    # THEN the household is updated in its new village, with the move in its history
    assert (result.households_added, result.households_updated, result.rejected) == (0, 1, [])
    with db.session() as s:
        village = s.scalar(
            select(Area.name)
            .join(Household, Household.village_id == Area.id)
            .where(Household.number == "5329301001000001")
        )
        moves = s.scalars(select(ChangeLog.field).where(ChangeLog.field.in_(["village_id", "group_id"]))).all()
    assert village == ("红星村" if dry_run else "红光村")
    assert sorted(moves) == ([] if dry_run else ["group_id", "village_id"])


def test_a_person_already_registered_in_another_household_is_rejected_naming_it(db, tmp_path):
    import_roster(db, write_roster(tmp_path / "r.xlsx"))
    households = sample_households()[2:]
    households[0]["members"].append(dict(sample_households()[1]["members"][1], 与户主关系="之子"))  # 李强
    result = import_roster(db, write_roster(tmp_path / "again.xlsx", households))
    reasons = _reasons(result.rejected)
    assert list(reasons) == [FIRST_DATA_ROW + 1]
    assert "5329301001000002" in reasons[6] and "李桂兰" in reasons[6]


def test_strict_imports_nothing_when_a_row_is_rejected(db, tmp_path):
    households = sample_households()
    households[0]["members"][1]["姓名"] = None
    result = import_roster(db, write_roster(tmp_path / "r.xlsx", households), strict=True)
    assert result.refused_by_strict and not result.committed
    assert (result.households_added, result.persons_added, len(result.rejected)) == (0, 0, 1)
    assert _count(db, Household) == _count(db, Member) == 0


def test_a_dry_run_previews_without_writing(db, tmp_path):
    result = import_roster(db, write_roster(tmp_path / "r.xlsx"), dry_run=True)
    assert (result.households_added, result.persons_added, result.committed) == (3, 6, False)
    assert _count(db, Household) == 0


def test_cancel_or_a_crash_leaves_the_database_as_it_was(db, tmp_path):
    from povdesk import demo

    demo.generate(db, households=150, seed=2)
    with db.session() as s:
        before = stats.compute(s)
    path = write_roster(tmp_path / "r.xlsx")
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        import_roster(db, path, progress=progress)

    def explode(done, total, label):
        if label.startswith("正在完成"):
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        import_roster(db, path, progress=Progress(explode))
    with db.session() as s:
        assert stats.compute(s) == before
        assert s.scalar(select(func.count()).select_from(Household).where(Household.number.like("532930100100%"))) == 0


def test_progress_says_the_roster_is_being_opened_before_rows_are_counted(db, tmp_path):
    # GIVEN a roster WHEN it is imported with a progress sink
    reports = []
    import_roster(db, write_roster(tmp_path / "r.xlsx"), progress=Progress(lambda *r: reports.append(r)))
    # THEN the clerk first sees a busy bar while the file opens, then the rows counted up to the end
    assert reports[0] == (0, 0, "正在打开花名册……")
    assert reports[1][1] > 0 and reports[1][2].startswith("正在读取")
    assert reports[-1][0] == reports[-1][1]


def test_blank_and_total_rows_are_skipped_and_another_sheet_can_be_chosen(db, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", sheet="2021年", other_sheet_first=True)
    result = import_roster(db, path, sheet="2021年")
    assert (result.persons_added, result.rejected) == (6, [])
    # the only remarks are about the two helpers new to the registry, none about the blank and 合计 rows
    assert [w.row for w in result.warnings] == [5, 10] and all("职级" in w.reason for w in result.warnings)


def test_missing_required_columns_are_named(db, tmp_path):
    path = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号", "性别", "民族"])
    wb.active.append(["张三", person_id(dt.date(1970, 1, 1), 1), "男", "汉族"])
    wb.save(path)
    with pytest.raises(MissingColumns, match="户编号.*与户主关系.*行政村"):
        import_roster(db, path)
    assert _count(db, Household) == 0


def test_the_reject_report_has_the_original_columns_and_imports_again_once_fixed(db, tmp_path):
    households = sample_households()
    son = households[1]["members"][1]
    correct = son["证件号码"]
    son["证件号码"] = correct[:17] + ("0" if correct[17] != "0" else "1")  # a wrong check character
    son["民族"] = "汉旅"
    result = import_roster(db, write_roster(tmp_path / "r.xlsx", households, two_row_header=True))
    assert [i.row for i in result.rejected] == [FIRST_DATA_ROW + 1 + 4]
    report = write_reject_report(result, tmp_path / "rejects.xlsx")
    ws = openpyxl.load_workbook(report).active
    rows = list(ws.values)
    assert len(rows) == 2  # the header and the one rejected row
    assert rows[0][-2:] == ("未导入原因", "原行号")
    assert "校验位" in rows[1][-2] and "汉旅" in rows[1][-2] and rows[1][-1] == 10
    assert rows[1][COL["证件号码"]] == son["证件号码"]  # still text, every digit kept
    # WHEN the clerk fixes the ID number and the ethnicity in the report and imports it
    ws.cell(2, COL["证件号码"] + 1).value = correct
    ws.cell(2, COL["民族"] + 1).value = "汉族"
    ws.parent.save(report)
    fixed = import_roster(db, report)
    assert (fixed.persons_added, fixed.rejected) == (1, [])


def test_unmapped_columns_are_kept_not_reported_as_dropped(db, tmp_path):
    # GIVEN a column PovDesk does not model, filled on one person's row only
    path = tmp_path / "r.xlsx"
    write_roster(path)
    wb = openpyxl.load_workbook(path)
    wb.active.cell(3, len(COLUMNS) + 1).value = "备用列"
    wb.active.cell(5, len(COLUMNS) + 1).value = "x"
    wb.save(path)
    result = import_roster(db, path)
    # THEN it is kept with that person, and no warning says it was dropped
    assert not any("备用列" in w.reason for w in result.warnings)
    assert (result.persons_added, result.kept_columns) == (6, 1)
    with db.session() as s:
        kept = s.execute(select(Member.name, Member.extra).where(Member.extra.is_not(None))).all()
    assert [tuple(row) for row in kept] == [("张建国", {"备用列": "x"})]


def test_a_first_load_keeps_every_index_even_when_it_fails(db, tmp_path):
    """Into an empty SQLite registry the indexes are built once at the end; a failure must bring them back too."""
    from sqlalchemy import inspect

    def indexes():
        with db.engine.connect() as conn:
            found = inspect(conn)
            return {t: sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(t))
                    for t in ("household", "member", "household_year")}  # fmt: skip

    before = indexes()
    assert len(before["member"]) == 7
    path = write_roster(tmp_path / "r.xlsx")

    def explode(done, total, label):
        if label.startswith("正在完成"):
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        import_roster(db, path, progress=Progress(explode))
    assert indexes() == before and _count(db, Member) == 0
    result = import_roster(db, path)
    assert result.persons_added == 6 and indexes() == before
    with db.engine.connect() as conn:  # the partial unique index is partial again: a removed member's ID may return
        conn.exec_driver_sql("UPDATE member SET removed_on = '2025-01-01' WHERE id = (SELECT min(id) FROM member)")
        conn.exec_driver_sql(
            "INSERT INTO member (household_id, id_number, name, name_pinyin, name_initials, sex, relation) "
            "SELECT household_id, id_number, name, '', '', sex, relation FROM member WHERE id = (SELECT min(id) FROM member)"
        )
        conn.rollback()


@pytest.mark.parametrize(("epoch", "since"), [(None, dt.date(2018, 3, 1)), ("1904", dt.date(2022, 3, 2))])
def test_a_monitoring_date_typed_as_a_bare_number_follows_the_workbooks_date_system(sqlite_db, tmp_path, epoch, since):
    # GIVEN a roster whose 纳入监测日期 was typed as Excel's serial number, in a 1900 or a 1904 (old Mac) workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    path = tmp_path / "监测.xlsx"
    wb = openpyxl.Workbook()
    if epoch:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["乡（镇）", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "监测对象类别", "纳入监测日期"])
    ws.append(["青山镇", "红星村", "5329301001000001", "张建国", person_id(dt.date(1965, 3, 12), 11), "户主",
               "边缘易致贫户", 43160])  # fmt: skip
    wb.save(path)
    # WHEN it is imported
    result = import_roster(sqlite_db, path)
    # THEN the date is the one Excel shows for that number in that workbook, without a warning
    assert (result.households_added, result.rejected, result.warnings) == (1, [], [])
    with sqlite_db.session() as s:
        assert s.scalar(select(MonitoredHousehold.identified_on)) == since
