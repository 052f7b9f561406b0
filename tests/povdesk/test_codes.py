import pytest

from povdesk import codes, households
from povdesk.model import Household, NoticeBatch
from povdesk.notices import kinds

NUMBERED = [codes.STATUS, codes.ATTRIBUTE, codes.CAUSE, codes.IDENT_STANDARD, codes.RELATION, codes.SEX,
            codes.HEALTH, codes.LABOR, codes.EDUCATION, codes.SCHOOL, codes.WORK]  # fmt: skip


def test_cli_codes_are_the_documented_ones():
    assert codes.STATUS.codes == ["poor", "exited", "pre_exit", "returned", "exited_stable"]
    assert codes.ATTRIBUTE.codes == ["general", "low_income", "extreme"]
    assert codes.CAUSE.codes == [
        "illness", "disability", "schooling", "disaster", "land", "water", "skills", "labor", "capital",
        "transport", "motivation", "marriage", "funeral", "other",
    ]  # fmt: skip
    assert codes.MONITOR_TYPE.codes == ["unstable", "marginal", "sudden"]
    assert codes.CADRE_RANK.codes == ["county_leader", "section", "general", "township", "village"]


@pytest.mark.parametrize(
    ("code_list", "text", "code"),
    [
        (codes.WORK, "乡（镇）内务工", "in_township"),
        (codes.WORK, "县外省内务工", "in_province"),
        (codes.SCHOOL, "九年级", "grade9"),
        (codes.SCHOOL, "小学", "primary"),
        (codes.LABOR, "弱劳动力或半劳动力", "weak"),
        (codes.STATUS, "已脱贫（享受政策）", "exited"),
        (codes.STATUS, "已脱贫（不再享受政策）", "exited_stable"),
        (codes.ATTRIBUTE, "一般脱贫户", "general"),
        (codes.ATTRIBUTE, "低保脱贫户", "low_income"),
        (codes.ATTRIBUTE, "特困供养脱贫户", "extreme"),
    ],
)
def test_the_values_the_national_system_writes_are_read(code_list, text, code):
    assert code_list.parse(text) == code


@pytest.mark.parametrize("code_list", NUMBERED, ids=lambda cl: cl.name)
def test_official_labels_and_numbers_read_back_and_show_the_official_label(code_list):
    for item in code_list:
        assert code_list.parse(item.label) == item.code
        assert code_list.label_of(item.code) == item.label
        if item.number:
            assert code_list.parse(item.number) == item.code
            assert code_list.parse(str(int(item.number))) == item.code  # "01" written as the number 1


def test_official_numbers_where_known():
    assert [(i.code, i.number) for i in codes.STATUS] == [
        ("poor", "0"), ("exited", "1"), ("pre_exit", "2"), ("returned", "3"), ("exited_stable", "4"),
    ]  # fmt: skip
    assert [i.number for i in codes.WORK] == ["01", "02", "03", "04", "99"]
    assert [i.number for i in codes.RELATION if i.number] == [f"{n:02d}" for n in range(1, 21)] + ["99"]
    assert len(codes.RELATION.codes) == 21 + 7
    assert [i.number for i in codes.SCHOOL if i.number] == sorted(f"{n:02d}" for n in range(1, 17))
    assert codes.CAUSE.parse("13") == "funeral" and codes.CAUSE.parse("99") == "other"
    assert codes.SEX.parse("1") == "male" and codes.SEX.parse("2") == "female"
    assert codes.HEALTH.parse("3") == "serious"


def test_attribute_codes_of_every_edition_keep_their_meaning():
    by_number = {n: codes.ATTRIBUTE.parse(n) for n in ("01", "02", "03", "04", "05", "06", "07", "08")}
    assert by_number == {
        "01": "general", "02": "low_income", "03": "extreme", "04": "low_income", "05": "general",
        "06": "extreme", "07": "extreme", "08": "extreme",
    }  # fmt: skip
    older = {"低保户": "low_income", "五保户": "extreme", "一般农户": "general", "五保贫困户": "extreme",
             "低保特困供养贫困户": "extreme", "低保特困供养户": "extreme", "低保(部分)贫困户": "low_income"}  # fmt: skip
    assert {text: codes.ATTRIBUTE.parse(text) for text in older} == older


