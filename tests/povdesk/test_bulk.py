"""Bulk inserts name their columns from the model: rows that differ in their keys lose nothing."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import select

from povdesk import idnumber
from povdesk.bulk import bulk_insert
from povdesk.model import Area, Household, HouseholdYear
from povdesk.roster.importer import import_roster


def test_a_figure_only_late_rows_have_is_stored(db, tmp_path):
    # GIVEN a roster of 60 households where every household gives its wage income but only households 56-60 give
    # their per-capita income (the first 50 rows of the yearly figures lack that column)
    path = tmp_path / "花名册.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["乡（镇）", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "收入年度", "工资性收入", "人均纯收入"]
    )
    for i in range(1, 61):
        person = idnumber.make("532930", dt.date(1970, 1, 1) + dt.timedelta(days=i), i)
        income = 5000 + i if i >= 56 else None
        ws.append(["青山镇", "红星村", f"53293010010{i:05d}", f"户主{i}", person, "户主", 2020, 1000 + i, income])
    wb.save(path)
    # WHEN it is imported
    result = import_roster(db, path)
    # THEN every household is in, and the five incomes are stored with the wages of all sixty
    assert (result.households_added, result.rejected) == (60, [])
    with db.session() as s:
        rows = s.execute(
            select(Household.number, HouseholdYear.wage_income, HouseholdYear.per_capita_income)
            .join(HouseholdYear, HouseholdYear.household_id == Household.id)
            .order_by(Household.number)
        ).all()
    assert len(rows) == 60
    assert [float(r.per_capita_income) for r in rows if r.per_capita_income is not None] == [
        5056.0,
        5057.0,
        5058.0,
        5059.0,
        5060.0,
    ]
    assert all(r.wage_income is not None for r in rows)


def test_rows_with_uneven_keys_get_nulls_and_model_defaults(db):
    # GIVEN 60 area rows where only the last ones say whether the village is poor and none gives its sort order
    rows = [dict(id=i, parent_id=None, level="village", name=f"村{i}", path=f"{i}/") for i in range(1, 61)]
    for row in rows[55:]:
        row["is_poor_village"] = True
    rows[0]["code"] = "532930100001"
    # WHEN they are inserted in bulk
    with db.transaction() as s:
        bulk_insert(s, Area, rows)
    # THEN the late values are kept, the others get the model's defaults, a column no row gives is NULL
    with db.session() as s:
        stored = s.execute(select(Area.id, Area.is_poor_village, Area.sort_order, Area.code).order_by(Area.id)).all()
    assert [a.id for a in stored if a.is_poor_village] == [56, 57, 58, 59, 60]
    assert {a.sort_order for a in stored} == {0}
    assert stored[0].code == "532930100001" and stored[1].code is None


def test_an_unknown_key_is_an_error(db):
    with db.transaction() as s, pytest.raises(ValueError, match="no column colour"):
        bulk_insert(s, Area, [dict(id=1, level="county", name="某县", path="1/", colour="red")])
