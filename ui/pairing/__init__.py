"""The paired-assistance feature (结对帮扶): units and their villages, work teams, cadres, the solver, reassignment,
visits and the responsibility table. Each screen loads when first opened and follows the selected area."""

from __future__ import annotations

from ui.screens import ScreensFeature

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


class PairingFeature(ScreensFeature):
    def __init__(self, window) -> None:
        super().__init__(window, SCREENS)


def install(window) -> None:
    window.pairing = PairingFeature(window)
