"""Exporting the registry in the national layout; export → import into an empty database gives the same figures."""

from __future__ import annotations

import openpyxl
from sqlalchemy import distinct, func, select

from povdesk import demo, stats
from povdesk.db import open_database
from povdesk.model import Area, Household, Pairing
from povdesk.roster.exporter import export_roster
from povdesk.roster.importer import import_roster
from povdesk.roster.layout import COLUMNS, export_headers


def test_export_then_import_into_an_empty_database_gives_identical_figures(db, tmp_path):
    # GIVEN a demo county
    demo.generate(db, households=400, seed=3)
    path = tmp_path / "county.xlsx"
    # WHEN it is exported and imported into an empty database
    result = export_roster(db, path)
    assert result.households == 400
    target = open_database(f"sqlite:///{tmp_path / 'copy.db'}")
    imported = import_roster(target, path)
    assert (imported.households_added, imported.persons_added, imported.rejected) == (400, result.persons, [])
    # THEN the registry figures are the same; cadres travel with the households they help (a roster of
    # households cannot carry cadres who help nobody)
    with db.session() as s:
        before = stats.compute(s)
        helpers = s.scalar(select(func.count(distinct(Pairing.cadre_id))).where(Pairing.end_on.is_(None)))
    with target.session() as s:
        after = stats.compute(s)
    assert after.pop("cadres") == helpers
    before.pop("cadres")
    assert after == before
    # AND a township's figures too
    with db.session() as s:
        township = s.scalars(select(Area).where(Area.level == "township")).first().name
        township_before = stats.compute(s, stats.find_area(s, township))
    with target.session() as s:
        township_after = stats.compute(s, stats.find_area(s, township))
    township_before.pop("cadres"), township_after.pop("cadres")
    assert township_after == township_before
    target.close()


def test_id_and_phone_columns_are_text_and_one_area_or_a_selection_can_be_exported(db, tmp_path):
    demo.generate(db, households=60, seed=4)
    with db.session() as s:
        village = s.scalars(select(Area).where(Area.level == "village")).first()
        in_village = s.scalar(select(func.count()).select_from(Household).where(Household.village_id == village.id))
        some = list(s.scalars(select(Household.id).order_by(Household.id).limit(5)))
    result = export_roster(db, tmp_path / "village.xlsx", area_id=village.id)
    assert result.households == in_village
    ws = openpyxl.load_workbook(tmp_path / "village.xlsx").active
    header = [c.value for c in ws[3]]
    assert header == export_headers()
    first = ws[4]
    for key in ("id_number", "household_number", "phone"):
        cell = first[[c.key for c in COLUMNS].index(key)]
        assert cell.number_format == "@" and isinstance(cell.value, str)
    assert {row[3] for row in ws.iter_rows(min_row=4, values_only=True)} == {village.name}
    chosen = export_roster(db, tmp_path / "chosen.xlsx", household_ids=some)
    assert chosen.households == 5
