"""`main.py notice`: write the sheet of one stage of a notice batch, proposing the batch from the registry if new."""

from __future__ import annotations

import sys
from pathlib import Path

STAGES = {"village": "village_notice", "township": "township_notice", "county": "county_announcement"}
KINDS = ["exit", "identify", "return", "monitor_identify", "risk_eliminated"]
PROPOSAL_RULES = {
    "exit": "脱贫年度为{year}年且状态为已脱贫",
    "identify": "识别年度为{year}年",
    "return": "{year}年认定返贫",
    "monitor_identify": "{year}年纳入监测",
    "risk_eliminated": "{year}年风险消除",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "notice",
        help="生成公示/公告单 PDF",
        description="生成某乡镇或村某年度识别/退出公示（或公告）的 PDF。"
        "尚无该批次时，按登记数据拟定名单并建立批次（退出：脱贫年度为该年且已脱贫的户；识别：识别年度为该年的户）。",
    )
    parser.add_argument(
        "--kind",
        required=True,
        choices=KINDS,
        help="exit 退出，identify 识别（另有 return、monitor_identify、risk_eliminated）",
    )
    parser.add_argument("--year", required=True, type=int, metavar="YYYY", help="年度")
    parser.add_argument("--area", required=True, metavar="NAME", help="乡镇或村的名称")
    parser.add_argument(
        "--stage", required=True, choices=list(STAGES), help="village 村公示，township 乡镇公示，county 县公告"
    )
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="输出的 PDF 文件")
    parser.set_defaults(func=run)


def run(args, db) -> int:
    from povdesk import codes, stats
    from povdesk.errors import RuleViolation
    from povdesk.notices import export, kinds, sheet, workflow
    from povdesk.pdf import fonts

    stage = STAGES[args.stage]
    with db.transaction() as session:  # a proposed batch is kept only if its sheet was written
        area = stats.find_area(session, args.area)
        batches = workflow.batches_for(session, args.kind, args.year, area)
        if not batches:
            if not kinds.propose(session, args.kind, args.year, area):
                rule = PROPOSAL_RULES[args.kind].format(year=args.year)
                kind = codes.NOTICE_KIND.label_of(args.kind)
                raise RuleViolation(f"{area.name}没有符合{kind}公示条件的户（{rule}），未生成公示单")
            batch = workflow.create_batch(session, kind=args.kind, year=args.year, area=area)
            households, persons = workflow.counts(session, batch)
            print(f"已按登记数据拟定公示批次“{batch.title}”：{households} 户 {persons} 人")
            batches = [batch]
        data = sheet.merge([sheet.build(session, batch, stage, within=area) for batch in batches])
        rendered = export.write_pdf(data, args.out)
    if rendered.unprintable:
        print(f"警告：{fonts.warning_text(rendered.unprintable)}", file=sys.stderr)
    households = sum(s.households for s in data.sections)
    persons = sum(s.persons for s in data.sections)
    label = workflow.stage_label(stage)
    print(f"已生成{label}单：{args.out}（共 {households} 户 {persons} 人，{rendered.pages} 页）")
    return 0
