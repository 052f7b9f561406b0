"""The paired-assistance feature (结对帮扶): units and their villages, work teams, cadres, the solver, reassignment,
visits and the responsibility table. Each screen loads when first opened and follows the selected area."""

from __future__ import annotations

import importlib

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

# (menu, module, class, title, shortcut): every screen is built as Cls(db, settings, area_id, parent) and emits
# data_changed after a write.
SCREENS = (
    ("pairing", "ui.pairing.units", "UnitsDialog", "单位包村(&U)…", ""),
    ("pairing", "ui.pairing.teams", "TeamsDialog", "驻村工作队(&T)…", ""),
    ("pairing", "ui.pairing.cadres", "CadresDialog", "帮扶干部(&C)…", "Ctrl+Shift+C"),
    ("pairing", None, None, None, None),
    ("pairing", "ui.pairing.solver", "SolverDialog", "自动结对(&P)…", "Ctrl+Shift+P"),
    ("pairing", "ui.pairing.reassign", "ReassignDialog", "调整帮扶责任人(&R)…", ""),
    ("pairing", "ui.pairing.visits", "VisitsDialog", "走访记录(&V)…", "Ctrl+Shift+V"),
    ("pairing", None, None, None, None),
    ("pairing", "ui.pairing.export", "ExportDialog", "导出帮扶责任人一览表(&E)…", ""),
    ("settings", "ui.pairing.schemes", "SchemesDialog", "结对方案(&S)…", ""),
)


class PairingFeature(QObject):
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


def install(window) -> None:
    window.pairing = PairingFeature(window)
