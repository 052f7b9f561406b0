"""The household list query: search, filters and sorting in SQL, page rows, and the monitoring alerts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from povdesk import alerts, demo, registry, stats
from povdesk.model import Area, Cadre, Household, HouseholdYear, Member, MonitoredHousehold, Pairing
from povdesk.registry import RegistryQuery


@pytest.fixture
def county(db):
    demo.generate(db, households=300, seed=5)
    return db


def _ids(db, **kw):
    with db.session() as session:
        return registry.household_ids(session, RegistryQuery(**kw))


def test_whole_county_sorted_by_household_number(county):
    with county.session() as session:
        numbers = dict(session.execute(select(Household.id, Household.number)).all())
    ids = _ids(county)
    assert len(ids) == 300 and [numbers[i] for i in ids] == sorted(numbers.values())
    assert [numbers[i] for i in _ids(county, descending=True)] == sorted(numbers.values(), reverse=True)


def test_area_restricts_to_its_subtree(county):
    with county.session() as session:
        township = session.scalars(select(Area).where(Area.level == "township").order_by(Area.id)).first()
        expected = stats.compute(session, township)["households"]
        group = session.scalars(select(Area).where(Area.level == "group").order_by(Area.id)).first()
        in_group = set(session.scalars(select(Household.id).where(Household.group_id == group.id)))
    assert len(_ids(county, area_id=township.id)) == expected > 0
    assert set(_ids(county, area_id=group.id)) == in_group


def test_search_by_initials_name_id_number_and_household_number(county):
    with county.session() as session:
        member = session.scalars(select(Member).where(Member.relation == "spouse").order_by(Member.id)).first()
        number = session.get(Household, member.household_id).number
    hid = member.household_id
    assert hid in _ids(county, text=member.name_initials)  # zjg finds 张建国's household
    assert hid in _ids(county, text=member.name_initials.upper())
    assert hid in _ids(county, text=member.name)
    assert hid in _ids(county, text=member.name[:2])  # a name is typed from its first character
    assert _ids(county, text=member.id_number) == [hid]
    assert _ids(county, text=member.id_number.lower()) == [hid]
    assert hid in _ids(county, text=member.id_number[:14])
    assert _ids(county, text=number) == [hid]
    assert hid in _ids(county, text=number[-6:])  # part of a household number is enough


def test_search_inside_names_when_no_name_starts_with_it(county):
    with county.session() as session:
        member = session.scalars(select(Member).where(Member.relation == "head").order_by(Member.id)).first()
        given = member.name[1:]
        starts = session.scalars(select(Member.id).where(Member.name.startswith(given))).first()
        containing = set(session.scalars(select(Member.household_id).where(Member.name.contains(given))))
    if starts is None:  # e.g. 建国: nobody is called 建国…, so names containing it are found
        assert set(_ids(county, text=given)) == containing
    assert _ids(county, text="不存在的名字") == []


def test_filters_combine(county):
    with county.session() as session:
        households = session.scalars(select(Household)).all()
        monitored = set(
            session.scalars(
                select(MonitoredHousehold.household_id).where(
                    MonitoredHousehold.type == "unstable", MonitoredHousehold.risk_eliminated_on.is_(None)
                )
            )
        )
        poor_2019 = set(
            session.scalars(
                select(HouseholdYear.household_id).where(HouseholdYear.year == 2019, HouseholdYear.status == "poor")
            )
        )
    expected = {h.id for h in households if h.status == "exited" and h.attribute == "low_income"}
    assert set(_ids(county, status="exited", attribute="low_income")) == expected
    by_cause = {h.id for h in households if "illness" in (h.main_cause, h.other_cause_1, h.other_cause_2)}
    assert set(_ids(county, cause="illness")) == by_cause
    assert set(_ids(county, monitor_type="unstable")) == monitored
    assert set(_ids(county, status="poor", year=2019)) == poor_2019  # the status recorded for that year


def test_the_to_verify_filter_and_its_count_per_area(county):
    with county.transaction() as session:
        village = session.scalars(select(Area).where(Area.level == "village").order_by(Area.id)).first()
        inside = session.scalars(select(Household.id).where(Household.village_id == village.id)).all()[:2]
        outside = session.scalars(select(Household.id).where(Household.village_id != village.id)).first()
        for hid in (*inside, outside):
            session.get(Household, hid).needs_review = True
        township_id = village.parent_id
    assert sorted(_ids(county, needs_review=True)) == sorted((*inside, outside))
    assert sorted(_ids(county, needs_review=True, area_id=village.id)) == sorted(inside)
    assert _ids(county, needs_review=True, status="no such status") == []  # combines with the other filters
    with county.session() as session:
        assert registry.review_count(session, village.id) == 2
        assert registry.review_count(session, None) == 3
        first = registry.first_household_ids(session, RegistryQuery(area_id=township_id, needs_review=True), 1)
    assert first is not None and first[1] == len(_ids(county, needs_review=True, area_id=township_id))


@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_per_capita_income_of_the_year(county, descending):
    with county.transaction() as session:  # one household without a 2020 record goes last
        gone = session.scalars(
            select(HouseholdYear).where(HouseholdYear.year == 2020).order_by(HouseholdYear.id)
        ).first()
        session.delete(gone)
    with county.session() as session:
        income = dict(
            session.execute(
                select(HouseholdYear.household_id, HouseholdYear.per_capita_income).where(HouseholdYear.year == 2020)
            ).all()
        )
    ids = _ids(county, sort="per_capita_income", descending=descending)
    assert len(ids) == 300 and ids[-1] == gone.household_id
    values = [income[i] for i in ids[:-1]]
    assert values == sorted(values, reverse=descending)
    village = _ids(county, sort="per_capita_income", text=_some_initials(county))
    assert [income.get(i, float("inf")) for i in village] == sorted(income.get(i, float("inf")) for i in village)


def _some_initials(db):
    with db.session() as session:
        return session.scalars(select(Member.name_initials).order_by(Member.id)).first()[:1]


def test_sort_by_head_uses_pinyin_and_by_size(county):
    with county.session() as session:
        heads = dict(
            session.execute(select(Member.household_id, Member.name_pinyin).where(Member.relation == "head")).all()
        )
        rows = registry.fetch_rows(session, _ids(county, sort="persons"), 2020)
    ids = _ids(county, sort="head")
    assert [heads[i] for i in ids] == sorted(heads[i] for i in ids)
    sizes = [rows[i].persons for i in _ids(county, sort="persons")]
    assert sizes == sorted(sizes) and sizes[0] >= 1


def test_sort_by_helper_uses_pinyin(county):
    """帮扶人 sorts like 户主: 李 (li) before 王 (wang) before 张 (zhang), whatever their code points say."""
    with county.session() as session:
        helpers = dict(
            session.execute(
                select(Pairing.household_id, Cadre.name_pinyin)
                .join(Cadre, Cadre.id == Pairing.cadre_id)
                .where(Pairing.end_on.is_(None))
            ).all()
        )
        names = dict(session.execute(select(Cadre.name_pinyin, Cadre.name)).all())
    ids = _ids(county, sort="helper")
    keys = [helpers[i] for i in ids]
    assert keys == sorted(keys) and len(ids) == len(helpers)
    surnames = [names[k][0] for k in keys]
    assert surnames != sorted(surnames)  # by code point the order would differ: the test can fail
    assert surnames.index("李") < surnames.index("王") < surnames.index("张")
    with county.transaction() as session:  # a household with a past helper as well is still listed once
        pairing = session.scalars(select(Pairing)).first()
        other = session.scalars(select(Cadre.id).where(Cadre.id != pairing.cadre_id)).first()
        session.add(Pairing(household_id=pairing.household_id, cadre_id=other, start_on=pairing.start_on,
                            end_on=pairing.start_on, end_reason="调动"))  # fmt: skip
    ids = _ids(county, sort="helper", descending=True)
    assert len(ids) == len(set(ids)) == 300


def test_other_sorts_run_and_keep_every_household(county):
    for key in registry.COLUMN_KEYS:
        assert sorted(_ids(county, sort=key)) == sorted(_ids(county)), key


def test_page_rows_carry_every_column(county):
    with county.session() as session:
        hid = session.scalars(
            select(MonitoredHousehold.household_id).where(MonitoredHousehold.risk_eliminated_on.is_(None))
        ).first()
        household = session.get(Household, hid)
        members = [m for m in household.members if m.removed_on is None]
        head = next(m.name for m in members if m.relation == "head")
        year = session.scalars(
            select(HouseholdYear).where(HouseholdYear.household_id == hid, HouseholdYear.year == 2020)
        ).one()
        row = registry.fetch_rows(session, [hid], 2020)[hid]
        village = session.get(Area, household.village_id)
        assert (row.village, row.township) == (village.name, village.parent.name)
    assert (row.number, row.head, row.persons) == (household.number, head, len(members))
    assert row.per_capita_income == year.per_capita_income
    assert row.monitor_type in ("unstable", "marginal", "sudden") and row.helper


def test_alerts_for_income_under_the_line_unmet_guarantees_and_exit_risk(county):
    with county.transaction() as session:
        alerts.set_county_lines(session, {2020: 5000})
        years = session.scalars(
            select(HouseholdYear).where(HouseholdYear.year == 2020).order_by(HouseholdYear.id)
        ).all()
        low, unmet, risky = years[0], years[1], years[2]
        low.per_capita_income = 4200
        unmet.per_capita_income, unmet.housing_ok = 9000, False
        session.get(Household, risky.household_id).status = "exited"
        risky.per_capita_income = 6000
        for other in years[3:]:
            other.per_capita_income, other.housing_ok, other.education_ok, other.water_ok = 20000, True, True, True
    with county.session() as session:
        assert alerts.income_line(session, 2020) == alerts.IncomeLine(2020, 5000.0, "监测线")
        assert alerts.income_line(session, 2019).source == "国家扶贫标准"
        found = {(a.household_id, a.kind): a.reason for a in alerts.find_alerts(session, 2020)}
    assert found == {
        (low.household_id, "below_line"): "2020年人均纯收入 4,200.00 元，低于监测线 5,000 元",
        (unmet.household_id, "guarantee"): "2020年未达标：住房安全有保障",
        (risky.household_id, "exit_risk"): "已脱贫，2020年人均纯收入 6,000.00 元，不足监测线的 1.5 倍",
    }
