"""Row-level security on the real PostgreSQL server: a township clerk added with `users add` and connecting with
their own login sees, counts and changes only their township, whatever client they use (here plain SQLAlchemy)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from charts import chart, chart_figures, forget_summary, fresh_chart
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from povdesk import demo, migrate, users
from povdesk.db import open_database
from povdesk.errors import DatabaseError
from povdesk.model import Area, Household, NoticeBatch, NoticeItem, Objection, Visit, VisitKind, WallchartSummary

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "城关-secret-1"  # not ASCII on purpose: libpq's SCRAM hashing normalises it like the server does
CHILD_TABLES = ("member", "household_year", "monitored_household", "pairing", "visit", "change_log", "notice_item")


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=300)  # fmt: skip


def login_url(db, name: str, password: str = PASSWORD) -> str:
    return make_url(db.url).set(username=name, password=password).render_as_string(hide_password=False)


def _add_visits_and_notices(db) -> None:
    """The demo has no visits or notices: one visit per household, a notice batch per township (with objections)
    and a county-wide one, so that every protected table has rows in every township."""
    with db.transaction() as s:
        pairs = s.execute(text("SELECT household_id, cadre_id FROM pairing WHERE end_on IS NULL")).all()
        for household_id, cadre_id in pairs:
            visit = Visit(cadre_id=cadre_id, household_id=household_id, visited_on=dt.date(2026, 5, 1), note="走访")
            s.add(visit)
            s.flush()
            s.add(VisitKind(visit_id=visit.id, kind="policy"))
        county = s.scalar(select(Area).where(Area.level == "county"))
        townships = s.scalars(select(Area).where(Area.level == "township")).all()
        for area in (county, *townships):
            batch = NoticeBatch(kind="exit", year=2026, area_id=area.id, title=f"{area.name}退出公示")
            s.add(batch)
            s.flush()
            ids = s.scalars(
                select(Household.id).join(Area, Area.id == Household.village_id)
                .where(Area.path.startswith(area.path)).order_by(Household.id).limit(5)
            ).all()  # fmt: skip
            s.add_all(NoticeItem(batch_id=batch.id, household_id=i) for i in ids)
            s.add(Objection(batch_id=batch.id, stage="village_notice", household_id=ids[0], received_on=dt.date.today(),
                            content="异议"))  # fmt: skip


def _counts_in(conn, path: str | None) -> dict[str, int]:
    """Rows of each protected table in the subtree `path` (None: all), counted by the owner."""
    in_area = "SELECT h.id FROM household h JOIN area a ON a.id = h.village_id WHERE a.path LIKE :p"
    counts = {"household": conn.execute(text(f"SELECT count(*) FROM ({in_area}) x"), {"p": f"{path or ''}%"}).scalar()}
    for table in CHILD_TABLES:
        sql = f"SELECT count(*) FROM {table} WHERE household_id IN ({in_area})"
        counts[table] = conn.execute(text(sql), {"p": f"{path or ''}%"}).scalar()
    return counts


@pytest.fixture(scope="module")
def county(pg_server):
    """A demo county on PostgreSQL with visits and notices, and clerk_a, township clerk of its first township."""
    admin, base = pg_server
    name = "povdesk_rls_county"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE povdesk_template"))
    db = open_database(f"{base}/{name}")
    demo.generate(db, households=900, seed=5)
    _add_visits_and_notices(db)
    with db.session() as s:
        townships = s.scalars(select(Area).where(Area.level == "township").order_by(Area.id)).all()
        village = s.scalar(select(Area).where(Area.level == "village", Area.path.startswith(townships[1].path)))
        mine, other = townships[0], townships[1]
        info = {"township": mine.name, "path": mine.path, "other_path": other.path, "other_village": village.id,
                "other_village_name": village.name}  # fmt: skip
    done = cli("--db", db.url, "users", "add", "clerk_a", "--role", "township_clerk", "--area", info["township"],
               "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    yield db, info
    db.close()


def test_the_clerk_sees_only_their_township_in_every_table(county):
    db, info = county
    with db.engine.connect() as owner:
        expected = _counts_in(owner, info["path"])
        everything = _counts_in(owner, None)
    clerk = create_engine(login_url(db, "clerk_a"))
    try:
        with clerk.connect() as conn:
            seen = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in expected}
            paths = conn.execute(text("SELECT DISTINCT a.path FROM household h JOIN area a ON a.id = h.village_id"))
            assert all(path.startswith(info["path"]) for (path,) in paths)
            assert conn.execute(text("SELECT count(*) FROM area WHERE path LIKE :p"), {"p": info["other_path"] + "%"}
                                ).scalar() == 0  # fmt: skip
            # notices: the county-wide batch and their own are seen, another township's is not
            batches = set(conn.execute(text("SELECT title FROM notice_batch")).scalars())
            assert any(title.startswith(info["township"]) for title in batches) and len(batches) == 2
            assert conn.execute(text("SELECT count(*) FROM objection")).scalar() == 2
            assert conn.execute(text("SELECT count(*) FROM app_user")).scalar() == 1  # their own row only
    finally:
        clerk.dispose()
    assert seen == expected
    assert all(n > 0 for n in seen.values()), seen
    assert all(everything[t] > seen[t] for t in seen), (everything, seen)


def test_stats_as_the_clerk_counts_only_their_township(county):
    db, info = county
    as_clerk = cli("--db", login_url(db, "clerk_a"), "stats", "--json")
    assert as_clerk.returncode == 0, as_clerk.stderr
    as_owner = cli("--db", db.url, "stats", "--area", info["township"], "--json")
    mine, area = json.loads(as_clerk.stdout), json.loads(as_owner.stdout)
    for key in ("townships", "villages", "households", "persons", "households_by_status", "monitored_households",
                "paired_households", "cadres"):  # fmt: skip
        assert mine[key] == area[key], key
    assert 0 < mine["households"] < 900


def test_a_wrong_password_is_refused(county):
    db, _info = county
    done = cli("--db", login_url(db, "clerk_a", "wrong-password"), "stats", "--json")
    assert done.returncode == 1 and "用户名或密码不正确" in done.stderr and "authentication" not in done.stderr
    assert "wrong-password" not in done.stderr


def test_a_clerk_without_an_area_counts_zero(county):
    db, _info = county
    done = cli("--db", db.url, "users", "add", "clerk_none", "--role", "township_clerk", "--password-stdin",
               stdin=PASSWORD + "\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "看不到任何数据" in done.stdout
    stats = cli("--db", login_url(db, "clerk_none"), "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert figures["households"] == figures["persons"] == figures["villages"] == 0


def test_the_clerk_cannot_change_another_township(county):
    db, info = county
    clerk = create_engine(login_url(db, "clerk_a"))
    try:
        with clerk.begin() as conn:
            updated = conn.execute(text("UPDATE household SET address = 'x' WHERE village_id = :v"),
                                   {"v": info["other_village"]})  # fmt: skip
            assert updated.rowcount == 0
            deleted = conn.execute(text("DELETE FROM member WHERE household_id IN (SELECT h.id FROM household h "
                                        "WHERE h.village_id = :v)"), {"v": info["other_village"]})  # fmt: skip
            assert deleted.rowcount == 0
        with pytest.raises(ProgrammingError, match="row-level security"), clerk.begin() as conn:
            conn.execute(text("INSERT INTO household (number, village_id, status) VALUES ('X1', :v, 'poor')"),
                         {"v": info["other_village"]})  # fmt: skip
        with pytest.raises(ProgrammingError, match="permission denied"), clerk.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
        with pytest.raises(ProgrammingError, match="permission denied"), clerk.begin() as conn:
            conn.execute(text("UPDATE audit_log SET \"user\" = 'x'"))
        with clerk.begin() as conn:  # an entry written before: not even its own `detail` can change
            conn.execute(text("INSERT INTO audit_log (\"user\", action) VALUES ('clerk_a', 'test')"))
        with clerk.begin() as conn:
            assert conn.execute(text("UPDATE audit_log SET detail = 'x'")).rowcount == 0
        with clerk.begin() as conn:  # their own township: allowed
            mine = conn.execute(text("UPDATE household SET address = address")).rowcount
            assert mine > 0
    finally:
        clerk.dispose()
    with db.engine.connect() as owner:
        assert owner.execute(text("SELECT count(*) FROM household WHERE address = 'x'")).scalar() == 0


def test_a_village_clerk_cannot_update_at_all(county):
    db, info = county
    with db.session() as s:
        village = s.scalar(select(Area).where(Area.level == "village", Area.path.startswith(info["path"])))
    done = cli("--db", db.url, "users", "add", "viewer_a", "--role", "village_clerk", "--area", village.name,
               "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    viewer = create_engine(login_url(db, "viewer_a"))
    try:
        with viewer.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM household")).scalar() > 0
        with pytest.raises(ProgrammingError, match="permission denied"), viewer.begin() as conn:
            conn.execute(text("UPDATE household SET address = address"))
    finally:
        viewer.dispose()


def test_clerks_are_never_superusers_owners_or_bypassrls(county):
    db, _info = county
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcanlogin FROM pg_roles "
                                "WHERE rolname = 'clerk_a'")).one()  # fmt: skip
        assert tuple(row) == (False, False, False, True)
        owned = conn.execute(text("SELECT count(*) FROM pg_tables WHERE tableowner = 'clerk_a'")).scalar()
        assert owned == 0


def test_disable_and_passwd_change_the_login(county):
    db, _info = county
    done = cli("--db", db.url, "users", "add", "clerk_tmp", "--role", "county_clerk", "--password-stdin",
               stdin=PASSWORD + "\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    new = "another-pass-2"
    assert cli("--db", db.url, "users", "passwd", "clerk_tmp", "--password-stdin", stdin=new + "\n").returncode == 0
    assert cli("--db", login_url(db, "clerk_tmp"), "stats", "--json").returncode == 1  # the old one no more
    ok = cli("--db", login_url(db, "clerk_tmp", new), "stats", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["households"] == 900  # county clerk: everything
    assert cli("--db", db.url, "users", "disable", "clerk_tmp").returncode == 0
    refused = cli("--db", login_url(db, "clerk_tmp", new), "stats", "--json")
    assert refused.returncode == 1 and "该账户已停用" in refused.stderr
    listed = json.loads(cli("--db", db.url, "users", "list", "--json").stdout)
    assert {
        "name": "clerk_tmp",
        "role": "county_clerk",
        "role_label": "县级经办人",
        "area": "",
        "active": False,
    } in listed


def test_an_existing_server_account_is_not_taken_over(county):
    db, _info = county
    with db.engine.begin() as conn:
        conn.execute(text("DROP ROLE IF EXISTS someone_else"))
        conn.execute(text("CREATE ROLE someone_else LOGIN"))
    done = cli("--db", db.url, "users", "add", "someone_else", "--role", "county_clerk", "--password-stdin",
               stdin=PASSWORD + "\n")  # fmt: skip
    assert done.returncode == 1 and "不是 PovDesk 用户账户" in done.stderr, done.stderr
    refused = cli("--db", db.url, "users", "add", "postgres", "--role", "county_clerk", "--password-stdin",
                  stdin=PASSWORD + "\n")  # fmt: skip
    assert refused.returncode == 1 and "保留" in refused.stderr
    with db.session() as s:
        assert s.scalar(text("SELECT count(*) FROM app_user WHERE username = 'someone_else'")) == 0


def test_a_clerk_import_works_under_row_level_security(county, tmp_path):
    """A township clerk imports their township's roster (INSERTs under the policies, not COPY); a roster with
    another township's households is refused with a clear message and nothing changes."""
    db, info = county
    mine, theirs = tmp_path / "mine.xlsx", tmp_path / "theirs.xlsx"
    assert cli("--db", db.url, "export", "--area", info["township"], str(mine)).returncode == 0
    with db.session() as s:
        other = s.get(Area, int(info["other_path"].split("/")[-2])).name
    assert cli("--db", db.url, "export", "--area", other, str(theirs)).returncode == 0
    clerk_url = login_url(db, "clerk_a")
    with db.engine.connect() as owner:
        before = _counts_in(owner, info["path"])
    with db.engine.begin() as owner:  # the township's registry lost: the clerk imports it again
        owner.execute(text("DELETE FROM household WHERE village_id IN (SELECT id FROM area WHERE path LIKE :p)"),
                      {"p": info["path"] + "%"})  # fmt: skip
    done = cli("--db", clerk_url, "import", str(mine), "--json")
    assert done.returncode == 0, done.stderr
    with db.engine.connect() as owner:
        after = _counts_in(owner, info["path"])
    assert after["household"] == before["household"] and after["member"] == before["member"]
    with db.engine.connect() as owner:  # the server names the writer, whatever the client claimed ("cli")
        signed = owner.execute(text("SELECT \"user\" FROM audit_log WHERE action = 'roster_import' ORDER BY id DESC"))
        assert signed.scalars().first() == "clerk_a"
    refused = cli("--db", clerk_url, "import", str(theirs))
    assert refused.returncode != 0
    assert "不在您负责的乡镇或村内" in refused.stderr, refused.stderr
    with db.engine.connect() as owner:
        assert _counts_in(owner, info["other_path"])["household"] > 0


