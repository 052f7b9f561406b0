"""Code lists: stable English codes stored in the database, Chinese labels shown to clerks, roster synonyms."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    synonyms: tuple[str, ...] = ()


def _fold(text: str) -> str:
    """Normalise a label as clerks type it: full-width to half-width, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class CodeList:
    """An ordered code list; `parse` accepts the code, the label or any synonym."""

    name: str
    label: str
    items: tuple[Code, ...]
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for item in self.items:
            for key in (item.code, item.label, *item.synonyms):
                lookup[_fold(key)] = item.code
        object.__setattr__(self, "_lookup", lookup)

    def __iter__(self):
        return iter(self.items)

    def __contains__(self, code: object) -> bool:
        return any(item.code == code for item in self.items)

    @property
    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    def label_of(self, code: str | None) -> str:
        for item in self.items:
            if item.code == code:
                return item.label
        return "" if code is None else code

    def parse(self, text: str) -> str | None:
        """The code for a code, label or synonym; None if unknown."""
        return self._lookup.get(_fold(text))

    def suggest(self, text: str) -> str | None:
        """The label closest to an unknown value, to suggest to the clerk."""
        folded = _fold(text)
        scored = [(difflib.SequenceMatcher(None, folded, item.label).ratio(), item.label) for item in self.items]
        # the best score wins; among equals the earlier (more common) entry: 汗族 suggests 汉族, not 黎族
        score, label = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        return label if score >= 0.3 else None


def _list(name: str, label: str, *rows: tuple) -> CodeList:
    return CodeList(name, label, tuple(Code(r[0], r[1], tuple(r[2:])) for r in rows))


STATUS = _list(
    "status",
    "脱贫属性",
    ("poor", "未脱贫", "贫困", "贫困户", "未脱贫户"),
    ("exited", "已脱贫", "脱贫", "脱贫户", "已脱贫户", "稳定脱贫"),
    ("returned", "返贫", "返贫户"),
)

ATTRIBUTE = _list(
    "attribute",
    "贫困户属性",
    ("general", "一般贫困户", "一般户", "一般"),
    ("low_income", "低保贫困户", "低保户", "低保"),
    ("extreme", "特困供养贫困户", "五保贫困户", "特困户", "五保户", "特困供养", "五保"),
)

CAUSE = _list(
    "cause",
    "致贫原因",
    ("illness", "因病", "因病致贫"),
    ("disability", "因残", "因残致贫"),
    ("schooling", "因学", "因学致贫"),
    ("disaster", "因灾", "因灾致贫"),
    ("land", "缺土地", "缺地"),
    ("water", "缺水"),
    ("skills", "缺技术", "缺技能"),
    ("labor", "缺劳力", "缺劳动力"),
    ("capital", "缺资金"),
    ("transport", "交通条件落后", "交通落后"),
    ("motivation", "自身发展动力不足", "发展动力不足", "内生动力不足"),
    ("other", "其他"),
)

IDENT_STANDARD = _list(
    "ident_standard",
    "识别标准",
    ("national", "国家标准", "国标"),
    ("provincial", "省定标准", "省标", "省级标准"),
    ("city", "市定标准", "市标", "市级标准"),
)

MONITOR_TYPE = _list(
    "monitor_type",
    "监测对象类型",
    ("unstable", "脱贫不稳定户", "脱贫不稳定", "不稳定户"),
    ("marginal", "边缘易致贫户", "边缘户", "边缘易致贫"),
    ("sudden", "突发严重困难户", "突发严重困难", "突发困难户"),
)

HOUSEHOLD_TYPE = _list(
    "household_type",
    "户类型",
    ("exited", "脱贫户", "继续享受政策", "脱贫户（继续享受政策）"),
    ("exited_stable", "脱贫不享受政策户", "脱贫不享受政策"),
    ("ordinary", "一般农户", "普通农户", "一般户"),
)

ELIMINATION_METHOD = _list(
    "elimination_method",
    "风险消除方式",
    ("assisted", "帮扶消除", "帮扶后消除"),
    ("natural", "自然消除", "风险自然消除", "风险自然消失"),
)

