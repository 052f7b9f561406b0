"""`main.py demo`: fill an empty database with a synthetic county."""

from __future__ import annotations

import sys
import time


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="在空数据库中生成演示县数据", description="在空数据库中生成一个演示县的完整数据。"
    )
    parser.add_argument("--households", type=int, default=5000, metavar="N", help="户数（默认 5000）")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="随机种子：同一种子生成完全相同的数据")
    parser.set_defaults(func=run)


def run(args, db) -> int:
    from povdesk import demo
    from povdesk.progress import Progress

    def report(done: int, total: int, label: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{label} {done}/{total}", end="", file=sys.stderr, flush=True)

    started = time.perf_counter()
    demo.generate(db, households=args.households, seed=args.seed, progress=Progress(report))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"已生成演示数据：{args.households} 户，用时 {time.perf_counter() - started:.1f} 秒（{db.display_url}）")
    return 0
