"""Checking a household draft before it is saved: every problem, each with where it is and why, in Chinese."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk import codes, idnumber
from povdesk.errors import PovDeskError
from povdesk.households.draft import (
    CODE_FIELDS,
    FIELD_LABELS,
    INCOME_FIELDS,
    HouseholdDraft,
    MeasureDraft,
    MemberDraft,
    YearDraft,
)
from povdesk.model import Area, Household, Member

# The editor's tabs, so a problem can lead the clerk to the place to fix it.
SECTIONS = ("basic", "members", "years", "measures", "status")
FIRST_YEAR = 2000
MAX_MONEY = 100_000_000
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})$")
BANK_ACCOUNT = re.compile(r"^\d{12,19}$")


@dataclass(frozen=True)
class Problem:
    section: str  # one of SECTIONS
    where: str  # "家庭成员“张三” · 身份证号"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}：{self.reason}"


class ValidationFailed(PovDeskError):
    """The draft has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"{i}. {p}" for i, p in enumerate(problems, start=1))
        super().__init__(f"未保存，请改正以下 {len(problems)} 处问题：\n{lines}")


def _code_problem(section: str, where: str, name: str, value: str | None) -> Problem | None:
    if value is None or value in CODE_FIELDS[name]:
        return None
    return Problem(section, where, f"“{value}”不是有效的{FIELD_LABELS[name]}")


def _household_problems(draft: HouseholdDraft) -> list[Problem]:
    out: list[Problem] = []

    def add(name: str, reason: str) -> None:
        out.append(Problem("basic", FIELD_LABELS[name], reason))

    number = (draft.number or "").strip()
    if not number:
        add("number", "户编号不能为空")
    elif len(number) > 32 or not re.fullmatch(r"[0-9A-Za-z-]+", number):
        add("number", f"户编号“{number}”只能由数字、字母和“-”组成，最长32位")
    if draft.village_id is None:
        add("village_id", "请选择所在村")
    registered = draft.status is not None
    cleared = draft.changed_fields() if draft.id is not None else ()
    for name in ("ident_standard", "attribute", "main_cause"):
        # asked of a new household, or of one whose value the clerk clears; a household imported without it (the
        # national person export has no 识别标准) can still be edited otherwise
        if registered and not getattr(draft, name) and (draft.id is None or name in cleared):
            add(name, f"建档立卡户必须填写{FIELD_LABELS[name]}")
    for name in ("ident_standard", "attribute", "main_cause", "other_cause_1", "other_cause_2"):
        problem = _code_problem("basic", FIELD_LABELS[name], name, getattr(draft, name))
        if problem:
            out.append(problem)
    causes = [c for c in (draft.main_cause, draft.other_cause_1, draft.other_cause_2) if c]
    if len(causes) != len(set(causes)):
        add("other_cause_1", "其他致贫原因不能与主要致贫原因或彼此重复")
    if draft.other_cause_2 and not draft.other_cause_1:
        add("other_cause_2", "请先填写其他致贫原因一")
    if draft.phone and not PHONE.match(draft.phone.replace(" ", "")):
        add("phone", f"“{draft.phone}”不是有效的电话号码，应为11位手机号或带区号的固定电话")
    account = (draft.bank_account or "").replace(" ", "")
    if account and not BANK_ACCOUNT.match(account):
        add("bank_account", f"银行账号“{draft.bank_account}”应为12至19位数字")
    if account and not (draft.bank_name or "").strip():
        add("bank_name", "填写了银行账号，请同时填写开户银行")
    return out


def _member_where(member: MemberDraft, row: int, name: str | None = None) -> str:
    who = f"家庭成员“{member.name.strip()}”" if member.name.strip() else f"家庭成员第{row}行"
    return f"{who} · {FIELD_LABELS[name]}" if name else who


