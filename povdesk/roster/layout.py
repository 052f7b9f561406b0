"""The national roster layout: one row per person, its columns, Chinese headers and their synonyms → field keys."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Integer, Numeric, String

from povdesk import codes
from povdesk.codes import CodeList
from povdesk.model import Area, Cadre, HelpingUnit, Household, HouseholdYear, Member

HOUSEHOLD = "household"
MEMBER = "member"
IGNORED = "ignored"


@dataclass(frozen=True)
class Column:
    """One column of the layout. `kind` says how a cell is normalised (see fields.py): "code" one code of its list,
    "codes" several (健康状况, joined by ","), "risk" an official label or the text as written (free-text risks)…"""

    key: str
    header: str
    level: str
    kind: str
    code_list: CodeList | None = None
    synonyms: tuple[str, ...] = ()
    width: float = 10
    text_format: bool = False  # written as text so Excel cannot turn it into a number

    @property
    def label(self) -> str:
        return self.header


def _c(key, header, level, kind, code_list=None, *synonyms, width=10, text_format=False) -> Column:
    return Column(key, header, level, kind, code_list, tuple(synonyms), width, text_format)


H, M = HOUSEHOLD, MEMBER

# In export order. Household-level columns are repeated on every member's row, as the national system exports them.
COLUMNS: tuple[Column, ...] = (
    _c("seq", "序号", IGNORED, "ignored", None, "序", "编号序号", "No", "NO.", width=6),
    _c("county", "县（市、区）", H, "area", None, "县", "县区", "县（区）", "县（市）", "所属县", "县名称", width=10),
    _c("township", "乡（镇）", H, "area", None, "乡镇", "乡", "镇", "乡（镇、街道）", "乡镇（街道）", "所在乡镇",
       "乡镇名称", width=10),
    _c("village", "行政村", H, "area", None, "村", "村名", "所在村", "村（社区）", "行政村（社区）", "村名称", width=10),
    _c("group", "村民小组", H, "area", None, "组", "自然村", "自然村（组）", "村民组", "小组", "组别", width=10),
    _c("household_number", "户编号", H, "household_number", None, "户号", "户编码", "家庭编号", "户代码", width=18,
       text_format=True),
    _c("name", "姓名", M, "name", None, "成员姓名", "人员姓名", "家庭成员姓名", width=8),
    _c("id_number", "证件号码", M, "id_number", None, "身份证号", "身份证号码", "公民身份号码", "身份证件号码",
       "证件号", "身份证", "公民身份证号码", "居民身份证号码", width=20, text_format=True),
    _c("sex", "性别", M, "code", codes.SEX, width=5),
    _c("age", "年龄", M, "int", None, "年龄（岁）", width=5),
    _c("relation", "与户主关系", M, "code", codes.RELATION, "与户主的关系", "与户主之间的关系", "家庭关系", "关系",
       width=8),
    _c("ethnicity", "民族", M, "code", codes.ETHNICITY, width=7),
    _c("education", "文化程度", M, "code", codes.EDUCATION, "学历", width=10),
    _c("school_status", "在校生状况", M, "code", codes.SCHOOL, "在校生情况", "在校状况", "在校情况", width=10),
    _c("health", "健康状况", M, "codes", codes.HEALTH, "健康情况", width=9),
    _c("labor", "劳动技能", M, "code", codes.LABOR, "劳动能力", "劳动力状况", "劳动技能情况", width=10),
    _c("work_status", "务工状况", M, "code", codes.WORK, "务工情况", width=10),
    _c("work_months", "务工时间（月）", M, "int", None, "务工时间", "务工月数", "务工时长",
       "年内务工时间", width=7),
    _c("medical_insurance", "是否参加城乡居民基本医疗保险", M, "bool", None, "城乡居民基本医疗保险", "基本医疗保险",
       "是否参加基本医疗保险", "参加城乡居民基本医疗保险", "是否参加新农合", "新农合",
       "是否参加新型农村合作医疗", "新型农村合作医疗", width=8),
    _c("serious_illness_insurance", "是否参加大病保险", M, "bool", None, "大病保险", "参加大病保险", "参加大病医疗",
       width=8),
    _c("pension_insurance", "是否参加城乡居民基本养老保险", M, "bool", None, "城乡居民基本养老保险", "基本养老保险",
       "是否参加基本养老保险", "参加城乡居民基本养老保险", "是否参加新农保", "新农保",
       "是否参加新型农村社会养老保险", "新型农村社会养老保险", "城乡居民社会养老保险", width=8),
    _c("low_income_support", "享受低保政策情况", M, "code", codes.LOW_INCOME_SUPPORT, "是否享受低保",
       "是否享受农村居民最低生活保障", width=10),
    _c("extreme_support", "享受特困供养政策情况", M, "code", codes.EXTREME_SUPPORT, "是否特困供养人员",
       "是否特困供养", width=10),
    _c("member_phone", "人联系电话", M, "phone", None, "家庭成员联系电话", "成员联系电话", width=13, text_format=True),
    _c("household_size", "人数", H, "int", None, "家庭人口数", "家庭人数", "户人数", "人口数", "家庭人口", "户人口数",
       width=5),
    _c("ident_standard", "识别标准", H, "code", codes.IDENT_STANDARD, width=9),
    _c("attribute", "贫困户属性", H, "code", codes.ATTRIBUTE, "户属性", "贫困户类型", "贫困类型",
       "特殊人群标识", width=12),
    _c("main_cause", "主要致贫原因", H, "code", codes.CAUSE, "致贫原因", "主要致贫原因（单选）",
       "致贫原因1", width=10),
    _c("other_causes", "其他致贫原因", H, "causes", codes.CAUSE, "次要致贫原因", "其它致贫原因", "其他致贫原因（多选）",
       width=14),
    _c("status", "脱贫属性", H, "code", codes.STATUS, "脱贫状态", "贫困户状态", "脱贫标志", "贫困状态", width=9),
    _c("year_identified", "识别年度", H, "year", None, "建档立卡年度", "纳入年度", "识别年份", "建档年度", "识别时间",
       "首次识别时间", "首次识别年度", "新识别年度", width=8),
    _c("year_exited", "脱贫年度", H, "year", None, "脱贫年份", "脱贫时间", "退出年度", width=8),
    _c("plan_exit_year", "计划脱贫年度", H, "year", None, "计划脱贫年份", "计划脱贫时间", "拟脱贫年度", "计划退出年度",
       width=8),
    _c("phone", "联系电话", H, "phone", None, "电话", "手机号", "手机号码", "户主电话", "联系方式", "户主联系电话",
       "户联系电话", width=13, text_format=True),
    _c("bank_name", "开户银行", H, "text", None, "开户行", "银行", "开户银行名称", width=14),
    _c("bank_account", "银行账号", H, "account", None, "银行卡号", "账号", "开户账号", "银行帐号", "帐号", "卡号",
       width=22, text_format=True),
    _c("data_year", "收入年度", H, "year", None, "数据年度", "年度", "收入年份", width=8),
    _c("wage_income", "工资性收入", H, "money", None, width=10),
    _c("business_income", "生产经营性收入", H, "money", None, "经营性收入", "家庭经营性收入", width=10),
    _c("property_income", "财产性收入", H, "money", None, width=10),
    _c("transfer_income", "转移性收入", H, "money", None, width=10),
    _c("production_cost", "生产经营性支出", H, "money", None, "生产经营支出", "经营性支出", width=10),
    _c("net_income", "家庭纯收入", H, "money", None, "家庭年纯收入", "纯收入", "家庭净收入", width=11),
    _c("per_capita_income", "人均纯收入", H, "money", None, "人均收入", "家庭人均纯收入", "人均年纯收入",
       "年人均纯收入", width=10),
    _c("food_clothing_ok", "不愁吃不愁穿", H, "bool", None, "不愁吃穿", "吃穿不愁", width=8),
    _c("education_ok", "义务教育有保障", H, "bool", None, width=8),
    _c("medical_ok", "基本医疗有保障", H, "bool", None, "基本医疗保障", width=8),
    _c("housing_ok", "住房安全有保障", H, "bool", None, "住房安全", width=8),
    _c("water_ok", "饮水安全有保障", H, "bool", None, "饮水安全", "饮水是否安全", "是否解决安全饮用水",
       width=8),
    _c("household_type", "户类型", H, "code", codes.HOUSEHOLD_TYPE, width=9),
    _c("dangerous_house", "是否危房户", H, "bool", None, "危房户", width=8),
    _c("monitor_type", "监测对象类别", H, "code", codes.MONITOR_TYPE, "监测对象类型", "监测类型", "监测户类型",
       "易返贫致贫户类型", "检测对象类别", width=12),
    _c("monitor_since", "纳入监测日期", H, "date", None, "纳入监测时间", "识别监测时间", "监测识别日期",
       "风险识别时间", width=11),
    _c("risk_eliminated", "风险是否已消除", H, "bool", None, "风险是否消除", width=8),
    _c("elimination_method", "风险消除方式", H, "code", codes.ELIMINATION_METHOD, width=9),
    _c("risk_eliminated_on", "风险消除日期", H, "date", None, "风险消除时间", "消除监测时间", width=11),
    *(_c(f"risk_{i}", f"致贫/返贫风险{i}", H, "risk", codes.RISK, *(("致贫/返贫风险", "风险类型") if i == 1 else ()),
         width=10) for i in range(1, 6)),
    _c("helper_name", "帮扶责任人", H, "name", None, "帮扶人", "帮扶责任人姓名", "结对帮扶责任人", width=8),
    _c("helper_unit", "帮扶责任人单位", H, "text", None, "帮扶单位", "帮扶人单位", "帮扶责任人工作单位", width=14),
    _c("helper_rank", "帮扶责任人职级", H, "code", codes.CADRE_RANK, "帮扶人职级", "帮扶责任人级别", width=9),
    _c("helper_phone", "帮扶责任人电话", H, "phone", None, "帮扶人电话", "帮扶责任人联系电话", "帮扶人联系电话",
       width=13, text_format=True),
    # the national UI writes these as 2018年03月01日 (CODES.md §25); blank start: the pairing starts on the import day
    _c("helper_start", "帮扶开始时间", H, "date", None, "帮扶开始日期", "帮扶责任人开始时间", "结对开始时间",
       "结对开始日期", "结对时间", "结对日期", width=12),
    _c("helper_end", "帮扶结束时间", H, "date", None, "帮扶结束日期", "帮扶责任人结束时间", "结对结束时间",
       "结对结束日期", width=12),
)  # fmt: skip

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}

# The database column each field is stored in, where the column bounds what fits: a text's length, a number's size.
# Code fields hold short codes from the code lists and need no entry.
STORED_IN = {
    "county": Area.name, "township": Area.name, "village": Area.name, "group": Area.name,
    "household_number": Household.number, "phone": Household.phone, "bank_name": Household.bank_name,
    "bank_account": Household.bank_account,
    "name": Member.name, "work_months": Member.work_months, "member_phone": Member.phone,
    "household_size": HouseholdYear.persons,
    **{key: getattr(HouseholdYear, key) for key in ("wage_income", "business_income", "property_income",
                                                    "transfer_income", "production_cost", "net_income",
                                                    "per_capita_income")},
    "helper_name": Cadre.name, "helper_unit": HelpingUnit.name, "helper_phone": Cadre.phone,
}  # fmt: skip

# Without these the rows cannot be placed; the file is refused (or, in the wizard, the clerk maps them).
REQUIRED_COLUMNS = ("household_number", "name", "id_number", "relation", "village")

_BRACKETS = re.compile(r"\([^()]*\)")
_SQUARE_BRACKETS = str.maketrans("[]【】〔〕", "()()()")
# Prefixes some exports put before a field's usual name ("是否饮水安全", "户联系电话"). Exact names are matched first,
# so 户编号 and 户类型 stay themselves; a test checks that no name loses a prefix into another column's name.
PREFIXES = ("是否", "户")


def fold(text: object) -> str:
    """A header as it is compared: half-width, no spaces, no required-field stars, brackets normalised."""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_SQUARE_BRACKETS)
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "*★※").rstrip(":").upper()


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in COLUMNS:
        for text in (column.header, *column.synonyms):
            lookup.setdefault(fold(text), column.key)
    return lookup


_LOOKUP = _build_lookup()


def header_forms(folded: str) -> list[str]:
    """The forms a folded header is looked up under, in order: as written, without what is in brackets (units and
    notes: "(元)", "(月数)", "(单选)"), then each without a common prefix."""
    forms = [folded]
    if "(" in folded:
        forms.append(_BRACKETS.sub("", folded))
    for form in list(forms):
        forms += [form[len(p) :] for p in PREFIXES if form.startswith(p) and len(form) > len(p)]
    return forms


@functools.lru_cache(maxsize=4096)
def _match(folded: str) -> str | None:
    return next((_LOOKUP[form] for form in header_forms(folded) if form in _LOOKUP), None)


def match_header(text: object) -> str | None:
    """The field key of a header cell, or None: "工资性收入（元）", "乡(镇)", "是否饮水安全" match as well as the
    exact names."""
    if text is None or text == "":
        return None
    folded = fold(text)
    return _match(folded) if folded else None


def stored_bound(key: str) -> tuple[str, int | float] | None:
    """How a field's value is bounded by its column: ("text", most characters) or ("number", what |value| stays
    under); None when nothing bounds it."""
    attribute = STORED_IN.get(key)
    if attribute is None:
        return None
    kind = attribute.property.columns[0].type
    if isinstance(kind, String) and kind.length:
        return "text", kind.length
    if isinstance(kind, Numeric) and kind.precision is not None:
        return "number", 10 ** (kind.precision - (kind.scale or 0))
    if isinstance(kind, Integer):
        return "number", 2**31  # the 32-bit INTEGER of PostgreSQL (and of most databases)
    return None


def export_headers() -> list[str]:
    return [c.header for c in COLUMNS]
