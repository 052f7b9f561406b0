"""Fixtures for the Qt tests: settings in a temporary INI file, a small demo county, the main window over it."""

from __future__ import annotations

import pytest

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from povdesk import demo
from ui.main_window import MainWindow
from ui.settings import AppSettings


@pytest.fixture
def settings(tmp_path):
    """Settings of a clerk who has said who they are (经办人): a save never stops to ask."""
    from ui.operator_name import OPERATOR

    settings = AppSettings(QSettings(str(tmp_path / "test.ini"), QSettings.Format.IniFormat))
    settings.set(OPERATOR, "测试经办人")
    return settings


@pytest.fixture
def boxes(monkeypatch):
    """The message boxes a test would have shown, as (kind, text), instead of showing them."""
    shown = []
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda *args, _k=kind: shown.append((_k, args[2])))
    return shown


@pytest.fixture(scope="module")
def demo_db_file(tmp_path_factory):
    """A 400-household demo county, generated once per module and copied per test (tests may write to it)."""
    from povdesk.db import open_database

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(f"sqlite:///{path}")
    demo.generate(db, households=400, seed=3)
    db.close()
    return path


@pytest.fixture
def demo_db(demo_db_file, tmp_path):
    from povdesk.db import open_database

    copy = tmp_path / "county.db"
    copy.write_bytes(demo_db_file.read_bytes())
    db = open_database(f"sqlite:///{copy}")
    yield db
    db.close()


@pytest.fixture
def main_window(qtbot, demo_db, settings):
    window = MainWindow(demo_db, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(window.area_tree.counts), timeout=10000)
    return window


@pytest.fixture(autouse=True)
def _workers_finish(qtbot):
    """Background jobs of a test finish and its closed windows are deleted before the next test starts."""
    yield
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool

    QThreadPool.globalInstance().waitForDone()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
