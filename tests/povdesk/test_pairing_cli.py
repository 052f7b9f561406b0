"""`pair`, `cadres import` and `pairs export|import` as county IT staff run them: `python main.py …` in a subprocess,
on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import func, select, text, update
from test_cli import run

from povdesk import demo
from povdesk.model import Area, Cadre, Household, Pairing


def _end_pairings_of(db, township: str) -> int:
    """A township whose cadres all moved away: its households have no helper any more."""
    with db.transaction() as s:
        town = s.scalar(select(Area).where(Area.name == township))
        households = select(Household.id).join(Area, Area.id == Household.village_id)
        households = households.where(Area.path.startswith(town.path))
        ended = s.execute(update(Pairing).where(Pairing.household_id.in_(households), Pairing.end_on.is_(None))
                          .values(end_on=Pairing.start_on, end_reason="调离")).rowcount  # fmt: skip
        return ended


def test_pair_json_then_stats_report_a_fully_paired_county(db):
    demo.generate(db, households=300, seed=4)
    with db.session() as s:
        township = s.scalar(select(Area.name).where(Area.level == "township").order_by(Area.sort_order))
        active = s.scalar(select(func.count()).select_from(Cadre).where(Cadre.active.is_(True)))
    ended = _end_pairings_of(db, township)
    assert ended > 20
    result = run("--db", db.url, "pair", "--scheme", "321", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    for key in ("households", "paired", "unpaired", "by_rank", "over_quota_cadres",
                "township_cadres_outside_own_township", "shortfalls"):  # fmt: skip
        assert key in figures
    assert figures["households"] == figures["paired"] == 300 and figures["unpaired"] == 0
    assert sum(figures["by_rank"].values()) == 300 and figures["added"] == ended
    assert figures["over_quota_cadres"] == 0 and figures["township_cadres_outside_own_township"] == 0
    assert figures["shortfalls"] == []
    stats = json.loads(run("--db", db.url, "stats", "--json").stdout)
    assert stats["paired_households"] == 300 and stats["cadres"] == active
    with db.session() as s:  # the ended pairings are history, next to the new ones
        assert s.scalar(select(func.count()).select_from(Pairing).where(Pairing.end_reason == "调离")) == ended


def test_pair_reports_a_township_it_cannot_cover_and_the_text_says_why(db):
    demo.generate(db, households=300, seed=4)
    with db.session() as s:
        township = s.scalar(select(Area).where(Area.level == "township").order_by(Area.sort_order))
        name, township_id = township.name, township.id
    _end_pairings_of(db, name)
    with db.transaction() as s:  # and no township cadre is left there
        s.execute(update(Cadre).where(Cadre.rank == "township", Cadre.home_area_id == township_id).values(active=False))
    figures = json.loads(run("--db", db.url, "pair", "--json").stdout)
    shortfall = figures["shortfalls"]
    assert [s["township"] for s in shortfall] == [name] and shortfall[0]["households"] == figures["unpaired"] > 0
    assert figures["over_quota_cadres"] == 0
    result = run("--db", db.url, "pair")
    assert result.returncode == 0
    assert f"{name}：{figures['unpaired']} 户无法结对——本乡镇没有在岗的乡镇干部" in result.stdout


def test_pair_dry_run_writes_nothing_and_an_unknown_scheme_is_a_clear_error(db):
    demo.generate(db, households=120, seed=4)
    with db.transaction() as s:
        s.execute(text("DELETE FROM pairing"))
    result = run("--db", db.url, "pair", "--dry-run")
    assert result.returncode == 0 and "预计新结对 120 户" in result.stdout
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Pairing)) == 0
    result = run("--db", db.url, "pair", "--scheme", "999")
    assert result.returncode == 1
    assert "没有名为“999”的结对方案。现有方案：321、532、54321、87654" in result.stderr


def test_cadres_import_json_lists_added_and_rejected_rows_and_a_second_run_adds_nobody(db, tmp_path):
    from pairing_rosters import cadre_roster, county_of

    demo.generate(db, households=400, seed=3)  # three townships
    written = cadre_roster(tmp_path / "帮扶干部花名册.xlsx", county_of(db))
    result = run("--db", db.url, "cadres", "import", str(written.path), "--json")
    assert result.returncode == 0, result.stderr
    first = json.loads(result.stdout)
    rejected = {r["row"] for r in first["rejected"]}
    assert {written.rows["bad_rank"], written.rows["duplicate"], written.rows["no_id"]} <= rejected
    assert first["added"] == 8 and first["updated"] == 0
    again = json.loads(run("--db", db.url, "cadres", "import", str(written.path), "--json").stdout)
    assert again["added"] == 0 and again["rejected"] == first["rejected"]
    assert run("--db", db.url, "cadres", "import", str(tmp_path / "none.xlsx")).returncode == 1


def test_pairs_import_then_export_give_the_offices_own_table_back(db, tmp_path):
    """An office that paired by hand: its sheet imports (rows with reasons), and the export names those helpers with
    their start dates in the national layout."""
    from openpyxl import load_workbook
    from pairing_rosters import cadre_roster, county_of, pairing_sheet

    demo.generate(db, households=400, seed=3)
    county = county_of(db)
    cadres = cadre_roster(tmp_path / "干部.xlsx", county)
    assert run("--db", db.url, "cadres", "import", str(cadres.path)).returncode == 0
    sheet = pairing_sheet(tmp_path / "结对表.xlsx", county, cadres)
    result = run("--db", db.url, "pairs", "import", str(sheet.path), "--json")
    assert result.returncode == 0, result.stderr
    imported = json.loads(result.stdout)
    assert {sheet.rows["end_before_start"], sheet.rows["unknown_household"], sheet.rows["second_current"]} <= {
        r["row"] for r in imported["rejected"]
    }
    with db.session() as s:
        village = s.scalar(
            select(Area.name)
            .join(Household, Household.village_id == Area.id)
            .where(Household.number == county.households[0][0])
        )
    out, pdf = tmp_path / "帮扶责任人.xlsx", tmp_path / "帮扶责任人.pdf"
    result = run("--db", db.url, "pairs", "export", str(out), "--area", village, "--pdf", str(pdf))
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    sheets = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in load_workbook(out)}
    national = next(rows for title, rows in sheets.items() if title != "帮扶责任人一览表")
    first = next(row for row in national if row and row[0] == county.households[0][0])
    assert "王建国" in first and "2022年03月01日" in first
