"""The notices feature: the two-notices-one-announcement screen, household cards and forms, notice templates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from povdesk.model import Area
from povdesk.progress import Progress
from ui.ops import run_in_background

if TYPE_CHECKING:  # the screen, the dialogs and reportlab load when first used, not at startup
    from ui.notices.screen import NoticesScreen


class NoticesFeature(QObject):
    """Menu actions of the notices feature; the screen is a window of its own that follows the selected area."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.screen: NoticesScreen | None = None
        self.last_printed: Path | None = None
        w = window
        self.open_action = QAction(w.tr("两公示一公告(&N)…"), w)
        self.open_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.open_action.triggered.connect(self.open_screen)
        self.new_batch_action = QAction(w.tr("新建公示批次(&B)…"), w)
        self.new_batch_action.setStatusTip(w.tr("为所选乡镇或村新建识别、退出等公示批次，并开始村级公示"))
        self.new_batch_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.new_batch_action.triggered.connect(lambda: self.open_screen().new_batch())
        self.cards_action = QAction(w.tr("打印本村明白卡和帮扶联系卡(&C)…"), w)
        self.cards_action.triggered.connect(lambda: self.print_village("cards"))
        self.forms_action = QAction(w.tr("打印本村贫困户登记表(&F)…"), w)
        self.forms_action.triggered.connect(lambda: self.print_village("forms"))
        self.templates_action = QAction(w.tr("公示模板(&T)…"), w)
        self.templates_action.triggered.connect(self.edit_templates)
        menu = w.menus["notices"]
        menu.addAction(self.open_action)
        menu.addAction(self.new_batch_action)
        menu.addSeparator()
        menu.addAction(self.cards_action)
        menu.addAction(self.forms_action)
        w.menus["settings"].addAction(self.templates_action)
        w.toolbar.addAction(self.open_action)
        if hasattr(w, "area_changed"):
            w.area_changed.connect(self._follow_area)

    def open_screen(self) -> NoticesScreen:
        if self.screen is None:
            from ui.notices.screen import NoticesScreen

            self.screen = NoticesScreen(
                self.window.db, self.window.settings, self.window.current_area_id(), self.window
            )
            self.screen.setWindowFlag(Qt.WindowType.Window)
            self.screen.data_changed.connect(self.window.data_changed.emit)
            self.screen.destroyed.connect(lambda: setattr(self, "screen", None))
            self.screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.screen.restore_geometry()
        self.screen.show()
        self.screen.raise_()
        self.screen.activateWindow()
        return self.screen

    def _follow_area(self, area_id: int | None) -> None:
        if self.screen is not None:
            self.screen.set_area(area_id)

    def print_village(self, what: str, target: str | None = None, *, open_when_done: bool = True) -> None:
        """Cards or registration forms of the selected village, written off the GUI thread, then opened."""
        w = self.window
        db = w.db
        with db.session() as s:
            area = s.get(Area, w.current_area_id()) if w.current_area_id() else None
        if area is None or area.level != "village":
            QMessageBox.information(w, w.tr("打印"), w.tr("请先在左侧选择一个村：明白卡和登记表按村打印。"))
            return
        name = f"{area.name}{'明白卡' if what == 'cards' else '贫困户登记表'}.pdf"
        if not target:
            from ui.files import save_path

            chosen = save_path(w, w.settings, "notices", w.tr("保存PDF"), name, w.tr("PDF 文件 (*.pdf)"))
            if chosen is None:
                return
            target = str(chosen)
        area_id = area.id
        from povdesk.pdf import cards

        render = cards.render_cards if what == "cards" else cards.render_registration_forms

        def work(progress: Progress) -> Path:
            with db.session() as s:
                render(s, s.get(Area, area_id), Path(target), progress)
            return Path(target)

        def done(path: Path) -> None:
            self.last_printed = path
            if open_when_done:  # where it went, with 打开 / 打开所在文件夹 (nothing happens without a PDF viewer)
                from ui.files import show_saved

                self.saved_box = show_saved(w, path, w.tr("明白卡" if what == "cards" else "贫困户登记表"))

        self._op = run_in_background(w, w.tr("生成PDF"), work, done)

    def edit_templates(self) -> None:
        from ui.notices.templates import TemplateDialog

        TemplateDialog(self.window.db, self.window.settings, self.window).exec()


def install(window) -> None:
    window.notices = NoticesFeature(window)