def member_problems(member: MemberDraft, *, row: int = 1, today: dt.date | None = None) -> list[Problem]:
    """Problems of one member on its own (the member dialog checks these before accepting)."""
    today = today or dt.date.today()
    out: list[Problem] = []

    def add(name: str, reason: str) -> None:
        out.append(Problem("members", _member_where(member, row, name), reason))

    name = member.name.strip()
    if not name:
        add("name", "姓名不能为空")
    elif len(name) > 32:
        add("name", "姓名不能超过32个字")
    info = None
    if member.id_number and (member.active or "id_number" in member.changed_fields()):
        try:
            info = idnumber.parse(member.id_number, today=today)
        except idnumber.InvalidIdNumber as exc:
            add("id_number", str(exc))
    if info is not None and member.sex and member.sex != info.sex:
        add("sex", f"性别与身份证号不符，身份证号表明是{codes.SEX.label_of(info.sex)}性")
    if info is not None and member.birth_date and member.birth_date != info.birth_date:
        add("birth_date", f"出生日期与身份证号不符，身份证号中为{info.birth_date:%Y年%m月%d日}")
    if not member.id_number and not member.sex:
        add("sex", "没有身份证号的成员须填写性别")
    if member.birth_date and member.birth_date > today:
        add("birth_date", "出生日期不能晚于今天")
    for field_name in ("sex", "relation", "ethnicity", "education", "school_status", "health", "labor", "work_status"):
        problem = _code_problem(
            "members", _member_where(member, row, field_name), field_name, getattr(member, field_name)
        )
        if problem:
            out.append(problem)
    if member.work_months is not None and not 0 <= member.work_months <= 12:
        add("work_months", "务工月数应在0至12之间")
    if member.phone and not PHONE.match(member.phone.replace(" ", "")):
        add("phone", f"“{member.phone}”不是有效的电话号码")
    if (member.removed_on is None) != (member.removed_reason is None):
        add("removed_reason", "减员须同时填写减员日期和减员原因")
    if member.removed_reason and member.removed_reason not in codes.REMOVAL_REASON:
        add("removed_reason", f"“{member.removed_reason}”不是有效的减员原因")
    if member.removed_on and member.removed_on > today:
        add("removed_on", "减员日期不能晚于今天")
    if member.removed_on and member.birth_date and member.removed_on < member.birth_date:
        add("removed_on", "减员日期不能早于出生日期")
    return out


def _members_problems(draft: HouseholdDraft, today: dt.date) -> list[Problem]:
    out: list[Problem] = []
    active = draft.active_members()
    if not active:
        out.append(Problem("members", "家庭成员", "该户没有家庭成员，请至少添加户主"))
    heads = [m for m in active if m.relation == "head"]
    if active and len(heads) != 1:
        names = "、".join(m.name for m in heads)
        reason = "没有户主，请把一位成员的与户主关系设为“户主”" if not heads else f"只能有一位户主，现有{names}"
        out.append(Problem("members", "家庭成员 · 与户主关系", reason))
    for row, member in enumerate(draft.members, start=1):
        out.extend(member_problems(member, row=row, today=today))
    numbers = Counter(idnumber.normalize(m.id_number) for m in active if m.id_number)
    for number, count in numbers.items():
        if count > 1:
            names = "、".join(m.name for m in active if m.id_number and idnumber.normalize(m.id_number) == number)
            out.append(Problem("members", "家庭成员 · 身份证号", f"身份证号{number}重复登记了{count}次（{names}）"))
    return out


def _year_problems(row: YearDraft, today: dt.date) -> list[Problem]:
    out: list[Problem] = []

    def add(name: str, reason: str) -> None:
        out.append(Problem("years", f"{row.year}年度 · {FIELD_LABELS[name]}", reason))

    if not FIRST_YEAR <= row.year <= today.year:
        out.append(Problem("years", f"{row.year}年度", f"年度应在{FIRST_YEAR}年至{today.year}年之间"))
    if row.persons is not None and not 1 <= row.persons <= 30:
        add("persons", "家庭人数应在1至30人之间")
    for name in (*INCOME_FIELDS, "production_cost"):
        value = getattr(row, name)
        if value is not None and not 0 <= value < MAX_MONEY:
            add(name, "金额不能为负数，也不能超过一亿元")
    if row.net_income is not None and abs(row.net_income) >= MAX_MONEY:
        add("net_income", "家庭纯收入超出合理范围，请核对各项收入")
    return out


def _measure_problems(row: MeasureDraft, index: int, today: dt.date) -> list[Problem]:
    out: list[Problem] = []
    where = f"帮扶措施第{index}项"

    def add(name: str, reason: str) -> None:
        out.append(Problem("measures", f"{where} · {FIELD_LABELS[name]}", reason))

    if row.kind not in codes.MEASURE:
        add("kind", "请选择措施类型")
    if not row.content.strip():
        add("content", "请填写措施内容")
    if not FIRST_YEAR <= row.year <= today.year + 5:
        add("year", f"年度应在{FIRST_YEAR}年至{today.year + 5}年之间")
    if row.amount is not None and not 0 <= row.amount < MAX_MONEY:
        add("amount", "金额不能为负数，也不能超过一亿元")
    if row.deadline and row.deadline.year < FIRST_YEAR:
        add("deadline", "完成期限不合理")
    return out


