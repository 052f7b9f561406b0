"""The wizard validates once: its preview is the import, held open; 导入 commits it, 上一步 and 取消 undo it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from PySide6.QtCore import QCoreApplication, QThreadPool
from PySide6.QtWidgets import QWidget

from povdesk.model import AuditLog, Household, Member
from povdesk.roster.reader import RosterSheet
from ui.importing.wizard import ImportWizard

sys.path.insert(0, str(Path(__file__).parents[1] / "povdesk"))
from test_roster_fixtures import sample_households, write_roster  # noqa: E402

_PARENTS: list[QWidget] = []


@pytest.fixture
def reads(monkeypatch):
    """The names of the rosters whose data rows were read, once per reading (the real reader, counted)."""
    names = []
    rows = RosterSheet.rows

    def counted(sheet):
        names.append(sheet.path.name)
        return rows(sheet)

    monkeypatch.setattr(RosterSheet, "rows", counted)
    return names


def _registry(db) -> tuple[int, int, int]:
    """Households, members and import audit entries, as another session sees them (not the entries the session hook
    writes for each ORM write of the import, e.g. the helping units it creates)."""
    with db.session() as s:
        imports = select(func.count()).select_from(AuditLog).where(AuditLog.action == "roster_import")
        return (*(s.scalar(select(func.count()).select_from(m)) for m in (Household, Member)), s.scalar(imports))


def _at_preview(qtbot, db, settings, path) -> ImportWizard:
    parent = QWidget()
    qtbot.addWidget(parent)
    _PARENTS.append(parent)
    wizard = ImportWizard(db, settings, parent, path=str(path))
    wizard.show()
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10000)
    wizard.next()
    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=10000)
    return wizard


def _settle() -> None:
    """Every background job has ended and its outcome has reached the wizard."""
    QThreadPool.globalInstance().waitForDone()
    QCoreApplication.processEvents()


def test_the_file_is_read_once_and_import_stores_what_the_preview_showed(qtbot, sqlite_db, settings, boxes, reads,
                                                                          tmp_path):  # fmt: skip
    path = write_roster(tmp_path / "青山镇.xlsx")
    wizard = _at_preview(qtbot, sqlite_db, settings, path)
    previewed = wizard.preview_page.summary.text()
    assert "将新增 3 户 6 人" in previewed and _registry(sqlite_db) == (0, 0, 0)
    # GIVEN the clerk changes the file after the preview: the import does not look at it again
    write_roster(path, sample_households()[:1])
    wizard.next()
    wizard.next()  # 导入 clicked twice: one import
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.result_page, timeout=10000)
    assert "新增 3 户 6 人" in wizard.result_page.summary.text()
    assert _registry(sqlite_db) == (3, 6, 1)
    assert reads == ["青山镇.xlsx"]  # the header was read for the mapping page, the rows only once
    assert sqlite_db.engine.pool.checkedout() == 0  # the held session is closed
    assert boxes == []


def test_going_back_from_the_preview_undoes_it_and_the_next_preview_runs_again(qtbot, sqlite_db, settings, boxes,
                                                                                reads, tmp_path):  # fmt: skip
    path = write_roster(tmp_path / "r.xlsx")
    wizard = _at_preview(qtbot, sqlite_db, settings, path)
    first = wizard.preview_page.summary.text()
    wizard.back()
    assert wizard.currentPage() is wizard.mapping_page and wizard.pending is None
    assert _registry(sqlite_db) == (0, 0, 0) and sqlite_db.engine.pool.checkedout() == 0
    wizard.next()  # a second preview finds the database free
    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=10000)
    assert wizard.preview_page.summary.text() == first and len(reads) == 2
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.result_page, timeout=10000)
    assert _registry(sqlite_db) == (3, 6, 1)  # one import, not two
    assert boxes == []


def test_cancel_on_the_preview_leaves_the_database_as_it_was(qtbot, sqlite_db, settings, boxes, tmp_path):
    wizard = _at_preview(qtbot, sqlite_db, settings, write_roster(tmp_path / "r.xlsx"))
    imported = []
    wizard.imported.connect(imported.append)
    wizard.reject()
    assert not wizard.isVisible() and wizard.pending is None
    assert _registry(sqlite_db) == (0, 0, 0) and sqlite_db.engine.pool.checkedout() == 0
    with sqlite_db.transaction() as s:  # nobody holds the write lock any more
        s.add(AuditLog(user="", action="check", entity="household", detail=""))
    assert imported == [] and boxes == []


def test_closing_the_wizard_while_the_preview_runs_leaves_nothing_behind(qtbot, sqlite_db, settings, boxes, tmp_path):
    path = write_roster(tmp_path / "r.xlsx")
    parent = QWidget()
    qtbot.addWidget(parent)
    _PARENTS.append(parent)
    wizard = ImportWizard(sqlite_db, settings, parent, path=str(path))
    wizard.show()
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10000)
    wizard.next()  # the preview starts on a worker thread …
    wizard.reject()  # … and the clerk closes the window at once
    _settle()
    assert wizard.pending is None
    assert _registry(sqlite_db) == (0, 0, 0) and sqlite_db.engine.pool.checkedout() == 0
    assert boxes == []


def test_a_preview_left_open_too_long_is_given_up_so_others_can_save(qtbot, sqlite_db, settings, boxes, tmp_path):
    wizard = _at_preview(qtbot, sqlite_db, settings, write_roster(tmp_path / "r.xlsx"))
    page = wizard.preview_page
    assert page.expiry.isActive() and page.expiry.interval() == 10 * 60_000
    page.expiry.setInterval(10)  # the clerk went to lunch
    page.expiry.start()
    qtbot.waitUntil(lambda: wizard.pending is None, timeout=5000)
    assert not page.isComplete() and "已自动放弃" in page.summary.text()
    assert _registry(sqlite_db) == (0, 0, 0) and sqlite_db.engine.pool.checkedout() == 0
    page.expiry.setInterval(10 * 60_000)  # back from lunch
    wizard.back()
    wizard.next()  # previewed again, and imported
    qtbot.waitUntil(page.isComplete, timeout=10000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.result_page, timeout=10000)
    assert _registry(sqlite_db) == (3, 6, 1) and boxes == []
