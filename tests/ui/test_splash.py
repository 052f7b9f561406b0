"""A sign of life at once: the splash shows before the domain and the database layer are imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from ui.app import run_gui, show_splash

ROOT = Path(__file__).parents[2]


def test_the_splash_needs_only_qt():
    # WHEN the GUI's start-up module is imported (what runs before the splash shows)
    code = "import sys, ui.app; print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'openpyxl', " \
        "'reportlab', 'alembic', 'pypinyin') or m in ('povdesk.db', 'povdesk.model', 'ui.main_window')))"  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    # THEN nothing heavy came with it
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_splash_shows_and_is_painted(qapp, qtbot):
    splash = show_splash(qapp)
    qtbot.addWidget(splash)
    assert splash.isVisible() and splash.windowHandle().isExposed()
    assert "正在启动" in splash.accessibleName()
    splash.grab().save("/tmp/shots15/splash.png")


def test_the_splash_goes_when_the_database_cannot_be_opened(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(title))
    bogus = tmp_path / "not-a-db.db"
    bogus.write_text("a note, not a database")
    assert run_gui(f"sqlite:///{bogus}") == 1
    assert shown == ["无法打开数据库"]
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "splash" and w.isVisible()]
