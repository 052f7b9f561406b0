"""A sign of life at once: the main window's frame shows before the domain and the database layer are imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from ui.app import run_gui, show_frame

ROOT = Path(__file__).parents[2]


def test_the_frame_needs_only_qt():
    # WHEN the GUI's start-up module is imported (what runs before the window shows)
    code = "import sys, ui.app; print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'openpyxl', " \
        "'reportlab', 'alembic', 'pypinyin', 'pyqtgraph') or m in ('povdesk.db', 'povdesk.model', 'ui.area_tree')))"  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    # THEN nothing heavy came with it
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_frame_shows_at_once_and_fills_in(qapp, qtbot, settings, demo_db):
    # GIVEN the frame, shown before any database is open
    window = show_frame(qapp, settings)
    qtbot.addWidget(window)
    assert window.isVisible() and window.windowHandle().isExposed()
    assert window.centralWidget().currentWidget().text() == "正在打开数据库……"
    assert not window.menuBar().isEnabled() and not window.ready
    # WHEN the database is attached
    window.attach(demo_db)
    # THEN the same window shows the area tree, with its menus usable
    assert window.ready and window.menuBar().isEnabled()
    assert window.centralWidget().currentWidget() is window.splitter
    assert window.area_tree.model().rowCount() > 0
    assert window.menus["registry"].actions()


def test_the_frame_closes_when_the_database_cannot_be_opened(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the window saves its size: not the user's file
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(title))
    bogus = tmp_path / "not-a-db.db"
    bogus.write_text("a note, not a database")
    assert run_gui(f"sqlite:///{bogus}") == 1
    assert shown == ["无法打开数据库"]
    assert not [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow" and w.isVisible()]
