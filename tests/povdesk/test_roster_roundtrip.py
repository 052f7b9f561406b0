"""Export → import round trips: a national roster imported, exported in a layout, and the export imported into an empty
database gives the same `stats --json`, the same kept columns and the same values kept for review.

The sources are the national fixtures of tests/national_rosters.py: the E2016 person export (人编号 and 饮水困难 kept,
a 务工状况 outside the code list) and the E2021 监测对象信息 export (about 130 kept columns at household and person
level, 风险是否已消除 twice). Each is exported in its own national layout and in PovDesk's; a layout of the other
edition cannot carry the same figures (E2016 has no monitoring columns, E2021 no 致贫原因 or 脱贫属性).
"""

from __future__ import annotations

import pytest
from national_rosters import build_e2016, build_monitoring_2021
from sqlalchemy import select

from povdesk import stats
from povdesk.db import open_database
from povdesk.model import Household, HouseholdYear, Member
from povdesk.roster.exporter import export_roster
from povdesk.roster.importer import import_roster

SOURCES = {"e2016": build_e2016, "monitoring_2021": build_monitoring_2021}


def _kept(db) -> dict:
    """What the registry keeps beyond its fields: per household number and per ID number, the kept columns and the
    texts kept for review; and each household's income, of the year the roster's information row names."""
    with db.session() as s:
        incomes = set(
            s.execute(
                select(Household.number, HouseholdYear.year, HouseholdYear.per_capita_income).join(
                    HouseholdYear, HouseholdYear.household_id == Household.id
                )
            )
        )
        households = {
            n: (extra, unverified)
            for n, extra, unverified in s.execute(select(Household.number, Household.extra, Household.unverified))
        }
        members = {
            n: (extra, unverified)
            for n, extra, unverified in s.execute(
                select(Member.id_number, Member.extra, Member.unverified).where(Member.removed_on.is_(None))
            )
        }
    return {"households": households, "members": members, "incomes": incomes}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Each source roster imported into an empty database, once for the module."""
    folder = tmp_path_factory.mktemp("sources")
    databases = {}
    for name, build in SOURCES.items():
        roster = build(folder)
        db = open_database(f"sqlite:///{folder / f'{name}.db'}")
        result = import_roster(db, roster.path)
        assert result.households_added == roster.households
        databases[name] = db
    yield databases
    for db in databases.values():
        db.close()


@pytest.mark.parametrize(
    ("source", "layout"),
    [
        ("e2016", "national-2016"),
        ("e2016", "povdesk"),
        ("monitoring_2021", "monitoring-2021"),
        ("monitoring_2021", "povdesk"),
    ],
)
def test_an_export_imported_into_an_empty_database_gives_the_same_figures_and_kept_columns(
    imported, tmp_path, source, layout
):
    # GIVEN a national roster imported with the columns PovDesk keeps and a value kept for review
    db = imported[source]
    before, kept_before = _figures(db), _kept(db)
    assert any(extra for extra, _ in kept_before["members"].values()), "the source keeps person-level columns"
    assert any(extra for extra, _ in kept_before["households"].values()), "the source keeps household-level columns"
    # WHEN it is exported in the layout and the export is imported into an empty database
    exported = export_roster(db, tmp_path / f"{layout}.xlsx", layout=layout)
    copy = open_database(f"sqlite:///{tmp_path / 'copy.db'}")
    result = import_roster(copy, exported.path)
    # THEN every household and person comes back, with the same figures, kept columns and values to review
    assert (result.households_added, result.persons_added, result.rejected) == (
        exported.households,
        exported.persons,
        [],
    )
    assert _figures(copy) == before
    assert _kept(copy) == kept_before
    copy.close()


def _figures(db) -> dict:
    """`main.py stats --json`."""
    with db.session() as s:
        return stats.compute(s)
