"""A clerk's day through the real main window, from an empty database: import a national roster, find and edit a
household, run an exit notice to its printed sheet, export the roster, back the database up.

Each task counts the clerk's actions from the main window to the result: a click, a shortcut, a choice in a list,
a field typed into, a file picked and a dialog's OK each count one (closing a window after the result does not).
The goal is at most five per task. A screenshot of each step goes to docs/screenshots/clerks-day-*.png.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QInputMethodEvent, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QFileDialog, QWidget, QWizard

from povdesk import backup
from povdesk.model import Household
from ui.files import SavedBox
from ui.main_window import MainWindow
from ui.notices.dialogs import NewBatchDialog

sys.path.insert(0, str(Path(__file__).parents[1]))
from national_rosters import build_e2016  # noqa: E402

SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
GOAL = 5


class Clerk:
    """Does what a clerk does with the mouse and keyboard, and counts it, per task."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.task = ""
        self.counts: dict[str, list[str]] = {}
        self.shots = 0

    def start(self, task: str) -> None:
        self.task = task
        self.counts[task] = []

    def _count(self, what: str) -> None:
        self.counts[self.task].append(what)

    def click(self, button, what: str) -> None:
        self._count(what)
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def keys(self, widget: QWidget, sequence: str | QKeySequence.StandardKey, what: str) -> None:
        self._count(what)
        self.qtbot.keySequence(widget, QKeySequence(sequence))

    def type(self, field, text: str, what: str) -> None:
        """Typed as a Chinese input method delivers it: the committed text replaces the field's selection."""
        self._count(what)
        field.selectAll()
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(field, event)

    def choose(self, combo: QComboBox, text: str, what: str) -> None:
        self._count(what)
        assert combo.findText(text) >= 0, text
        combo.setCurrentIndex(combo.findText(text))

    def double_click_row(self, view, row: int, what: str) -> None:
        self._count(what)
        rect = view.visualRect(view.model().index(row, 0))
        # as the mouse sends it: a click, then the second press that makes it a double click
        self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        self.qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def picks(self, what: str) -> None:
        """A choice made in a modal dialog that the test answers (a file dialog, the print dialog)."""
        self._count(what)

    def shot(self, widget: QWidget, name: str) -> None:
        self.shots += 1
        QApplication.processEvents()
        widget.grab().save(str(SHOTS / f"clerks-day-{self.shots:02d}-{name}.png"))


