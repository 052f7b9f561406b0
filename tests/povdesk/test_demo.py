"""The demo county: realistic, valid, reproducible, and the same on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from povdesk import codes, demo, idnumber, stats
from povdesk.errors import PovDeskError
from povdesk.model import Area, Household, Member, Pairing


def _snapshot(database):
    with database.session() as s:
        households = s.execute(
            select(Household.number, Household.village_id, Household.attribute, Household.main_cause,
                   Household.status, Household.year_identified, Household.year_exited).order_by(Household.id)
        ).all()  # fmt: skip
        members = s.execute(
            select(Member.id_number, Member.name, Member.sex, Member.birth_date, Member.relation).order_by(Member.id)
        ).all()
        areas = s.execute(select(Area.name, Area.path).order_by(Area.id)).all()
    return households, members, areas


def test_members_have_valid_unique_id_numbers_matching_sex_and_birth(sqlite_db):
    demo.generate(sqlite_db, households=600, seed=3)
    with sqlite_db.session() as s:
        rows = s.execute(select(Member.id_number, Member.sex, Member.birth_date, Member.relation)).all()
        heads = s.scalar(select(func.count()).select_from(Member).where(Member.relation == "head"))
        households = s.scalar(select(func.count()).select_from(Household))
    assert len({r.id_number for r in rows}) == len(rows)
    for number, sex, birth, _relation in rows:
        info = idnumber.parse(number)
        assert (info.sex, info.birth_date) == (sex, birth)
        assert birth <= dt.date.today()
    assert heads == households == 600
    assert 3.0 < len(rows) / households < 4.0  # Eryuan: 15,002 people in 4,290 households


def test_the_county_looks_like_the_seeds(sqlite_db):
    demo.generate(sqlite_db, households=3000, seed=1)
    with sqlite_db.session() as s:
        figures = stats.compute(s)
        names = s.scalars(select(Area.name).where(Area.level == "village")).all()
        paired = s.scalar(select(func.count(func.distinct(Pairing.household_id))))
    assert figures["households"] == 3000
    assert figures["townships"] >= 5 and figures["villages"] >= 50
    assert all(name.endswith("村") for name in names) and len(set(names)) == len(names)
    by_status = figures["households_by_status"]
    assert by_status["exited"] > by_status["poor"] > by_status["returned"] > 0
    assert set(by_status) == set(codes.STATUS.codes)
    assert set(figures["households_by_cause"]) == set(codes.CAUSE.codes)
    assert max(figures["households_by_cause"], key=figures["households_by_cause"].get) == "illness"
    assert 0 < figures["monitored_households"] < 300
    assert paired == 3000  # township cadres cover every household the units' cadres could not


def test_members_carry_the_official_codes(sqlite_db):
    demo.generate(sqlite_db, households=600, seed=2)
    lists = {"relation": codes.RELATION, "ethnicity": codes.ETHNICITY, "education": codes.EDUCATION,
             "school_status": codes.SCHOOL, "labor": codes.LABOR, "work_status": codes.WORK}  # fmt: skip
    with sqlite_db.session() as s:
        members = s.scalars(select(Member)).all()
    for member in members:
        for name, code_list in lists.items():
            assert getattr(member, name) is None or getattr(member, name) in code_list, (name, getattr(member, name))
        assert all(code in codes.HEALTH for code in member.health.split(","))
        assert (member.education is None) != (member.school_status is None)  # one of the two, as the 2019+ rule says
    assert any("," in member.health for member in members)
    students = [m.school_status for m in members if m.school_status]
    assert {"primary", "grade9", "senior1"} <= set(students) and "none" not in students
    work = [m.work_status for m in members]
    assert work.count(None) > len(work) / 2
    assert {"in_township", "out_township", "in_province", "out_province"} <= set(work)


def test_same_seed_same_county_other_seed_other_county(tmp_path):
    from povdesk.db import open_database

    a, b, c = (open_database(f"sqlite:///{tmp_path / name}") for name in ("a.db", "b.db", "c.db"))
    demo.generate(a, households=300, seed=7)
    demo.generate(b, households=300, seed=7)
    demo.generate(c, households=300, seed=8)
    assert _snapshot(a) == _snapshot(b)
    assert _snapshot(a) != _snapshot(c)
    for database in (a, b, c):
        database.close()


@pytest.mark.postgres
def test_identical_on_sqlite_and_postgresql(sqlite_db, pg_db):
    demo.generate(sqlite_db, households=400, seed=5)
    demo.generate(pg_db, households=400, seed=5)
    assert _snapshot(sqlite_db) == _snapshot(pg_db)
    with sqlite_db.session() as s1, pg_db.session() as s2:
        assert stats.compute(s1) == stats.compute(s2)


def test_refuses_a_database_that_has_data(db):
    demo.generate(db, households=50, seed=1)
    with pytest.raises(PovDeskError, match="已有数据"):
        demo.generate(db, households=50, seed=1)


def test_new_rows_after_demo_get_fresh_ids(db):
    demo.generate(db, households=20, seed=1)
    with db.transaction() as s:
        village = s.scalar(select(Area).where(Area.level == "village"))
        s.add(Household(number="NEW-1", village_id=village.id, status="poor"))
    with db.session() as s:
        assert s.scalar(select(Household.id).where(Household.number == "NEW-1")) == 21