def _database_problems(session: Session, draft: HouseholdDraft) -> list[Problem]:
    out: list[Problem] = []
    number = (draft.number or "").strip()
    if number:
        other = session.scalar(select(Household.id).where(Household.number == number, Household.id != (draft.id or 0)))
        if other is not None:
            out.append(Problem("basic", FIELD_LABELS["number"], f"户编号{number}已被另一户使用"))
    village = session.get(Area, draft.village_id) if draft.village_id is not None else None
    if draft.village_id is not None and (village is None or village.level != "village"):
        out.append(Problem("basic", FIELD_LABELS["village_id"], "所选区划不是行政村"))
    if draft.group_id is not None:
        group = session.get(Area, draft.group_id)
        if group is None or group.parent_id != draft.village_id:
            out.append(Problem("basic", FIELD_LABELS["group_id"], "所选村民小组不属于所在村"))
    wanted = {idnumber.normalize(m.id_number): m for m in draft.active_members() if m.id_number}
    own = [m.id for m in draft.members if m.id is not None]
    if wanted:
        rows = session.execute(
            select(Member.id_number, Household.number, Household.id)
            .join(Household, Household.id == Member.household_id)
            .where(Member.id_number.in_(list(wanted)), Member.removed_on.is_(None), Member.id.not_in(own or [0]))
        ).all()
        for id_number, other_number, other_id in rows:
            head = session.scalar(
                select(Member.name).where(
                    Member.household_id == other_id, Member.relation == "head", Member.removed_on.is_(None)
                )
            )
            member = wanted[id_number]
            out.append(
                Problem(
                    "members",
                    _member_where(member, draft.members.index(member) + 1, "id_number"),
                    f"身份证号{id_number}已登记在户编号{other_number}（户主{head or '未知'}）中，一人只能属于一户；"
                    "请先在原户办理减员",
                )
            )
    return out


def validate(draft: HouseholdDraft, session: Session | None = None, *, today: dt.date | None = None) -> list[Problem]:
    """Every problem of the draft; with a session also those that need the database (duplicates elsewhere)."""
    today = today or dt.date.today()
    problems = _household_problems(draft) + _members_problems(draft, today)
    seen: set[int] = set()
    for row in draft.years:
        if row.year in seen:
            problems.append(Problem("years", f"{row.year}年度", "同一年度的数据重复"))
        seen.add(row.year)
        problems.extend(_year_problems(row, today))
    for index, row in enumerate(draft.measures, start=1):
        problems.extend(_measure_problems(row, index, today))
    if session is not None:
        problems.extend(_database_problems(session, draft))
    return problems


# Relations that name a man or a woman (之子, 之孙女, 之岳母 …); spouse depends on the head's sex.
MALE_RELATIONS = frozenset({"son", "son_in_law", "grandson", "grandson_d", "father", "wifes_father", "husbands_father",
                            "grandfather", "grandfather_m", "nephew", "ggrandson", "uncle"})  # fmt: skip
FEMALE_RELATIONS = frozenset({"daughter", "daughter_in_law", "granddaughter", "granddaughter_d", "mother",
                              "wifes_mother", "husbands_mother", "grandmother", "grandmother_m", "niece",
                              "ggranddaughter"})  # fmt: skip


def relation_sex_warning(relation: str | None, sex: str | None, head_sex: str | None = None) -> str | None:
    """A relation that contradicts the member's sex (之孙女 for a man; a spouse of the head's own sex): a warning the
    clerk may accept (the relation or the ID number may be wrong, or the family unusual), not a refusal."""
    if not relation or not sex:
        return None
    label = codes.RELATION.label_of(relation)
    if relation in MALE_RELATIONS and sex == "female" or relation in FEMALE_RELATIONS and sex == "male":
        return f"与户主关系为“{label}”，但性别为{codes.SEX.label_of(sex)}"
    if relation == "spouse" and head_sex and sex == head_sex:
        return f"与户主关系为“{label}”，但与户主同为{codes.SEX.label_of(sex)}性"
    return None
