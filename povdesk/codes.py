"""Code lists: stable English codes stored in the database, Chinese labels shown to clerks, roster synonyms.

The official lists of the national systems (../shared/CODES.md: E2016 建档立卡, E2021 防返贫监测) are the reference:
each official label is canonical, with its numeric code where the national database has one, and the labels of
other years and the variants seen in real exports are synonyms.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    synonyms: tuple[str, ...] = ()
    number: str = ""  # the official numeric code ("01"); "" where the national database's code is not known


_BRACKETS = str.maketrans("", "", "()")
_SEPARATORS = re.compile(r"[,、;]")  # after NFKC "，" is "," and "；" is ";"


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """A value as clerks and systems write it, reduced to what it means: full-width to half-width, no spaces, no
    brackets (已脱贫（享受政策）, 已脱贫(享受政策) and 已脱贫享受政策 are one value), 其它 as 其他, 因病致贫 as 因病."""
    folded = "".join(unicodedata.normalize("NFKC", text).split()).translate(_BRACKETS).replace("其它", "其他")
    return folded[:-2] if folded.endswith("致贫") and len(folded) > 2 else folded


def _is_number(folded: str) -> bool:
    return folded.isascii() and folded.isdigit()


@dataclass(frozen=True)
class CodeList:
    """An ordered code list. `parse` accepts the code, the official number ("01" or "1"), the label or any synonym;
    `blanks` are the values that mean an empty cell (未务工 in 务工状况). `retired` are codes no longer in the list,
    still named in old change-log entries: their labels, for display only."""

    name: str
    label: str
    items: tuple[Code, ...]
    blanks: tuple[str, ...] = ()
    by_number: bool = True  # False where numeric codes are unreliable (民族): such a list matches by name only
    multi: bool = False  # a stored value may be several codes joined by "," (健康状况)
    retired: Mapping[str, str] = field(default_factory=dict, compare=False)
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)
    _by_code: dict[str, Code] = field(init=False, repr=False, compare=False)
    _blanks: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for item in self.items:
            for key in (item.code, item.number, item.label, *item.synonyms):
                folded = self._key(key) if key else None
                if folded is None:
                    continue
                if lookup.setdefault(folded, item.code) != item.code:
                    raise ValueError(f"{self.name}: “{key}” means both {lookup[folded]} and {item.code}")
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_by_code", {item.code: item for item in self.items})
        object.__setattr__(self, "_blanks", frozenset(_fold(text) for text in self.blanks))

    def _key(self, text: str) -> str | None:
        """The lookup key of a value: numbers without leading zeros; None for a number in a list matched by name."""
        folded = _fold(text)
        if _is_number(folded):
            return str(int(folded)) if self.by_number else None
        return folded

    def __iter__(self):
        return iter(self.items)

    def __contains__(self, code: object) -> bool:
        if self.multi and isinstance(code, str) and "," in code:
            return all(part in self._by_code for part in code.split(","))
        return code in self._by_code

    @property
    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    def label_of(self, code: str | None) -> str:
        """The official label; in a multi-valued list, several codes joined by "," give their labels joined by ","."""
        if code is None:
            return ""
        item = self._by_code.get(code)
        if item is not None:
            return item.label
        if code in self.retired:
            return self.retired[code]
        if self.multi and "," in code:
            return ",".join(self.label_of(part) for part in code.split(","))
        return code

    def parse(self, text: str) -> str | None:
        """The code for a code, number, label or synonym; "" for a value that means blank; None if unknown."""
        key = self._key(text)
        if key is None:
            return None
        if not key or key in self._blanks:
            return ""
        return self._lookup.get(key)

    def parse_many(self, text: str, limit: int | None = None) -> tuple[str, ...] | None:
        """The codes of a multi-valued cell ("长期慢性病,残疾", "因学、缺技术") in the order written, each once; None if
        a part is unknown or there are more than `limit` values (nothing a clerk wrote is silently dropped)."""
        found: list[str] = []
        for part in _SEPARATORS.split(unicodedata.normalize("NFKC", text)):
            code = self.parse(part)
            if code is None:
                return None
            if code and code not in found:
                found.append(code)
        if limit is not None and len(found) > limit:
            return None
        return tuple(found)

    def suggest(self, text: str) -> str | None:
        """The official label closest to an unknown value, to suggest to the clerk."""
        folded = _fold(text)
        scored = [(difflib.SequenceMatcher(None, folded, _fold(item.label)).ratio(), item.label) for item in self.items]
        # the best score wins; among equals the earlier (more common) entry: 汗族 suggests 汉族, not 黎族
        score, label = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        return label if score >= 0.3 else None


class AttributeList(CodeList):
    """贫困户属性: the 2019–20 labels of exited households (一般脱贫户…) also say that the household has exited."""

    def implied_status(self, text: str) -> str | None:
        """The status a value implies: "exited" for a label that names an exited household, else None (a numeric
        code is not enough: 02 was 低保户 until 2018, 低保脱贫户 from 2019)."""
        return "exited" if _fold(text) in _EXITED_ATTRIBUTES else None


_EXITED_ATTRIBUTES = frozenset(_fold(label) for label in ("一般脱贫户", "低保脱贫户", "特困供养脱贫户"))


def _list(name: str, label: str, *rows: tuple, **options) -> CodeList:
    """A list without official numbers; rows are (code, label, *synonyms)."""
    return CodeList(name, label, tuple(Code(r[0], r[1], tuple(r[2:])) for r in rows), **options)


def _numbered(name: str, label: str, *rows: tuple, kind: type[CodeList] = CodeList, **options) -> CodeList:
    """A list of the national system; rows are (code, official number or "", label, *synonyms)."""
    return kind(name, label, tuple(Code(r[0], r[2], tuple(r[3:]), r[1]) for r in rows), **options)


# Households that have exited poverty, whether or not they still enjoy the policies: "has exited" means one of these.
EXITED = ("exited", "exited_stable")
# Households that are poor now: 预脱贫 (about to exit) stays poor until the exit is decided; 返贫 is poor again.
POOR = ("poor", "pre_exit", "returned")

# 4 was 稳定脱贫 in 2016; its later label is written in several ways
_STABLE_VARIANTS = ("稳定脱贫", "已脱贫不享受政策", "已脱贫未享受政策", "脱贫不享受政策")
STATUS = _numbered(
    "status",
    "脱贫属性",
    ("poor", "0", "未脱贫", "贫困", "贫困户", "未脱贫户"),
    ("exited", "1", "已脱贫（享受政策）", "已脱贫", "脱贫", "脱贫户", "已脱贫户", "脱贫享受政策", "继续享受政策"),
    ("pre_exit", "2", "预脱贫", "预脱贫户"),
    ("returned", "3", "返贫", "返贫户"),
    ("exited_stable", "4", "已脱贫（不再享受政策）", *_STABLE_VARIANTS),
)

# One numeric code kept its meaning while its label changed (CODES.md §15): 02 低保户 became 低保脱贫户, 05 一般农户
# became 一般脱贫户. The stored attribute says which guarantee the household has; that it exited is its status.
# 低保特困供养贫困户 (07) and 低保特困供养户 (08) have members under both guarantees. They are extreme: 特困供养 is the
# stronger guarantee (it supports the person fully, 低保 tops up an income), and the derivation from per-person
# support gives the same for such a household (any member 特困 → extreme).
_EXTREME_LATER = ("特困供养脱贫户", "07", "低保特困供养贫困户", "08", "低保特困供养户")
ATTRIBUTE = _numbered(
    "attribute",
    "贫困户属性",
    ("general", "01", "一般贫困户", "一般户", "一般", "05", "一般农户", "一般脱贫户"),
    ("low_income", "04", "低保贫困户", "低保", "02", "低保户", "低保脱贫户", "低保(部分)贫困户", "低保(全家)贫困户"),
    ("extreme", "06", "特困供养贫困户", "五保贫困户", "特困户", "特困供养", "五保", "03", "五保户", *_EXTREME_LATER),
    kind=AttributeList,
)

CAUSE = _numbered(
    "cause",
    "致贫原因",
    ("illness", "01", "因病"),  # 因病致贫 and the like fold to the label
    ("disability", "02", "因残"),
    ("schooling", "03", "因学"),
    ("disaster", "04", "因灾"),
    ("land", "05", "缺土地", "缺地", "缺土"),
    ("water", "06", "缺水"),
    ("skills", "07", "缺技术", "缺技能"),
    ("labor", "08", "缺劳力", "缺劳动力"),
    ("capital", "09", "缺资金"),
    ("transport", "10", "交通条件落后", "交通落后", "交通条件"),
    ("motivation", "11", "自身发展动力不足", "发展动力不足", "内生动力不足", "自然发展动力不足"),
    ("marriage", "12", "因婚"),
    ("funeral", "13", "因丧"),
    ("other", "99", "其他"),
    blanks=("无",),
)

IDENT_STANDARD = _numbered(
    "ident_standard",
    "识别标准",
    ("national", "01", "国家标准", "国标"),
    ("provincial", "02", "省定标准", "省标", "省级标准"),
    ("city", "03", "市定标准", "市标", "市级标准"),
)

MONITOR_TYPE = _list(
    "monitor_type",
    "监测对象类型",
    ("unstable", "脱贫不稳定户", "脱贫不稳定", "不稳定户", "脱贫监测户"),
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

RELATION = _numbered(
    "relation",
    "与户主关系",
    ("head", "01", "户主", "本人", "本人或户主"),
    ("spouse", "02", "配偶", "妻", "夫", "妻子", "丈夫"),
    ("son", "03", "之子", "子", "儿子", "长子", "次子"),
    ("daughter", "04", "之女", "女", "女儿", "长女", "次女"),
    ("daughter_in_law", "05", "之儿媳", "儿媳"),
    ("son_in_law", "06", "之女婿", "女婿"),
    ("grandson", "07", "之孙子", "孙子"),
    ("granddaughter", "08", "之孙女", "孙女"),
    # _d: a daughter's child (外孙); _m: on the mother's side (外祖); wifes_/husbands_: the spouse's parents
    ("grandson_d", "09", "之外孙子", "外孙子", "外孙"),
    ("granddaughter_d", "10", "之外孙女", "外孙女"),
    ("father", "11", "之父", "父亲", "父"),
    ("mother", "12", "之母", "母亲", "母"),
    ("wifes_father", "13", "之岳父", "岳父"),
    ("wifes_mother", "14", "之岳母", "岳母"),
    ("husbands_father", "15", "之公公", "公公"),
    ("husbands_mother", "16", "之婆婆", "婆婆"),
    ("grandfather", "17", "之祖父", "祖父", "爷爷"),
    ("grandmother", "18", "之祖母", "祖母", "奶奶"),
    ("grandfather_m", "19", "之外祖父", "外祖父", "外公"),
    ("grandmother_m", "20", "之外祖母", "外祖母", "外婆"),
    # added in 2019–20 and kept in E2021; their numeric codes are not known
    ("sibling", "", "之兄弟姐妹", "兄弟姐妹", "兄弟", "姐妹", "之兄", "之弟", "之姐", "之妹"),
    ("sibling_in_law", "", "之兄弟媳妇", "兄弟媳妇", "嫂子", "弟媳"),
    ("nephew", "", "之侄儿", "侄儿", "侄子"),
    ("niece", "", "之侄女", "侄女"),
    ("ggrandson", "", "之曾孙子", "曾孙子", "曾孙"),  # gg: great-grand
    ("ggranddaughter", "", "之曾孙女", "曾孙女"),
    ("uncle", "", "之叔伯", "叔伯", "叔叔", "伯父"),
    ("other", "99", "其他"),
)

SEX = _numbered("sex", "性别", ("male", "1", "男", "男性"), ("female", "2", "女", "女性"))

HEALTH = _numbered(
    "health",
    "健康状况",
    ("healthy", "01", "健康"),
    ("chronic", "02", "长期慢性病", "慢性病"),
    ("serious", "03", "患有大病", "大病"),
    ("disabled", "04", "残疾", "残疾人"),
    multi=True,  # a multi-select since 2018: 长期慢性病,残疾
)

LABOR = _numbered(
    "labor",
    "劳动技能",
    ("ordinary", "01", "普通劳动力", "普通劳动"),
    ("skilled", "02", "技能劳动力", "技能劳动", "技能劳动能力"),
    ("weak", "", "弱劳动力或半劳动力", "弱劳动力", "半劳动力"),  # from 2019; its numeric code is not known
    ("lost", "03", "丧失劳动力", "丧失劳动能力"),
    ("none", "04", "无劳动力", "无劳动能力"),
)

# E2016 01–06, and the 2019+ list that splits 大专及以上 into 大专 and 本科及以上 (their numbers are not known).
EDUCATION = _numbered(
    "education",
    "文化程度",
    ("illiterate", "01", "文盲或半文盲", "文盲", "半文盲"),
    ("primary", "02", "小学", "小学文化"),
    ("junior", "03", "初中", "初中文化"),
    ("senior", "04", "高中", "高中文化", "中专", "职高"),
    ("associate", "", "大专", "高职高专", "专科"),
    ("bachelor", "", "本科及以上", "本科", "本科及研究生及以上", "研究生"),
    ("college", "05", "大专及以上"),
    ("preschool", "06", "学龄前儿童", "学龄前"),
)

# E2016 01–16 and the 2019+/E2021 grades (numbers not known). The label is the current one where a grade was renamed
# (高中一年级 → 普通高中一年级). Old codes that could be any grade (junior 初中在读…) are retired: migration 0007.
SCHOOL = _numbered(
    "school",
    "在校生状况",
    ("none", "01", "非在校生", "不在校"),
    ("pre_school_age", "", "学龄前儿童", "学龄前"),
    ("preschool", "02", "学前教育", "幼儿园"),
    ("primary", "03", "小学", "小学在读", "小学在校"),
    ("grade7", "04", "七年级", "初一", "初中一年级"),
    ("grade8", "05", "八年级", "初二", "初中二年级"),
    ("grade9", "06", "九年级", "初三", "初中三年级"),
    ("senior1", "07", "普通高中一年级", "高中一年级", "高一"),
    ("senior2", "08", "普通高中二年级", "高中二年级", "高二"),
    ("senior3", "09", "普通高中三年级", "高中三年级", "高三"),
    ("vocational1", "10", "中职一年级"),
    ("vocational2", "11", "中职二年级"),
    ("vocational3", "12", "中职三年级"),
    ("higher_voc1", "13", "高职高专一年级", "高职一年级"),
    ("higher_voc2", "14", "高职高专二年级", "高职二年级"),
    ("higher_voc3", "15", "高职高专三年级", "高职三年级"),
    *((f"technician{i}", "", f"技师学院{n}年级") for i, n in enumerate("一二三四", 1)),
    *((f"bachelor{i}", "", f"本科{n}年级") for i, n in enumerate("一二三四五", 1)),
    ("postgraduate", "", "硕士研究生及以上", "硕士生及以上"),
    ("college", "16", "大专及以上", "大专及以上在读", "大学在读"),
    retired={"junior": "初中在读", "senior": "高中在读", "vocational": "中职在读", "dropout": "辍学"},
)

# E2016 务工状况 (2014–17); a blank cell means no migrant work. Old codes retired by migration 0007.
WORK = _numbered(
    "work",
    "务工状况",
    ("in_township", "01", "乡（镇）内务工", "乡内务工", "镇内务工"),
    ("out_township", "02", "乡（镇）外县内务工", "乡外县内务工", "镇外县内务工"),  # outside the township, in the county
    ("in_province", "03", "县外省内务工", "省内县外务工"),
    ("out_province", "04", "省外务工", "省外"),
    ("other", "99", "其他", "05"),  # one code list numbers 其他 05
    blanks=("未务工", "无", "未外出务工"),
    retired={"none": "未务工", "in_county": "县内务工"},
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

# Who may do what, and where: the county roles see every area, the others only their own township or village (a user
# of those without an area sees nothing). The old codes admin and viewer became county_admin and village_clerk (0010).
USER_ROLE = _list(
    "user_role",
    "用户角色",
    ("county_admin", "县级管理员"),
    ("county_clerk", "县级经办人"),
    ("township_clerk", "乡镇经办人"),
    ("village_clerk", "村级查询员"),
    retired={"admin": "管理员", "viewer": "查询用户"},
)

# GB/T 3304 ethnic group codes; the two-digit code is the stable code. Rosters are matched by name only: the national
# system numbers 民族 its own way (05 is 藏族 there, 04 in GB/T 3304), so a number in a roster means nothing sure.
_ETHNIC_GROUPS = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 "
    "达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 "
    "门巴 珞巴 基诺"
).split()  # noqa: SIM905
_ETHNIC_VARIANTS = {"傈僳": ("僳僳族",)}
ETHNICITY = _list(
    "ethnicity",
    "民族",
    *((f"{i:02d}", name + "族", name, *_ETHNIC_VARIANTS.get(name, ())) for i, name in enumerate(_ETHNIC_GROUPS, 1)),
    ("97", "其他", "其他民族"),
    by_number=False,
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