LOW_INCOME_SUPPORT = _list(
    "low_income_support",
    "享受低保政策情况",
    ("rural", "农村低保"),
    ("urban", "城市低保"),
    ("yes", "享受低保", "是"),
    ("no", "未享受", "否", "不享受"),
)

EXTREME_SUPPORT = _list(
    "extreme_support",
    "享受特困供养政策情况",
    ("rural", "农村特困", "农村特困供养"),
    ("urban", "城市特困", "城市特困供养"),
    ("yes", "特困供养", "是"),
    ("no", "未享受", "否", "不享受"),
)

RISK = _list(
    "risk",
    "致贫/返贫风险",
    ("illness", "因病"),
    ("disability", "因残"),
    ("schooling", "因学"),
    ("disaster", "因自然灾害", "因灾"),
    ("labor", "缺劳动力", "缺劳力"),
    ("employment", "因务工就业不稳", "务工就业不稳"),
    ("housing", "因安全住房"),
    ("water", "因安全饮水"),
    ("accident", "因意外事故"),
    ("industry", "因产业项目失败", "因产业失败"),
    ("other", "其他", "其它"),
)

CADRE_RANK = _list(
    "cadre_rank",
    "干部级别",
    ("county_leader", "县级领导", "县处级", "县级干部"),
    ("section", "科级干部", "科级"),
    ("general", "一般干部", "一般工作人员"),
    ("township", "乡镇干部"),
    ("village", "村干部"),
)

RELATION = _list(
    "relation",
    "与户主关系",
    ("head", "户主", "本人"),
    ("spouse", "配偶", "妻", "夫", "妻子", "丈夫"),
    ("son", "之子", "子", "儿子", "长子", "次子"),
    ("daughter", "之女", "女", "女儿", "长女", "次女"),
    ("daughter_in_law", "之儿媳", "儿媳"),
    ("son_in_law", "之女婿", "女婿"),
    ("grandson", "之孙子", "孙子"),
    ("granddaughter", "之孙女", "孙女"),
    ("father", "之父", "父亲", "父"),
    ("mother", "之母", "母亲", "母"),
    ("sibling", "兄弟姐妹", "兄弟", "姐妹", "之兄", "之弟", "之姐", "之妹"),
    ("other", "其他"),
)

SEX = _list("sex", "性别", ("male", "男", "男性"), ("female", "女", "女性"))

HEALTH = _list(
    "health",
    "健康状况",
    ("healthy", "健康"),
    ("chronic", "长期慢性病", "慢性病"),
    ("serious", "患有大病", "大病"),
    ("disabled", "残疾", "残疾人"),
)

LABOR = _list(
    "labor",
    "劳动技能",
    ("ordinary", "普通劳动力", "普通劳动"),
    ("skilled", "技能劳动力", "技能劳动"),
    ("lost", "丧失劳动力", "丧失劳动能力"),
    ("none", "无劳动力", "无劳动能力"),
)

EDUCATION = _list(
    "education",
    "文化程度",
    ("illiterate", "文盲或半文盲", "文盲", "半文盲"),
    ("primary", "小学", "小学文化"),
    ("junior", "初中", "初中文化"),
    ("senior", "高中", "高中文化", "中专", "职高"),
    ("college", "大专及以上", "大专", "本科", "大学"),
    ("preschool", "学龄前儿童", "学龄前"),
)

SCHOOL = _list(
    "school",
    "在校生状况",
    ("none", "非在校生", "不在校"),
    ("preschool", "学前教育", "幼儿园"),
    ("primary", "小学在读", "小学在校"),
    ("junior", "初中在读", "初中在校"),
    ("senior", "高中在读", "高中在校"),
    ("vocational", "中职在读", "中职", "技校"),
    ("college", "大专及以上在读", "大学在读"),
    ("dropout", "辍学", "失学辍学"),
)

