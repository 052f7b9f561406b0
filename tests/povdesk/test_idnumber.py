import datetime as dt

import pytest

from povdesk import idnumber
from povdesk.idnumber import InvalidIdNumber


def test_valid_number_gives_sex_and_birth_date():
    info = idnumber.parse("360426199101010071")
    assert (info.number, info.sex, info.birth_date, info.region_known) == (
        "360426199101010071",
        "male",
        dt.date(1991, 1, 1),
        True,
    )


@pytest.mark.parametrize(
    "typed",
    ["11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ", "110105-19491231-002X"],
)
def test_normalises_what_clerks_type(typed):
    info = idnumber.parse(typed)
    assert info.number == "11010519491231002X"
    assert info.sex == "female"


def test_upgrades_first_generation_15_digit_numbers():
    assert idnumber.upgrade15("110105491231002") == "11010519491231002X"
    assert idnumber.parse("110105491231002").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("360426199101010072", "校验位错误：末位应为1"),
        ("3604261991010100", "应为18位，实为16位"),
        ("360426199113010071", "出生日期19911301不存在"),
        ("36042619910101007A", "非法字符"),
        ("", "为空"),
    ],
)
def test_invalid_numbers_say_why(number, reason):
    with pytest.raises(InvalidIdNumber, match=reason):
        idnumber.parse(number)


def test_birth_date_in_the_future_is_rejected():
    future = idnumber.make("532930", dt.date(2030, 1, 1), 11)
    with pytest.raises(InvalidIdNumber, match="不合理"):
        idnumber.parse(future, today=dt.date(2026, 1, 1))


def test_unknown_region_is_a_warning_not_an_error():
    number = idnumber.make("990101", dt.date(1980, 5, 5), 21)
    info = idnumber.parse(number)
    assert info.region_known is False


def test_mask_keeps_region_and_last_four():
    assert idnumber.mask("532930199001011234") == "532930********1234"
    assert idnumber.mask(None) == ""


def test_make_builds_valid_numbers_with_sex_from_sequence():
    assert idnumber.parse(idnumber.make("532930", dt.date(1970, 2, 3), 7)).sex == "male"
    assert idnumber.parse(idnumber.make("532930", dt.date(1970, 2, 3), 8)).sex == "female"
