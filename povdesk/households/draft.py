"""The household draft: plain dataclasses loaded from the database and changed freely until the clerk saves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from povdesk import codes, idnumber
from povdesk.areas import load_tree
from povdesk.errors import NotFound, PovDeskError, RuleViolation
from povdesk.model import Area, Household, MonitoredHousehold

if TYPE_CHECKING:
    from povdesk.households.status import StatusChange


class EditConflict(PovDeskError):
    """Someone else saved the same field of the household after this draft was loaded."""


@dataclass
class ConflictField:
    """One field that differs between the clerk's draft and what is saved now."""

    row: str  # "该户" or "成员“张三”"
    label: str
    yours: str
    saved: str


class VersionConflict(EditConflict):
    """The household (or one of its members) was saved by someone else after this draft was loaded.

    `fields` lists, field by field, this draft's values and the saved ones; `versions` maps ("household" | member id)
    to the version saved now, so that `rebase` lets the clerk save over it on purpose.
    """

    def __init__(self, message: str, *, by: str, fields: list[ConflictField], versions: dict, saved: dict) -> None:
        super().__init__(message)
        self.by = by
        self.fields = fields
        self.versions = versions
        self.saved = saved  # ("household" | member id) → {field: value saved now}


# Fields the clerk edits directly; status and the two years change only through status changes.
HOUSEHOLD_FIELDS = (
    "number", "village_id", "group_id", "address", "phone", "bank_name", "bank_account", "ident_standard",
    "attribute", "main_cause", "other_cause_1", "other_cause_2", "plan_exit_year",
)  # fmt: skip
STATUS_FIELDS = ("status", "year_identified", "year_exited")
MEMBER_FIELDS = (
    "name", "id_number", "sex", "birth_date", "relation", "ethnicity", "education", "school_status", "health",
    "labor", "work_status", "work_months", "medical_insurance", "serious_illness_insurance", "pension_insurance",
    "low_income_support", "extreme_support", "phone", "removed_on", "removed_reason",
)  # fmt: skip
INCOME_FIELDS = ("wage_income", "business_income", "property_income", "transfer_income")
GUARANTEE_FIELDS = ("food_clothing_ok", "education_ok", "medical_ok", "housing_ok", "water_ok")
HAVES_FIELDS = (
    "housing_ok", "water_ok", "has_farmland", "has_industry", "has_skilled_person", "has_social_security",
    "has_surplus_grain", "has_surplus_cash",
)  # fmt: skip
YEAR_FIELDS = (
    "status", "persons", *INCOME_FIELDS, "production_cost", "net_income", "per_capita_income", *GUARANTEE_FIELDS,
    *(f for f in HAVES_FIELDS if f not in GUARANTEE_FIELDS),
)  # fmt: skip
MEASURE_FIELDS = ("year", "kind", "content", "amount", "deadline", "done")
EPISODE_FIELDS = ("type", "identified_on", "risk", "risk_eliminated_on", "note")

FIELD_LABELS: dict[str, str] = {
    "number": "户编号", "village_id": "所在村", "group_id": "村民小组", "address": "住址", "phone": "联系电话",
    "bank_name": "开户银行", "bank_account": "银行账号", "ident_standard": "识别标准", "attribute": "贫困户属性",
    "main_cause": "主要致贫原因", "other_cause_1": "其他致贫原因一", "other_cause_2": "其他致贫原因二",
    "status": "脱贫属性", "year_identified": "识别年度", "year_exited": "脱贫年度", "plan_exit_year": "计划脱贫年度",
    "name": "姓名", "id_number": "身份证号", "sex": "性别", "birth_date": "出生日期", "relation": "与户主关系",
    "ethnicity": "民族", "education": "文化程度", "school_status": "在校生状况", "health": "健康状况",
    "labor": "劳动技能", "work_status": "务工状况", "work_months": "务工月数", "medical_insurance": "基本医疗保险",
    "serious_illness_insurance": "大病保险", "pension_insurance": "基本养老保险", "low_income_support": "享受低保政策情况",
    "extreme_support": "享受特困供养政策情况", "removed_on": "减员日期",
    "removed_reason": "减员原因",
    "year": "年度", "persons": "家庭人数", "wage_income": "工资性收入", "business_income": "生产经营性收入",
    "property_income": "财产性收入", "transfer_income": "转移性收入", "production_cost": "生产经营性支出",
    "net_income": "家庭纯收入", "per_capita_income": "人均纯收入", "food_clothing_ok": "不愁吃不愁穿",
    "education_ok": "义务教育有保障", "medical_ok": "基本医疗有保障", "housing_ok": "住房安全有保障",
    "water_ok": "饮水安全有保障", "has_farmland": "有基本农田", "has_industry": "有增收产业",
    "has_skilled_person": "有一人掌握一门技能", "has_social_security": "有基本社会保障",
    "has_surplus_grain": "有余粮", "has_surplus_cash": "有余钱",
    "kind": "措施类型", "content": "措施内容", "amount": "金额（元）", "deadline": "完成期限", "done": "已完成",
    "type": "监测对象类型", "identified_on": "纳入监测日期", "risk": "风险情况", "risk_eliminated_on": "风险消除日期",
    "note": "备注",
}  # fmt: skip

