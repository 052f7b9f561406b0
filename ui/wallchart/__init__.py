"""The wall charts feature (挂图作战): the dashboard on screen, the printable sheet and their settings. Each screen
loads when first opened; the dashboard follows the area selected in the main window."""

from __future__ import annotations

from ui.screens import ScreensFeature

# (menu, module, class, title, shortcut): every screen is built as Cls(db, settings, area_id, parent).
SCREENS = (
    ("charts", "ui.wallchart.dashboard", "DashboardWindow", "作战图(&W)…", "Ctrl+Shift+W"),
    ("charts", "ui.wallchart.export", "ExportDialog", "导出作战图PDF(&E)…", ""),
    ("charts", None, None, None, None),
    ("charts", "ui.wallchart.settings_dialog", "WallchartSettingsDialog", "作战图设置(&S)…", ""),
)


class WallchartFeature(ScreensFeature):
    def __init__(self, window) -> None:
        super().__init__(window, SCREENS)
        window.area_changed.connect(self._follow_area)

    def _follow_area(self, area_id: int | None) -> None:
        """The open dashboard shows the area the clerk selects in the main window's tree."""
        dashboard = self.open.get("DashboardWindow")
        if dashboard is not None and area_id != dashboard.area_id:
            dashboard.navigate(area_id)


def install(window) -> None:
    window.wallchart = WallchartFeature(window)
