"""What PostgreSQL's row-level security costs: the county's figures and a township's registry page, read by the owner
(not subject to the policies), a county clerk (policies that pass everything) and a township clerk (their subtree).

    python tests/bench/rls_bench.py [POSTGRES_URL_OF_AN_EMPTY_OR_DEMO_DATABASE] [--households 120000]

Without a URL a throwaway server is started (tests/pgserver.py). Prints median times of 5 runs and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

PASSWORD = "bench-password-1"
RUNS = 5


def timed(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?")
    parser.add_argument("--households", type=int, default=120_000)
    args = parser.parse_args()
    server = None
    url = args.url
    if url is None:
        from pgserver import PgServer

        server = PgServer().start()
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE rls_bench"))
        admin.dispose()
        url = server.url("rls_bench")
    try:
        run(url, args.households)
    finally:
        if server:
            server.stop()


def cli(url: str, *args: str, stdin: str = "") -> None:
    subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", url, *args], input=stdin, text=True, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def run(url: str, households: int) -> None:
    from povdesk import registry, stats
    from povdesk.db import open_database
    from povdesk.model import Area, Household, User

    db = open_database(url)
    with db.session() as s:
        count = s.scalar(select(func.count()).select_from(Household))
    if not count:
        print(f"generating {households} households …", file=sys.stderr, flush=True)
        cli(url, "demo", "--households", str(households))
        db.refresh_statistics()
    with db.session() as s:
        township = s.scalar(select(Area).where(Area.level == "township").order_by(Area.id))
        existing = set(s.scalars(select(User.username)))
        in_township = s.scalar(select(func.count()).select_from(stats.households_in(township).subquery()))
        total = s.scalar(select(func.count()).select_from(Household))
    for name, role, area in (("bench_county", "county_clerk", None), ("bench_town", "township_clerk", township.name)):
        if name not in existing:
            cli(url, "users", "add", name, "--role", role, *(["--area", area] if area else []), "--password-stdin",
                stdin=PASSWORD + "\n")  # fmt: skip
    print(f"{total} households; township {township.name}: {in_township} households")

    def engine_for(user: str | None):
        if user is None:
            return db.engine
        return create_engine(make_url(url).set(username=user, password=PASSWORD))

    def county_figures(engine, area_id):
        def go():
            with Session(engine) as s:
                stats.compute(s, s.get(Area, area_id) if area_id else None)

        return go

    def member_count(engine):
        def go():
            with engine.connect() as conn:
                conn.execute(text("SELECT count(*) FROM member WHERE removed_on IS NULL")).scalar()

        return go

    def registry_page(engine, area_id):
        def go():
            with Session(engine) as s:
                query = registry.RegistryQuery(area_id=area_id)
                ids = registry.household_ids(s, query)
                registry.fetch_rows(s, ids[:50], registry.latest_year(s))

        return go

    owner, county, town = engine_for(None), engine_for("bench_county"), engine_for("bench_town")
    for engine in (owner, county, town):  # warm the caches and the connections
        member_count(engine)()
    rows = [
        ("county figures (stats.compute)", timed(county_figures(owner, None)), timed(county_figures(county, None))),
        ("count of members", timed(member_count(owner)), timed(member_count(county))),
        ("township figures, by area vs by RLS", timed(county_figures(owner, township.id)),
         timed(county_figures(town, None))),
        ("township registry: ids + first page", timed(registry_page(owner, township.id)),
         timed(registry_page(town, township.id))),
        ("township members, by area vs by RLS", timed(lambda: _members_in(owner, township.path)),
         timed(member_count(town))),
    ]  # fmt: skip
    print(f"{'measure':42} {'owner ms':>10} {'clerk ms':>10} {'ratio':>7}")
    for label, base, clerk in rows:
        print(f"{label:42} {base:10.1f} {clerk:10.1f} {clerk / base:7.2f}")
    db.close()


def _members_in(engine, path: str) -> None:
    with engine.connect() as conn:
        conn.execute(
            text(
                "SELECT count(*) FROM member m JOIN household h ON h.id = m.household_id JOIN area a "
                "ON a.id = h.village_id WHERE m.removed_on IS NULL AND a.path LIKE :p"
            ),
            {"p": path + "%"},
        )


if __name__ == "__main__":
    main()
