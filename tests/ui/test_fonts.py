"""Rare characters show on screen: the bundled fonts are fallbacks of the application font (𠮷 is U+20BB7)."""

from __future__ import annotations

import pytest

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLineEdit, QListWidget

from ui.fonts import install_fallback_fonts, register_bundled_fonts

JI = 0x20BB7  # 𠮷, CJK Extension B
YAN = 0x4DAE  # 䶮, CJK Extension A


@pytest.fixture
def app_font(qapp):
    before = QFont(qapp.font())
    families = install_fallback_fonts(qapp)
    yield families
    qapp.setFont(before)


def test_the_bundled_families_are_registered(qapp):
    assert register_bundled_fonts() == ["WenQuanYi Micro Hei", "HanaMinA", "HanaMinB"]


def test_the_application_font_falls_back_to_the_bundled_fonts(app_font, qapp):
    # THEN the system's family stays first (the native look), ours follow
    assert app_font[-3:] == ["WenQuanYi Micro Hei", "HanaMinA", "HanaMinB"]
    assert qapp.font().families() == app_font
    metrics = QFontMetrics(qapp.font())
    assert metrics.inFontUcs4(JI) and metrics.inFontUcs4(YAN) and metrics.inFontUcs4(ord("张"))


def test_lists_and_line_edits_show_extension_b(app_font, qtbot):
    # GIVEN a list and a line edit created after start-up, as every screen's are
    edit = QLineEdit("𠮷祥")
    listing = QListWidget()
    listing.addItem("吉𠮷村 䶮")
    for widget in (edit, listing):
        qtbot.addWidget(widget)
    # THEN both have the glyph, even a bold copy of the font (headers, totals)
    for font in (edit.font(), listing.font(), QFont(listing.item(0).font())):
        bold = QFont(font)
        bold.setBold(True)
        assert QFontMetrics(font).inFontUcs4(JI) and QFontMetrics(bold).inFontUcs4(JI)
    listing.resize(240, 80)
    listing.show()
    listing.grab().save("/tmp/shots15/extension_b_list.png")


def test_a_widget_naming_the_system_family_alone_still_falls_back(app_font):
    font = QFont(app_font[0])
    assert QFontMetrics(font).inFontUcs4(JI)