CODE_FIELDS: dict[str, codes.CodeList] = {
    "ident_standard": codes.IDENT_STANDARD, "attribute": codes.ATTRIBUTE, "main_cause": codes.CAUSE,
    "other_cause_1": codes.CAUSE, "other_cause_2": codes.CAUSE, "status": codes.STATUS, "sex": codes.SEX,
    "relation": codes.RELATION, "ethnicity": codes.ETHNICITY, "education": codes.EDUCATION,
    "school_status": codes.SCHOOL, "health": codes.HEALTH, "labor": codes.LABOR, "work_status": codes.WORK,
    "low_income_support": codes.LOW_INCOME_SUPPORT, "extreme_support": codes.EXTREME_SUPPORT,
    "removed_reason": codes.REMOVAL_REASON, "kind": codes.MEASURE, "type": codes.MONITOR_TYPE,
}  # fmt: skip


def _snapshot(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


@dataclass
class _Tracked:
    """A draft row that remembers the values it was loaded with; `id` is None until it is saved."""

    id: int | None = None
    original: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    FIELDS: ClassVar[tuple[str, ...]] = ()

    def changed_fields(self) -> list[str]:
        """The fields that differ from the loaded values (all non-empty ones for a new row)."""
        if self.original is None:
            return [name for name in self.FIELDS if getattr(self, name) not in (None, "")]
        return [name for name in self.FIELDS if getattr(self, name) != self.original[name]]

    def mark_loaded(self) -> None:
        self.original = _snapshot(self, self.FIELDS)


@dataclass
class _AsWritten(_Tracked):
    """A household or member with what a roster gave beyond its fields: values not in their code list, kept as
    written for the clerk to verify (待核实), and the columns PovDesk does not model (read-only here)."""

    unverified: dict[str, str] = field(default_factory=dict, compare=False)  # field key → the text as written
    extra: dict[str, str] = field(default_factory=dict, compare=False)  # kept column → value
    checked: set[str] = field(default_factory=set, compare=False)  # unverified keys the clerk marked 已核实
    version: int | None = field(default=None, compare=False)  # the row's version when loaded: saving checks it

    # The draft fields that answer an unverified key, where they are not the key itself.
    ANSWERED_BY: ClassVar[dict[str, tuple[str, ...]]] = {}

    def answered(self, key: str) -> bool:
        """The clerk gave the field of an unverified text a value in this draft (picked a code)."""
        names = self.ANSWERED_BY.get(key, (key,) if key in self.FIELDS else ())
        changed = self.changed_fields()
        return any(name in changed and getattr(self, name) not in (None, "") for name in names)

    def written(self, key: str) -> str | None:
        """The text as written of a field not yet marked 已核实; None when there is none."""
        return None if key in self.checked else self.unverified.get(key)

    def to_verify(self) -> dict[str, str]:
        """The unverified texts still waiting for the clerk: neither answered nor marked 已核实."""
        return {k: v for k, v in self.unverified.items() if k not in self.checked and not self.answered(k)}

    def settled(self) -> set[str]:
        """The unverified keys this draft resolves; their texts are dropped when it is saved."""
        return set(self.unverified) - set(self.to_verify())


@dataclass
class MemberDraft(_AsWritten):
    name: str = ""
    id_number: str | None = None
    sex: str | None = None
    birth_date: dt.date | None = None
    relation: str = "other"
    ethnicity: str | None = None
    education: str | None = None
    school_status: str | None = None
    health: str | None = None
    labor: str | None = None
    work_status: str | None = None
    work_months: int | None = None
    medical_insurance: bool | None = None
    serious_illness_insurance: bool | None = None
    pension_insurance: bool | None = None
    low_income_support: str | None = None
    extreme_support: str | None = None
    phone: str | None = None
    removed_on: dt.date | None = None
    removed_reason: str | None = None
    added_on: dt.date | None = None  # a new member: since when, and why (增员原因), for the change history
    added_reason: str | None = None

    FIELDS = MEMBER_FIELDS

    @property
    def active(self) -> bool:
        return self.removed_on is None


@dataclass
class YearDraft(_Tracked):
    year: int = 0
    status: str | None = None
    persons: int | None = None
    wage_income: float | None = None
    business_income: float | None = None
    property_income: float | None = None
    transfer_income: float | None = None
    production_cost: float | None = None
    net_income: float | None = None
    per_capita_income: float | None = None
    food_clothing_ok: bool | None = None
    education_ok: bool | None = None
    medical_ok: bool | None = None
    housing_ok: bool | None = None
    water_ok: bool | None = None
    has_farmland: bool | None = None
    has_industry: bool | None = None
    has_skilled_person: bool | None = None
    has_social_security: bool | None = None
    has_surplus_grain: bool | None = None
    has_surplus_cash: bool | None = None

    FIELDS = YEAR_FIELDS

    def needs(self) -> list[str]:
        """The "eight haves" the household lacks this year: what is missing is what assistance supplements."""
        return [FIELD_LABELS[name] for name in HAVES_FIELDS if getattr(self, name) is False]


@dataclass
class MeasureDraft(_Tracked):
    year: int = 0
    kind: str = ""
    content: str = ""
    amount: float | None = None
    deadline: dt.date | None = None
    done: bool = False

    FIELDS = MEASURE_FIELDS

    def summary(self) -> str:
        text = f"{self.year}年{codes.MEASURE.label_of(self.kind)}：{self.content}"
        return text + (f"，{self.amount:,.2f}元" if self.amount is not None else "")


@dataclass
class EpisodeDraft(_Tracked):
    """One monitoring episode (MonitoredHousehold)."""

    type: str = ""
    identified_on: dt.date | None = None
    risk: str | None = None
    risk_eliminated_on: dt.date | None = None
    note: str | None = None

    FIELDS = EPISODE_FIELDS

    @property
    def open(self) -> bool:
        return self.risk_eliminated_on is None


@dataclass
class HouseholdDraft(_AsWritten):
    number: str = ""
    village_id: int | None = None
    group_id: int | None = None
    address: str | None = None
    phone: str | None = None
    bank_name: str | None = None
    bank_account: str | None = None
    ident_standard: str | None = None
    attribute: str | None = None
    main_cause: str | None = None
    other_cause_1: str | None = None
    other_cause_2: str | None = None
    plan_exit_year: int | None = None  # 计划脱贫年度: the wall charts' exit plan
    status: str | None = None
    year_identified: int | None = None
    year_exited: int | None = None
    members: list[MemberDraft] = field(default_factory=list)
    years: list[YearDraft] = field(default_factory=list)
    measures: list[MeasureDraft] = field(default_factory=list)
    removed_measures: list[MeasureDraft] = field(default_factory=list)
    episodes: list[EpisodeDraft] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)  # pending, applied in order when saved

    FIELDS = HOUSEHOLD_FIELDS + STATUS_FIELDS
    ANSWERED_BY = {"other_causes": ("other_cause_1", "other_cause_2"), "household_type": ("status",)}

    def active_members(self) -> list[MemberDraft]:
        return [m for m in self.members if m.active]

    def head(self) -> MemberDraft | None:
        return next((m for m in self.members if m.active and m.relation == "head"), None)

    def year(self, year: int) -> YearDraft | None:
        return next((y for y in self.years if y.year == year), None)

    def open_episode(self) -> EpisodeDraft | None:
        return next((e for e in self.episodes if e.open), None)


