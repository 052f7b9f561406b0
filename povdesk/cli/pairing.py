"""`main.py cadres import`, `main.py pair`, `main.py pairs export|import`: paired assistance from the command line."""

from __future__ import annotations

import datetime as dt

from povdesk.cli import print_json
from povdesk.cli.importexport import _progress

CLI_USER = "cli"


def register(subparsers) -> None:
    cadres = subparsers.add_parser("cadres", help="帮扶干部", description="帮扶干部花名册。")
    commands = cadres.add_subparsers(dest="cadres_command", metavar="COMMAND", required=True)
    _import_parser(
        commands,
        "导入帮扶干部花名册",
        "导入帮扶干部花名册（姓名、性别、身份证号、工作单位、职务、职级、联系电话、政治面貌、乡镇）；"
        "按身份证号匹配，重复导入不会重复登记。整个文件在一个事务中导入。",
        "干部花名册文件（.xlsx/.xls）",
        run_cadres_import,
    )

    parser = subparsers.add_parser(
        "pair",
        help="按结对方案自动结对",
        description="为没有帮扶责任人的户自动结对：县直单位干部按方案户数、优先在本单位包村结对，乡镇干部兜底本乡镇其余户；"
        "已有的结对保持不变（--replan 时重新规划）。不能结对的乡镇会列出户数和原因。",
    )
    parser.add_argument("--scheme", metavar="NAME", help="结对方案名称，如 321、532（默认：设置中选用的方案）")
    parser.add_argument("--area", metavar="NAME", help="只为这个乡镇或村结对（默认全县）")
    parser.add_argument("--replan", action="store_true", help="重新规划本区域：结束并重建与新方案不同的结对，历史保留")
    parser.add_argument("--dry-run", action="store_true", help="只计算并报告，不写入数据库")
    parser.add_argument("--json", action="store_true", help="输出运行后的结对情况（JSON 对象）")
    parser.set_defaults(func=run_pair)

    pairs = subparsers.add_parser("pairs", help="结对名单", description="帮扶责任人名单的导出和导入。")
    commands = pairs.add_subparsers(dest="pairs_command", metavar="COMMAND", required=True)
    parser = commands.add_parser(
        "export",
        help="导出帮扶责任人一览表",
        description="导出帮扶责任人一览表（Excel，另含全国系统“帮扶责任人”页面所需格式的工作表），可同时生成 PDF。",
    )
    parser.add_argument("out", metavar="OUT.xlsx", help="保存到这个 .xlsx 文件")
    parser.add_argument("--area", metavar="NAME", help="只导出这个乡镇或村")
    parser.add_argument("--pdf", metavar="OUT.pdf", help="同时生成 PDF（A4 横向，身份证号打码）")
    parser.set_defaults(func=run_pairs_export)
    _import_parser(
        commands,
        "导入已有的结对名单",
        "导入已有的结对名单（户编号或户主证件号码、帮扶责任人、帮扶开始时间、帮扶结束时间），建立这些结对；"
        "整个文件在一个事务中导入。",
        "结对名单文件（.xlsx/.xls）",
        run_pairs_import,
    )


def _import_parser(commands, help_text: str, description: str, file_help: str, func) -> None:
    parser = commands.add_parser("import", help=help_text, description=description)
    parser.add_argument("file", metavar="FILE", help=file_help)
    parser.add_argument("--sheet", metavar="NAME", help="工作表名称（默认第一个工作表）")
    parser.add_argument("--dry-run", action="store_true", help="只检查并报告结果，不写入数据库")
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    parser.set_defaults(func=func)


def _print_import(result, args) -> int:
    if args.json:
        print_json(result.to_json())
    else:
        print(result.summary())
        for issue in result.rejected[:50]:
            print(f"  第{issue.row}行：{issue.reason}")
    return 0


def run_cadres_import(args, db) -> int:
    from povdesk.pairing.cadre_import import import_cadres

    result = import_cadres(db, args.file, sheet=args.sheet, dry_run=args.dry_run, user=CLI_USER, progress=_progress())
    return _print_import(result, args)


def run_pairs_import(args, db) -> int:
    from povdesk.pairing.pairing_import import import_pairings

    result = import_pairings(db, args.file, sheet=args.sheet, dry_run=args.dry_run, user=CLI_USER,
                             progress=_progress())  # fmt: skip
    return _print_import(result, args)


def run_pair(args, db) -> int:
    from povdesk import codes, stats
    from povdesk.pairing import coverage, schemes, solver

    today = dt.date.today()
    with (db.session if args.dry_run else db.transaction)() as session:  # a dry run is never committed
        area = stats.find_area(session, args.area) if args.area else None
        scheme = schemes.current_scheme(session, args.scheme)
        proposal = solver.propose(session, scheme, area, replan=args.replan, today=today, progress=_progress())
        if not args.dry_run:
            solver.apply(session, proposal, user=CLI_USER, today=today)
        figures = coverage.state(session, scheme, area)
    figures["added"] = len(proposal.assignments)
    figures["ended"] = len(proposal.ending)
    if args.json:
        print_json(figures)
        return 0
    where = args.area or "全县"
    verb = "预计" if args.dry_run else "本次"
    print(f"{where}：按“{scheme.name}”方案（{scheme.describe()}），{verb}新结对 {figures['added']} 户，"
          f"结束原结对 {figures['ended']} 户。")  # fmt: skip
    if args.dry_run:
        print("（预检，未写入数据库）")
        return 0
    ranks = "，".join(f"{codes.CADRE_RANK.label_of(r)} {n} 户" for r, n in figures["by_rank"].items())
    print(f"共 {figures['households']} 户，已结对 {figures['paired']} 户（{ranks}），未结对 {figures['unpaired']} 户。")
    for shortfall in proposal.shortfalls:
        print(f"  {shortfall.township}：{shortfall.households} 户无法结对——{shortfall.reason}")
    return 0


def run_pairs_export(args, db) -> int:
    from povdesk.pairing.export import export_pairs

    summary = export_pairs(db, args.out, area=args.area, pdf=args.pdf, progress=_progress())
    print(summary.text())
    return 0
