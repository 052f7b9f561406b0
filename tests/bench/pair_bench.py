"""Benchmark: the pairing solver on a 120,000-household county (goal: `main.py pair` in ≤ 5 s).

    python tests/bench/pair_bench.py [--households 120000] [--repeat 3]

On a copy of the demo county (tests/bench/county.py) whose pairings are all deleted, each run in a fresh
subprocess, alternating:
- "floor": reading every household's id and village, and every cadre: what any solver must read;
- "pair": the whole `pair` command in process — read, solve, write 120,000 pairings, commit, the state figures;
- "replan": `pair --replan` over the paired county (every pair is repeated: reads and solves, writes nothing);
- "describe": the proposal as the review screen shows it (numbers, heads, areas, helpers).
Printed: seconds (wall and processor), peak memory, and the ratios pair ÷ floor and pair ÷ goal.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from county import demo_database  # noqa: E402

GOAL_S = 5.0


def measure(kind: str, url: str) -> dict:
    import datetime as dt

    from sqlalchemy import select

    from povdesk.db import open_database
    from povdesk.model import Cadre, Household
    from povdesk.pairing import coverage, schemes, solver

    db = open_database(url)
    wall, cpu = time.perf_counter(), time.process_time()
    figures: dict = {}
    if kind == "floor":
        with db.session() as s:
            figures["households"] = len(s.execute(select(Household.id, Household.village_id)).all())
            figures["cadres"] = len(s.execute(select(Cadre.id, Cadre.rank, Cadre.unit_id, Cadre.home_area_id)).all())
    elif kind in ("pair", "replan"):
        with db.transaction() as s:
            scheme = schemes.current_scheme(s)
            proposal = solver.propose(s, scheme, replan=kind == "replan")
            solver.apply(s, proposal, user="bench", today=dt.date.today())
            figures = coverage.state(s, scheme)
        figures["added"] = len(proposal.assignments)
    elif kind == "describe":
        with db.session() as s:
            proposal = solver.propose(s, schemes.current_scheme(s), replan=True)
            proposal.assignments = [solver.Assignment(h, c, "") for h, c in
                                    s.execute(select(solver.Pairing.household_id, solver.Pairing.cadre_id))]  # fmt: skip
            wall, cpu = time.perf_counter(), time.process_time()
            figures["rows"] = len(solver.describe(s, proposal))
    figures.update(wall_s=time.perf_counter() - wall, cpu_s=time.process_time() - cpu,
                   peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # fmt: skip
    db.close()
    return figures


def _run(kind: str, url: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", kind, url], capture_output=True, text=True,
                         env={**os.environ}, check=False)  # fmt: skip
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=120_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    source = Path(demo_database(args.households).removeprefix("sqlite:///"))
    print(f"load average {os.getloadavg()[0]:.2f}; county {source.name}")
    results: dict[str, list[dict]] = {"floor": [], "pair": [], "replan": [], "describe": []}
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "county.db"
        url = f"sqlite:///{copy}"
        for _ in range(args.repeat):
            shutil.copyfile(source, copy)
            with sqlite3.connect(copy) as conn:
                conn.execute("DELETE FROM pairing")
            for kind in results:  # alternating, so that the machine's load falls on every kind alike
                results[kind].append(_run(kind, url))
    last = results["pair"][-1]
    print(f"households {last['households']}, paired {last['paired']}, unpaired {last['unpaired']}, "
          f"by rank {last['by_rank']}, shortfalls {len(last['shortfalls'])}")  # fmt: skip
    for kind, runs in results.items():
        wall = statistics.median(r["wall_s"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        each = ", ".join(f"{r['wall_s']:.2f}" for r in runs)
        print(f"{kind:9} wall {wall:6.2f} s (runs {each})  "
              f"cpu {cpu:6.2f} s  peak {peak:6.0f} MB")  # fmt: skip
    pair = statistics.median(r["wall_s"] for r in results["pair"])
    floor = statistics.median(r["wall_s"] for r in results["floor"])
    print(f"pair ÷ floor {pair / floor:.1f}×; pair ÷ goal ({GOAL_S:.0f} s) {pair / GOAL_S:.2f} "
          f"({'met' if pair <= GOAL_S else 'MISSED'})")  # fmt: skip


if __name__ == "__main__":
    main()