def has_changes(draft: HouseholdDraft) -> bool:
    """Whether saving would write anything."""
    rows = [draft, *draft.members, *draft.years, *draft.measures, *draft.episodes]
    return bool(
        draft.id is None
        or draft.status_changes
        or draft.removed_measures
        or any(row.checked for row in (draft, *draft.members))
        or any(row.id is None or row.changed_fields() for row in rows)
    )


def values_to_verify(draft: HouseholdDraft) -> list[tuple[HouseholdDraft | MemberDraft, str, str]]:
    """(row, field key, text as written) of every value still to verify: the household's, then its current members'."""
    return [(row, key, text) for row in (draft, *draft.active_members()) for key, text in row.to_verify().items()]


def _copy(model_obj: Any, cls: type[_Tracked], *extra: str) -> _Tracked:
    row = cls(id=model_obj.id, **_snapshot(model_obj, cls.FIELDS + extra))
    if isinstance(row, _AsWritten):
        row.unverified, row.extra = dict(model_obj.unverified or {}), dict(model_obj.extra or {})
        row.version = model_obj.version
    row.mark_loaded()
    return row


def load(session: Session, household_id: int) -> HouseholdDraft:
    """The household as a draft, with its members (removed ones too), years, measures and monitoring episodes."""
    household = session.get(
        Household,
        household_id,
        options=[selectinload(Household.members), selectinload(Household.years), selectinload(Household.measures)],
    )
    if household is None:
        raise NotFound(f"找不到编号为 {household_id} 的户，可能已被删除")
    draft = _copy(household, HouseholdDraft)
    draft.members = [_copy(m, MemberDraft) for m in household.members]
    draft.years = [_copy(y, YearDraft, "year") for y in household.years]
    draft.measures = [
        _copy(m, MeasureDraft) for m in sorted(household.measures, key=lambda m: (m.year, m.deadline or dt.date.max))
    ]
    episodes = session.scalars(
        select(MonitoredHousehold)
        .where(MonitoredHousehold.household_id == household_id)
        .order_by(MonitoredHousehold.identified_on, MonitoredHousehold.id)
    )
    draft.episodes = [_copy(e, EpisodeDraft) for e in episodes]
    return draft