def _activate(qtbot, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def _only(widgets: list[QWidget]) -> QWidget:
    visible = [w for w in widgets if w.isVisible()]
    assert len(visible) == 1, visible
    return visible[0]


@pytest.fixture
def clerk(qtbot):
    SHOTS.mkdir(parents=True, exist_ok=True)
    clerk = Clerk(qtbot)
    yield clerk
    print("\nactions per task (goal ≤ 5):")
    for task, actions in clerk.counts.items():
        print(f"  {task}: {len(actions)} — {' → '.join(actions)}")


def test_a_clerks_day(qtbot, clerk, sqlite_db, settings, boxes, monkeypatch, tmp_path):
    roster = build_e2016(tmp_path)
    window = MainWindow(sqlite_db, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    _activate(qtbot, window)
    clerk.shot(window, "start-page")

    # 1. Import a roster: from the start page, the file, the sheet, the columns, the preview, 导入
    clerk.start("导入花名册")
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (clerk.picks("选择文件"), (str(roster.path), ""))[1])  # fmt: skip
    clerk.click(window.start_page.import_button, "点“导入花名册”")
    from ui.importing.wizard import ImportWizard

    wizard = _only(window.findChildren(ImportWizard))
    assert wizard.currentPage() is wizard.sheet_page and wizard.sheet_page.combo.currentText() == "贫困户数据"
    clerk.shot(wizard, "import-sheet")
    clerk.click(wizard.button(QWizard.WizardButton.NextButton), "下一步（工作表）")
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=20000)
    clerk.shot(wizard, "import-columns")
    clerk.click(wizard.button(QWizard.WizardButton.NextButton), "下一步（列对应）")
    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=30000)
    clerk.shot(wizard, "import-preview")
    clerk.click(wizard.button(QWizard.WizardButton.NextButton), "导入")
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.result_page, timeout=30000)
    clerk.shot(wizard, "import-result")
    assert f"新增 {roster.households} 户 {roster.persons} 人" in wizard.result_page.summary.text()
    wizard.close()  # 完成: after the result
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.splitter, timeout=5000)
    county = window.area_tree.model().index(0, 0)
    assert county.data() == "龙山县" and window.area_tree.currentIndex() == county  # the new county is selected
    qtbot.waitUntil(lambda: window.area_tree.model().index(0, 1).data() == str(roster.households), timeout=10000)
    clerk.shot(window, "after-import")

    # 2. Find a household by its head's name and change its phone number
    clerk.start("查找并修改一户")
    family = next(
        f for f in roster.families if sum(g.members[0].name == f.members[0].name for g in roster.families) == 1
    )
    head = family.members[0].name
    view = window.registry.view
    _activate(qtbot, window)
    clerk.keys(window, QKeySequence.StandardKey.Find, "Ctrl+F")
    assert QApplication.focusWidget() is view.search
    clerk.type(view.search, head, f"输入“{head}”")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=5000)
    clerk.shot(window, "find")
    clerk.double_click_row(view.table, 0, "双击该户")
    from ui.household_editor import HouseholdEditor

    editor = _only(window.findChildren(HouseholdEditor))
    _activate(qtbot, editor)
    clerk.type(editor.basic_tab.phone, "13907431234", "改联系电话")
    clerk.keys(editor, QKeySequence.StandardKey.Save, "Ctrl+S")
    assert editor.message.text().startswith("已保存")
    clerk.shot(editor, "edit-saved")
    with sqlite_db.session() as s:
        assert s.scalar(select(Household.phone).where(Household.number == family.number)) == "13907431234"
    editor.close()

    # 3. An exit notice for the county, from the menu to the printed village sheets
    clerk.start("公示批次到打印公示单")
    printed = tmp_path / "printed.pdf"

    def new_batch(dialog):
        clerk.choose(dialog.kind, "退出", "公示类型选“退出”")
        assert dialog.year.value() == 2018  # the latest year with exits in the registry
        clerk.shot(dialog, "new-batch")
        clerk.click(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), "确定")
        return dialog.result()

    def print_dialog(dialog):
        clerk.picks("打印对话框“打印”")
        dialog.printer().setOutputFileName(str(printed))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(NewBatchDialog, "exec", new_batch)
    monkeypatch.setattr(QPrintDialog, "exec", print_dialog)
    _activate(qtbot, window)
    clerk.keys(window, "Ctrl+Shift+B", "Ctrl+Shift+B（新建公示批次）")
    screen = window.notices.screen
    qtbot.waitUntil(lambda: screen.preview.path is not None, timeout=30000)
    assert screen.tabs.currentWidget() is screen.preview
    qtbot.wait(500)  # QPdfView renders its pages after the document is ready: for the screenshot only
    clerk.shot(screen, "notice-sheet")
    _activate(qtbot, screen)
    clerk.keys(screen, QKeySequence.StandardKey.Print, "Ctrl+P")
    assert printed.exists() and printed.stat().st_size > 10000  # the printer gets the pages as 300 dpi images
    text = subprocess.run(["pdftotext", str(screen.preview.path), "-"], capture_output=True, text=True, check=True)
    text = text.stdout
    exited_2018 = [f for f in roster.families if f.exited == 2018 and f.status in ("exited", "exited_stable")]
    assert exited_2018 and all(f.members[0].name in text for f in exited_2018)
    assert "2018年贫困户退出公示" in text.replace(" ", "")
    screen.close()

    # 4. Export the county's roster
    clerk.start("导出花名册")
    exported = tmp_path / "龙山县花名册.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (clerk.picks("另存为"), (str(exported), a[4] if len(a) > 4 else ""))[1])  # fmt: skip
    export = next(a for a in window.menus["file"].actions() if a.text().startswith("导出花名册"))
    clerk.picks("菜单“文件”")
    clerk.picks("“导出花名册…”")
    export.trigger()
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(SavedBox)), timeout=30000)
    saved = _only(window.findChildren(SavedBox))
    assert saved.informativeText() == str(exported) and exported.stat().st_size > 5000
    clerk.shot(saved, "exported")
    saved.close()

    # 5. Back the database up
    clerk.start("备份数据库")
    copy = tmp_path / "PovDesk备份.db"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (clerk.picks("另存为"), (str(copy), a[4] if len(a) > 4 else ""))[1])  # fmt: skip
    clerk.picks("菜单“文件”")
    clerk.picks("“备份数据库…”")
    window.findChild(QAction, "backupAction").trigger()
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(SavedBox)), timeout=30000)
    saved = _only(window.findChildren(SavedBox))
    assert saved.informativeText() == str(copy)
    clerk.shot(saved, "backed-up")
    saved.close()
    assert backup.verify(copy).households == roster.households

    for task, actions in clerk.counts.items():
        assert len(actions) <= GOAL, (task, actions)