WORK = _list(
    "work",
    "务工状况",
    ("none", "未务工", "无"),
    ("in_county", "县内务工", "县内"),
    ("in_province", "省内县外务工", "省内务工", "省内"),
    ("out_province", "省外务工", "省外"),
)

REMOVAL_REASON = _list(
    "removal_reason",
    "减员原因",
    ("death", "死亡", "去世"),
    ("marriage", "婚嫁", "出嫁", "嫁出"),
    ("moved_out", "迁出", "户口迁出"),
    ("enlisted", "参军"),
    ("prison", "服刑"),
    ("other", "其他"),
)

MEASURE = _list(
    "measure",
    "帮扶措施类型",
    ("industry", "产业帮扶", "产业"),
    ("employment", "就业帮扶", "就业", "转移就业"),
    ("education", "教育帮扶", "教育"),
    ("health", "健康帮扶", "健康", "医疗"),
    ("housing", "住房保障", "危房改造", "住房"),
    ("social_security", "社会保障兜底", "兜底保障", "低保"),
    ("relocation", "易地扶贫搬迁", "易地搬迁", "搬迁"),
)

AREA_LEVEL = _list(
    "area_level",
    "区划级别",
    ("county", "县"),
    ("township", "乡镇", "乡", "镇"),
    ("village", "行政村", "村"),
    ("group", "村民小组", "组", "自然村"),
)

CHANGE_KIND = _list(
    "change_kind",
    "变更类型",
    ("status", "状态变更"),
    ("field", "信息变更"),
    ("member_added", "新增成员"),
    ("member_removed", "减少成员"),
    ("member_changed", "成员信息变更"),
    ("monitoring", "监测变更"),
    ("created", "新识别建档"),
)

NOTICE_KIND = _list(
    "notice_kind",
    "公示类型",
    ("identify", "识别"),
    ("exit", "退出"),
    ("return", "返贫"),
    ("monitor_identify", "监测识别"),
    ("risk_eliminated", "风险消除"),
)

NOTICE_STAGE = _list(
    "notice_stage",
    "公示环节",
    ("village_notice", "村公示"),
    ("township_review", "乡镇审核"),
    ("township_notice", "乡镇公示"),
    ("county_approval", "县审定"),
    ("county_announcement", "县公告"),
)

VISIT_KIND = _list(
    "visit_kind",
    "走访类型",
    ("warmth", "送温暖"),
    ("policy", "送政策"),
    ("technology", "送技术"),
    ("project", "送项目"),
)

USER_ROLE = _list(
    "user_role",
    "用户角色",
    ("admin", "管理员"),
    ("county_clerk", "县级经办人"),
    ("township_clerk", "乡镇经办人"),
    ("viewer", "查询用户"),
)

# GB/T 3304 ethnic group codes; the two-digit code is the stable code.
_ETHNIC_GROUPS = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 "
    "达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 "
    "门巴 珞巴 基诺"
).split()  # noqa: SIM905
ETHNICITY = _list(
    "ethnicity", "民族", *((f"{i:02d}", name + "族", name) for i, name in enumerate(_ETHNIC_GROUPS, start=1))
)

ALL_LISTS: dict[str, CodeList] = {
    cl.name: cl
    for cl in (
        STATUS, ATTRIBUTE, CAUSE, IDENT_STANDARD, MONITOR_TYPE, HOUSEHOLD_TYPE, ELIMINATION_METHOD,
        LOW_INCOME_SUPPORT, EXTREME_SUPPORT, RISK, CADRE_RANK, RELATION, SEX, HEALTH, LABOR,
        EDUCATION, SCHOOL, WORK, REMOVAL_REASON, MEASURE, AREA_LEVEL, CHANGE_KIND, NOTICE_KIND, NOTICE_STAGE,
        VISIT_KIND, USER_ROLE, ETHNICITY,
    )
}  # fmt: skip

# The "321" scheme: households each cadre rank takes; township cadres take the rest. A setting, not a rule.
DEFAULT_PAIRING_QUOTA: dict[str, int] = {"county_leader": 3, "section": 2, "general": 1}
