"""A held import (the wizard's preview): validated and written in an open transaction, then committed or undone."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from test_roster_fixtures import registry_dump, sample_households, write_roster

from povdesk.model import AuditLog, Household, Member
from povdesk.progress import Cancelled, Progress
from povdesk.roster.importer import ImportBusy, ImportResult, PendingImport, import_roster


def _counts(db) -> tuple[int, int, int]:
    """Households, members, and import entries of the audit log (the session hook also records each ORM write of
    an import, e.g. the helping units it creates)."""
    with db.session() as s:
        imports = select(func.count()).select_from(AuditLog).where(AuditLog.action == "roster_import")
        return (*(s.scalar(select(func.count()).select_from(m)) for m in (Household, Member)), s.scalar(imports))


def _in_thread(fn):
    """Run `fn` on a thread of its own, as the wizard's worker does, and return what it returned."""
    out = []
    worker = threading.Thread(target=lambda: out.append(fn()))
    worker.start()
    worker.join()
    return out[0]


def test_a_held_import_is_seen_by_nobody_until_committed_from_another_thread(db, tmp_path):
    path = write_roster(tmp_path / "r.xlsx")
    pending = _in_thread(lambda: import_roster(db, path, hold=True, user="李会计"))
    assert isinstance(pending, PendingImport) and pending.open
    result = pending.result
    assert (result.households_added, result.persons_added, result.committed) == (3, 6, False)
    assert result.summary().startswith("预检完成")
    assert _counts(db) == (0, 0, 0)
    path.unlink()  # the commit does not read the file again
    committed = _in_thread(pending.commit)
    assert committed is result and result.committed and result.summary().startswith("导入完成")
    assert _counts(db) == (3, 6, 1) and not pending.open
    pending.rollback()  # after the commit: nothing to undo
    assert _counts(db) == (3, 6, 1) and db.engine.pool.checkedout() == 0


def test_a_held_import_rolled_back_leaves_the_registry_as_it_was_and_the_next_import_runs(db, tmp_path):
    first = write_roster(tmp_path / "first.xlsx", sample_households()[:1])
    import_roster(db, first)
    before = registry_dump(db)
    pending = import_roster(db, write_roster(tmp_path / "all.xlsx"), hold=True)
    assert pending.result.households_added == 2 and pending.result.households_updated == 0
    pending.rollback()
    assert registry_dump(db) == before and _counts(db)[2] == 1 and db.engine.pool.checkedout() == 0
    with pytest.raises(RuntimeError):
        pending.commit()
    again = import_roster(db, tmp_path / "all.xlsx")  # the CLI's import: committed at once, as before
    assert isinstance(again, ImportResult) and again.committed and again.households_added == 2


@pytest.mark.postgres
def test_on_a_shared_server_a_held_import_keeps_other_imports_out_until_it_ends(pg_db, tmp_path):
    path = write_roster(tmp_path / "r.xlsx")
    pending = import_roster(pg_db, path, hold=True)
    with pytest.raises(ImportBusy):
        import_roster(pg_db, path, dry_run=True)
    pending.rollback()
    assert import_roster(pg_db, path, dry_run=True).households_added == 3


def test_a_held_import_cancelled_at_its_end_closes_its_session(db, tmp_path):
    path = write_roster(tmp_path / "r.xlsx")
    progress = Progress(lambda _done, _total, label: progress.cancel() if label.startswith("正在完成") else None)
    with pytest.raises(Cancelled):  # every row written, then the clerk cancels
        import_roster(db, path, hold=True, progress=progress)
    assert _counts(db) == (0, 0, 0) and db.engine.pool.checkedout() == 0


def test_hold_is_not_a_dry_run_nor_strict(sqlite_db, tmp_path):
    path = write_roster(tmp_path / "r.xlsx")
    for flags in ({"dry_run": True}, {"strict": True}):
        with pytest.raises(ValueError):
            import_roster(sqlite_db, path, hold=True, **flags)
