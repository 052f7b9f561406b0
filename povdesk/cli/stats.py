"""`main.py stats`: registry figures for the database or one township or village."""

from __future__ import annotations

from povdesk.cli import print_json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "stats", help="统计户数、人数等", description="统计全库或某个乡镇、村的建档立卡数据。"
    )
    parser.add_argument("--area", metavar="NAME", help="只统计这个乡镇或村")
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象（键为英文代码）")
    parser.set_defaults(func=run)


def run(args, db) -> int:
    from povdesk import codes, stats

    with db.session() as session:
        area = stats.find_area(session, args.area) if args.area else None
        figures = stats.compute(session, area)
    if args.json:
        print_json(figures)
        return 0
    labels = {"households_by_status": codes.STATUS, "households_by_attribute": codes.ATTRIBUTE,
              "households_by_cause": codes.CAUSE}  # fmt: skip
    print(f"范围：{args.area or '全部'}")
    print(
        f"乡镇 {figures['townships']} 个，村 {figures['villages']} 个，{figures['households']} 户 {figures['persons']} 人"
    )
    for key, code_list in labels.items():
        parts = "，".join(f"{code_list.label_of(c)} {n}" for c, n in figures[key].items())
        print(f"{code_list.label}：{parts}")
    print(
        f"监测对象 {figures['monitored_households']} 户；帮扶干部 {figures['cadres']} 人，已结对 {figures['paired_households']} 户"
    )
    return 0