def test_an_exited_household_s_attribute_says_it_has_exited():
    for text in ("一般脱贫户", "低保脱贫户", "特困供养脱贫户", " 低保脱贫户 "):
        assert codes.ATTRIBUTE.implied_status(text) == "exited"
    # a number does not say which edition wrote it: 02 was 低保户 until 2018
    for text in ("一般贫困户", "低保户", "五保户", "一般农户", "02", "05", "低保特困供养户"):
        assert codes.ATTRIBUTE.implied_status(text) is None


@pytest.mark.parametrize(
    ("code_list", "text", "code"),
    [
        (codes.WORK, "乡(镇)内务工", "in_township"),
        (codes.WORK, "乡(镇)外县内务工", "out_township"),
        (codes.WORK, "省内县外务工", "in_province"),
        (codes.STATUS, "已脱贫(享受政策)", "exited"),
        (codes.STATUS, "已脱贫享受政策", "exited"),
        (codes.STATUS, "脱贫享受政策", "exited"),
        (codes.STATUS, " 已脱贫 ", "exited"),
        (codes.STATUS, "已脱贫(不再享受政策)", "exited_stable"),
        (codes.STATUS, "已脱贫不享受政策", "exited_stable"),
        (codes.STATUS, "已脱贫未享受政策", "exited_stable"),
        (codes.STATUS, "稳定脱贫", "exited_stable"),
        (codes.STATUS, "预脱贫", "pre_exit"),
        (codes.STATUS, "贫困", "poor"),
        (codes.CAUSE, "其它", "other"),
        (codes.CAUSE, "因病致贫", "illness"),
        (codes.CAUSE, "缺技术致贫", "skills"),
        (codes.CAUSE, "缺劳动力", "labor"),
        (codes.CAUSE, "因婚", "marriage"),
        (codes.RELATION, "本人或户主", "head"),
        (codes.RELATION, "之儿媳", "daughter_in_law"),
        (codes.RELATION, "之外孙女", "granddaughter_d"),
        (codes.RELATION, "之曾孙女", "ggranddaughter"),
        (codes.RELATION, "其它", "other"),
        (codes.SEX, "男性", "male"),
        (codes.SEX, "女性", "female"),
        (codes.SCHOOL, "高一", "senior1"),
        (codes.SCHOOL, "高中一年级", "senior1"),
        (codes.SCHOOL, "高职一年级", "higher_voc1"),
        (codes.SCHOOL, "硕士生及以上", "postgraduate"),
        (codes.SCHOOL, "学龄前儿童", "pre_school_age"),
        (codes.SCHOOL, "非在校生", "none"),  # E2016 01, kept as a value
        (codes.EDUCATION, "大专", "associate"),
        (codes.EDUCATION, "本科及以上", "bachelor"),
        (codes.EDUCATION, "大专及以上", "college"),
        (codes.EDUCATION, "学龄前儿童", "preschool"),
        (codes.HEALTH, "大病", "serious"),
        (codes.LABOR, "半劳动力", "weak"),
        (codes.ETHNICITY, "白族", "14"),
        (codes.ETHNICITY, "僳僳族", "20"),
        (codes.MONITOR_TYPE, "脱贫监测户", "unstable"),
    ],
)
def test_variants_seen_in_real_files_are_synonyms(code_list, text, code):
    assert code_list.parse(text) == code


def test_unknown_values_are_not_guessed():
    assert codes.CAUSE.parse("因穷") is None
    assert codes.WORK.parse("县内务工") is None  # 乡（镇）内 or 乡（镇）外县内: the clerk decides
    assert codes.SCHOOL.parse("初中在读") is None  # which grade?
    assert codes.RELATION.parse("21") is None
    assert codes.HEALTH.parse("05") is None  # 死亡 in one local list only


def test_ethnicity_is_matched_by_name_only():
    assert codes.ETHNICITY.parse("藏族") == "04"
    assert codes.ETHNICITY.parse("05") is None  # 藏族 in the national database, 维吾尔族 in GB/T 3304
    assert codes.ETHNICITY.parse("1") is None


