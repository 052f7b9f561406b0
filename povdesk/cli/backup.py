"""`main.py backup OUT` and `main.py restore IN`: the whole database to one file and back."""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "backup",
        help="把整个数据库备份到一个文件",
        description="把整个数据库备份到一个文件：SQLite 数据库复制为 .db 文件（程序打开时也可备份），"
        "PostgreSQL 数据库用 pg_dump 导出为 .dump 文件（需安装 PostgreSQL 客户端工具）。",
    )
    parser.add_argument("out", metavar="OUT", help="备份文件路径，例如 D:/备份/PovDesk备份-20261201.db")
    parser.set_defaults(func=run_backup)
    parser = subparsers.add_parser(
        "restore",
        help="用备份文件替换当前数据库",
        description="先检查备份文件（能否打开、是否完整、数据库结构版本），再用它替换当前数据库；"
        "被替换的数据库先另存为一个备份。请先关闭所有使用该数据库的 PovDesk 窗口。",
    )
    parser.add_argument("backup_file", metavar="IN", help="备份文件（backup 命令或图形界面生成的 .db 或 .dump 文件）")
    parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复（无人值守时必须给出）")
    parser.add_argument("--keep-folder", metavar="DIR", help="PostgreSQL：恢复前的数据库另存到这个文件夹")
    # the database is replaced, not used: a restore must work when the current one cannot be opened (damaged, or
    # from a newer PovDesk). povdesk.cli.run honours this by passing db=None (see the report of issue 14).
    parser.set_defaults(func=run_restore, opens_database=False)


def _progress():
    from povdesk.progress import Progress

    def report(done: int, total: int, label: str) -> None:
        text = f"{label} {done * 100 // total}%" if total else f"{label}……"
        print(f"\r{text:<40}", end="", file=sys.stderr, flush=True)  # blanks over a longer line before it

    return Progress(report if sys.stderr.isatty() else None, interval=0.5)


def _end_progress_line() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def run_backup(args, db) -> int:
    from povdesk import backup

    try:
        info = backup.backup(db, args.out, _progress())
    finally:
        _end_progress_line()
    households = f"，{info.households} 户" if info.households is not None else ""
    print(f"已备份 {db.display_url} 到：{info.path.resolve()}")
    print(f"大小 {backup.human_size(info.size)}{households}，用时 {info.seconds:.1f} 秒")
    return 0


def run_restore(args, db) -> int:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from povdesk import backup
    from povdesk.db import resolve_url

    url = db.url if db is not None else resolve_url(args.db)
    target = make_url(url).render_as_string(hide_password=True)
    source = Path(args.backup_file)
    info = None
    if not args.yes:
        if not sys.stdin.isatty():
            print(f"错误：恢复会替换数据库 {target} 的全部数据。确认要恢复请加上 --yes 再运行", file=sys.stderr)
            return 1
        info = backup.verify(source, _progress())  # checked before the question: a bad file is said at once
        _end_progress_line()
        households = f"，{info.households} 户" if info.households is not None else ""
        print(f"备份文件：{source.resolve()}（{info.kind_label}，结构版本 {info.revision}{households}）")
        answer = input(f"将用它替换数据库 {target} 的全部数据，当前数据库会先另存为备份。确定恢复吗？[y/N] ")
        if answer.strip().lower() not in ("y", "yes", "是"):
            print("已取消，数据库未改动")
            return 1
    if db is not None:
        db.close()  # no connection of ours may hold the file or the tables while they are replaced
    try:
        result = backup.restore(url, source, _progress(), keep_folder=args.keep_folder, checked=info)
    finally:
        _end_progress_line()
    households = f"{result.households} 户"
    print(f"已用“{source.resolve()}”恢复数据库 {result.target}（{households}，结构版本 {result.revision}）")
    if result.kept:
        print(f"恢复前的数据库已另存为：{result.kept}")
    else:
        print("恢复前没有数据库文件，未另存")
    return 0
