"""Chinese line breaking and the font chain: no line starts with closing punctuation, rare characters find a font."""

import pytest

from povdesk.pdf import fonts
from povdesk.pdf.text import CANNOT_START, break_lines

NOTICE = (
    "根据精准扶贫工作要求，经农户申请、入户核查、村民代表大会民主评议，现将梨园村2019年拟退出贫困户名单予以公示，"
    "共 12 户 45 人（名单附后）。公示期7天，自2019年12月1日起至2019年12月7日止。公示期间，如有异议，"
    "请以书面、电话或来访等形式向梨园村村民委员会反映！监督举报电话：0872-5123456；受理地址：《梨园村村委会》？"
)


def measure(text: str) -> float:
    return sum(1.0 if ord(ch) > 0x2E80 else 0.5 for ch in text)


@pytest.mark.parametrize("width", [float(w) for w in range(3, 40)])
def test_no_line_starts_with_closing_punctuation_at_any_width(width):
    lines = break_lines(NOTICE, lambda i: width, measure)
    assert "".join(lines).replace(" ", "") == NOTICE.replace(" ", "")  # nothing lost
    for line in lines[1:]:
        assert line[0] not in "，。；：？！）》", (width, line)
        assert line[0] not in CANNOT_START
    for line in lines[:-1]:
        assert line[-1] not in "（《“", (width, line)
    assert all(measure(line) <= width + 1 for line in lines)  # at most one hanging punctuation mark


def test_numbers_stay_whole_and_long_ones_are_cut_only_when_longer_than_a_line():
    lines = break_lines("举报电话13812345678和0872-5123456", lambda i: 8.0, measure)
    assert "13812345678" in lines or any("13812345678" in line for line in lines)
    assert any("0872-5123456" in line for line in lines)
    cut = break_lines("532930195508150014", lambda i: 4.0, measure)
    assert "".join(cut) == "532930195508150014" and all(measure(line) <= 4 for line in cut)


def test_first_line_may_be_narrower_for_the_paragraph_indent():
    lines = break_lines("一二三四五六七八九十", lambda i: 4.0 if i == 0 else 6.0, measure)
    assert lines == ["一二三四", "五六七八九十"]


def test_rare_characters_are_drawn_by_a_fallback_font_and_home_made_ones_are_reported():
    chain = fonts.chain()
    assert chain.font_of("梨") == chain.main
    assert chain.font_of("䶮") not in (None, chain.main)  # CJK Extension A
    assert chain.font_of("𠮷") not in (None, chain.main)  # CJK Extension B
    assert chain.runs("张𠮷华") == [(chain.main, "张"), (chain.font_of("𠮷"), "𠮷"), (chain.main, "华")]
    assert fonts.unprintable(["王䶮", "张𠮷", "李\ue000"]) == {"李\ue000": "\ue000"}
    warning = fonts.warning_text({"李\ue000": "\ue000"})
    assert "李\ue000" in warning and "方框" in warning


def test_shipped_fonts_carry_their_licences():
    names = {p.name for p in fonts.FONT_DIR.iterdir()}
    assert {"wqy-microhei.ttc", "HanaMinA-rare.ttf", "HanaMinB-extb.ttf"} <= names
    assert any("LICENSE" in n or "README" in n for n in names)
