"""Rosters in the layouts the national systems export (../shared/CODES.md §1), written as real .xlsx files.

Each builder draws a seeded county of households, writes it the way one national export lays it out (title and info
rows, that edition's labels, what clerks do to such files) and returns what `main.py import --json` and
`main.py stats --json` must then say, counted from the households drawn, never from PovDesk's code lists.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import openpyxl
from openpyxl.styles import Border, Side
from openpyxl.utils import get_column_letter
from stdnum.cn import ric

REGION = "433130"  # 湖南省龙山县
COUNTY = "龙山县"
VILLAGES = (("里耶镇", "长春村", ("岩坪", "竹园")), ("里耶镇", "八面山村", ("大湾", "茶林")),
            ("洗车河镇", "牙龙村", ("上寨", "下寨")))  # fmt: skip
UNKNOWN_WORK = "外出打零工"  # a 务工状况 a clerk typed: in no official list
SURNAMES = "彭向田张王李刘杨黄吴贾符鲁瞿龚石谭周陈胡"
GIVEN = "建国秀英志强玉兰明华春梅光荣桂芳德顺金花永红海燕小军文静家兴世清丽娟"
# stored code → the labels national files write for it (CODES.md §17)
CAUSES = {"illness": ("因病", "因病致贫"), "disability": ("因残",), "schooling": ("因学", "因学致贫"), "disaster": ("因灾",),
          "land": ("缺土地",), "water": ("缺水",), "skills": ("缺技术",), "labor": ("缺劳力", "缺劳动力"), "capital": ("缺资金",),
          "transport": ("交通条件落后",), "motivation": ("自身发展动力不足",), "other": ("其他", "其它")}  # fmt: skip
CAUSE_SHARES = {"illness": 6, "disability": 3, "schooling": 3, "labor": 3, "skills": 2, "capital": 2, "disaster": 1,
                "land": 1, "water": 1, "transport": 1, "motivation": 1, "other": 1}  # fmt: skip
STATUS_2016 = {"poor": ("未脱贫",), "exited": ("已脱贫（享受政策）", "已脱贫(享受政策)"), "pre_exit": ("预脱贫",),
               "exited_stable": ("已脱贫(不再享受政策)", "已脱贫（不再享受政策）"), "returned": ("返贫",)}  # fmt: skip
MONITOR_TYPES = {"脱贫不稳定户": "unstable", "边缘易致贫户": "marginal", "突发严重困难户": "sudden"}
METHODS = {"帮扶消除": "assisted", "自然消除": "natural"}
RISKS = ("因病", "因残", "因学", "因自然灾害", "缺劳动力", "因务工就业不稳", "因安全住房", "因安全饮水")
HEALTH = {"健康": 60, "长期慢性病": 12, "患有大病": 5, "残疾": 6, "长期慢性病,残疾": 3, "残疾,患有大病": 2}
WORK_2016 = ("乡（镇）内务工", "乡(镇)内务工", "乡(镇)外县内务工", "乡（镇）外县内务工", "县外省内务工", "省外务工")
EDUCATION = {2016: ("文盲或半文盲", "小学", "初中", "高中", "大专及以上", "大专及以上"),
             2019: ("文盲或半文盲", "小学", "初中", "高中", "大专", "本科及以上")}  # fmt: skip
# 在校生状况 by age
GRADES = {2016: ("非在校生",) * 3 + ("学前教育",) * 3 + ("小学",) * 6 + ("七年级", "八年级", "九年级", "高中一年级",
                                                                    "高中二年级", "高中三年级"),
          2019: ("学龄前儿童",) * 3 + ("学前教育",) * 3 + ("小学",) * 6 + ("七年级", "八年级", "九年级", "普通高中一年级",
                                                                      "普通高中二年级", "中职三年级")}  # fmt: skip
LOW_INCOME_YES = ("农村低保", "城市低保")
EXTREME_YES = ("农村特困", "城市特困")


@dataclass
class Person:
    name: str
    relation: str  # 与户主关系 as written
    born: dt.date
    male: bool
    id_number: str
    number: str  # 人编号 / 人口编号
    level: int  # schooling reached: 0 文盲或半文盲 … 5 本科及以上
    ethnicity: str
    health: str
    labor: str
    work: str  # 务工状况 in the 2016 labels; "" no migrant work
    work_months: int
    phone: str
    low_income: str = ""  # 享受低保政策情况
    extreme: str = ""  # 享受特困供养政策情况
    cells: dict = field(default_factory=dict)  # the person's row as written


class Episode(NamedTuple):
    kind: str  # 监测对象类别
    since: dt.date  # the month identified (day 1)
    until: dt.date | None  # the month the risk was eliminated; None: still monitored
    method: str  # 风险消除方式, blank while monitored
    risks: tuple[str, ...]


@dataclass
class Family:
    number: str
    township: str
    village: str
    hamlet: str
    members: list[Person]
    status: str | None  # the stored status expected; None: an ordinary household (一般农户)
    attribute: str  # general / low_income / extreme, whether a layout writes it or not
    cause: str
    income: float
    phone: str
    identified: int
    exited: int | None
    episode: Episode | None = None
    cells: dict = field(default_factory=dict)  # the household's cells as written

    def derived_attribute(self) -> str:
        """What the 低保 / 特困 cells of its members say: any 特困 → extreme, else any 低保 → low_income."""
        if any(p.extreme in EXTREME_YES for p in self.members):
            return "extreme"
        return "low_income" if any(p.low_income in LOW_INCOME_YES for p in self.members) else "general"


@dataclass
class Roster:
    """A written fixture and what importing it into an empty database must give."""

    path: Path
    header_row: int
    families: list[Family]
    households: int
    persons: int
    by_status: dict[str, int]
    by_attribute: dict[str, int]
    by_cause: dict[str, int]
    monitored: int  # households whose monitoring is still open (risk not eliminated): `monitored_households`
    monitor_types: dict[str, int]  # every monitoring episode by type
    unknown: dict[int, str]  # Excel row → header of a value written outside its code list on purpose


def _picker():
    """Each option in turn (per set of options), so that every variant of a label is written at least once."""
    cycles: dict[tuple, itertools.cycle] = {}
    return lambda *options: next(cycles.setdefault(options, itertools.cycle(options)))


def _deal(rng: random.Random, n: int, shares: dict[str, int]) -> list[str]:
    """n codes in proportion to their shares, each at least once, shuffled."""
    total = sum(shares.values())
    dealt = [code for code, share in shares.items() for _ in range(max(1, n * share // total))]
    dealt += [next(iter(shares))] * (n - len(dealt))
    rng.shuffle(dealt)
    return dealt


def _id_number(rng: random.Random, born: dt.date, male: bool, used: set[str]) -> str:
    while True:
        body = f"{REGION}{born:%Y%m%d}{rng.randrange(1 if male else 0, 1000, 2):03d}"  # an odd sequence: a man
        if body not in used:
            used.add(body)
            return body + ric.calc_check_digit(body + "0")


def _relatives(rng: random.Random, year: int, siblings: bool) -> list[tuple[str, int, bool]]:
    """(与户主关系, birth year, male) of one family, head first, ages consistent with the relations."""
    head, male = year - rng.randint(26, 78), rng.random() < 0.85
    people = [("户主", head, male)]
    if rng.random() < 0.75:
        people.append(("配偶", head + rng.randint(-4, 4), not male))
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        born, son = head + rng.randint(20, 36), rng.random() < 0.5
        if born < year:
            people.append(("之子" if son else "之女", born, son))
    sons = [born for relation, born, _ in people if relation == "之子" and born <= year - 24]
    if sons and rng.random() < 0.6:
        people.append(("之儿媳", sons[0] + rng.randint(-2, 3), False))
        for _ in range(rng.choice((1, 2))):
            born, boy = sons[0] + rng.randint(22, 30), rng.random() < 0.5
            if born < year:
                people.append(("之孙子" if boy else "之孙女", born, boy))
    if head >= year - 50 and rng.random() < 0.3:
        father = rng.random() < 0.5
        people.append(("之父" if father else "之母", head - rng.randint(22, 32), father))
    if siblings and rng.random() < 0.15:
        people.append(("之兄弟姐妹", head + rng.randint(-6, 6), rng.random() < 0.5))
    return people


def _person(rng: random.Random, relative: tuple[str, int, bool], year: int, number: str, surname: str,
            used: set[str]) -> Person:  # fmt: skip
    relation, born_year, male = relative
    born, age = dt.date(born_year, 1, 1) + dt.timedelta(days=rng.randrange(365)), year - born_year
    kin = relation in ("户主", "之子", "之女", "之孙子", "之孙女", "之父", "之兄弟姐妹")
    name = (surname if kin else rng.choice(SURNAMES)) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
    weights = (30, 50, 15, 5, 0, 0) if born_year < 1960 else (4, 30, 45, 15, 3, 3) if born_year < 1980 else \
        (1, 8, 40, 25, 14, 12)  # fmt: skip
    health = "健康" if age < 16 and rng.random() < 0.95 else rng.choices(list(HEALTH), list(HEALTH.values()))[0]
    if age < 16:
        labor = "无劳动力"
    elif "大病" in health or ("残疾" in health and age > 50):
        labor = rng.choice(("丧失劳动力", "弱劳动力或半劳动力"))
    elif age >= 65:
        labor = rng.choice(("弱劳动力或半劳动力", "丧失劳动力", "无劳动力"))
    else:
        labor = rng.choices(("普通劳动力", "技能劳动力", "弱劳动力或半劳动力"), (6, 2, 2))[0]
    working = 16 <= age <= 55 and labor in ("普通劳动力", "技能劳动力") and rng.random() < 0.6
    phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if age >= 18 and rng.random() < 0.5 else ""
    return Person(name, relation, born, male, _id_number(rng, born, male, used), number,
                  rng.choices(range(6), weights)[0], rng.choices(("土家族", "苗族", "汉族"), (5, 2, 3))[0], health,
                  labor, rng.choice(WORK_2016) if working else "", rng.randint(3, 12) if working else 0, phone)  # fmt: skip


def _draw(rng: random.Random, n: int, year: int, statuses: dict[str, int], *, siblings: bool = False) -> list[Family]:
    """n families of `year` in 3 villages of 2 townships; the status "ordinary" means 一般农户 (stored as None)."""
    used: set[str] = set()
    pick = _picker()
    families = []
    dealt = zip(_deal(rng, n, statuses), _deal(rng, n, {"general": 6, "low_income": 3, "extreme": 1}),
                _deal(rng, n, CAUSE_SHARES), strict=True)  # fmt: skip
    for i, (status, attribute, cause) in enumerate(dealt):
        v = rng.randrange(3)
        township, village, hamlets = VILLAGES[v]
        number, surname = f"{REGION}{v // 2 + 1:03d}{v + 1:03d}{i + 1:06d}", rng.choice(SURNAMES)
        members = [_person(rng, relative, year, f"{number}{j + 1:02d}", surname, used)
                   for j, relative in enumerate(_relatives(rng, year, siblings))]  # fmt: skip
        for p in members:
            p.low_income, p.extreme = pick("未享受", "", "未享受"), pick("不享受", "未享受", "")
        if attribute == "extreme":
            rng.choice(members).extreme = pick(*EXTREME_YES, "农村特困")
        if attribute == "low_income" or (attribute == "extreme" and len(members) > 1):
            rng.choice(members).low_income = pick(*LOW_INCOME_YES, "农村低保")
        identified = rng.randint(2014, 2016)
        exited = rng.randint(identified + 1, min(year, 2020)) if status in ("exited", "exited_stable", "returned") \
            else None  # fmt: skip
        families.append(Family(number, township, village, rng.choice(hamlets), members,
                               None if status == "ordinary" else status, attribute, cause,
                               round(rng.uniform(3200, 12800), 2), f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                               identified, exited))  # fmt: skip
    return families


def _monitor(rng: random.Random, families: list[Family], first: dt.date, last: dt.date, share: float) -> None:
    """Monitoring episodes identified between `first` and `last`, 40 % eliminated since: one for every ordinary
    household (that is why it is on the list) and for `share` of the exited ones."""
    pick = _picker()
    lo, hi = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    month = lambda i: dt.date(i // 12, i % 12 + 1, 1)  # noqa: E731
    for f in families:
        if f.status is not None and rng.random() >= share:
            continue
        kind = pick("脱贫不稳定户", "脱贫不稳定户", "突发严重困难户") if f.status else \
            pick("边缘易致贫户", "边缘易致贫户", "突发严重困难户")  # fmt: skip
        since = rng.randint(lo, hi - 2)
        until = rng.randint(since + 1, hi) if rng.random() < 0.4 else None
        f.episode = Episode(kind, month(since), None if until is None else month(until),
                            "" if until is None else pick(*METHODS), tuple(rng.sample(RISKS, rng.choice((1, 1, 2, 3)))))  # fmt: skip


def _schooling(p: Person, year: int, edition: int) -> tuple[str, str]:
    """(文化程度, 在校生状况): in 2016 both are filled (非在校生 for adults); from 2019 exactly one is."""
    age = year - p.born.year
    if age <= 17 and edition == 2016:
        return "学龄前儿童" if age < 6 else "小学" if age <= 14 else "初中", GRADES[2016][age]
    if age <= 17:
        return "", GRADES[2019][age]
    if age <= 21 and p.level >= 4:
        return ("高中", "大专及以上") if edition == 2016 else ("", f"本科{'一二三四'[age - 18]}年级")
    return EDUCATION[edition][p.level], "非在校生" if edition == 2016 else ""


def _place(f: Family) -> dict:
    return {"县(市、区、旗)": COUNTY, "乡(镇)": f.township, "行政村": f.village, "自然村": f.hamlet, "户编号": f.number,
            "县": COUNTY, "乡": f.township, "村": f.village, "户联系电话": f.phone, "联系电话": f.phone}  # fmt: skip


def _person_2016(p: Person, year: int, edition: int) -> dict:
    education, school = _schooling(p, year, edition)
    return {"人编号": p.number, "姓名": p.name, "证件号码": p.id_number, "与户主关系": p.relation, "民族": p.ethnicity,
            "文化程度": education or None, "在校生状况": school or None, "健康状况": p.health, "劳动技能": p.labor,
            "务工状况": p.work or None, "务工时间（月）": p.work_months or None, "人联系电话": p.phone or None}  # fmt: skip


def _person_2021(p: Person, year: int) -> dict:
    place = "" if not p.work else "浙江省宁波市鄞州区" if p.work == "省外务工" else "湖南省长沙市岳麓区" if \
        p.work.startswith("县外") else "湖南省龙山县" if "外县内" in p.work else "湖南省龙山县里耶镇"  # fmt: skip
    return {**_person_2016(p, year, 2019), "人口编号": p.number, "性别": "男" if p.male else "女",
            "出生日期": f"{p.born:%Y%m%d}", "务工所在地": place or None, "享受低保政策情况": p.low_income or None,
            "享受特困供养政策情况": p.extreme or None, "家庭成员联系电话": p.phone or None,
            "证件类型": "居民身份证（户口簿）", "残疾类别": "肢体残疾" if "残疾" in p.health else None}  # fmt: skip


class _Sheet:
    """One worksheet: title/info rows merged across the sheet, the header under them, then one row per person."""

    def __init__(self, name: str, top: list[str], headers: list[str]) -> None:
        self.book = openpyxl.Workbook()
        self.ws = self.book.active
        self.ws.title = name
        self.headers = headers
        self.col = {h: i + 1 for i, h in reversed(list(enumerate(headers)))}  # a repeated header: its first column
        for text in top:
            self.ws.append([text])
            row = self.ws.max_row
            self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(headers))
        self.ws.append(headers)
        self.header_row = self.ws.max_row
        self.results: dict[str, object] = {}  # formula cell → the result Excel saved with it
        self.rows: dict[str, int] = {}
        self.spans: dict[str, tuple[int, int]] = {}  # household number → its first and last Excel row

    def family(self, f: Family, household: dict, persons: list[dict]) -> None:
        """One family's rows: the household cells repeated on every member's row, as the national system does."""
        f.cells = household
        for p, cells in zip(f.members, persons, strict=True):
            p.cells = cells = {"序号": len(self.rows) + 1, **household, **cells}
            self.ws.append([cells.get(h) for h in self.headers])
            self.rows[p.id_number] = row = self.ws.max_row
            self.spans[f.number] = (self.spans.get(f.number, (row,))[0], row)

    def tail(self, total: dict[str, object]) -> None:
        """A bordered blank row with a stray space in it, and the 合计 row clerks add under the table."""
        blank, thin = self.ws.max_row + 1, Side(style="thin")
        for c in range(1, len(self.headers) + 1):
            self.ws.cell(blank, c).border = Border(top=thin, bottom=thin, left=thin, right=thin)
        self.ws.cell(blank, 1).value = " "
        self.ws.append([total.get(h) for h in self.headers])

    def save(self, path: Path) -> Path:
        self.book.save(path)
        if self.results:  # openpyxl saves formulas without their result; Excel saves both
            with zipfile.ZipFile(path) as zf:
                parts = [(info, zf.read(info.filename)) for info in zf.infolist()]
            pattern = re.compile(rb'(<c r="([A-Z]+[0-9]+)"[^>]*><f>[^<]*</f>)<v></v>')
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                for info, data in parts:
                    if info.filename == "xl/worksheets/sheet1.xml":
                        data, filled = pattern.subn(lambda m: m[1] + b"<v>%d</v>" % self.results[m[2].decode()], data)
                        assert filled == len(self.results)
                    zf.writestr(info, data)
        return path


def _roster(sheet: _Sheet, path: Path, families: list[Family], *, attributes: str, causes: bool,
            unknown: dict[int, str] | None = None) -> Roster:  # fmt: skip
    """`attributes`: "written" (a 贫困户属性 column), "derived" (from 低保/特困 per person, for registered
    households only: an ordinary household has no poverty attribute) or "none"."""
    registered = [f for f in families if f.status is not None]
    by_attribute = Counter(f.attribute for f in families) if attributes == "written" else \
        Counter(f.derived_attribute() for f in registered) if attributes == "derived" else Counter()  # fmt: skip
    episodes = [f.episode for f in families if f.episode]
    return Roster(sheet.save(path), sheet.header_row, families, len(families),
                  sum(len(f.members) for f in families), dict(Counter(f.status for f in registered)),
                  dict(by_attribute), dict(Counter(f.cause for f in registered if causes)),
                  sum(1 for e in episodes if e.until is None), dict(Counter(MONITOR_TYPES[e.kind] for e in episodes)),
                  unknown or {})  # fmt: skip


# -- the layouts ---------------------------------------------------------------------------------------------------
E2016 = ("序号 县(市、区、旗) 乡(镇) 行政村 自然村 户编号 人编号 姓名 证件号码 人数 与户主关系 民族 文化程度 在校生状况 健康状况 "
         "劳动技能 务工状况 务工时间（月） 参加大病医疗 脱贫属性 脱贫年度 贫困户属性 主要致贫原因 危房户 饮水安全 饮水困难 人均纯收入 "
         "联系电话").split()  # fmt: skip
COUNTY_2020 = [{"主要致贫原因": "致贫原因1", "饮水安全": "是否解决安全饮用水"}.get(h, h) for h in E2016 if h != "饮水困难"] \
    + ["贫困人员识别时间", "首次识别时间", "特殊人群标识"]  # fmt: skip
BANK_2022 = ("数据日期 县(市、区、旗) 乡(镇) 行政村 自然村 户编号 人编号 姓名 证件号码 人数 与户主关系 民族 文化程度 在校生状况 "
             "健康状况 劳动技能 务工时间（月） 是否参加大病保险 致贫原因1 危房户 是否解决安全饮用水 人均纯收入 户联系电话 人联系电话 "
             "首次识别时间 人员识别时间 户类型 易返贫致贫户(监测对象)类型 风险是否消除 风险识别时间 风险消除时间").split()  # fmt: skip
_MONITORED_HOUSEHOLD = (
    "序号 省 市 县 乡 村 户编号 户籍所在地 户联系电话 户类型 监测对象类别 是否军烈属 家庭人口数 户籍人口数 常住人口数 脱贫年度 "
    "是否易地扶贫搬迁户 是否有安全住房 是否享受生态护林员岗位 生态护林员年补助金 易地扶贫搬迁安置方式 是否加入农民专业合作社 "
    "是否有龙头企业带动 是否有创业致富带头人带动").split()  # fmt: skip
_MONITORED_PERSON = (
    "人口编号 姓名 证件类型 证件号码 性别 出生日期 民族 政治面貌 与户主关系 文化程度 在校生状况 义务教育阶段未上学原因 健康状况 "
    "残疾类别 残疾等级 残疾证办证年度 劳动技能 是否会讲普通话 是否现役军人 务工所在地 务工时间（月） 务工企业名称 "
    "就业渠道（易地搬迁后扶使用） 公益性岗位 公益性岗位(月数) 是否参加城乡居民基本医疗保险 是否参加城镇职工基本医疗保险 是否参加大病保险 "
    "是否参加城乡居民基本养老保险 是否参加城镇职工基本养老保险 是否参加商业补充医疗保险 是否享受人身意外保险补贴 是否接受医疗救助 "
    "是否接受其他健康扶贫 享受低保政策情况 享受特困供养政策情况 是否享受残疾人补贴 是否享受高龄补贴 是否享受困难残疾人生活补贴 "
    "是否享受重度残疾人护理补贴 是否事实无人抚养儿童 是否参加技能培训 技能培训类型 是否享受雨露计划 是否享受教育资助 是否在帮扶车间就业 "
    "是否享受务工交通补贴 是否享受稳岗补贴 大专或本科毕业生未就业原因 家庭成员联系电话 人员状态").split()  # fmt: skip
_MONITORED_CONDITIONS = (
    "是否危房户 住房面积（平方米） 是否解决安全饮用水 是否有卫生厕所 入户路类型 与村主干路距离（公里） 主要燃料类型 是否通生活用电 "
    "是否通生产用电 是否通广播电视 是否义务教育阶段适龄儿童少年失学辍学 是否有家庭成员未参加城乡居民（职工）基本医疗保险 耕地面积（亩） "
    "有效灌溉面积（亩） 林地面积（亩） 退耕还林面积（亩） 林果面积（亩） 牧草地面积（亩） 水面面积（亩） 人均纯收入（元） 家庭纯收入（元） "
    "工资性收入 生产经营性收入 财产性收入 转移性收入 其中：计划生育金 其中：低保金 其中：特困供养金 其中：养老保险金 其中：生态补偿金 "
    "其中：其他转移性收入 生产经营性支出 合规自付支出 理赔收入 小额信贷金额 是否享受危房改造 是否享受光伏收益 是否纳入防止返贫保险 "
    "是否有创业意愿 是否享受易地搬迁后扶 整户无劳动能力兜底保障户 实施开发式帮扶措施情况 产业帮扶 就业帮扶 金融帮扶 公益岗位帮扶 "
    "住房安全保障 饮水安全保障 健康帮扶 义务教育保障 教育帮扶 综合保障 社会帮扶 搬迁 生产生活条件改善 基础设施建设 风险是否已消除 "
    "风险消除方式 识别监测时间 消除监测时间 风险消除后是否住房损毁 风险消除后是否饮水设施损毁 是否返贫致贫").split()  # fmt: skip
_MONTHS = [f"{m}月是否务工" for m in range(1, 13)] + [f"{m}月务工收入（元）" for m in range(1, 13)]
_RISK_COLUMNS = [f"致贫/返贫风险{i}" for i in range(1, 6)] + ["因自然灾害子项", "因自然灾害备注", "风险是否已消除"]
MONITORING_2021 = _MONITORED_HOUSEHOLD + _MONITORED_PERSON + _MONITORED_CONDITIONS + _MONTHS + _RISK_COLUMNS
EXITED_2023 = ("序号 县 乡 村 户编号 户类型 脱贫年度 户联系电话 家庭人口数 人均纯收入（元） 人口编号 姓名 证件类型 证件号码 性别 出生日期 "
               "民族 与户主关系 文化程度 在校生状况 健康状况 劳动技能 务工所在地 务工时间（月） 享受低保政策情况 享受特困供养政策情况 "
               "家庭成员联系电话").split()  # fmt: skip
EXITED_2019 = ("县(市、区、旗) 乡(镇) 行政村 户编号 人编号 姓名 证件号码 人数 与户主关系 民族 健康状况 劳动技能 脱贫属性 脱贫年度 "
               "是否享受低保 是否特困供养人员 联系电话").split()  # fmt: skip


def _filler(rng: random.Random, header: str) -> object:
    """A plausible value for a column PovDesk does not model: 是/否, an amount, or a short text."""
    if "面积" in header or "距离" in header or header.endswith(("金", "收入", "收入（元）", "支出", "金额")):
        return round(rng.uniform(0, 3000), 1)
    yes_no = header.startswith(("是否", "风险消除后")) or header.endswith(("是否务工", "兜底保障户"))
    return rng.choice(("否", "否", "是") if yes_no else ("", "已实施", "未享受")) or None


def build_e2016(folder: Path) -> Roster:
    """The E2016 国办 "贫困户数据" person export of 2018, and what clerks do to it."""
    rng, pick = random.Random(2025), _picker()
    families = _draw(rng, 60, 2018, {"poor": 3, "exited": 5, "exited_stable": 2, "pre_exit": 1, "returned": 1})
    sheet = _Sheet("贫困户数据", ["贫困户数据", "统计范围：龙山县 数据截止：2018年12月31日"], E2016)
    odd = next(p for f in families[5:] for p in f.members if p.work)
    odd.work = UNKNOWN_WORK
    spaced = next(p for f in families for p in f.members if p.relation == "配偶")
    for k, f in enumerate(families):
        labels = {"general": ("一般贫困户", "一般农户") if f.status in ("exited", "exited_stable") else ("一般贫困户",),
                  "low_income": ("低保贫困户", "低保户"), "extreme": ("五保户", "五保贫困户")}  # fmt: skip
        household = {**_place(f), "人数": str(len(f.members)) if k % 3 == 0 else len(f.members), "脱贫年度": f.exited,
                     "脱贫属性": pick(*STATUS_2016[f.status]), "贫困户属性": pick(*labels[f.attribute]),
                     "主要致贫原因": pick(*CAUSES[f.cause]), "危房户": pick("否", "否", "是"), "饮水安全": pick("是", "是", "否"),
                     "饮水困难": pick("否", "否", "是"), "人均纯收入": f"{f.income:.2f}" if k % 4 == 0 else f.income}  # fmt: skip
        sheet.family(f, household, [{**_person_2016(p, 2018, 2016), "参加大病医疗": pick("是", "是", "否"),
                                     "与户主关系": p.relation + (" " if p is spaced else ""),
                                     "务工时间（月）": str(p.work_months) if p.work_months % 2 else p.work_months or None}
                                    for p in f.members])  # fmt: skip
    # one household's cells merged over its rows (a roster tidied for printing), another's 人数 counted by a formula
    merged = next(f for f in families[10:] if len(f.members) >= 3 and odd not in f.members)
    first, last = sheet.spans[merged.number]
    for col in [sheet.col[h] for h in E2016 if h in merged.cells]:
        sheet.ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
    counted = next(f for f in families[20:] if len(f.members) >= 2 and f is not merged)
    first, last = sheet.spans[counted.number]
    names = get_column_letter(sheet.col["姓名"])
    for row in range(first, last + 1):
        cell = sheet.ws.cell(row, sheet.col["人数"], f"=COUNTA({names}{first}:{names}{last})")
        sheet.results[cell.coordinate] = len(counted.members)
    sheet.tail({"序号": "合计", "户编号": f"{len(families)}户", "人数": sum(len(f.members) for f in families)})
    return _roster(sheet, folder / "贫困户数据.xlsx", families, attributes="written", causes=True,
                   unknown={sheet.rows[odd.id_number]: "务工状况"})  # fmt: skip


def build_county_2020(folder: Path) -> Roster:
    """A 2020 county export: 致贫原因1, 首次识别时间 `2013年12月`, 是否解决安全饮用水, the 2019–20 attribute labels."""
    rng, pick = random.Random(2020), _picker()
    families = _draw(rng, 50, 2020, {"exited": 6, "exited_stable": 2, "poor": 2})
    for f in [f for f in families if f.status == "poor"][:2]:
        f.attribute = "extreme"  # 特困供养贫困户 and 低保特困供养贫困户: extreme, as any 特困 member makes a household
    unstated = [f for f in families if f.status == "exited"][:2]  # 脱贫属性 blank: 一般脱贫户 … says it
    sheet = _Sheet("Sheet1", ["龙山县建档立卡贫困人口信息", "统计范围：龙山县 数据截止：2020年12月31日"], COUNTY_2020)
    for f in families:
        poor = f.status == "poor"
        attribute = {"general": ("一般贫困户",) if poor else ("一般脱贫户",), "low_income": ("低保贫困户" if poor else "低保脱贫户",),
                     "extreme": ("特困供养贫困户", "低保特困供养贫困户") if poor else ("特困供养脱贫户",)}[f.attribute]  # fmt: skip
        identified = f"{f.identified - 1}年12月"
        household = {**_place(f), "人数": str(len(f.members)), "脱贫年度": f.exited, "致贫原因1": pick(*CAUSES[f.cause]),
                     "脱贫属性": None if f in unstated else pick(*STATUS_2016[f.status]), "危房户": "否",
                     "是否解决安全饮用水": "是", "人均纯收入": f.income, "首次识别时间": identified}  # fmt: skip
        household["贫困户属性"] = household["特殊人群标识"] = pick(*attribute)
        sheet.family(f, household, [{**_person_2016(p, 2020, 2019), "参加大病医疗": "是", "贫困人员识别时间": identified}
                                    for p in f.members])  # fmt: skip
    return _roster(sheet, folder / "2020年贫困人口.xlsx", families, attributes="written", causes=True)


def build_lists_2022(folder: Path) -> Roster:
    """A 2022 bank list of exited and of marginal people: 户类型 and monitoring columns, no 贫困户属性, no 脱贫属性."""
    rng, pick = random.Random(2022), _picker()
    families = _draw(rng, 50, 2022, {"exited": 7, "ordinary": 3})
    _monitor(rng, families, dt.date(2021, 1, 1), dt.date(2022, 6, 1), 0.3)
    sheet = _Sheet("名单", ["龙山县脱贫人口和防止返贫监测对象名单"], BANK_2022)
    for f in families:
        e, exited = f.episode, f.status is not None
        month = lambda d: d and d.strftime(pick("%Y%m", "%Y年%m月"))  # noqa: E731
        identified = f"{f.identified - 1}年12月" if exited else None
        household = {**_place(f), "数据日期": dt.date(2022, 6, 30), "人数": len(f.members), "危房户": "否",
                     "致贫原因1": pick(*CAUSES[f.cause]) if exited else None, "是否解决安全饮用水": "是",
                     "人均纯收入": f.income, "首次识别时间": identified, "户类型": "脱贫户" if exited else "一般农户",
                     "易返贫致贫户(监测对象)类型": e and e.kind, "风险是否消除": e and ("否" if e.until is None else "是"),
                     "风险识别时间": e and month(e.since), "风险消除时间": e and month(e.until)}  # fmt: skip
        sheet.family(f, household, [{**_person_2016(p, 2022, 2019), "是否参加大病保险": "是", "人员识别时间": identified}
                                    for p in f.members])  # fmt: skip
    return _roster(sheet, folder / "脱贫人口和监测对象名单.xlsx", families, attributes="none", causes=True)


def build_monitoring_2021(folder: Path) -> Roster:
    """The E2021 `（自定义）监测对象信息` export: 170 columns, the header on row 3, every household monitored."""
    rng, pick = random.Random(2023), _picker()
    families = _draw(rng, 45, 2023, {"exited": 5, "ordinary": 5}, siblings=True)
    _monitor(rng, families, dt.date(2021, 3, 1), dt.date(2023, 4, 1), 1.0)
    sheet = _Sheet("Sheet1", ["（自定义）监测对象信息", "导出时间：2023-05-10 09:30:12 导出范围：湖南省湘西土家族苗族自治州龙山县"],
                   MONITORING_2021)  # fmt: skip
    for f in families:
        e, size = f.episode, len(f.members)
        since = {"text": f"{e.since:%Y%m}", "int": int(f"{e.since:%Y%m}"), "float": float(f"{e.since:%Y%m}")}
        household = {**_place(f), "省": "湖南省", "市": "湘西土家族苗族自治州", "户籍所在地": "湖南省龙山县",
                     "户类型": "脱贫户" if f.status else "一般农户", "监测对象类别": e.kind,
                     "家庭人口数": size, "户籍人口数": size, "常住人口数": size, "脱贫年度": f.exited,
                     "人均纯收入（元）": f.income, "家庭纯收入（元）": round(f.income * size, 2),
                     "风险是否已消除": "否" if e.until is None else "是", "风险消除方式": e.method or None,
                     "识别监测时间": since[pick("text", "int", "float")],
                     "消除监测时间": e.until and (f"{e.until:%Y%m}" if pick(0, 1) else int(f"{e.until:%Y%m}")),
                     "因自然灾害子项": "洪涝灾害" if "因自然灾害" in e.risks else None,
                     **{f"致贫/返贫风险{i}": risk for i, risk in enumerate(e.risks, start=1)}}  # fmt: skip
        household.update({h: _filler(rng, h) for h in _MONITORED_HOUSEHOLD[1:] + _MONITORED_CONDITIONS
                          if h not in household})  # fmt: skip
        sheet.family(f, household, [{**{h: _filler(rng, h) for h in _MONITORED_PERSON + _MONTHS}, **_person_2021(p, 2023),
                                     "政治面貌": pick(*("群众",) * 6, "中共党员", "共青团员"), "人员状态": "正常"}
                                    for p in f.members])  # fmt: skip
    return _roster(sheet, folder / "（自定义）监测对象信息.xlsx", families, attributes="derived", causes=False)


def build_exited_support(folder: Path) -> Roster:
    """An E2021 脱贫户信息 list: 享受低保政策情况 / 享受特困供养政策情况 per person, no 贫困户属性."""
    families = _draw(random.Random(2024), 45, 2023, {"exited": 4, "exited_stable": 1})
    sheet = _Sheet("脱贫户信息", ["脱贫户信息", "导出时间：2023-06-30 10:12:45 导出范围：龙山县"], EXITED_2023)
    for f in families:
        household = {**_place(f), "户类型": "脱贫户" if f.status == "exited" else "脱贫不享受政策户", "脱贫年度": f.exited,
                     "家庭人口数": len(f.members), "人均纯收入（元）": f.income}  # fmt: skip
        sheet.family(f, household, [_person_2021(p, 2023) for p in f.members])
    return _roster(sheet, folder / "脱贫户信息_20230630.xlsx", families, attributes="derived", causes=False)


def build_exited_yes_no(folder: Path) -> Roster:
    """A 2019 脱贫人口 list with 是否享受低保 / 是否特困供养人员 (是/否) per person, its header on the first row."""
    rng, pick = random.Random(2019), _picker()
    families = _draw(rng, 40, 2019, {"exited": 4, "exited_stable": 1})
    sheet = _Sheet("脱贫人口", [], EXITED_2019)
    for f in families:
        household = {**_place(f), "人数": len(f.members), "脱贫属性": pick(*STATUS_2016[f.status]),
                     "脱贫年度": f.exited}  # fmt: skip
        sheet.family(f, household, [{**_person_2016(p, 2019, 2019), "是否特困供养人员": "是" if p.extreme in EXTREME_YES
                                     else "否", "是否享受低保": "是" if p.low_income in LOW_INCOME_YES else "否"}
                                    for p in f.members])  # fmt: skip
    return _roster(sheet, folder / "脱贫人口名单.xlsx", families, attributes="derived", causes=False)


BUILDERS = {"e2016": build_e2016, "county_2020": build_county_2020, "lists_2022": build_lists_2022,
            "monitoring_2021": build_monitoring_2021, "exited_support": build_exited_support,
            "exited_yes_no": build_exited_yes_no}  # fmt: skip
