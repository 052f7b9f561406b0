"""Regenerate the README's screenshots: the main window and the household editor on a demo county.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py

Needs a CJK font (Debian: fonts-wqy-microhei), or every Chinese character is drawn as a box.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import select  # noqa: E402

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from povdesk import demo  # noqa: E402
from povdesk.db import open_database  # noqa: E402
from povdesk.model import Household, MonitoredHousehold  # noqa: E402
from ui.app import install_translators  # noqa: E402
from ui.household_editor import open_household  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.settings import AppSettings  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def settle(app: QApplication, seconds: float = 1.0) -> None:
    """Let background work (area counts, alerts) arrive and paint."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def save(widget: QWidget, name: str) -> None:
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    install_translators(app)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'demo.db'}")
        demo.generate(db, households=5000, seed=1)
        settings = AppSettings(QSettings(str(Path(tmp) / "shots.ini"), QSettings.Format.IniFormat))
        window = MainWindow(db, settings)
        window.resize(1440, 900)
        window.show()
        model = window.area_tree.model()
        township = model.index(0, 0, model.index(0, 0))
        window.area_tree.expand(township)
        window.area_tree.setCurrentIndex(model.index(0, 0, township))
        settle(app)
        save(window, "main-window")

        window.registry.alerts.show()
        settle(app, 2.0)
        save(window, "monitoring-alerts")
        window.registry.alerts.hide()

        with db.session() as session:
            household_id = session.scalar(
                select(MonitoredHousehold.household_id)
                .join(Household, Household.id == MonitoredHousehold.household_id)
                .where(MonitoredHousehold.risk_eliminated_on.is_(None))
                .order_by(Household.number)
            )
        editor = open_household(window, db, settings, household_id, user="演示")
        editor.resize(1100, 760)
        for index, name in ((0, "basic"), (1, "members"), (2, "years"), (5, "history")):
            editor.tabs.setCurrentIndex(index)
            settle(app, 0.3)
            save(editor, f"household-editor-{name}")
        editor.close()
        window.close()
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
