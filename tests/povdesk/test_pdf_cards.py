"""Household cards (明白卡/帮扶联系卡) and registration forms, one village per PDF."""

import re
import subprocess

import pytest
from sqlalchemy import select

from povdesk import demo
from povdesk.errors import RuleViolation
from povdesk.model import Area, Household, Member, Pairing
from povdesk.pdf import cards
from povdesk.progress import Progress


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_cards_show_the_household_and_its_helper_with_masked_ids(db, tmp_path):
    demo.generate(db, households=200, seed=5)
    with db.session() as s:
        village = s.scalars(select(Area).where(Area.level == "village")).first()
        households = s.scalars(select(Household).where(Household.village_id == village.id)).all()
        head = s.scalars(select(Member).where(Member.household_id == households[0].id, Member.relation == "head")).one()
        pairing = s.scalars(select(Pairing).where(Pairing.household_id.in_([h.id for h in households]))).first()
        seen = []
        pages = cards.render_cards(s, village, tmp_path / "cards.pdf", Progress(lambda d, t, label: seen.append(d)))
        assert pages >= len(households) and seen[-1] == len(households)
        text = pdf_text(tmp_path / "cards.pdf")
        assert text.count("贫困户明白卡") == len(households) and text.count("帮扶联系卡") == len(households)
        assert head.name in text and f"{head.id_number[:6]}********{head.id_number[-4:]}" in text
        assert head.id_number not in text and households[0].bank_account not in text
        if pairing:
            assert pairing.cadre.phone in text  # the helper's phone is the point of the contact card
        cards.render_registration_forms(s, village, tmp_path / "forms.pdf")
        forms = pdf_text(tmp_path / "forms.pdf")
        assert forms.count("贫困户登记表") == len(households)
        assert head.id_number in forms  # the office's file copy keeps the full number
        assert re.search(r"户主签字", forms)
        township = s.get(Area, village.parent_id)
        with pytest.raises(RuleViolation, match="不是行政村"):
            cards.render_cards(s, township, tmp_path / "t.pdf")