def suggest_number(session: Session, village: Area) -> str:
    """The next free household number of a village: its 12-digit division code and a 4-digit sequence."""
    prefix = village.code or f"{village.id:012d}"
    taken = set(session.scalars(select(Household.number).where(Household.number.like(f"{prefix}%"))))
    sequence = len(taken) + 1
    while f"{prefix}{sequence:04d}" in taken:
        sequence += 1
    return f"{prefix}{sequence:04d}"


def new_draft(session: Session, area_id: int | None) -> HouseholdDraft:
    """An empty household in the selected village (or villagers' group), with a suggested household number."""
    area = session.get(Area, area_id) if area_id is not None else None
    if area is None or area.level not in ("village", "group"):
        raise RuleViolation("请先在左侧区划树中选择新户所在的行政村或村民小组，再新建户")
    village = area if area.level == "village" else area.parent
    return HouseholdDraft(
        number=suggest_number(session, village),
        village_id=village.id,
        group_id=area.id if area.level == "group" else None,
        ident_standard="national",
    )


def set_id_number(member: MemberDraft, text: str) -> str | None:
    """Store an ID number as typed; when valid, normalise it and derive sex and birth date. Returns the reason if not.

    An empty number is allowed (a newborn not yet registered); then sex and birth date are entered by hand.
    """
    if not idnumber.normalize(text):
        member.id_number = None
        return None
    try:
        info = idnumber.parse(text)
    except idnumber.InvalidIdNumber as exc:
        member.id_number = text.strip()
        return str(exc)
    member.id_number = info.number
    member.sex = info.sex
    member.birth_date = info.birth_date
    return None


def remove_member(draft: HouseholdDraft, member: MemberDraft, reason: str, on: dt.date) -> None:
    """Remove a member (death, marriage, moving out…): the person stays in the records with the date and reason.

    A member added in this draft and never saved simply disappears.
    """
    if reason not in codes.REMOVAL_REASON:
        raise RuleViolation("请选择减员原因")
    if member.id is None:
        draft.members.remove(member)
        return
    member.removed_on = on
    member.removed_reason = reason


def add_year(draft: HouseholdDraft, year: int) -> YearDraft:
    """A new data year, starting from the household's current status; persons default to the current members."""
    if draft.year(year) is not None:
        raise RuleViolation(f"{year}年度的数据已经存在")
    row = YearDraft(year=year, status=draft.status)
    draft.years.append(row)
    draft.years.sort(key=lambda y: y.year)
    return row


def recompute(row: YearDraft, default_persons: int) -> None:
    """Net income = incomes − production cost; per-capita = net / persons (the current members when not given).

    A year whose components were never entered keeps the net income it was imported with.
    """
    if any(getattr(row, name) is not None for name in (*INCOME_FIELDS, "production_cost")):
        incomes = sum(getattr(row, name) or 0.0 for name in INCOME_FIELDS)
        row.net_income = round(incomes - (row.production_cost or 0.0), 2)
    persons = row.persons or default_persons
    row.per_capita_income = round(row.net_income / persons, 2) if row.net_income is not None and persons else None


@dataclass(frozen=True)
class VillageOption:
    id: int
    label: str  # "township village"
    groups: tuple[tuple[int, str], ...]


def village_options(session: Session) -> list[VillageOption]:
    """Every village with its township and villagers' groups, for choosing where a household lives."""
    nodes = load_tree(session)
    names = {n.id: n.name for n in nodes}
    groups: dict[int, list[tuple[int, str]]] = {}
    for n in nodes:
        if n.level == "group" and n.parent_id is not None:
            groups.setdefault(n.parent_id, []).append((n.id, n.name))
    return [
        VillageOption(n.id, f"{names.get(n.parent_id, '')} {n.name}".strip(), tuple(groups.get(n.id, ())))
        for n in nodes
        if n.level == "village"
    ]
