"""A feature made of screens opened from menu entries: each screen is loaded when first opened, built as
Cls(db, settings, area_id, parent), kept while open (a second click brings it to the front) and emits data_changed
after a write."""

from __future__ import annotations

import importlib

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

# (menu key, module, class, title, shortcut); a row of Nones is a separator
Screen = tuple[str, str | None, str | None, str | None, str | None]


class ScreensFeature(QObject):
    def __init__(self, window, screens: tuple[Screen, ...]) -> None:
        super().__init__(window)
        self.window = window
        self.actions: dict[str, QAction] = {}
        self.open: dict[str, QWidget] = {}  # class name → the open screen
        for menu, module, cls, title, shortcut in screens:
            if module is None:
                window.menus[menu].addSeparator()
                continue
            action = QAction(window.tr(title), window)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, m=module, c=cls: self.show_screen(m, c))
            window.menus[menu].addAction(action)
            self.actions[cls] = action

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
