"""`main.py wallchart`: the "one map + N tables" wall chart of a county, township or village as a PDF (and PNG)."""

from __future__ import annotations

from pathlib import Path

LEVELS = {"county": "县", "township": "乡镇", "village": "村"}
PAPERS = ("A3", "A2", "A1")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "wallchart",
        help="生成挂图作战图 PDF/PNG",
        description="按模板生成县、乡镇或村某年度的挂图作战图（一张图加若干表），A3 横向（可放大为 A2、A1）。"
        "往年的作战图按该年年底的登记情况统计。",
    )
    parser.add_argument("--level", required=True, choices=list(LEVELS), help="county 县，township 乡镇，village 村")
    parser.add_argument("--area", required=True, metavar="NAME", help="县、乡镇或村的名称（须与 --level 一致）")
    parser.add_argument("--year", type=int, metavar="YYYY", help="年度，默认为今年")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="输出的 PDF 文件")
    parser.add_argument("--png", type=Path, metavar="FILE.png", help="另存第一页为 PNG 图片（用于幻灯片）")
    parser.add_argument("--paper", choices=PAPERS, default="A3", help="纸张：A3（默认）、A2 或 A1，均为横向")
    parser.add_argument("--office", metavar="TEXT", help="印在图上的制图单位，默认按区划生成")
    parser.set_defaults(func=run)


def run(args, db) -> int:
    from povdesk import stats
    from povdesk.errors import RuleViolation
    from povdesk.pdf import wallchart as pdf_wallchart
    from povdesk.wallchart import figures, geo, targets, templates
    from povdesk.wallchart.png import pdf_to_png

    with db.session() as session:
        area = stats.find_area(session, args.area)
        if area.level not in LEVELS:
            raise RuleViolation(f"“{area.name}”是村民小组，作战图只按县、乡镇、村绘制")
        if area.level != args.level:
            raise RuleViolation(
                f"“{area.name}”是{LEVELS[area.level]}，不是{LEVELS[args.level]}；请把 --level 改为 {area.level}"
            )
        dashboard = figures.build(session, area.id, args.year)
        dashboard.office = args.office or figures.default_office(dashboard)
        template = templates.load(session, dashboard.level)
        chosen = targets.load(session)
        layer = geo.load_stored(session)
    try:
        pdf_wallchart.write(dashboard, template, chosen, args.out, paper=args.paper, geo_layer=layer)
    except OSError as exc:
        from povdesk.files import os_error_text

        raise RuleViolation(f"无法写入文件“{args.out}”：{os_error_text(exc)}") from exc
    children = {"county": "乡镇", "township": "村", "village": "村民小组"}[dashboard.level]
    total = dashboard.total.values
    print(
        f"已生成{dashboard.total.name}{dashboard.year}年作战图：{args.out}（{args.paper}，{children} "
        f"{len(dashboard.children)} 个，{total['households']} 户 {total['persons']} 人，未脱贫 "
        f"{total['poor_households']} 户）"
    )
    if args.png:
        pdf_to_png(args.out, args.png)
        print(f"已另存图片：{args.png}")
    return 0
