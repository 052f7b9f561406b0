"""The audit log: one session hook records every ORM write (who, when in UTC, which row, old → new)."""

import datetime as dt
import json

import pytest
from sqlalchemy import delete, func, select

from povdesk import audit, demo, households
from povdesk.model import AuditLog, Household, Member, Visit


@pytest.fixture
def county(db):
    demo.generate(db, households=30, seed=7)
    audit.set_user(db, "王经办")
    return db


def _entries(db, **where):
    with db.session() as s:
        ids = s.scalars(audit.query(audit.Filter(**where))).all()
        return [s.get(AuditLog, i) for i in ids]


def _first(db) -> int:
    with db.session() as s:
        return s.scalars(select(Household.id).order_by(Household.id)).first()


def _saved_by_clerk(db, hid: int, **changes):
    """The household's draft as 王经办 saved it with these changes in the editor."""
    with db.session() as s:
        draft = households.load(s, hid)
    for field, value in changes.items():
        setattr(draft, field, value)
    households.save(db, draft, user="王经办")
    return draft


def test_an_editor_save_is_audited_with_who_when_and_old_to_new(county):
    hid = _first(county)
    with county.session() as s:
        draft = households.load(s, hid)
    old_phone = draft.phone
    draft.phone = "13911112222"
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    households.save(county, draft, user="王经办")
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    entries = _entries(county, household_id=hid, action="update", entity="household")
    entry = entries[0]
    assert entry.user == "王经办" and before <= entry.at <= after  # UTC, written by Python
    assert json.loads(entry.detail)["changes"]["phone"] == [old_phone, "13911112222"]
    assert "联系电话：" in audit.describe(entry)  # the editor's words, not the column's


def test_inserts_and_deletes_of_any_table_are_audited_and_outlive_the_household(county):
    hid = _first(county)
    with county.transaction() as s:
        cadre_id = s.scalar(select(func.min(Visit.cadre_id))) or 1
        visit = Visit(cadre_id=cadre_id, household_id=hid, visited_on=dt.date(2026, 5, 1), note="走访")
        s.add(visit)
    with county.transaction() as s:
        s.delete(s.get(Visit, visit.id))
    with county.transaction() as s:  # PovDesk has no household deletion of its own: as a script would do it
        s.execute(delete(Household).where(Household.id == hid))
    kinds = {(e.action, e.entity) for e in _entries(county, household_id=hid)}
    assert {("insert", "visit"), ("delete", "visit")} <= kinds  # found by household, which no longer exists
    inserted = _entries(county, household_id=hid, action="insert", entity="visit")[0]
    assert json.loads(inserted.detail)["new"]["note"] == "走访"
    with county.transaction() as s:  # an ORM delete records the row's last values
        member = s.scalars(select(Member).order_by(Member.id.desc())).first()
        s.delete(member)
    deleted = _entries(county, action="delete", entity="member")[0]
    assert json.loads(deleted.detail)["old"]["name"] == member.name


def test_the_user_is_asked_at_each_write_and_filters_find_it(county):
    names = iter(["甲", "乙"])
    audit.set_user(county, lambda: next(names))
    for phone in ("13900000001", "13900000002"):
        with county.transaction() as s:
            s.get(Household, _first(county)).phone = phone
    assert len(_entries(county, user="甲")) == 1 and len(_entries(county, user="乙")) == 1
    with county.session() as s:
        assert {"甲", "乙"} <= set(audit.users(s)) and "household" in audit.entities(s)
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=1)
    assert _entries(county, since=later) == []


def test_the_audit_log_and_the_history_are_not_audited(county):
    with county.session() as s:
        count = s.scalar(select(func.count()).select_from(AuditLog))
    with county.transaction() as s:
        audit.entry(s, "roster_import", "household", detail={"file": "x.xlsx"})
    with county.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == count + 1
        assert s.scalars(select(AuditLog.entity).where(AuditLog.entity.in_(("audit_log", "change_log")))).all() == []


def test_a_deleted_households_history_stays_with_its_number_and_name(county):
    """Issue 14: change_log.household_id is ON DELETE SET NULL, and the database names the household as it goes."""
    from povdesk.model import ChangeLog

    hid = _first(county)
    draft = _saved_by_clerk(county, hid, phone="13911110000")
    head = draft.head().name
    with county.session() as s:
        count = s.scalar(select(func.count()).where(ChangeLog.household_id == hid))
    with county.transaction() as s:  # PovDesk has no household deletion of its own: as a script would do it
        s.execute(delete(Household).where(Household.id == hid))
    with county.session() as s:
        kept = s.scalars(select(ChangeLog).where(ChangeLog.household_number == draft.number)).all()
    assert len(kept) == count > 0
    assert {(e.household_id, e.household_name) for e in kept} == {(None, head)}
    assert "13911110000" in {e.new_value for e in kept}


def test_history_times_are_utc(county):
    from povdesk.model import ChangeLog

    hid = _first(county)
    _saved_by_clerk(county, hid, address="新址1号")
    utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with county.session() as s:
        at = s.scalars(select(ChangeLog.at).where(ChangeLog.household_id == hid).order_by(ChangeLog.id.desc())).first()
    assert abs((utc - at).total_seconds()) < 60


def test_the_upgrade_converts_local_history_times_to_utc(db, monkeypatch):
    """0011 shifts change_log.at (written in local time before) by this machine's UTC offset: here China's, +8 h."""
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    import sqlalchemy as sa
    from alembic import command
    from sqlalchemy import insert, text

    from povdesk import migrate
    from povdesk.model import Area, ChangeLog

    local = dt.datetime(2026, 6, 1, 9, 30, 0)
    offset = dt.datetime.now().astimezone().utcoffset()  # noqa: DTZ005 - the local offset is the point
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
        conn.execute(insert(Area).values(id=1, level="village", name="旧村", path="1/"))
        conn.execute(text("INSERT INTO household (id, number, village_id, needs_review) VALUES (1, 'H1', 1, false)"))
        log = sa.table(
            "change_log", *(sa.column(c) for c in ("household_id", "user", "kind")), sa.column("at", sa.DateTime)
        )
        conn.execute(insert(log).values(household_id=1, at=local, user="甲", kind="field"))
    try:
        migrate.upgrade(db.engine)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert offset == dt.timedelta(hours=8)
    with db.session() as s:
        assert s.scalar(select(ChangeLog.at)) == dt.datetime(2026, 6, 1, 1, 30, 0)
        assert s.get(Household, 1).version == 1


def test_opening_a_database_is_enough_for_the_hook_to_listen():
    """Every client (GUI, CLI, a script) gets the audit by importing povdesk.db, not by remembering povdesk.audit."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys; import povdesk.db; from sqlalchemy import event; from sqlalchemy.orm import Session; "
        "sys.exit(0 if event.contains(Session, 'after_flush', sys.modules['povdesk.audit']._record) else 1)"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0