def test_a_clerk_opening_an_older_database_is_told_to_ask_the_admin(county):
    db, _info = county
    head = migrate.head_revision()
    with db.engine.begin() as conn:  # as if PovDesk had been updated since the owner last opened the database
        conn.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    try:
        with pytest.raises(DatabaseError, match="数据库需要升级，请联系管理员"):
            open_database(login_url(db, "clerk_a"))
        assert migrate.current_revision(db.engine) == "0009"  # nothing half-upgraded
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})


def test_scope_function_matches_users_scope_path(county):
    db, info = county
    with db.session() as s:
        clerk = users.get_user(s, "clerk_a")
        assert users.scope_path(s, clerk) == info["path"]
        assert users.scope_path(s, users.get_user(s, "clerk_none")) is None
    clerk_engine = create_engine(login_url(db, "clerk_a"))
    try:
        with clerk_engine.connect() as conn:
            assert conn.execute(text("SELECT povdesk_scope()")).scalar() == info["path"]
            # a clerk cannot make themselves county-wide: app_user is not theirs to change
            with pytest.raises(DBAPIError):
                conn.execute(text("UPDATE app_user SET role = 'county_admin'"))
    finally:
        clerk_engine.dispose()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 900


def test_a_county_admin_login_manages_users_and_a_clerk_cannot(county):
    db, info = county
    done = cli("--db", db.url, "users", "add", "boss_a", "--role", "county_admin", "--password-stdin",
               stdin=PASSWORD + "\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    boss = login_url(db, "boss_a")
    added = cli("--db", boss, "users", "add", "clerk_b", "--role", "township_clerk", "--area", info["township"],
                "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert cli("--db", boss, "users", "disable", "clerk_b").returncode == 0
    refused = cli("--db", login_url(db, "clerk_a"), "users", "add", "evil", "--role", "county_admin",
                  "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert refused.returncode == 1 and "无权管理用户" in refused.stderr
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = 'boss_a'"))
        assert tuple(row.one()) == (False, False, True)
        assert conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = 'evil'")).scalar() == 0


def test_the_clerks_wall_chart_is_their_township_and_stores_only_its_villages(county):
    db, info = county
    keys = ("households", "persons", "poor_households", "paired_households", "cadres", "monitored_households")
    with db.session() as s:
        township = s.scalar(select(Area.id).where(Area.path == info["path"]))
        villages = s.scalar(select(func.count()).where(Area.level == "village", Area.path.startswith(info["path"])))
    theirs = {k: chart(db, township).total.values[k] for k in keys}
    clerk = open_database(login_url(db, "clerk_a"))
    try:
        for stored_by_owner in (True, False):  # the county's rows stored by the owner are not theirs to read
            if stored_by_owner:
                chart(db)
                with clerk.session() as s:  # and not even readable
                    assert s.scalar(select(func.count()).select_from(WallchartSummary)) == villages
            else:
                forget_summary(db)
            assert {k: chart(clerk).total.values[k] for k in keys} == theirs
    finally:
        clerk.close()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(WallchartSummary)) == villages
    assert chart_figures(chart(db)) == chart_figures(fresh_chart(db))
