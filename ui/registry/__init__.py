"""The registry feature: the household list in the main window, its menu, and opening households in the editor."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from povdesk import registry
from ui import operator_name
from ui.registry.alerts import AlertsDock
from ui.registry.monitoring_lines import MonitoringLinesDialog
from ui.registry.view import RegistryView


class RegistryFeature(QObject):
    """Wires the list to the window: area changes narrow it, saves and imports refresh it.

    A child of the window, so Qt, not Python's garbage collector, decides when it goes.
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.view = RegistryView(window.db, window.settings, window)
        window.right_layout.insertWidget(1, self.view, 1)
        window.right_layout.takeAt(window.right_layout.count() - 1)  # the stretch: the list takes the room now
        self.alerts = AlertsDock(window.db, window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.alerts)
        self.alerts.hide()
        with window.db.session() as session:
            self.view.set_years(registry.data_years(session))
        window.area_changed.connect(self._on_area_changed)
        window.data_changed.connect(self.view.refresh)
        window.data_changed.connect(self.alerts.refresh)
        window.closing.connect(self.view.save_state)
        self.view.open_household.connect(self.open_household)
        self.alerts.open_household.connect(self.open_household)
        self._add_actions()

    def _add_actions(self) -> None:
        w = self.window
        menu = w.menus["registry"]
        new = QAction(w.tr("新建户(&N)…"), w)
        new.setShortcut(QKeySequence.StandardKey.New)
        new.triggered.connect(self.new_household)
        find = QAction(w.tr("查找(&F)"), w)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        find.triggered.connect(self.view.focus_search)
        refresh = QAction(w.tr("刷新(&R)"), w)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(w.data_changed.emit)
        alerts = self.alerts.toggleViewAction()
        alerts.setText(w.tr("监测预警(&A)"))
        alerts.setShortcut(QKeySequence("Ctrl+Shift+A"))
        export = QAction(w.tr("导出当前列表(&E)…"), w)
        export.setStatusTip(w.tr("把列表中筛选出的户按全国系统格式导出为 Excel 花名册"))
        export.triggered.connect(self.export_view)
        for action in (new, find, refresh, export):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(alerts)
        lines = QAction(w.tr("监测收入线(&M)…"), w)
        lines.triggered.connect(self.edit_monitoring_lines)
        w.menus["settings"].addAction(lines)
        operator_name.install(w)  # 设置 → 经办人…: every window has the registry, so the setting is always reachable
        for action in (new, refresh, alerts):
            w.toolbar.addAction(action)

    def _on_area_changed(self, area_id: int | None) -> None:
        self.view.set_area(area_id)

    def open_household(self, household_id: int | None, village_id: int | None = None):
        from ui.household_editor import open_household  # the editor is heavy: load it on first use

        editor = open_household(self.window, self.window.db, self.window.settings, household_id, village_id=village_id)
        # None: the editor has told the clerk why it could not open. An editor already open comes back: connect once.
        if editor is not None and not editor.property("registry_connected"):
            editor.setProperty("registry_connected", True)
            editor.saved.connect(lambda _id: self.window.data_changed.emit())
        return editor

    def new_household(self):
        area_id = self.window.current_area_id()
        with self.window.db.session() as session:
            village_id = registry.village_of(session, area_id)
        if village_id is None:
            QMessageBox.information(
                self.window, self.window.tr("新建户"), self.window.tr("请先在左侧选择新户所在的村（或村民小组）。")
            )
            return None
        return self.open_household(None, village_id)

    def export_view(self) -> None:
        from ui.importing import export_roster_to

        ids = self.view.model.household_ids()
        if not ids:
            QMessageBox.information(self.window, self.window.tr("导出当前列表"), self.window.tr("当前列表中没有农户。"))
            return
        export_roster_to(self.window, self.window.db, self.window.settings, household_ids=ids)

    def edit_monitoring_lines(self) -> None:
        dialog = MonitoringLinesDialog(self.window.db, self.window.settings, self.window)
        if dialog.exec():
            self.window.data_changed.emit()


def install(window) -> None:
    window.registry = RegistryFeature(window)
