"""A realistic synthetic county for demonstrations, tests and benchmarks; reproducible for a seed on any database."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from povdesk import codes, idnumber
from povdesk.alerts import NATIONAL_POVERTY_LINE
from povdesk.bulk import bulk_insert, indexes_built_after, no_gc_passes
from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.model import (
    Area,
    AreaPopulation,
    Cadre,
    ChangeLog,
    HelpingUnit,
    Household,
    HouseholdYear,
    Member,
    MonitoredHousehold,
    MonitoringLine,
    Pairing,
    UnitVillage,
    WorkTeam,
    WorkTeamMember,
)
from povdesk.names import pinyin_keys
from povdesk.pairing import schemes, solver
from povdesk.progress import Progress
from povdesk.wallchart import summary

COUNTY_NAME = "云岭县"
COUNTY_CODE = "532930"
CADRE_REGION = "532901"  # cadres' ID numbers: the prefecture's seat; sequence numbers from their ids, never shared  # an existing region code, so generated ID numbers are valid with a known region
DATA_YEARS = (2018, 2019, 2020)
MONITORING_LINE = {2021: 6000, 2022: 6500, 2023: 7000, 2024: 7300, 2025: 7600}
PAIRED_ON = dt.date(2021, 7, 1)  # the demo's pairings start the day its work teams arrived
REFERENCE_DATE = dt.date(2025, 6, 30)  # ages are computed against this, never against today
CHUNK = 4000

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN_MALE = "建国华明伟强军平志勇刚德文辉永海成林春生福荣兴贵发祥山忠红光清金宝树云东学"
GIVEN_FEMALE = "秀英兰芳丽玉珍梅凤霞娟萍燕红桂琴莲花翠彩菊敏静婷艳晓雪春妹美仙芬月"
PLACE_SYLLABLES = "东西南北上下中新老大小河山石岩松柏桃李杏梨花竹溪泉水湖坪坝坡沟岭岗庄营寨屯湾塘田垭坎凤龙马牛羊鹿鹤云阳兴和安平丰乐宁福寿康永"

# distributions shaped after the seeds (Eryuan, Qingyang, Lanzhou reports)
STATUS_WEIGHTS = {"exited": 79, "exited_stable": 6, "pre_exit": 1, "poor": 11, "returned": 3}
ATTRIBUTE_WEIGHTS = {"general": 64, "low_income": 29, "extreme": 7}
CAUSE_WEIGHTS = {
    "illness": 24, "disability": 12, "schooling": 8, "disaster": 3, "land": 5, "water": 4, "skills": 14,
    "labor": 12, "capital": 11, "transport": 3, "motivation": 3, "marriage": 1, "funeral": 1, "other": 1,
}  # fmt: skip
RANK_WEIGHTS = {"county_leader": 1, "section": 9, "general": 52, "township": 30, "village": 8}
EXIT_YEAR_WEIGHTS = {2014: 6, 2015: 10, 2016: 16, 2017: 20, 2018: 20, 2019: 20, 2020: 8}
IDENT_YEAR_WEIGHTS = {2014: 70, 2015: 8, 2016: 7, 2017: 6, 2018: 5, 2019: 4}
HOUSEHOLD_SIZE_WEIGHTS = {1: 12, 2: 18, 3: 22, 4: 23, 5: 14, 6: 7, 7: 4}
ETHNICITY_WEIGHTS = {"01": 60, "14": 30, "07": 7, "04": 3}  # Han, Bai, Yi, Tibetan: as in Eryuan
# 健康状况 is multi-valued since 2018: a chronic illness and a disability together, for example
HEALTH_WEIGHTS = {"healthy": 78, "chronic": 11, "serious": 3, "disabled": 5, "chronic,disabled": 2}
EDUCATION_WEIGHTS = {"illiterate": 12, "primary": 34, "junior": 36, "senior": 12, "associate": 4, "bachelor": 2}
LABOR_WEIGHTS = {"ordinary": 50, "skilled": 22, "weak": 18, "lost": 10}
# 务工状况 of people of working age: a blank cell (no migrant work) or where they work
WORK_WEIGHTS = {None: 40, "in_township": 12, "out_township": 14, "in_province": 16, "out_province": 17, "other": 1}
# 在校生状况 by age, as the 2019+ list has it; 15–17 year-olds are at a 普通高中 or a 中职
SCHOOL_BY_AGE = {
    **dict.fromkeys(range(3), "pre_school_age"),
    **dict.fromkeys(range(3, 6), "preschool"),
    **dict.fromkeys(range(6, 12), "primary"),
    12: "grade7",
    13: "grade8",
    14: "grade9",
}


@cache
def _cumulative(weights: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [k for k, _ in weights], list(itertools.accumulate(w for _, w in weights))


def _pick(rng: random.Random, weights: dict) -> str:
    population, cumulative = _cumulative(tuple(weights.items()))
    return population[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


@dataclass
class _Ids:
    """Explicit primary keys, so the same seed gives the same rows on SQLite and PostgreSQL."""

    counters: dict[str, int] = field(default_factory=dict)

    def next(self, table: str) -> int:
        self.counters[table] = self.counters.get(table, 0) + 1
        return self.counters[table]


@dataclass
class _Village:
    id: int
    township_id: int
    group_ids: list[int]
    unit_id: int


class _Generator:
    def __init__(self, session: Session, households: int, seed: int, progress: Progress) -> None:
        self.s = session
        self.n = households
        self.rng = random.Random(seed)
        self.seed = seed
        self.random = self.rng.random
        self.progress = progress
        self.ids = _Ids()
        self.used_ids: dict[str, int] = {}  # birth date + sex parity → next sequence number
        self.cadre_ids: dict[dt.date, int] = {}
        self.used_place_names: set[str] = set()
        # The wall charts' figures (planned exit years, rural population) draw from a generator of their own, so that
        # a seed gives the households it gave before these existed.
        self.plan_rng = random.Random(seed * 7919 + 13)
        self.village_persons: dict[int, int] = {}

    # random.Random's choice/randint are exact but slow; these simple forms halve the generation time.
    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def randrange(self, stop: int) -> int:
        return int(self.random() * stop)

    def insert(self, model: type, rows: list[dict]) -> None:
        bulk_insert(self.s, model, rows)

    # -- names -------------------------------------------------------------------------------------------------
    def place_name(self, suffix: str) -> str:
        for _ in range(1000):
            name = "".join(self.rng.choices(PLACE_SYLLABLES, k=2)) + suffix
            if name not in self.used_place_names:
                self.used_place_names.add(name)
                return name
        name = f"{''.join(self.rng.choices(PLACE_SYLLABLES, k=3))}{suffix}"
        self.used_place_names.add(name)
        return name

    def person_name(self, sex: str, surname: str | None = None) -> str:
        given = GIVEN_MALE if sex == "male" else GIVEN_FEMALE
        surname = surname or self.choice(SURNAMES)
        return surname + "".join(self.choice(given) for _ in range(1 if self.random() < 0.25 else 2))

    def id_number(self, birth: dt.date, sex: str) -> str:
        key = f"{birth:%Y%m%d}{sex}"
        n = self.used_ids.get(key, 0)
        self.used_ids[key] = n + 1
        sequence = 2 * n + (1 if sex == "male" else 0)
        if sequence > 999:  # that birth date is full: take the next day
            return self.id_number(birth + dt.timedelta(days=1), sex)
        return idnumber.make(COUNTY_CODE, birth, sequence)

    def cadre_id_number(self, birth: dt.date, sex: str) -> str:
        """Cadres' own numbers (another region), so the households' numbers are the same as before cadres had any."""
        n = self.cadre_ids.get(birth, 0)
        self.cadre_ids[birth] = n + 1
        if n > 499:
            return self.cadre_id_number(birth + dt.timedelta(days=1), sex)
        return idnumber.make(CADRE_REGION, birth, 2 * n + (sex == "male"))

    def birth_date(self, age: int) -> dt.date:
        return REFERENCE_DATE - dt.timedelta(days=age * 365 + self.randrange(365))

    # -- areas, units, cadres -------------------------------------------------------------------------------------
    def insert_areas(self) -> tuple[int, list[_Village], dict[int, list[int]]]:
        # Eryuan: 4,290 households in 9 townships and 90 villages; a 120,000-household county has ~40 townships.
        n_villages = max(3, round(1.4 * self.n**0.5))
        n_townships = max(1, round(n_villages / 11))
        county_id = self.ids.next("area")
        rows = [dict(id=county_id, parent_id=None, level="county", code=COUNTY_CODE + "000000", name=COUNTY_NAME,
                     path=f"{county_id}/", sort_order=0, is_poor_village=False)]  # fmt: skip
        villages: list[_Village] = []
        township_ids = []
        for t in range(n_townships):
            tid = self.ids.next("area")
            township_ids.append(tid)
            suffix = "镇" if t % 3 == 0 else "乡"
            rows.append(dict(id=tid, parent_id=county_id, level="township", code=f"{COUNTY_CODE}{100 + t:03d}000",
                             name=self.place_name(suffix), path=f"{county_id}/{tid}/", sort_order=t,
                             is_poor_village=False))  # fmt: skip
        for v in range(n_villages):
            t = v * n_townships // n_villages
            tid = township_ids[t]
            vid = self.ids.next("area")
            poor = self.rng.random() < 0.35
            rows.append(dict(id=vid, parent_id=tid, level="village", code=f"{COUNTY_CODE}{100 + t:03d}{200 + v:03d}",
                             name=self.place_name("村"), path=f"{county_id}/{tid}/{vid}/", sort_order=v,
                             is_poor_village=poor, poor_village_exit_year=self.choice((2017, 2018, 2019)) if poor else None))  # fmt: skip
            groups = []
            for g in range(self.randint(4, 10)):
                gid = self.ids.next("area")
                groups.append(gid)
                rows.append(dict(id=gid, parent_id=vid, level="group", code=None, name=f"第{g + 1}村民小组",
                                 path=f"{county_id}/{tid}/{vid}/{gid}/", sort_order=g, is_poor_village=False))  # fmt: skip
            villages.append(_Village(vid, tid, groups, 0))
        self.insert(Area, rows)
        return county_id, villages, {tid: [] for tid in township_ids}

    def insert_units_and_cadres(self, villages: list[_Village], townships: dict[int, list[int]]) -> dict:
        """Units help about three villages each; cadres by rank; returns cadre pools per village and township."""
        units, unit_villages, cadres, teams, team_members = [], [], [], [], []
        pools: dict[str, dict[int, list[tuple[int, str]]]] = {"village": {}, "township": {}}
        n_units = max(1, len(villages) // 3)
        departments = ("局", "委", "办", "中心", "公司", "所")
        for u in range(n_units):
            uid = self.ids.next("helping_unit")
            units.append(
                dict(id=uid, name=f"县{self.place_name('')}{departments[u % len(departments)]}", kind="县直部门")
            )
        for i, village in enumerate(villages):
            village.unit_id = 1 + i % n_units
            unit_villages.append(dict(id=self.ids.next("unit_village"), unit_id=village.unit_id,
                                      village_id=village.id, start_on=dt.date(2016, 1, 1)))  # fmt: skip
        n_cadres = max(len(villages), round(self.n / 1.7))
        township_list = list(townships)
        ages = random.Random(self.seed)  # apart from self.rng: the households stay as they were before cadres had ages
        for _ in range(n_cadres):
            rank = _pick(self.rng, RANK_WEIGHTS)
            cid = self.ids.next("cadre")
            sex = "male" if self.rng.random() < 0.7 else "female"
            village = self.choice(villages)
            if rank == "township":
                home = self.choice(township_list)
                unit_id, pool = None, pools["township"].setdefault(home, [])
            else:
                home = village.id if rank == "village" else None
                unit_id, pool = village.unit_id, pools["village"].setdefault(village.id, [])
            pool.append((cid, rank))
            name = self.person_name(sex)
            birth = REFERENCE_DATE - dt.timedelta(days=ages.randint(24 * 365, 58 * 365))
            cadres.append(dict(id=cid, name=name, name_pinyin=pinyin_keys(name)[0], unit_id=unit_id, rank=rank,
                               phone=f"13{self.randrange(10**9):09d}", active=True, sex=sex, home_area_id=home,
                               id_number=self.cadre_id_number(birth, sex)))  # fmt: skip
        for village in villages:
            team_id = self.ids.next("work_team")
            teams.append(dict(id=team_id, village_id=village.id, unit_id=village.unit_id, start_on=dt.date(2021, 6, 1)))
            helpers = pools["village"].get(village.id) or pools["township"].get(village.township_id) or []
            if helpers:
                team_members.append(dict(id=self.ids.next("work_team_member"), team_id=team_id, cadre_id=helpers[0][0],
                                         role="first_secretary", start_on=dt.date(2021, 6, 1)))  # fmt: skip
        self.insert(HelpingUnit, units)
        self.insert(UnitVillage, unit_villages)
        self.insert(Cadre, cadres)
        self.insert(WorkTeam, teams)
        if team_members:
            self.insert(WorkTeamMember, team_members)
        return pools

    # -- households -------------------------------------------------------------------------------------------------
    def household_members(self, hid: int) -> list[dict]:
        rng = self.rng
        size = int(_pick(rng, HOUSEHOLD_SIZE_WEIGHTS))
        surname = self.choice(SURNAMES)
        head_sex = "male" if rng.random() < 0.85 else "female"
        head_age = self.randint(28, 82)
        people = [("head", head_sex, head_age, surname)]
        if size >= 2 and head_age < 78:
            people.append(("spouse", "female" if head_sex == "male" else "male", head_age + self.randint(-5, 3), None))
        while len(people) < size:
            kind = rng.random()
            if kind < 0.75 and head_age > 22:
                sex = self.choice(("male", "female"))
                child_age = max(0, head_age - self.randint(20, 35))
                people.append(
                    (
                        "son" if sex == "male" else "daughter",
                        sex,
                        child_age,
                        surname if sex == "male" or rng.random() < 0.7 else None,
                    )
                )
            elif head_age < 55:
                sex = self.choice(("male", "female"))
                people.append(
                    (
                        "father" if sex == "male" else "mother",
                        sex,
                        head_age + self.randint(22, 30),
                        surname if sex == "male" else None,
                    )
                )
            else:
                sex = self.choice(("male", "female"))
                people.append(("grandson" if sex == "male" else "granddaughter", sex, self.randint(0, 12), surname))
        rows = []
        for relation, sex, age, family_name in people:
            age = max(0, min(age, 99))
            birth = self.birth_date(age)
            name = self.person_name(sex, family_name)
            full, initials = pinyin_keys(name)
            education, school = self.schooling(age)
            work = _pick(rng, WORK_WEIGHTS) if 18 <= age <= 55 else None
            rows.append(dict(
                id=self.ids.next("member"), household_id=hid, id_number=self.id_number(birth, sex), name=name,
                name_pinyin=full, name_initials=initials, sex=sex, birth_date=birth, relation=relation,
                ethnicity=_pick(rng, ETHNICITY_WEIGHTS), education=education, school_status=school,
                health=_pick(rng, HEALTH_WEIGHTS) if age > 16 else "healthy",
                labor="none" if age < 16 or age > 70 else _pick(rng, LABOR_WEIGHTS),
                work_status=work, work_months=self.randint(3, 12) if work else None,
                medical_insurance=rng.random() < 0.99, serious_illness_insurance=rng.random() < 0.95,
                pension_insurance=age >= 16 and rng.random() < 0.9,
            ))  # fmt: skip
        return rows

    def schooling(self, age: int) -> tuple[str | None, str | None]:
        """文化程度 or 在校生状况, never both (the 2019+ rule): pupils by age, the others their highest level."""
        if age in SCHOOL_BY_AGE:
            return None, SCHOOL_BY_AGE[age]
        if age <= 17:
            return None, f"{'senior' if self.random() < 0.7 else 'vocational'}{age - 14}"
        if age <= 20 and self.random() < 0.15:
            return None, f"higher_voc{age - 17}"
        return _pick(self.rng, EDUCATION_WEIGHTS), None

    def household_rows(self, hid: int, village: _Village, members: list[dict]) -> tuple[dict, list, list, list]:
        rng = self.rng
        status = _pick(rng, STATUS_WEIGHTS)
        year_identified = int(_pick(rng, IDENT_YEAR_WEIGHTS))
        year_exited = None
        if status in (*codes.EXITED, "returned"):
            year_exited = max(year_identified, int(_pick(rng, EXIT_YEAR_WEIGHTS)))
        causes = rng.sample(list(CAUSE_WEIGHTS), k=3, counts=list(CAUSE_WEIGHTS.values()))
        causes = list(dict.fromkeys(causes))
        household = dict(
            id=hid, number=f"{COUNTY_CODE}{hid:010d}", village_id=village.id, group_id=self.choice(village.group_ids),
            phone=f"1{self.choice('3589')}{self.randrange(10**9):09d}", bank_name="农村信用合作社",
            bank_account=f"6217{self.randrange(10**15):015d}", ident_standard="national",
            attribute=_pick(rng, ATTRIBUTE_WEIGHTS), main_cause=causes[0],
            other_cause_1=causes[1] if len(causes) > 1 and rng.random() < 0.5 else None, other_cause_2=None,
            status=status, year_identified=year_identified, year_exited=year_exited,
            plan_exit_year=self.plan_exit_year(year_identified, year_exited),
        )  # fmt: skip
        persons = len(members)
        years = []
        for year in DATA_YEARS:
            out = (
                year_exited is not None
                and year >= year_exited
                and not (status == "returned" and year == DATA_YEARS[-1])
            )
            line = NATIONAL_POVERTY_LINE[year]
            per_capita = round(line * (rng.uniform(1.15, 3.2) if out else rng.uniform(0.45, 0.98)), 2)
            net = round(per_capita * persons, 2)
            wage = round(net * rng.uniform(0.3, 0.7), 2)
            transfer = round(net * rng.uniform(0.1, 0.3), 2)
            cost = round(net * rng.uniform(0.05, 0.2), 2)
            business = round(net - wage - transfer + cost, 2)
            ok = out or rng.random() < 0.8
            years.append(dict(
                id=self.ids.next("household_year"), household_id=hid, year=year,
                status="exited" if out else (status if year == DATA_YEARS[-1] and status in ("returned", "pre_exit") else "poor"),
                persons=persons, wage_income=wage, business_income=business, property_income=0.0,
                transfer_income=transfer, production_cost=cost, net_income=net, per_capita_income=per_capita,
                food_clothing_ok=True, education_ok=ok or rng.random() < 0.5, medical_ok=True,
                housing_ok=ok or rng.random() < 0.6, water_ok=ok or rng.random() < 0.7,
                has_farmland=rng.random() < 0.9, has_industry=out or rng.random() < 0.4,
                has_skilled_person=rng.random() < 0.6, has_social_security=rng.random() < 0.95,
                has_surplus_grain=out or rng.random() < 0.5, has_surplus_cash=out,
            ))  # fmt: skip
        changes = [dict(id=self.ids.next("change_log"), household_id=hid, kind="created", user="demo",
                        new_value="poor", effective_on=dt.date(year_identified, 10, 1), reason="建档立卡")]  # fmt: skip
        if year_exited:
            changes.append(dict(id=self.ids.next("change_log"), household_id=hid, kind="status", field="status",
                                user="demo", old_value="poor", new_value="exited",
                                effective_on=dt.date(year_exited, 12, 20), reason="脱贫退出"))  # fmt: skip
        if status == "returned":
            changes.append(dict(id=self.ids.next("change_log"), household_id=hid, kind="status", field="status",
                                user="demo", old_value="exited", new_value="returned",
                                effective_on=dt.date(2020, 11, 1), reason="因病返贫"))  # fmt: skip
        if status == "exited_stable":
            changes.append(dict(id=self.ids.next("change_log"), household_id=hid, kind="status", field="status",
                                user="demo", old_value="exited", new_value="exited_stable",
                                effective_on=dt.date(2021, 12, 20), reason="脱贫稳定，不再享受帮扶政策"))  # fmt: skip
        monitored = []
        if rng.random() < 0.045:
            kind = "unstable" if status in codes.EXITED and rng.random() < 0.6 else self.choice(("marginal", "sudden"))
            identified = dt.date(self.choice((2021, 2022, 2023)), self.randint(1, 12), self.randint(1, 28))
            eliminated = identified + dt.timedelta(days=self.randint(120, 700)) if rng.random() < 0.6 else None
            monitored.append(dict(id=self.ids.next("monitored_household"), household_id=hid, type=kind,
                                  identified_on=identified, risk=self.choice(("因病", "因自然灾害", "因意外事故", "收入骤减")),
                                  risk_eliminated_on=eliminated))  # fmt: skip
        return household, years, changes, monitored

    def plan_exit_year(self, identified: int, exited: int | None) -> int:
        """计划脱贫年度: mostly the year the household did exit, sometimes a year off; households still poor planned
        to exit by 2020 like everyone."""
        r = self.plan_rng.random()
        if exited is None:
            return max(identified, 2018 + int(r * 3))
        return min(2020, max(identified, exited if r < 0.8 else exited + (1 if r < 0.9 else -1)))

    def insert_population(self, villages: list[_Village]) -> None:
        """Rural population per village for 2014 and 2020: the registered people are a sixth to a twelfth of it, so
        that the incidence lands around the 2–3% targets and the map has every colour."""
        rows = []
        for village in villages:
            persons = self.village_persons.get(village.id, 0)
            share = 4 + self.plan_rng.random() * 8
            for year, growth in ((2014, 1.0), (2020, 1.03)):
                rows.append(dict(id=self.ids.next("area_population"), area_id=village.id, year=year,
                                 rural_population=max(persons, round(persons * share * growth))))  # fmt: skip
        self.insert(AreaPopulation, rows)

    def insert_households(self, county_id: int, villages: list[_Village]) -> None:
        self.progress.start(self.n, "正在生成演示户……")
        done = 0
        for chunk in _chunks(self.n, CHUNK):
            households, members, years, changes, monitored = [], [], [], [], []
            for _ in range(chunk):
                hid = self.ids.next("household")
                village = villages[(hid - 1) * len(villages) // self.n]
                people = self.household_members(hid)
                self.village_persons[village.id] = self.village_persons.get(village.id, 0) + len(people)
                household, hyears, hchanges, hmonitored = self.household_rows(hid, village, people)
                households.append(household)
                members.extend(people)
                years.extend(hyears)
                changes.extend(hchanges)
                monitored.extend(hmonitored)
            self.insert(Household, households)
            self.insert(Member, members)
            self.insert(HouseholdYear, years)
            self.insert(ChangeLog, changes)
            if monitored:
                self.insert(MonitoredHousehold, monitored)
            done += chunk
            self.progress.update(done)
        self.insert(MonitoringLine, [dict(id=self.ids.next("monitoring_line"), area_id=county_id, year=y,
                                                     amount=a) for y, a in MONITORING_LINE.items()])  # fmt: skip

    def run(self) -> None:
        county_id, villages, townships = self.insert_areas()
        self.insert_units_and_cadres(villages, townships)
        self.insert_households(county_id, villages)
        self.insert_population(villages)
        self.progress.start(0, "正在按“321”方案结对……")
        proposal = solver.propose(self.s, schemes.current_scheme(self.s), today=PAIRED_ON)
        solver.apply(self.s, proposal, user="演示数据", today=PAIRED_ON)
        if self.s.get_bind().dialect.name == "postgresql":
            for table in self.ids.counters:
                self.s.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {self.ids.counters[table]})")
                )


def _chunks(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


@no_gc_passes()
def generate(db: Database, households: int = 5000, seed: int = 1, progress: Progress | None = None) -> None:
    """Fill an empty database with a synthetic county of `households` households, in one transaction."""
    if households < 1:
        raise PovDeskError("户数必须大于0")
    with db.transaction() as session:
        existing = session.scalar(select(func.count()).select_from(Area))
        if existing:
            raise PovDeskError("数据库中已有数据，演示数据只能生成到空数据库中。请用 --db 指定一个新的数据库文件。")
        with indexes_built_after(session, Household, Member, HouseholdYear, ChangeLog, Pairing):  # tables are empty
            _Generator(session, households, seed, progress or Progress()).run()
    db.refresh_statistics()
    summary.refresh(db)  # the first wall chart after the load reads every village stored
