"""Regenerate the README's screenshots: the main window, household editor, notices screen, import wizard and the
paired-assistance screens (with the responsibility table's PDF as a PNG, through pdftoppm).

    QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py

Needs a CJK font (Debian: fonts-wqy-microhei), or every Chinese character is drawn as a box.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402

from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from povdesk import demo  # noqa: E402
from povdesk.db import open_database  # noqa: E402
from povdesk.model import Area, Household, MonitoredHousehold  # noqa: E402
from povdesk.notices import workflow  # noqa: E402
from povdesk.roster.exporter import export_roster  # noqa: E402
from ui.app import install_translators  # noqa: E402
from ui.household_editor import open_household  # noqa: E402
from ui.importing import open_import_wizard  # noqa: E402
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


def wait(app: QApplication, done, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    settle(app, 0.3)


def notices_screen(app: QApplication, window: MainWindow) -> None:
    """An exit batch of the township with the most 2019 exits, its village notice under way with an objection."""
    with window.db.transaction() as s:
        township_id = (
            s.execute(
                select(Area.parent_id)
                .join(Household, Household.village_id == Area.id)
                .where(Household.status == "exited", Household.year_exited == 2019)
                .group_by(Area.parent_id)
                .order_by(func.count().desc())
            )
            .scalars()
            .first()
        )
        batch = workflow.create_batch(s, kind="exit", year=2019, area=s.get(Area, township_id))
        workflow.start_stage(s, batch, "village_notice", dt.date(2019, 12, 1), today=dt.date(2019, 12, 3))
    screen = window.notices.open_screen()
    screen.set_area(township_id)
    screen.resize(1280, 820)
    screen.batches.selectRow(0)
    settle(app, 0.5)
    save(screen, "notices-screen")
    screen.close()


def import_wizard(app: QApplication, window: MainWindow, folder: Path) -> None:
    """The preview of a township's roster with two defects a clerk meets: a wrong check digit, an ID as a number."""
    path = folder / "花名册.xlsx"
    export_roster(window.db, path, area_id=window.current_area_id())
    book = load_workbook(path)
    sheet = book.active
    id_col = next(c.column for c in sheet[3] if c.value == "证件号码")
    number = sheet.cell(5, id_col).value
    sheet.cell(5, id_col).value = number[:-1] + ("0" if number[-1] != "0" else "1")
    sheet.cell(8, id_col).value = float(sheet.cell(8, id_col).value[:17])
    book.save(path)
    wizard = open_import_wizard(window, str(path))  # on its sheet page
    wizard.next()
    wait(app, lambda: wizard.currentPage() is wizard.mapping_page)
    save(wizard, "import-wizard-mapping")
    wizard.next()
    wait(app, lambda: wizard.preview_page.isComplete())
    save(wizard, "import-wizard-preview")
    wizard.close()


def pairing_screens(app: QApplication, window: MainWindow, folder: Path) -> None:
    """Twelve cadres have moved away: the solver proposes new helpers for their households. Cadres, visits
    (some recorded), a household's helpers, the responsibility table of a village."""
    from povdesk.model import Cadre, Pairing
    from povdesk.pairing import manual, visits
    from povdesk.pairing.export import export_pairs

    today = dt.date.today()
    with window.db.transaction() as s:
        moved = s.scalars(select(Cadre.id).where(Cadre.rank.in_(("general", "township")), Cadre.active.is_(True))
                          .order_by(Cadre.id).limit(12)).all()  # fmt: skip
        for cadre_id in moved:
            manual.end_cadre_pairings(s, cadre_id, reason="调动", user="演示", today=today)
        pairs = s.execute(select(Pairing.household_id, Pairing.cadre_id).where(Pairing.end_on.is_(None))
                          .order_by(Pairing.id).limit(400)).all()  # fmt: skip
        for i, (household_id, cadre_id) in enumerate(pairs[::3]):
            kinds = [("warmth", "policy"), ("technology",), ("project", "policy")][i % 3]
            draft = visits.VisitDraft(household_id, cadre_id, today - dt.timedelta(days=3 + 2 * i), list(kinds))
            visits.record_visit(s, draft, user="演示", today=today)
    solver = window.pairing.actions["SolverDialog"]
    solver.trigger()
    dialog = window.pairing.open["SolverDialog"]
    dialog.resize(1280, 800)
    dialog.area.setCurrentIndex(0)  # the county
    dialog.run()
    wait(app, lambda: dialog.model.rowCount() > 0)
    save(dialog, "pairing-solver")
    dialog.close()
    for cls, name in (("CadresDialog", "pairing-cadres"), ("VisitsDialog", "pairing-visits")):
        window.pairing.actions[cls].trigger()
        screen = window.pairing.open[cls]
        screen.resize(1280, 720)
        settle(app, 1.5)
        save(screen, name)
        screen.close()
    editor = open_household(window, window.db, window.settings, pairs[0][0], user="演示")
    editor.resize(1100, 760)
    editor.tabs.setCurrentIndex(next(i for i in range(editor.tabs.count()) if editor.tabs.tabText(i) == "帮扶责任人"))
    settle(app, 0.5)
    save(editor, "household-editor-helpers")
    editor.close()
    with window.db.session() as s:
        village = s.scalar(select(Area.name).join(Household, Household.village_id == Area.id)
                           .where(Household.id == pairs[0][0]))  # fmt: skip
    pdf = folder / "帮扶责任人.pdf"
    export_pairs(window.db, folder / "帮扶责任人.xlsx", area=village, pdf=pdf)
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", str(pdf), str(OUT / "responsibility-table")],
                   check=True)  # fmt: skip
    print("docs/screenshots/responsibility-table.png")


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
        notices_screen(app, window)
        import_wizard(app, window, Path(tmp))
        pairing_screens(app, window, Path(tmp))
        window.close()
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
