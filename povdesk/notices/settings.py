"""Office-wide notice templates (title pattern, text, columns, hotline, period) kept as JSON in the Setting table."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace

from sqlalchemy.orm import Session

from povdesk import office_settings
from povdesk.errors import RuleViolation

SETTING_KEY = "notice_templates"

# Columns a notice may show. Full ID numbers, phones and bank accounts are not among them, so no template can
# ever print them: `id` is the masked ID number (532930********1234).
COLUMNS: dict[str, str] = {
    "seq": "序号",
    "township": "乡镇",
    "village": "行政村",
    "group": "村民小组",
    "head": "户主姓名",
    "number": "户编号",
    "persons": "家庭人口",
    "attribute": "贫困户属性",
    "cause": "主要致贫原因",
    "status": "脱贫属性",
    "income": "人均纯收入（元）",
    "monitor_type": "监测对象类型",
    "risk": "主要风险",
    "id": "户主身份证号",
}

POOR_COLUMNS = ["seq", "head", "persons", "group", "attribute", "cause", "id"]
MONITOR_COLUMNS = ["seq", "head", "persons", "group", "monitor_type", "risk", "id"]

# What each kind of batch is called: in titles ("梨园村2019年贫困户退出公示") and in the notice text.
SUBJECTS: dict[str, str] = {
    "identify": "贫困户识别",
    "exit": "贫困户退出",
    "return": "返贫户认定",
    "monitor_identify": "防返贫监测对象识别",
    "risk_eliminated": "防返贫监测对象风险消除",
}
LIST_NAMES: dict[str, str] = {
    "identify": "拟识别贫困户",
    "exit": "拟退出贫困户",
    "return": "拟认定返贫户",
    "monitor_identify": "拟纳入防返贫监测对象",
    "risk_eliminated": "拟标注风险消除的监测对象",
}

_PROCEDURE = "经农户申请、入户核查、村民代表大会民主评议"
_OBJECT = (
    "公示期间，如有异议，请以书面、电话或来访等形式向{issuer}反映，反映问题须实事求是。"
    "监督举报电话：{hotline}{contact}；受理地址：{address}。"
)


@dataclass
class StageTemplate:
    """How one stage's sheet reads. Placeholders: {county} {township} {village} {place} {year} {subject}
    {list_name} {households} {persons} {days} {start} {end} {issuer} {hotline} {contact} {address}.

    {contact} reads "，村联系人及电话：…" when the village contact is set, else nothing."""

    title: str
    issuer: str
    text: str


def _default_stages() -> dict[str, StageTemplate]:
    return {
        "village_notice": StageTemplate(
            title="{village}{year}年{subject}公示",
            issuer="{village}村民委员会",
            text=f"根据精准扶贫工作要求，{_PROCEDURE}，现将{{village}}{{year}}年{{list_name}}名单予以公示，"
            "共 {households} 户 {persons} 人（名单如下）。公示期{days}天，自{start}起至{end}止。" + _OBJECT,
        ),
        "township_notice": StageTemplate(
            title="{township}{village}{year}年{subject}公示",
            issuer="{township}人民政府",
            text=f"{_PROCEDURE}、村级公示和乡镇审核，现将{{village}}{{year}}年{{list_name}}名单予以公示，"
            "共 {households} 户 {persons} 人（名单如下）。公示期{days}天，自{start}起至{end}止。" + _OBJECT,
        ),
        "county_announcement": StageTemplate(
            title="{county}{year}年{subject}公告",
            issuer="{county}扶贫开发领导小组办公室",
            text=f"{_PROCEDURE}、村级公示、乡镇审核公示和县级审定，现将{{place}}{{year}}年{{subject}}名单予以公告，"
            "共 {households} 户 {persons} 人（名单如下）。公告期{days}天，自{start}起至{end}止。"
            "如有异议，请在公告期内向{issuer}反映。监督举报电话：{hotline}；受理地址：{address}。",
        ),
    }


def _default_columns() -> dict[str, list[str]]:
    return {kind: list(MONITOR_COLUMNS if kind.startswith(("monitor", "risk")) else POOR_COLUMNS) for kind in SUBJECTS}


@dataclass
class NoticeSettings:
    """Everything a clerk may adjust about notices; the defaults follow the usual county practice."""

    period_days: int = 7
    hotline: str = "12317"  # the national poverty-alleviation supervision hotline
    address: str = "{issuer}"  # where objections are received; may name the issuing body
    contact: str = (
        ""  # 村联系人及电话, e.g. "李文书 13800000000": printed after the hotline, unless a village has its own
    )
    village_contacts: dict[str, str] = field(default_factory=dict)  # village area id (as text) → its own contact
    subjects: dict[str, str] = field(default_factory=lambda: dict(SUBJECTS))
    list_names: dict[str, str] = field(default_factory=lambda: dict(LIST_NAMES))
    stages: dict[str, StageTemplate] = field(default_factory=_default_stages)
    columns: dict[str, list[str]] = field(default_factory=_default_columns)
    font_size: float = 10.5  # 五号

    def contact_for(self, village_id: int | None) -> str:
        """The contact printed on a village's sheet: its own, else the office-wide one."""
        own = self.village_contacts.get(str(village_id), "") if village_id is not None else ""
        return own.strip() or self.contact.strip()

    def columns_for(self, kind: str) -> list[str]:
        return list(self.columns.get(kind) or _default_columns()[kind])

    def validate(self) -> None:
        """Refuse values that would print a wrong or unlawful sheet; messages name the setting."""
        if not 1 <= self.period_days <= 60:
            raise RuleViolation(f"公示期应在1至60天之间，现为{self.period_days}天")
        if not 7 <= self.font_size <= 16:
            raise RuleViolation(f"名单字号应在7至16磅之间，现为{self.font_size}磅")
        for kind, columns in self.columns.items():
            unknown = [c for c in columns if c not in COLUMNS]
            if unknown:
                raise RuleViolation(
                    f"公示名单列“{'、'.join(unknown)}”不存在。可用的列：{'、'.join(COLUMNS.values())}"
                    "（完整身份证号、电话、银行账号不得公示）"
                )
            if not columns:
                raise RuleViolation(f"{SUBJECTS.get(kind, kind)}公示至少要有一列")
        for stage, template in self.stages.items():
            for name in ("title", "issuer", "text"):
                try:
                    getattr(template, name).format(**_SAMPLE)
                except (KeyError, IndexError, ValueError) as exc:
                    raise RuleViolation(f"{stage}模板的{name}中有无法识别的占位符：{exc}") from None


