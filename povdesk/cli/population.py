"""`main.py population import FILE`: the rural population of townships and villages (贫困发生率的分母) from a sheet."""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "population",
        help="导入各乡镇、村的农村人口",
        description="从 Excel 表导入各乡镇、村的农村人口（计算贫困发生率用）。表头应有“农村人口”列，"
        "以及“区划代码”或“乡镇”“村”列；“年度”列可选，没有时为 --year 或今年。",
    )
    actions = parser.add_subparsers(title="操作", dest="action", metavar="ACTION", required=True)
    importing = actions.add_parser("import", help="从 Excel 表导入", description="从 Excel 表导入农村人口。")
    importing.add_argument("file", type=Path, metavar="FILE", help="Excel 文件（.xlsx/.xls/.ods）")
    importing.add_argument("--year", type=int, metavar="YYYY", help="表中没有“年度”列时的年度，默认为今年")
    importing.set_defaults(func=run)


def run(args, db) -> int:
    from povdesk.wallchart import population

    with db.transaction() as session:
        result = population.import_sheet(session, args.file, year=args.year)
    print(result.summary())
    return 0 if result.written or not result.rejected else 1
