"""Importing a county's cadre roster (帮扶干部名单): counts, rejected rows with their Excel rows and reasons, home
townships from the 乡镇 column and from the unit, idempotent re-import, dry run."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from pairing_rosters import cadre_roster, county_of, plain_sheet
from sqlalchemy import func, select

from povdesk import demo
from povdesk.model import Area, AuditLog, Cadre, HelpingUnit
from povdesk.pairing.cadre_import import import_cadres
from povdesk.roster.reader import HeaderNotFound
from povdesk.roster.report import write_reject_report


@pytest.fixture
def county_db(db):
    demo.generate(db, households=400, seed=3)  # three townships
    return db


def _cadres(db) -> dict[str, Cadre]:
    with db.session() as s:
        cadres = {c.id_number: c for c in s.scalars(select(Cadre).where(Cadre.id_number.is_not(None)))}
        for cadre in cadres.values():
            _ = cadre.unit  # loaded before the session closes
        return cadres


def _area(db, area_id) -> str | None:
    with db.session() as s:
        return s.scalar(select(Area.name).where(Area.id == area_id)) if area_id else None


def test_a_cadre_roster_imports_with_reasons_by_row(county_db, tmp_path):
    db = county_db
    county = county_of(db)
    roster = cadre_roster(tmp_path / "干部.xlsx", county)
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(Cadre))

    result = import_cadres(db, roster.path, user="clerk")

    rows = roster.rows
    assert (result.added, result.updated) == (8, 0)
    reasons = {i.row: i.reason for i in result.rejected}
    assert sorted(reasons) == sorted([rows["bad_rank"], rows["duplicate"], rows["no_id"], rows["bad_id"]])
    assert "县处汲" in reasons[rows["bad_rank"]] and "最接近的是“县级领导”" in reasons[rows["bad_rank"]]
    assert reasons[rows["duplicate"]].startswith(f"身份证号{roster.ids['王建国']}与第{rows['county']}行（王建国）重复")
    assert "缺少身份证号" in reasons[rows["no_id"]]
    assert "校验位错误" in reasons[rows["bad_id"]]
    # the blank row and the 合计 row are neither imported nor reported
    reported = {i.row for i in result.rejected} | {i.row for i in result.warnings}
    assert rows["blank"] not in reported and rows["total"] not in reported
    warnings = {i.row: i.reason for i in result.warnings}
    assert "职级为乡镇干部" in warnings[rows["township_unknown"]] and "乡镇" in warnings[rows["township_unknown"]]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Cadre)) == before + 8
        assert s.scalar(select(func.count()).where(AuditLog.action == "cadre_import")) == 1

    cadres = _cadres(db)
    ids = roster.ids
    wang = cadres[ids["王建国"]]
    assert (wang.name, wang.rank, wang.sex, wang.phone, wang.position, wang.political_status, wang.active) == (
        "王建国", "county_leader", "male", "13907431001", "局长", "中共党员", True)  # fmt: skip
    assert wang.name_pinyin == "wang jian guo" and wang.unit.name == "县发展和改革局" and wang.home_area_id is None
    li = cadres[ids["李秀英"]]
    assert (li.name, li.rank, li.sex) == ("李秀英", "section", "female")  # trailing space gone; 副科级 is 科级
    assert cadres[ids["张明华"]].rank == "general"
    assert cadres[ids["向春梅"]].political_status == "群众"  # the code 13 as its label
    t0, t1, t2 = county.townships[:3]
    # the home township: from the unit (人民政府, 中共…委员会), from the 乡镇 column (written without its suffix)
    peng = cadres[ids["彭志强"]]
    assert (peng.rank, _area(db, peng.home_area_id)) == ("township", t0)
    assert _area(db, peng.unit.township_id) == t0 and peng.unit.kind == "乡镇"
    tian = cadres[ids["田玉兰"]]
    assert (tian.rank, _area(db, tian.home_area_id)) == ("township", t1)
    assert tian.unit.township_id is None  # 乡镇扶贫工作站 names no township
    assert _area(db, cadres[ids["向春梅"]].home_area_id) == t2
    assert cadres[ids["黄光荣"]].home_area_id is None  # said in a warning, never guessed
    wu = cadres[ids["吴德顺"]]
    assert (wu.rank, _area(db, wu.home_area_id)) == ("village", county.villages[t0][0])
    assert ids["贾世清"] not in cadres and ids["鲁家兴"] not in cadres
    with db.session() as s:
        assert s.scalar(select(func.count()).where(HelpingUnit.name == "县发展和改革局")) == 1


def test_importing_the_same_roster_again_adds_nobody(county_db, tmp_path):
    db = county_db
    roster = cadre_roster(tmp_path / "干部.xlsx", county_of(db))
    first = import_cadres(db, roster.path)
    with db.session() as s:
        counts = (
            s.scalar(select(func.count()).select_from(Cadre)),
            s.scalar(select(func.count()).select_from(HelpingUnit)),
        )

    again = import_cadres(db, roster.path)

    assert (again.added, again.updated, again.units_added) == (0, 0, 0)
    assert [(i.row, i.reason) for i in again.rejected] == [(i.row, i.reason) for i in first.rejected]
    with db.session() as s:
        assert (s.scalar(select(func.count()).select_from(Cadre)),
                s.scalar(select(func.count()).select_from(HelpingUnit))) == counts  # fmt: skip
    # a changed phone number updates the cadre matched by ID number, and nothing else
    wb = load_workbook(roster.path)
    wb.active.cell(roster.rows["county"], 8).value = 13988880000
    wb.save(roster.path)
    changed = import_cadres(db, roster.path)
    assert (changed.added, changed.updated) == (0, 1)
    assert _cadres(db)[roster.ids["王建国"]].phone == "13988880000"


def test_a_helper_registered_without_an_id_number_gets_it_rather_than_a_twin(county_db, tmp_path):
    # GIVEN 张明华, registered as a helper by a household roster (no ID number), with the phone the roster gives
    db = county_db
    roster = cadre_roster(tmp_path / "干部.xlsx", county_of(db))
    with db.session() as s, s.begin():
        s.add(Cadre(name="张明华", name_pinyin="zhang ming hua", rank="general", phone="13907431003", active=True))
    # WHEN the cadre roster is imported
    result = import_cadres(db, roster.path)
    # THEN he is the same cadre, now with his ID number
    assert (result.added, result.updated) == (7, 1)
    with db.session() as s:
        assert s.scalar(select(func.count()).where(Cadre.name == "张明华")) == 1
        assert s.scalar(select(Cadre.id_number).where(Cadre.name == "张明华")) == roster.ids["张明华"]


def test_a_dry_run_writes_nothing_and_the_rejected_rows_can_be_written_out(county_db, tmp_path):
    db = county_db
    roster = cadre_roster(tmp_path / "干部.xlsx", county_of(db))
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(Cadre))

    result = import_cadres(db, roster.path, dry_run=True)

    assert result.added == 8 and not result.committed
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Cadre)) == before
    assert result.to_json()["added"] == 8
    assert {r["row"] for r in result.to_json()["rejected"]} == {roster.rows[k] for k in ("bad_rank", "duplicate",
                                                                                      "no_id", "bad_id")}  # fmt: skip
    report = write_reject_report(result, tmp_path / "未导入.xlsx")
    ws = load_workbook(report).active
    assert ws.cell(1, 4).value == "身份证号" and ws.max_row == 5
    assert [ws.cell(r, 2).value for r in range(2, 6)] == ["贾世清", "鲁家兴", "瞿丽娟", "石文静"]


def test_a_household_roster_is_not_a_cadre_roster(county_db, tmp_path):
    path = plain_sheet(
        tmp_path / "not.xlsx", [["户编号", "与户主关系", "脱贫属性"], ["5329300000000001", "户主", "已脱贫"]]
    )
    with pytest.raises(HeaderNotFound, match="帮扶干部名单表头"):
        import_cadres(county_db, path)
