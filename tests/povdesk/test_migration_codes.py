"""Migration 0007 on the checked-in old database: every old stored code means the same official value afterwards, or
is cleared and kept as written for the clerk to check (待核实) — never guessed."""

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, insert, select

from povdesk import codes, migrate
from povdesk import db as dbmod
from povdesk.model import Area, Household, Member

OLD_DB = Path(__file__).parents[1] / "data" / "povdesk-0001.db"

# Every code the lists had at revision 0001, and the official label the clerk sees after the upgrade.
KEPT = {
    ("household", "status", codes.STATUS): {"poor": "未脱贫", "exited": "已脱贫（享受政策）", "returned": "返贫"},
    ("household", "attribute", codes.ATTRIBUTE): {
        "general": "一般贫困户", "low_income": "低保贫困户", "extreme": "特困供养贫困户",
    },
    ("household", "main_cause", codes.CAUSE): {
        "illness": "因病", "disability": "因残", "schooling": "因学", "disaster": "因灾", "land": "缺土地",
        "water": "缺水", "skills": "缺技术", "labor": "缺劳力", "capital": "缺资金", "transport": "交通条件落后",
        "motivation": "自身发展动力不足", "other": "其他",
    },
    ("household", "ident_standard", codes.IDENT_STANDARD): {
        "national": "国家标准", "provincial": "省定标准", "city": "市定标准",
    },
    ("member", "relation", codes.RELATION): {
        "head": "户主", "spouse": "配偶", "son": "之子", "daughter": "之女", "daughter_in_law": "之儿媳",
        "son_in_law": "之女婿", "grandson": "之孙子", "granddaughter": "之孙女", "father": "之父", "mother": "之母",
        "sibling": "之兄弟姐妹", "other": "其他",
    },
    ("member", "sex", codes.SEX): {"male": "男", "female": "女"},
    ("member", "ethnicity", codes.ETHNICITY): {"01": "汉族", "14": "白族", "20": "傈僳族"},
    ("member", "health", codes.HEALTH): {
        "healthy": "健康", "chronic": "长期慢性病", "serious": "患有大病", "disabled": "残疾",
    },
    ("member", "labor", codes.LABOR): {
        "ordinary": "普通劳动力", "skilled": "技能劳动力", "lost": "丧失劳动力", "none": "无劳动力",
    },
    ("member", "education", codes.EDUCATION): {
        "illiterate": "文盲或半文盲", "primary": "小学", "junior": "初中", "senior": "高中", "college": "大专及以上",
        "preschool": "学龄前儿童",
    },
    ("member", "school_status", codes.SCHOOL): {
        "none": "非在校生", "preschool": "学前教育", "primary": "小学", "college": "大专及以上",
    },
    ("member", "work_status", codes.WORK): {"in_province": "县外省内务工", "out_province": "省外务工"},
}  # fmt: skip
# Old codes that do not name one official value: cleared, the old label kept as written.
UNCLEAR = {
    ("work_status", "in_county"): "县内务工",
    ("school_status", "junior"): "初中在读",
    ("school_status", "senior"): "高中在读",
    ("school_status", "vocational"): "中职在读",
    ("school_status", "dropout"): "辍学",
}


@pytest.fixture
def old_county(tmp_path):
    """The 0001 database with a household or member carrying each old code, written as that version wrote them."""
    path = tmp_path / "old.db"
    shutil.copy(OLD_DB, path)
    with closing(sqlite3.connect(path)) as conn, conn:
        number = iter(range(100, 1000))

        def add_household(**values) -> int:
            columns = {"number": f"53293000000{next(number)}", "village_id": 3, **values}
            sql = f"INSERT INTO household ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            return conn.execute(sql, list(columns.values())).lastrowid

        def add_member(household_id: int, name: str, **values) -> None:
            columns = {"household_id": household_id, "name": name, "name_pinyin": "", "name_initials": "",
                       "relation": "other", **values}  # fmt: skip
            sql = f"INSERT INTO member ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            conn.execute(sql, list(columns.values()))

        kept = add_household(status="poor")
        for (table, field, _), old in KEPT.items():
            for code in old:
                if table == "household":
                    add_household(address=f"{field}:{code}", **{field: code})
                else:
                    add_member(kept, f"{field}:{code}", **{field: code})
        add_member(kept, "work_status:none", work_status="none")
        for (field, code), _label in UNCLEAR.items():
            add_member(add_household(status="poor"), f"{field}:{code}", **{field: code})
        add_member(add_household(status="poor"), "both", work_status="in_county", school_status="junior")
        add_member(add_household(status="poor"), "removed", school_status="dropout", removed_on="2020-05-01")
    database = dbmod.open_database(f"sqlite:///{path}")
    yield database
    database.close()


def _member(session, name: str) -> Member:
    return session.scalars(select(Member).where(Member.name == name)).one()


def _household(session, address: str) -> Household:
    return session.scalars(select(Household).where(Household.address == address)).one()


def test_every_old_code_keeps_its_meaning_under_the_official_label(old_county):
    with old_county.session() as s:
        for (table, field, code_list), old in KEPT.items():
            for code, label in old.items():
                tag = f"{field}:{code}"
                row = _household(s, tag) if table == "household" else _member(s, tag)
                assert getattr(row, field) == code and code in code_list, tag
                assert code_list.label_of(code) == label, tag
                assert row.unverified is None, tag
        assert s.get(Household, _member(s, "sex:male").household_id).needs_review is False


def test_no_migrant_work_becomes_a_blank(old_county):
    with old_county.session() as s:
        person = _member(s, "work_status:none")
        assert (person.work_status, person.unverified) == (None, None)


def test_codes_that_could_mean_several_official_values_are_cleared_and_kept_as_written(old_county):
    with old_county.session() as s:
        for (field, code), label in UNCLEAR.items():
            person = _member(s, f"{field}:{code}")
            assert getattr(person, field) is None
            assert person.unverified == {field: label}
            assert s.get(Household, person.household_id).needs_review is True
        both = _member(s, "both")
        assert (both.work_status, both.school_status) == (None, None)
        assert both.unverified == {"work_status": "县内务工", "school_status": "初中在读"}
        assert s.get(Household, both.household_id).needs_review is True


def test_a_removed_member_does_not_put_the_household_under_review(old_county):
    with old_county.session() as s:
        removed = _member(s, "removed")
        assert (removed.school_status, removed.unverified) == (None, {"school_status": "辍学"})
        assert s.get(Household, removed.household_id).needs_review is False


def test_no_row_is_lost(old_county):
    expected_members = 1 + sum(len(old) for (table, *_), old in KEPT.items() if table == "member") + 1 + 5 + 2
    with old_county.session() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == expected_members
        assert s.scalar(select(func.count()).select_from(Household)) == 1 + 1 + 21 + 5 + 2


def test_upgrade_keeps_what_a_member_already_had_to_check_on_both_databases(db):
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:  # the database as 0006 left it: a member with one value already unverified
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
        conn.execute(insert(Area).values(id=1, level="village", name="旧村", path="1/"))
        conn.execute(insert(Household).values(id=1, number="5329300000000001", village_id=1, needs_review=False))
        conn.execute(
            insert(Member).values(household_id=1, name="杨旧户", relation="head", work_status="in_county",
                                  unverified={"labor": "半劳力"})
        )  # fmt: skip
    migrate.upgrade(db.engine)
    with db.session() as s:
        person = s.scalars(select(Member)).one()
        assert (person.work_status, person.unverified) == (None, {"labor": "半劳力", "work_status": "县内务工"})
        assert s.get(Household, 1).needs_review is True