_SAMPLE = dict(
    county="县", township="乡", village="村", place="村", year=2019, subject="贫困户退出", list_name="名单",
    households=1, persons=1, days=7, start="", end="", issuer="", hotline="", contact="", address="",
)  # fmt: skip


def _from_json(data: dict) -> NoticeSettings:
    base = NoticeSettings()
    known = {f.name for f in fields(NoticeSettings)}
    values = {k: v for k, v in data.items() if k in known}
    if "stages" in values:
        stages = dict(base.stages)
        for stage, template in values["stages"].items():
            if stage in stages:
                stages[stage] = replace(
                    stages[stage], **{k: v for k, v in template.items() if k in ("title", "issuer", "text")}
                )
        values["stages"] = stages
    for name in ("subjects", "list_names", "columns"):
        if name in values:
            values[name] = {**getattr(base, name), **values[name]}
    return replace(base, **values)


def load(session: Session) -> NoticeSettings:
    """The office's notice settings; defaults where nothing was saved."""
    stored = office_settings.read(session, SETTING_KEY)
    if stored is None:
        return NoticeSettings()
    try:
        return _from_json(json.loads(stored))
    except (ValueError, TypeError) as exc:
        raise RuleViolation(f"公示模板设置已损坏，请在“设置”中重新保存：{exc}") from None


def save(session: Session, settings: NoticeSettings) -> None:
    """Validate and store for every clerk of this database."""
    settings.validate()
    office_settings.write(session, SETTING_KEY, json.dumps(asdict(settings), ensure_ascii=False))


def reset(session: Session) -> None:
    office_settings.remove(session, SETTING_KEY)


# What the clerk sees in place of each placeholder while editing a template: 【村名】 instead of {village}.
PLACEHOLDER_NAMES: dict[str, str] = {
    "county": "县名", "township": "乡镇名", "village": "村名", "place": "公示范围", "year": "年度",
    "subject": "公示事项", "list_name": "名单名称", "households": "户数", "persons": "人数", "days": "天数",
    "start": "开始日期", "end": "结束日期", "issuer": "发布单位", "hotline": "举报电话", "contact": "村联系人及电话",
    "address": "受理地址",
}  # fmt: skip


def to_display(template: str) -> str:
    """A stored template as the clerk edits it: {village} → 【村名】."""
    for key, name in PLACEHOLDER_NAMES.items():
        template = template.replace("{" + key + "}", f"【{name}】")
    return template


def from_display(text: str) -> str:
    """The clerk's text as stored: 【村名】 → {village}."""
    for key, name in PLACEHOLDER_NAMES.items():
        text = text.replace(f"【{name}】", "{" + key + "}")
    return text


def preview(settings: NoticeSettings, stage: str, kind: str = "exit") -> tuple[str, str, str]:
    """Title, issuing body and text of a stage's sheet filled with an example village, as the clerk types."""
    ctx = dict(
        county="某某县", township="某某乡", village="某某村", place="某某村", year=2019,
        subject=settings.subjects.get(kind, ""), list_name=settings.list_names.get(kind, ""), households=12,
        persons=45, days=settings.period_days, start="2019年12月1日", end="2019年12月7日", hotline=settings.hotline,
        contact=contact_text(settings.contact),
    )  # fmt: skip
    template = settings.stages[stage]
    try:
        ctx["issuer"] = template.issuer.format(**ctx)
        ctx["address"] = settings.address.format(**ctx)
        return template.title.format(**ctx), ctx["issuer"], template.text.format(**ctx)
    except (KeyError, IndexError, ValueError) as exc:
        raise RuleViolation(f"模板中有无法识别的占位符：{exc}") from None


def contact_text(contact: str) -> str:
    """The contact as it follows the hotline in the text; nothing when there is none."""
    return f"，村联系人及电话：{contact.strip()}" if contact.strip() else ""
