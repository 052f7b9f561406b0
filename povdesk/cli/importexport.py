"""`main.py import` and `main.py export`: Excel rosters in and out from the command line."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from povdesk.cli import LazyChoices, print_json

if TYPE_CHECKING:
    from povdesk.progress import Progress
    from povdesk.roster.importer import ImportResult

SHOWN_ISSUES = 50
EXIT_REPORT_FAILED = 3  # the import is saved (or the dry run done); only the reject report could not be written


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import",
        help="导入 Excel 花名册（.xlsx/.xls/.ods）",
        description="导入建档立卡花名册：每人一行，自动识别表头；整个文件在一个事务中导入，出错或取消时数据库不变。",
    )
    parser.add_argument("file", metavar="FILE", help="花名册文件")
    parser.add_argument("--sheet", metavar="NAME", help="工作表名称（默认第一个工作表）")
    parser.add_argument("--dry-run", action="store_true", help="只检查并报告结果，不写入数据库")
    parser.add_argument("--strict", action="store_true", help="只要有一行被拒绝，就不导入任何数据")
    parser.add_argument(
        "--report",
        metavar="OUT.xlsx",
        help="把被拒绝的行（原样加上原因列）保存到这个文件；导入前先检查能否写入，导入后仍写不成时退出码为 3",
    )
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    parser.set_defaults(func=run_import)

    parser = subparsers.add_parser(
        "export",
        help="导出 Excel 花名册",
        description="导出全部或某个乡镇、村的花名册（每人一行）：PovDesk 的全部字段，或全国系统的导出格式；"
        "导入时保留的其他列写在最后。",
    )
    parser.add_argument("out", metavar="OUT.xlsx", help="保存到这个 .xlsx 文件")
    parser.add_argument("--area", metavar="NAME", help="只导出这个乡镇或村")
    parser.add_argument(
        "--layout",
        metavar="LAYOUT",
        choices=LazyChoices(_layout_names),
        help=_layout_help,
    )
    parser.set_defaults(func=run_export)


def _layout_names() -> list[str]:
    from povdesk.roster.export_layouts import DEFAULT_LAYOUT, LAYOUTS

    return [name for name in LAYOUTS if name != DEFAULT_LAYOUT]


def _layout_help() -> str:
    from povdesk.roster.export_layouts import DEFAULT_LAYOUT, LAYOUTS

    layouts = "；".join(f"{name}：{layout.label}" for name, layout in LAYOUTS.items() if name != DEFAULT_LAYOUT)
    return f"按全国系统的格式导出：{layouts}（默认：PovDesk 花名册，含全部字段）"


def write_reject_report(result: ImportResult, path) -> None:
    from povdesk.roster.report import write_reject_report as write

    write(result, path)


def _progress() -> Progress:
    from povdesk.progress import Progress

    def report(done: int, total: int, label: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{label} {done}/{total}", end="", file=sys.stderr, flush=True)

    return Progress(report)


def run_import(args, db) -> int:
    from povdesk.files import OutputFileError
    from povdesk.roster.importer import import_roster
    from povdesk.roster.report import check_report_path

    if args.report:  # a report that cannot be written is refused before anything is imported
        check_report_path(args.report)
    result = import_roster(db, args.file, sheet=args.sheet, dry_run=args.dry_run, strict=args.strict,
                           progress=_progress(), user="cli")  # fmt: skip
    if sys.stderr.isatty():
        print(file=sys.stderr)
    report_error = None
    if args.report and result.rejected:
        try:
            write_reject_report(result, args.report)
        except OutputFileError as exc:
            report_error = exc
    if args.json:
        print_json(result.to_json())
    else:
        _print_summary(result, args.report if report_error is None else None)
    if report_error is not None:
        saved = "导入结果已保存" if result.committed else "数据库未改动"
        print(f"错误：{saved}，只是未导入行报告没有写成：{report_error}", file=sys.stderr)
        return EXIT_REPORT_FAILED
    if result.refused_by_strict:
        print(
            f"错误：有 {len(result.rejected)} 行被拒绝，按 --strict 要求未导入任何数据，数据库未改动", file=sys.stderr
        )
        return 1
    return 0


def _print_summary(result: ImportResult, report: str | None) -> None:
    print(result.summary())
    for title, issues in (("被拒绝的行", result.rejected), ("提示", result.warnings)):
        if issues:
            print(f"{title}：")
            for issue in issues[:SHOWN_ISSUES]:
                print(f"  第{issue.row}行：{issue.reason}")
            if len(issues) > SHOWN_ISSUES:
                print(
                    f"  ……另有 {len(issues) - SHOWN_ISSUES} 条"
                    + ("，完整清单见 --report 文件" if title == "被拒绝的行" else "")
                )
    if report and result.rejected:
        print(f"被拒绝的行已保存到：{report}")


def run_export(args, db) -> int:
    from povdesk import stats
    from povdesk.roster.export_layouts import DEFAULT_LAYOUT
    from povdesk.roster.exporter import export_roster

    area_id = None
    if args.area:
        with db.session() as session:
            area_id = stats.find_area(session, args.area).id
    result = export_roster(db, args.out, area_id=area_id, layout=args.layout or DEFAULT_LAYOUT, progress=_progress())
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"已导出 {result.households} 户 {result.persons} 人到 {result.path}")
    return 0
