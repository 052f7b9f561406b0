"""作战图设置: the issuing office and the targets' lights, the rural population per area and year (typed or imported
from a sheet), the tables' templates (which columns, their titles, their order; back to the default), and the
village boundaries (GeoJSON) with the features that matched no village. Nothing is written until 确定, except an
imported population sheet (the import is its own transaction, and says what it took). Each tab page is a module of its
own (settings_targets, settings_population, settings_templates, settings_map); this one assembles and saves them."""

from __future__ import annotations

import copy
import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from povdesk import areas
from povdesk.db import Database
from povdesk.errors import PovDeskError, RuleViolation
from ui.dialogs import ERROR_STYLE, RememberingDialog
from ui.settings import AppSettings
from ui.wallchart.settings_map import MapPage
from ui.wallchart.settings_population import PopulationPage
from ui.wallchart.settings_targets import TargetsPage
from ui.wallchart.settings_templates import LEVELS, TemplatesPage


class WallchartSettingsDialog(TargetsPage, PopulationPage, TemplatesPage, MapPage, RememberingDialog):
    """The four pages' widgets on one dialog: loaded together, checked and written in one transaction on 确定."""

    data_changed = Signal()  # rural population and the settings of the charts changed

    def __init__(self, db: Database, settings: AppSettings, area_id: int | None = None, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:  # fmt: skip
        super().__init__("wallchart_settings", settings, parent)
        self.db = db
        self.settings = settings
        self.today = today or dt.date.today()
        self.setWindowTitle(self.tr("作战图设置"))
        self._geo_text: str | None = None  # a newly loaded GeoJSON file's text, saved on 确定
        self._geo_cleared = False
        self._population_edits: dict[tuple[int, int], int | None] = {}  # (area id, year) → rural population
        self._build()
        self.load()
        self.resize(900, 640)

    def _build(self) -> None:
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._targets_page(), self.tr("考核指标"))
        self.tabs.addTab(self._population_page(), self.tr("农村人口"))
        self.tabs.addTab(self._templates_page(), self.tr("表格模板"))
        self.tabs.addTab(self._map_page(), self.tr("地图"))
        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def load(self) -> None:
        from povdesk.wallchart import geo, targets, templates
        from ui.wallchart.dashboard import OFFICE

        with self.db.session() as session:
            self.nodes = areas.load_tree(session)
            try:
                self._targets = targets.load(session)
            except PovDeskError as exc:
                self._targets = self._default_targets()
                self._say(str(exc))
            self._templates = {}
            for level, _text in LEVELS:
                try:
                    self._templates[level] = templates.to_json(templates.load(session, level))
                except PovDeskError as exc:
                    self._templates[level] = templates.to_json(templates.DEFAULTS[level])
                    self._say(str(exc))
            try:
                layer = geo.load_stored(session)
            except PovDeskError as exc:
                layer = None
                self._say(str(exc))
        self.office.setText(self.settings.get(OFFICE))
        self._fill_targets(self._targets)
        self._fill_population()
        self._show_level()
        self._show_layer(layer)

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def accept(self) -> None:
        try:
            self.commit()
        except PovDeskError as exc:
            self._say(str(exc))
            return
        super().accept()

    def commit(self) -> None:
        from povdesk.wallchart import geo, population, targets, templates
        from ui.wallchart.dashboard import OFFICE

        chosen = self._read_targets()
        bad = [key for key, value in self._population_edits.items() if value is not None and value < 0]
        if bad:
            self.tabs.setCurrentIndex(1)
            raise RuleViolation("农村人口有不是整数的格子（黄色），请改正后再确定")
        with self.db.transaction() as session:
            if chosen == list(targets.DEFAULTS):
                targets.reset(session)
            else:
                targets.save(session, chosen)
            for level, data in self._templates.items():
                template = templates.from_json(copy.deepcopy(data))
                if templates.to_json(template) == templates.to_json(templates.DEFAULTS[level]):
                    templates.reset(session, level)
                else:
                    templates.save(session, template)
            for (area_id, year), value in self._population_edits.items():
                population.set_population(session, area_id, year, value)
            if self._geo_text is not None:
                geo.save(session, self._geo_text)
            elif self._geo_cleared:
                geo.clear(session)
        self.settings.set(OFFICE, self.office.text().strip())
        self.data_changed.emit()
