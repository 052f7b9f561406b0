"""设置 → 操作日志…: the audit log, filtered by user, kind and date, shown in local time."""

import datetime as dt

from sqlalchemy import select

from povdesk import audit
from povdesk.model import Household
from ui.audit import AuditDialog, local_text


def _edit(db, user: str, phone: str) -> int:
    audit.set_user(db, user)
    with db.transaction() as s:
        household = s.scalars(select(Household).order_by(Household.id)).first()
        household.phone = phone
        return household.id


def test_the_log_lists_every_write_newest_first_and_filters_by_user_and_household(qtbot, demo_db, settings):
    hid = _edit(demo_db, "甲", "13900000001")
    _edit(demo_db, "乙", "13900000002")
    dialog = AuditDialog(demo_db, settings)
    qtbot.addWidget(dialog)
    model = dialog.model
    assert model.rowCount() >= 2
    first = [model.index(0, c).data() for c in range(model.columnCount())]
    assert first[1:5] == ["乙", "修改", "户", str(hid)]
    assert "13900000001 → 13900000002" in first[5]
    dialog.user.setCurrentIndex(dialog.user.findData("甲"))
    assert model.rowCount() == 1 and model.index(0, 5).data().endswith("→ 13900000001")
    mine = AuditDialog(demo_db, settings, household_id=hid + 1)
    qtbot.addWidget(mine)
    assert mine.model.rowCount() == 0


def test_times_are_stored_in_utc_and_shown_in_local_time(qtbot, demo_db, settings):
    _edit(demo_db, "甲", "13900000003")
    dialog = AuditDialog(demo_db, settings)
    qtbot.addWidget(dialog)
    shown = dt.datetime.strptime(dialog.model.index(0, 0).data(), "%Y-%m-%d %H:%M:%S")
    assert abs((shown - dt.datetime.now()).total_seconds()) < 120  # local, not UTC
    assert local_text(dt.datetime(2026, 1, 1, 0, 0)) == dt.datetime(2026, 1, 1, tzinfo=dt.UTC).astimezone().strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    yesterday = dialog.until.date().addDays(-1)
    dialog.until.setDate(yesterday)
    dialog.since.setDate(yesterday)
    assert dialog.model.rowCount() == 0


def test_a_utc_time_is_shown_in_china_standard_time(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert local_text(dt.datetime(2026, 1, 1, 0, 0)) == "2026-01-01 08:00:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_editors_history_tab_opens_the_households_own_log(qtbot, demo_db, settings, monkeypatch):
    from ui.household_editor import HouseholdEditor

    hid = _edit(demo_db, "甲", "13900000005")
    shown = []
    monkeypatch.setattr(
        AuditDialog, "exec", lambda dialog: shown.append((dialog.household_id, dialog.model.rowCount()))
    )
    editor = HouseholdEditor(demo_db, settings, hid, user="甲")
    qtbot.addWidget(editor)
    editor.history_tab.audit_button.click()
    assert shown == [(hid, 1)]
