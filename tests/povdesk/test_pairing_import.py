"""Importing pairings an office already made: a pairing sheet sets start dates and history, replaces a household's
current helper, registers unknown helpers, rejects rows with reasons; a household roster's 帮扶开始时间/结束时间."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from pairing_rosters import (
    cadre_id,
    cadre_roster,
    county_of,
    flat_pairing_sheet,
    household_roster,
    pairing_sheet,
    plain_sheet,
)
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from povdesk import demo
from povdesk.model import Cadre, ChangeLog, Household, Pairing
from povdesk.pairing.cadre_import import import_cadres
from povdesk.pairing.pairing_import import import_pairings
from povdesk.roster.importer import import_roster
from povdesk.roster.reader import MissingColumns

TODAY = dt.date(2022, 6, 30)
DEMO_START = dt.date(2021, 7, 1)  # the demo's pairings start then


@pytest.fixture
def county(db, tmp_path):
    demo.generate(db, households=400, seed=3)
    county = county_of(db)
    cadres = cadre_roster(tmp_path / "干部.xlsx", county)
    import_cadres(db, cadres.path)
    return county, cadres


def _pairings(db, number: str) -> list[tuple]:
    """(helper, start, end, end reason) of a household, oldest first."""
    with db.session() as s:
        query = (
            select(Cadre.name, Pairing.start_on, Pairing.end_on, Pairing.end_reason)
            .join(Cadre, Cadre.id == Pairing.cadre_id)
            .join(Household, Household.id == Pairing.household_id)
            .where(Household.number == number)
            .order_by(Pairing.start_on, Pairing.id)
        )
        return [tuple(row) for row in s.execute(query)]


def _count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_pairing_sheet_sets_start_dates_and_history(db, county, tmp_path):
    county_, cadres = county
    sheet = pairing_sheet(tmp_path / "结对.xlsx", county_, cadres)
    demo_helper = {n: _pairings(db, n)[0][0] for n, _, _ in county_.households[:5]}

    result = import_pairings(db, sheet.path, user="clerk", today=TODAY)

    rows = sheet.rows
    (n1, _, _), (n2, _, _), (n3, _, _), (n4, _, _), (n5, _, _) = county_.households[:5]
    assert (result.added, result.updated, result.ended, result.cadres_added) == (4, 0, 3, 1)
    reasons = {i.row: i.reason for i in result.rejected}
    assert sorted(reasons) == sorted([rows["end_before_start"], rows["unknown_household"], rows["second_current"]])
    assert "早于" in reasons[rows["end_before_start"]]
    assert reasons[rows["unknown_household"]].startswith("户编号5329309999999999不在库中")
    assert f"第{rows['current']}行已填写该户的帮扶责任人“王建国”" in reasons[rows["second_current"]]
    warnings = {i.row: i.reason for i in result.warnings}
    assert "赵新人" in warnings[rows["new_helper"]] and "一般干部" in warnings[rows["new_helper"]]
    assert "未填写帮扶开始时间" in warnings[rows["no_start"]] and "2022年06月30日" in warnings[rows["no_start"]]
    assert rows["blank"] not in warnings and rows["blank"] not in reasons

    # a current row (date as 2022年03月01日) replaces the demo's helper, who keeps the pairing in history
    assert _pairings(db, n1) == [
        (demo_helper[n1], DEMO_START, dt.date(2022, 3, 1), "结对表导入：结对.xlsx，更换帮扶责任人"),
        ("王建国", dt.date(2022, 3, 1), None, None),
    ]
    # an ended row (real Excel dates) is history; the current helper stays
    assert _pairings(db, n2) == [
        ("李秀英", dt.date(2016, 1, 1), dt.date(2018, 3, 1), "结对表导入：结对.xlsx，帮扶结束"),
        (demo_helper[n2], DEMO_START, None, None),
    ]
    # found by the head's ID number; the unknown helper is registered as a cadre, with his unit and phone
    assert _pairings(db, n3)[-1] == ("赵新人", dt.date(2022, 3, 1), None, None)
    with db.session() as s:
        zhao = s.scalars(select(Cadre).where(Cadre.name == "赵新人")).one()
        assert (zhao.rank, zhao.phone, zhao.unit.name) == ("general", "13800000009", "县交通运输局")
        assert s.scalar(select(func.count()).where(ChangeLog.field == "helper")) == 3
    assert _pairings(db, n4) == [(demo_helper[n4], DEMO_START, None, None)]  # its row was rejected
    assert _pairings(db, n5)[-1] == ("张明华", TODAY, None, None)


def test_importing_the_same_sheet_again_changes_nothing(db, county, tmp_path):
    county_, cadres = county
    sheet = pairing_sheet(tmp_path / "结对.xlsx", county_, cadres)
    first = import_pairings(db, sheet.path, today=TODAY)
    counts = (_count(db, Pairing), _count(db, Cadre), _count(db, ChangeLog))

    again = import_pairings(db, sheet.path, today=TODAY)

    assert (again.added, again.updated, again.ended, again.cadres_added) == (0, 0, 0, 0)
    assert [i.row for i in again.rejected] == [i.row for i in first.rejected]
    assert (_count(db, Pairing), _count(db, Cadre), _count(db, ChangeLog)) == counts
    # a corrected start date updates the pairing instead of adding one
    wb = load_workbook(sheet.path)
    wb.active.cell(sheet.rows["current"], 9).value = "2022年04月01日"
    wb.save(sheet.path)
    corrected = import_pairings(db, sheet.path, today=TODAY)
    assert (corrected.added, corrected.updated) == (0, 1)
    assert _pairings(db, county_.households[0][0])[-1] == ("王建国", dt.date(2022, 4, 1), None, None)


def test_a_dry_run_writes_nothing(db, county, tmp_path):
    county_, cadres = county
    sheet = pairing_sheet(tmp_path / "结对.xlsx", county_, cadres)
    before = (_count(db, Pairing), _count(db, Cadre))
    result = import_pairings(db, sheet.path, dry_run=True, today=TODAY)
    assert result.to_json()["added"] == 4 and not result.committed
    assert {r["row"] for r in result.to_json()["rejected"]} == {sheet.rows["end_before_start"],
                                                                sheet.rows["unknown_household"],
                                                                sheet.rows["second_current"]}  # fmt: skip
    assert (_count(db, Pairing), _count(db, Cadre)) == before


def test_the_database_refuses_a_second_current_pairing(db, county):
    with db.session() as s:
        household, cadre = s.execute(
            select(Pairing.household_id, Pairing.cadre_id).where(Pairing.end_on.is_(None))
        ).first()
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(Pairing(household_id=household, cadre_id=cadre, start_on=TODAY))


def test_a_sheet_without_households_is_refused(db, county, tmp_path):
    path = plain_sheet(
        tmp_path / "helpers.xlsx",
        [["帮扶责任人", "帮扶责任人单位", "帮扶开始时间"], ["王建国", "县发展和改革局", "2022年03月01日"]],
    )
    with pytest.raises(MissingColumns, match="户编号"):
        import_pairings(db, path)


def test_a_household_roster_gives_helpers_their_start_and_end_dates(db, tmp_path):
    # GIVEN a roster whose first household's helper started on 2018年03月01日 and whose second household's helper
    # helped from 2016-01-01 (an Excel date) to 2018年03月01日
    roster = household_roster(tmp_path / "花名册.xlsx", [
        ("彭光明", "县林业局", "2018年03月01日", None),
        ("龚春燕", "县水利局", dt.datetime(2016, 1, 1), "2018年03月01日"),
    ])  # fmt: skip
    first = import_roster(db, roster.path, today=TODAY)
    assert (first.households_added, first.rejected) == (2, [])
    one, two = "5329301001000001", "5329301001000002"
    assert _pairings(db, one) == [("彭光明", dt.date(2018, 3, 1), None, None)]
    assert _pairings(db, two) == [
        ("龚春燕", dt.date(2016, 1, 1), dt.date(2018, 3, 1), "花名册导入：花名册.xlsx，帮扶结束")
    ]
    # WHEN it is imported again THEN nothing changes
    import_roster(db, roster.path, today=TODAY)
    assert _count(db, Pairing) == 2
    # WHEN a later roster names a new helper for the first household from 2020-05-01
    later = household_roster(tmp_path / "花名册2.xlsx", [
        ("向海燕", "县林业局", "2020-05-01", None),
        ("龚春燕", "县水利局", dt.datetime(2016, 1, 1), "2018年03月01日"),
    ])  # fmt: skip
    import_roster(db, later.path, today=TODAY)
    # THEN the first helper's pairing ends that day, kept as history
    assert _pairings(db, one) == [
        ("彭光明", dt.date(2018, 3, 1), dt.date(2020, 5, 1), "花名册导入：花名册2.xlsx，更换帮扶责任人"),
        ("向海燕", dt.date(2020, 5, 1), None, None),
    ]
    assert _count(db, Pairing) == 3


def test_a_household_roster_end_before_start_keeps_the_household_and_says_why(db, tmp_path):
    roster = household_roster(tmp_path / "花名册.xlsx", [
        ("彭光明", "县林业局", "2019年03月01日", "2018年03月01日"),
        ("龚春燕", "县水利局", None, "2018年03月01日"),
    ])  # fmt: skip
    result = import_roster(db, roster.path, today=TODAY)
    assert (result.households_added, result.rejected) == (2, [])
    warnings = {i.row: i.reason for i in result.warnings}
    assert "结束时间2018年03月01日早于开始时间2019年03月01日" in warnings[roster.rows["household1"]]
    assert "没有帮扶开始时间" in warnings[roster.rows["household2"]]
    assert _count(db, Pairing) == 0


def test_helpers_named_with_their_id_number_are_registered_with_it(db, county, tmp_path):
    # GIVEN 卢永红, registered by a household roster without an ID number, and 符金花, not registered at all
    county_, _ = county
    with db.session() as s, s.begin():
        s.add(Cadre(name="卢永红", name_pinyin="lu yong hong", rank="section", phone="13907431111", active=True))
    lu, fu = cadre_id(dt.date(1980, 1, 2), 31), cadre_id(dt.date(1982, 3, 4), 42)
    (n1, _, head1), (n2, _, head2) = county_.households[10:12]
    sheet = flat_pairing_sheet(tmp_path / "结对.xlsx", [
        [n1, head1, "卢永红", lu, None, 13907431111, "2022年03月01日", None],
        [n2, "某某", "符金花", fu, "县统计局", None, "2022年03月01日", None],
    ])  # fmt: skip
    # WHEN the sheet is imported
    result = import_pairings(db, sheet.path, today=TODAY)
    # THEN 卢永红 gets her ID number, 符金花 is registered with hers, and the wrong head's name is said
    assert (result.added, result.cadres_added, result.rejected) == (2, 1, [])
    with db.session() as s:
        found = dict(s.execute(select(Cadre.name, Cadre.id_number).where(Cadre.name.in_(("卢永红", "符金花")))).all())
        assert found == {"卢永红": lu, "符金花": fu}
        assert s.scalar(select(Cadre.sex).where(Cadre.name == "符金花")) == "female"
    assert f"库中该户户主是“{head2}”" in {i.row: i.reason for i in result.warnings}[sheet.rows["row2"]]
    assert _pairings(db, n1)[-1] == ("卢永红", dt.date(2022, 3, 1), None, None)
    # AND a second import finds both by ID number
    again = import_pairings(db, sheet.path, today=TODAY)
    assert (again.added, again.cadres_added, again.updated) == (0, 0, 0)
