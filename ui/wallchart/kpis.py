"""The dashboard's KPI tiles: the area's key figures in a row, each lit green / amber / red by its target."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from povdesk.wallchart.model import METRICS

if TYPE_CHECKING:
    from ui.wallchart.dashboard import View

# KPI tiles: metric keys, in order
KPIS = ("households", "persons", "poor_persons", "incidence", "exits_actual", "pairing_coverage",
        "guarantee_short_households", "monitored_households", "risk_elimination_rate")  # fmt: skip


def tr(text: str) -> str:
    return QCoreApplication.translate("DashboardWindow", text)


def light_style(light: str | None) -> str:
    from povdesk.wallchart.targets import COLORS

    if light is None:
        return "QFrame#kpi { background: #f5f5f5; border: 1px solid #cccccc; border-radius: 4px; }"
    colour = COLORS[light]
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    tint = f"rgb({(r + 3 * 255) // 4}, {(g + 3 * 255) // 4}, {(b + 3 * 255) // 4})"  # a quarter of the light
    return (f"QFrame#kpi {{ background: {tint}; border: 1px solid {colour}; border-left: 6px solid {colour};"
            " border-radius: 4px; }")  # fmt: skip


class KpiTile(QFrame):
    """A figure with its label; lit green / amber / red when a target applies to it."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("kpi")
        self.title = QLabel(self.tr(METRICS[key].label), self)
        self.title.setWordWrap(True)
        self.title.setStyleSheet("color: #555555;")
        self.value = QLabel("—", self)
        font = QFont(self.value.font())
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        self.value.setFont(font)
        self.note = QLabel(self)
        self.note.setStyleSheet("color: #555555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        self.light: str | None = None
        self.setStyleSheet(light_style(None))

    def set_value(self, text: str, light: str | None, note: str = "") -> None:
        self.value.setText(text)
        self.light = light
        self.note.setText(note)
        self.setStyleSheet(light_style(light))


class KpiRow(QHBoxLayout):
    """The tiles of KPIS in a row; `tiles` by metric key."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__()
        self.tiles = {key: KpiTile(key, parent) for key in KPIS}
        self.setSpacing(6)
        for tile in self.tiles.values():
            self.addWidget(tile, 1)

    def show_view(self, view: View) -> None:
        """Each tile's figure of the area's total, lit by its target, with the target (or a hint) under it."""
        from povdesk.wallchart import targets as targets_mod
        from povdesk.wallchart.templates import format_value

        total = view.dashboard.total
        for key, tile in self.tiles.items():
            value = total.values.get(key)
            target = next((t for t in view.targets if t.metric == key), None)
            light = None
            note = ""
            if target is not None:
                light = total.lights.get(target.key) or targets_mod.light(target, value)
                kind = METRICS[key].kind
                op = "≤" if target.better == "lower" else "≥"
                note = tr("目标{0}{1}").format(op, format_value(target.green, kind))
                if light:
                    note = f"{targets_mod.LIGHT_LABELS[light]}　{note}"
            if key == "incidence" and value is None:
                note = tr("未录入农村人口")
            elif key == "poor_persons" and total.values.get("persons"):
                note = tr("建档立卡{0}人").format(format_value(total.values.get("persons")))
            tile.set_value(format_value(value, METRICS[key].kind), light, note)
