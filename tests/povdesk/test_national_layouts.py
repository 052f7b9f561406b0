"""Rosters in the layouts the national systems export (CODES.md §1), through `main.py import` and `main.py stats`.

The fixtures are built in tests/national_rosters.py from the official layouts and code tables, not from our exporter;
their expected figures are counted from the households drawn.
"""

from __future__ import annotations

import json
from collections import Counter

import openpyxl
import pytest
from national_rosters import BUILDERS, METHODS, MONITOR_TYPES, UNKNOWN_WORK, WORK_2016, Roster
from sqlalchemy import select
from test_roster_cli import run

from povdesk.db import open_database
from povdesk.model import Household, HouseholdYear, Member, MonitoredHousehold

# What the issue names per edition: each fixture must really hold these values (a new seed must not lose them).
WRITTEN = {
    "e2016": {"务工状况": (*WORK_2016, UNKNOWN_WORK), "在校生状况": ("九年级", "小学", "高中一年级", "非在校生"),
              "劳动技能": ("普通劳动力", "弱劳动力或半劳动力"), "健康状况": ("长期慢性病,残疾",),
              "贫困户属性": ("一般贫困户", "低保贫困户", "五保户", "一般农户"), "主要致贫原因": ("缺劳动力", "因病致贫", "其它"),
              "脱贫属性": ("已脱贫（享受政策）", "已脱贫(不再享受政策)", "未脱贫", "预脱贫")},
    "county_2020": {"贫困户属性": ("一般脱贫户", "低保脱贫户", "特困供养脱贫户", "低保特困供养贫困户"),
                    "首次识别时间": ("2013年12月",), "脱贫属性": (None,)},
    "lists_2022": {"户类型": ("脱贫户", "一般农户"), "易返贫致贫户(监测对象)类型": tuple(MONITOR_TYPES),
                   "风险是否消除": ("是", "否")},
    "monitoring_2021": {"监测对象类别": tuple(MONITOR_TYPES), "风险消除方式": tuple(METHODS),
                        "文化程度": ("大专", "本科及以上", None), "在校生状况": (None, "小学"), "与户主关系": ("之兄弟姐妹",)},
    "exited_support": {"享受低保政策情况": ("农村低保", "城市低保", "未享受", None),
                       "享受特困供养政策情况": ("农村特困", "城市特困", "不享受", "未享受", None)},
    "exited_yes_no": {"是否享受低保": ("是", "否"), "是否特困供养人员": ("是", "否")},
}  # fmt: skip


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Each layout written and imported once into its own empty database: (roster, database URL, import summary)."""
    done = {}

    def get(layout: str) -> tuple[Roster, str, dict]:
        if layout not in done:
            folder = tmp_path_factory.mktemp(layout)
            roster = BUILDERS[layout](folder)
            url = f"sqlite:///{folder / 'county.db'}"
            result = run("--db", url, "import", str(roster.path), "--json")
            assert result.returncode == 0, result.stderr
            done[layout] = roster, url, json.loads(result.stdout)
        return done[layout]

    return get


@pytest.mark.parametrize("layout", list(WRITTEN))
def test_the_fixture_holds_what_its_edition_writes(tmp_path, layout):
    roster = BUILDERS[layout](tmp_path)
    rows = list(openpyxl.load_workbook(roster.path).active.iter_rows(min_row=roster.header_row, values_only=True))
    columns = {header: {row[i] for row in rows[1:]} for i, header in reversed(list(enumerate(rows[0])))}
    for header, values in WRITTEN[layout].items():
        assert set(values) <= columns[header], header


@pytest.mark.parametrize("layout", list(BUILDERS))
def test_every_household_and_person_is_imported_and_counted(imported, layout):
    roster, url, summary = imported(layout)
    assert summary["rejected"] == []
    assert (summary["households_added"], summary["persons_added"]) == (roster.households, roster.persons)
    # an official export raises no doubt about any of its values: only the clerk's own 务工状况 is to be checked
    assert {w["row"] for w in summary["warnings"] if w["row"] > roster.header_row} == set(roster.unknown)
    result = run("--db", url, "stats", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert (figures["townships"], figures["villages"]) == (2, 3)
    assert (figures["households"], figures["persons"]) == (roster.households, roster.persons)
    assert figures["households_by_status"] == roster.by_status
    assert figures["households_by_attribute"] == roster.by_attribute
    assert figures["households_by_cause"] == roster.by_cause
    assert figures["monitored_households"] == roster.monitored
    database = open_database(url)
    with database.session() as s:
        assert Counter(s.scalars(select(MonitoredHousehold.type))) == roster.monitor_types
    database.close()


def test_an_unknown_work_status_is_kept_as_written_for_review(imported):
    roster, url, summary = imported("e2016")
    (row,) = roster.unknown
    assert any(w["row"] == row and "务工状况" in w["reason"] for w in summary["warnings"])
    clerk = next(p for f in roster.families for p in f.members if p.work == UNKNOWN_WORK)
    database = open_database(url)
    with database.session() as s:
        member = s.scalar(select(Member).where(Member.id_number == clerk.id_number))
        assert (member.work_status, member.unverified) == (None, {"work_status": UNKNOWN_WORK})
        assert member.household.needs_review
        assert s.scalars(select(Household.number).where(Household.needs_review)).all() == [member.household.number]
    database.close()


def test_the_income_year_is_the_data_year_of_the_info_row(imported):
    roster, url, _ = imported("e2016")  # 统计范围：龙山县 数据截止：2018年12月31日, and no 收入年度 column
    database = open_database(url)
    with database.session() as s:
        incomes = dict(s.execute(select(Household.number, HouseholdYear.per_capita_income).join(HouseholdYear)
                                 .where(HouseholdYear.year == 2018)).all())  # fmt: skip
    database.close()
    assert {n: float(v) for n, v in incomes.items()} == {f.number: f.income for f in roster.families}


def test_each_monitored_household_keeps_its_type_month_risks_and_elimination(imported):
    roster, url, _ = imported("monitoring_2021")
    database = open_database(url)
    with database.session() as s:
        episodes = {number: (e.type, f"{e.identified_on:%Y%m}", e.risk_eliminated_on and f"{e.risk_eliminated_on:%Y%m}",
                             e.elimination_method, e.risk)
                    for number, e in s.execute(select(Household.number, MonitoredHousehold).join(MonitoredHousehold))}  # fmt: skip
    database.close()
    assert episodes == {f.number: (MONITOR_TYPES[e.kind], f"{e.since:%Y%m}", e.until and f"{e.until:%Y%m}",
                                   METHODS.get(e.method), "、".join(e.risks))
                        for f in roster.families if (e := f.episode)}  # fmt: skip


def test_columns_povdesk_does_not_model_are_kept_and_said_to_be_kept(imported):
    roster, url, summary = imported("monitoring_2021")
    # most of the 170 columns are not PovDesk fields: they are kept as written, per household or per person
    assert summary["kept_columns"] >= 100
    database = open_database(url)
    with database.session() as s:
        households = {h.number: h.extra or {} for h in s.scalars(select(Household))}
        persons = {m.id_number: (m.extra or {}).get("政治面貌", households[m.household.number].get("政治面貌"))
                   for m in s.scalars(select(Member))}  # fmt: skip
    database.close()
    assert {n: extra.get("整户无劳动能力兜底保障户") for n, extra in households.items()} == {
        f.number: f.cells["整户无劳动能力兜底保障户"] for f in roster.families}  # fmt: skip
    assert persons == {p.id_number: p.cells["政治面貌"] for f in roster.families for p in f.members}
    # …and the summary does not call them dropped: a clean export must not raise 126 warnings
    assert [w["reason"] for w in summary["warnings"] if "未导入" in w["reason"]] == []
