"""The member dialog as a clerk meets it: errors that follow corrections, why a member was added, a relation that
contradicts the ID number's sex."""

import datetime as dt

import pytest

from PySide6.QtWidgets import QMessageBox

from povdesk.households import MemberDraft
from povdesk.households.validation import relation_sex_warning
from ui.household_editor.member_dialog import MemberDialog


def _valid(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


MALE = _valid("53292820230409001")  # 17th digit odd: male
FEMALE = _valid("53292820230409002")  # even: female


@pytest.fixture
def dialog(qtbot, settings):
    d = MemberDialog(MemberDraft(), settings)
    qtbot.addWidget(d)
    d.show()
    return d


def _relation(dialog, code):
    combo = dialog.combos["relation"]
    combo.setCurrentIndex(combo.findData(code))


def test_the_red_error_clears_once_the_id_number_is_corrected(dialog):
    dialog.name.setText("张小明")
    dialog.id_number.setText(MALE[:-1] + ("0" if MALE[-1] != "0" else "1"))
    dialog.accept()
    assert dialog.isVisible() and "校验位错误" in dialog.problems.text()
    dialog.id_number.setText(MALE)
    assert dialog.problems.text() == "" and dialog.id_reason.isHidden()


def test_adding_a_member_asks_why_and_since_when(dialog, settings, qtbot):
    assert dialog.adding and dialog.form_has(dialog.added_reason) and dialog.form_has(dialog.added_on)
    dialog.name.setText("张小红")
    dialog.id_number.setText(FEMALE)
    _relation(dialog, "granddaughter")
    dialog.added_reason.setCurrentText("新生儿")
    dialog.added_on.set_value(dt.date(2023, 4, 20))
    dialog.accept()
    assert dialog.result() == 1 and dialog.addition() == ("新生儿", dt.date(2023, 4, 20))
    # editing an existing member does not ask again
    edit = MemberDialog(MemberDraft(name="张三", relation="head"), settings)
    qtbot.addWidget(edit)
    assert not edit.adding and edit.added_reason.isHidden() and edit.addition() is None


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
def test_a_relation_contradicting_the_sex_warns_and_the_clerk_may_accept(dialog, monkeypatch, answer):
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]) or answer)
    dialog.name.setText("张小明")
    dialog.id_number.setText(MALE)
    _relation(dialog, "granddaughter")  # 之孙女 with a male number
    dialog.accept()
    assert warned and "之孙女" in warned[0] and "男" in warned[0]
    assert dialog.result() == (1 if answer == QMessageBox.StandardButton.Yes else 0)


def test_relation_sex_rules():
    assert relation_sex_warning("son", "female") and relation_sex_warning("granddaughter", "male")
    assert relation_sex_warning("spouse", "male", head_sex="male")  # 妻 with a male number
    assert relation_sex_warning("spouse", "female", head_sex="male") is None
    assert relation_sex_warning("son", "male") is None and relation_sex_warning("other", "male") is None
    assert relation_sex_warning("son", None) is None
