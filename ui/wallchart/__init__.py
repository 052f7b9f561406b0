"""The wall charts feature (挂图作战): the dashboard on screen, the printable sheet and their settings. Each screen
loads when first opened; the dashboard follows the area selected in the main window."""

from __future__ import annotations

import importlib

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

# (menu, module, class, title, shortcut): every screen is built as Cls(db, settings, area_id, parent).
SCREENS = (
    ("charts", "ui.wallchart.dashboard", "DashboardWindow", "作战图(&W)…", "Ctrl+Shift+W"),
    ("charts", "ui.wallchart.export", "ExportDialog", "导出作战图PDF(&E)…", ""),
    ("charts", None, None, None, None),
    ("charts", "ui.wallchart.settings_dialog", "WallchartSettingsDialog", "作战图设置(&S)…", ""),
)


class WallchartFeature(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.actions: dict[str, QAction] = {}
        self.open: dict[str, QWidget] = {}  # class name → the open screen
        for menu, module, cls, title, shortcut in SCREENS:
            if module is None:
                window.menus[menu].addSeparator()
                continue
            action = QAction(window.tr(title), window)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, m=module, c=cls: self.show_screen(m, c))
            window.menus[menu].addAction(action)
            self.actions[cls] = action
        window.area_changed.connect(self._follow_area)

    def show_screen(self, module: str, cls: str) -> QWidget:
        """Open the screen, or bring it to the front if it is open already."""
        screen = self.open.get(cls)
        if screen is None:
            w = self.window
            screen = getattr(importlib.import_module(module), cls)(w.db, w.settings, w.current_area_id(), w)
            screen.setWindowFlag(Qt.WindowType.Window)
            screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            screen.data_changed.connect(w.data_changed.emit)
            screen.destroyed.connect(lambda _=None, c=cls: self.open.pop(c, None))
            self.open[cls] = screen
        screen.show()
        screen.raise_()
        screen.activateWindow()
        return screen

    def _follow_area(self, area_id: int | None) -> None:
        """The open dashboard shows the area the clerk selects in the main window's tree."""
        dashboard = self.open.get("DashboardWindow")
        if dashboard is not None and area_id != dashboard.area_id:
            dashboard.navigate(area_id)


def install(window) -> None:
    window.wallchart = WallchartFeature(window)