def test_values_that_mean_blank():
    for text in ("未务工", "无", "未外出务工"):
        assert codes.WORK.parse(text) == ""
    assert codes.CAUSE.parse("无") == ""
    assert codes.ATTRIBUTE.parse("无") is None


def test_multi_valued_cells():
    for text in ("长期慢性病,残疾", "长期慢性病，残疾", "长期慢性病、残疾"):
        assert codes.HEALTH.parse_many(text) == ("chronic", "disabled")
    assert codes.HEALTH.parse_many("残疾,长期慢性病") == ("disabled", "chronic")
    assert codes.HEALTH.parse_many("患有大病, 残疾,") == ("serious", "disabled")
    assert codes.HEALTH.parse_many("残疾,残疾") == ("disabled",)
    assert codes.HEALTH.parse_many("02,04") == ("chronic", "disabled")
    assert codes.HEALTH.parse_many("长期慢性病,截肢") is None
    assert codes.CAUSE.parse_many("因学、缺技术", limit=2) == ("schooling", "skills")
    assert codes.CAUSE.parse_many("因学、缺技术、缺资金", limit=2) is None  # nothing a clerk wrote is dropped
    assert codes.CAUSE.parse_many("无", limit=2) == ()
    assert codes.HEALTH.label_of("chronic,disabled") == "长期慢性病,残疾"
    assert "chronic,disabled" in codes.HEALTH and "chronic,cold" not in codes.HEALTH
    assert "head,spouse" not in codes.RELATION  # one value only


def test_labels_for_display_and_suggestions_for_typos():
    assert codes.STATUS.label_of("returned") == "返贫"
    assert codes.STATUS.label_of("exited_stable") == "已脱贫（不再享受政策）"
    assert codes.WORK.label_of("in_township") == "乡（镇）内务工"
    assert codes.CADRE_RANK.label_of("county_leader") == "县级领导"
    assert codes.ATTRIBUTE.suggest("低保户贫困") == "低保贫困户"
    assert codes.ETHNICITY.suggest("汗族") == "汉族"  # a tie goes to the earlier, commoner entry
    assert codes.LABOR.suggest("弱劳力或半劳力") == "弱劳动力或半劳动力"
    assert codes.WORK.suggest("乡镇外务工") == "乡（镇）外县内务工"
    assert codes.STATUS.suggest("xyz") is None


def test_retired_codes_of_old_history_entries_show_their_old_label_but_are_not_read():
    assert codes.WORK.label_of("in_county") == "县内务工"
    assert codes.SCHOOL.label_of("dropout") == "辍学"
    assert codes.WORK.parse("in_county") is None
    assert "in_county" not in codes.WORK


def test_stored_codes_fit_their_columns():
    for code_list in [*NUMBERED, codes.MONITOR_TYPE, codes.HOUSEHOLD_TYPE]:  # String(16) columns
        assert all(len(code) <= 16 for code in code_list.codes), code_list.name


def test_a_value_that_would_mean_two_codes_is_refused():
    with pytest.raises(ValueError, match="一般"):
        codes.CodeList("x", "x", (codes.Code("a", "一般"), codes.Code("b", "一般户", ("一般",))))
    with pytest.raises(ValueError, match="01"):
        codes.CodeList("x", "x", (codes.Code("a", "甲", ("1",)), codes.Code("b", "乙", number="01")))


def test_every_rule_treats_pre_exit_as_poor_and_exited_without_policies_as_exited():
    assert households.allowed_actions(households.HouseholdDraft(status="pre_exit")) == ["exited"]
    stable = households.HouseholdDraft(status="exited_stable", year_exited=2019)
    assert households.allowed_actions(stable) == ["returned", "monitor_unstable", "monitor_sudden"]
    exit_2024, return_2024 = NoticeBatch(kind="exit", year=2024), NoticeBatch(kind="return", year=2024)
    assert kinds.not_eligible(None, exit_2024, Household(status="exited_stable", year_exited=2019)) == "已于2019年脱贫"
    assert kinds.not_eligible(None, exit_2024, Household(status="pre_exit")) is None
    assert kinds.not_eligible(None, return_2024, Household(status="exited_stable")) is None
    assert "只有已脱贫户才能认定返贫" in kinds.not_eligible(None, return_2024, Household(status="pre_exit"))
