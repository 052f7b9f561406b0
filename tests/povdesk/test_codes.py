from povdesk import codes


def test_cli_codes_are_the_documented_ones():
    assert codes.STATUS.codes == ["poor", "exited", "returned"]
    assert codes.ATTRIBUTE.codes == ["general", "low_income", "extreme"]
    assert codes.CAUSE.codes == [
        "illness", "disability", "schooling", "disaster", "land", "water", "skills", "labor", "capital",
        "transport", "motivation", "other",
    ]  # fmt: skip
    assert codes.MONITOR_TYPE.codes == ["unstable", "marginal", "sudden"]
    assert codes.CADRE_RANK.codes == ["county_leader", "section", "general", "township", "village"]


def test_labels_and_roster_synonyms_parse_to_codes():
    assert codes.ATTRIBUTE.parse("五保贫困户") == "extreme"
    assert codes.ATTRIBUTE.parse("特困供养贫困户") == "extreme"
    assert codes.STATUS.parse(" 已脱贫 ") == "exited"
    assert codes.CAUSE.parse("因病致贫") == "illness"
    assert codes.RELATION.parse("之儿媳") == "daughter_in_law"
    assert codes.ETHNICITY.parse("白族") == "14"
    assert codes.CAUSE.parse("因穷") is None


def test_labels_for_display_and_suggestions_for_typos():
    assert codes.STATUS.label_of("returned") == "返贫"
    assert codes.CADRE_RANK.label_of("county_leader") == "县级领导"
    assert codes.ATTRIBUTE.suggest("低保户贫困") == "低保贫困户"
    assert codes.ETHNICITY.suggest("汗族") == "汉族"  # a tie goes to the earlier, commoner entry
    assert codes.STATUS.suggest("xyz") is None


def test_no_synonym_points_to_two_codes():
    for code_list in codes.ALL_LISTS.values():
        seen: dict[str, str] = {}
        for item in code_list:
            for key in (item.code, item.label, *item.synonyms):
                assert seen.setdefault(key, item.code) == item.code, (code_list.name, key)
