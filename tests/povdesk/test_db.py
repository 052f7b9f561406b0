"""Opening databases: default location, network shares, upgrades from old files, newer databases refused."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text
from upgrades import database_at

from povdesk import db as dbmod
from povdesk import migrate
from povdesk.errors import DatabaseError, DatabaseTooNew, MigrationFailed, NetworkShareError
from povdesk.model import Household, Member
from povdesk.pairing import schemes

OLD_DB = Path(__file__).parents[1] / "data" / "povdesk-0001.db"


def test_default_database_is_a_sqlite_file_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(dbmod.ENV_VAR, raising=False)
    monkeypatch.setattr(dbmod.platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "data"))
    url = dbmod.resolve_url(None)
    assert url == f"sqlite:///{tmp_path / 'data' / 'povdesk.db'}"
    database = dbmod.open_database(None)
    assert (tmp_path / "data" / "povdesk.db").exists()
    database.close()


def test_environment_variable_and_command_line_choose_the_database(monkeypatch):
    monkeypatch.setenv(dbmod.ENV_VAR, "sqlite:////x/env.db")
    assert dbmod.resolve_url(None) == "sqlite:////x/env.db"
    assert dbmod.resolve_url("sqlite:////x/cli.db") == "sqlite:////x/cli.db"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_db):
    with sqlite_db.session() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.parametrize("path", [r"\\server\share\povdesk.db", "//server/share/povdesk.db"])
def test_sqlite_on_a_unc_path_is_refused_with_advice(path):
    with pytest.raises(NetworkShareError, match="PostgreSQL"):
        dbmod.check_not_network_share(Path(path))


def test_sqlite_on_a_network_mount_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(dbmod, "_mount_fstype", lambda path: "cifs")
    with pytest.raises(NetworkShareError, match="网络共享盘"):
        dbmod.open_database(f"sqlite:///{tmp_path / 'x.db'}")
    assert not (tmp_path / "x.db").exists()


def test_mount_type_is_read_from_proc_mounts():
    assert dbmod._mount_fstype(Path("/proc/self")) == "proc"


def test_unusable_urls_say_what_is_wrong(tmp_path):
    with pytest.raises(DatabaseError, match="不支持的数据库类型"):
        dbmod.open_database("oracle+nothing://x/y")
    with pytest.raises(DatabaseError, match="格式不正确"):
        dbmod.open_database("not a url")
    with pytest.raises(DatabaseError, match="无法连接数据库"):
        dbmod.open_database("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_old_database_is_backed_up_then_upgraded_with_its_data(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(OLD_DB, path)
    database = dbmod.open_database(f"sqlite:///{path}")
    with database.session() as s:
        assert s.scalar(select(Member.name)) == "杨旧户"
        assert s.scalar(select(Household.number)) == "5329300000000001"
        assert schemes.current_scheme(s).quotas["section"] == 2  # the old table is the scheme "321"
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    database.close()
    backups = list(tmp_path.glob("old.before-0001-*.db"))
    assert len(backups) == 1
    backup = dbmod.create_db_engine(f"sqlite:///{backups[0]}")
    assert migrate.current_revision(backup) == "0001"
    backup.dispose()


def test_upgrade_gives_existing_cadres_their_pinyin(tmp_path):
    from alembic import command

    from povdesk.model import Cadre

    url = f"sqlite:///{tmp_path / 'county.db'}"
    dbmod.open_database(url).close()
    engine = dbmod.create_db_engine(url)
    cfg = migrate.alembic_config()
    with engine.begin() as conn:  # the database as version 0004 left it, with a cadre
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
        conn.execute(text("INSERT INTO cadre (name, rank, active) VALUES ('曾丽华', 'general', 1)"))
    engine.dispose()
    database = dbmod.open_database(url)
    with database.session() as s:
        assert s.scalar(select(Cadre.name_pinyin)) == "zeng li hua"
    database.close()


def test_failed_upgrade_rolls_back_everything(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    shutil.copy(OLD_DB, path)
    engine = dbmod.create_db_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # a row the 0002 data migration cannot insert twice: it must fail midway
        conn.execute(text("CREATE TRIGGER boom BEFORE INSERT ON pairing_quota BEGIN SELECT RAISE(ABORT, 'boom'); END"))
    engine.dispose()
    with pytest.raises(MigrationFailed, match="已撤销全部改动"):
        dbmod.open_database(f"sqlite:///{path}")
    engine = dbmod.create_db_engine(f"sqlite:///{path}")
    assert migrate.current_revision(engine) == "0001"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pairing_quota")).scalar() == 0
    engine.dispose()


def test_database_from_a_newer_version_is_refused(db):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseTooNew, match="更新版本"):
        dbmod.open_database(db.url)


def test_transaction_rolls_back_on_error(db):
    with pytest.raises(RuntimeError), db.transaction() as s:
        schemes.save_scheme(s, "村干部", {"village": 1})
        s.flush()
        raise RuntimeError("crash midway")
    with db.session() as s:
        assert [scheme.name for scheme in schemes.list_schemes(s)] == ["321", "532", "54321", "87654"]


def test_sqlite_planner_knows_the_data_after_a_demo_and_when_reopened(tmp_path):
    """A page of the household list looks up pairings by household, not by scanning every open pairing."""
    from povdesk import demo

    url = f"sqlite:///{tmp_path / 'county.db'}"
    database = dbmod.open_database(url)
    demo.generate(database, households=300, seed=2)
    plan_sql = "EXPLAIN QUERY PLAN SELECT household_id FROM pairing WHERE household_id IN (1, 2, 3) AND end_on IS NULL"

    def plan() -> str:
        with database.engine.connect() as conn:
            return " ".join(row[-1] for row in conn.exec_driver_sql(plan_sql))

    assert "(household_id=?)" in plan()  # by household (the partial index of current pairings), not by end_on
    with database.engine.begin() as conn:  # a database filled by an older version: no statistics at all
        conn.exec_driver_sql("DROP TABLE sqlite_stat1")
    database.close()
    database = dbmod.open_database(url)
    assert "(household_id=?)" in plan()
    database.close()


def test_statistics_that_cannot_be_refreshed_do_not_fail_the_work_before(sqlite_db, caplog):
    """An import has been committed when ANALYZE runs: a locked or read-only file must not turn it into an error."""
    import sqlite3

    from sqlalchemy import event

    def refuse(conn, cursor, statement, *args):
        if statement.startswith("ANALYZE"):
            raise sqlite3.OperationalError("database is locked")

    event.listen(sqlite_db.engine, "before_cursor_execute", refuse)
    sqlite_db.refresh_statistics()
    assert "planner statistics not refreshed" in caplog.text


def test_upgrade_to_pairing_schemes_keeps_the_countys_table_pairings_and_visits(tmp_path):
    """0008: the county's own quota becomes the scheme "321"; a household paired twice keeps its newest helper, the
    other pairing ends (history, not deleted); "warmth,policy" visits become two kinds."""
    from povdesk.model import Pairing, Visit

    database = database_at(
        tmp_path / "county.db",
        "0007",
        (
            "UPDATE pairing_quota SET households = 4 WHERE rank = 'section'",
            "INSERT INTO area (id, level, name, path, sort_order, is_poor_village) VALUES (1, 'village', '一村', '1/', 0, 0)",
            "INSERT INTO household (id, number, village_id, needs_review) VALUES (1, '0001', 1, 0)",
            "INSERT INTO cadre (id, name, rank, active, name_pinyin) VALUES (1, '甲', 'general', 1, ''), (2, '乙', 'general', 1, '')",
            "INSERT INTO pairing (cadre_id, household_id, start_on) VALUES (1, 1, '2019-01-01'), (2, 1, '2021-07-01')",
            "INSERT INTO visit (cadre_id, household_id, visited_on, kinds) VALUES (2, 1, '2022-01-05', 'warmth,policy')",
        ),
    )
    with database.session() as s:
        assert schemes.current_scheme(s).quotas == {"county_leader": 3, "section": 4, "general": 1, "township": None}
        pairings = [(p.cadre_id, p.end_on is None) for p in s.scalars(select(Pairing).order_by(Pairing.id))]
        visit = s.scalar(select(Visit))
        assert pairings == [(1, False), (2, True)]
        assert visit.kind_codes == ["policy", "warmth"]
    database.close()


def test_migrated_schema_is_the_models_schema(db):
    """Every table, column, index and constraint the models declare is what the migrations built (SQLite does not
    keep a VARCHAR's length, which 0006 therefore leaves alone there)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from povdesk.model import Base

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    if db.is_sqlite:
        diff = [d for d in diff if not (isinstance(d, list) and d[0][0] == "modify_type")]
    assert diff == []
