"""作战图设置: the issuing office and the targets' lights, the rural population per area and year (typed or imported
from a sheet), the tables' templates (which columns, their titles, their order; back to the default), and the
village boundaries (GeoJSON) with the features that matched no village. Nothing is written until 确定, except an
imported population sheet (the import is its own transaction, and says what it took)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from povdesk import areas
from povdesk.db import Database
from povdesk.errors import PovDeskError, RuleViolation
from povdesk.wallchart.model import HOUSEHOLD_COLUMNS, METRICS, AreaRow
from ui.dialogs import ERROR_STYLE, RememberingDialog
from ui.files import open_path
from ui.ops import show_error
from ui.settings import AppSettings

LEVELS = (
    ("county", "县级作战图（一图四表）"),
    ("township", "乡镇级作战图（一图三表）"),
    ("village", "村级作战图（一图四表）"),
)
ROWS_TEXT = {"children": "按下级区划", "households": "按户", "years": "按年度"}
BETTER_TEXT = {"lower": "越低越好", "higher": "越高越好"}
FIRST_YEAR = 2014


def column_choices(rows: str) -> list[tuple[str, str]]:
    """(key, label) of the columns a table of these rows may have, in the metrics' order."""
    if rows == "households":
        return [(k, m.label) for k, m in HOUSEHOLD_COLUMNS.items()]
    if rows == "years":
        return [("year", "年度")] + [(k, m.label) for k, m in METRICS.items() if "{year}" in k]
    return [("name", "名称"), ("code", "区划代码")] + [(k, m.label) for k, m in METRICS.items()]


def column_label(rows: str, key: str) -> str:
    return dict(column_choices(rows)).get(key, key)


class WallchartSettingsDialog(RememberingDialog):
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

    # -- widgets --------------------------------------------------------------------------------------------------
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

    def _targets_page(self) -> QWidget:
        page = QWidget(self)
        self.office = QLineEdit(page)
        self.office.setPlaceholderText(self.tr("例如：某某县脱贫攻坚指挥部"))
        form = QFormLayout()
        form.addRow(self.tr("发布单位（印在作战图上）："), self.office)
        self.targets_table = QTableWidget(0, 5, page)
        self.targets_table.setHorizontalHeaderLabels(
            [self.tr("考核指标"), self.tr("对应数据"), self.tr("方向"), self.tr("绿灯界限"), self.tr("黄灯界限")]
        )
        self.targets_table.verticalHeader().hide()
        self.targets_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.targets_default = QPushButton(self.tr("恢复默认"), page)
        self.targets_default.clicked.connect(lambda: self._fill_targets(self._default_targets()))
        self.targets_west = QPushButton(self.tr("西部地区（贫困发生率3%）"), page)
        self.targets_west.clicked.connect(self._west)
        note = QLabel(
            self.tr(
                "达到绿灯界限为绿灯（达标），达到黄灯界限为黄灯（接近），否则为红灯。百分比指标填写百分数，如 2 表示 2%。"
            ),
            page,
        )
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.targets_default)
        buttons.addWidget(self.targets_west)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.targets_table, 1)
        layout.addWidget(note)
        layout.addLayout(buttons)
        return page

    def _population_page(self) -> QWidget:
        page = QWidget(self)
        self.population_year = QComboBox(page)
        for year in range(self.today.year, FIRST_YEAR - 1, -1):
            self.population_year.addItem(self.tr("{0}年").format(year), year)
        self.population_year.currentIndexChanged.connect(lambda _i: self._fill_population())
        self.population_table = QTableWidget(0, 5, page)
        self.population_table.setHorizontalHeaderLabels(
            [self.tr("乡镇"), self.tr("村"), self.tr("区划代码"), self.tr("农村人口"), self.tr("未填写时沿用")]
        )
        self.population_table.verticalHeader().hide()
        self.population_table.verticalHeader().setDefaultSectionSize(self.population_table.fontMetrics().height() + 8)
        self.population_table.itemChanged.connect(self._population_changed)
        self.population_import = QPushButton(self.tr("从表格导入…"), page)
        self.population_import.clicked.connect(self._import_population)
        note = QLabel(
            self.tr(
                "贫困发生率 = 未脱贫人数 ÷ 农村人口。只填村的农村人口即可，乡镇和县按村汇总。"
                "导入的表格需有“区划代码”或“乡镇”“村”列、“农村人口”（或“农村户籍人口”）列；没有“年度”列时按上面所选年度导入，导入立即保存。某年未填写时，作战图沿用此前最近一年的数字。"
            ),
            page,
        )
        note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("年度："), page))
        top.addWidget(self.population_year)
        top.addStretch(1)
        top.addWidget(self.population_import)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.population_table, 1)
        layout.addWidget(note)
        return page

    def _templates_page(self) -> QWidget:
        page = QWidget(self)
        self.level = QComboBox(page)
        for key, text in LEVELS:
            self.level.addItem(self.tr(text), key)
        self.level.currentIndexChanged.connect(lambda _i: self._show_level())
        self.sheet_title = QLineEdit(page)
        self.sheet_title.setToolTip(self.tr("{area} 换成区划名称，{year} 换成年度"))
        self.sheet_title.textEdited.connect(self._sheet_title_edited)
        self.map_metric = QComboBox(page)
        for key, metric in METRICS.items():
            if "{year}" not in key and metric.kind in ("count", "percent"):
                self.map_metric.addItem(self.tr(metric.label), key)
        self.map_metric.activated.connect(self._map_metric_chosen)
        self.table_list = QListWidget(page)
        self.table_list.currentRowChanged.connect(lambda _r: self._show_table())
        self.table_title = QLineEdit(page)
        self.table_title.textEdited.connect(self._table_title_edited)
        self.columns = QTableWidget(0, 2, page)
        self.columns.setHorizontalHeaderLabels([self.tr("数据项"), self.tr("列标题（可修改）")])
        self.columns.verticalHeader().hide()
        self.columns.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.columns.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.columns.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.columns.itemChanged.connect(self._column_title_edited)
        self.up = QPushButton(self.tr("上移"), page)
        self.down = QPushButton(self.tr("下移"), page)
        self.remove = QPushButton(self.tr("删除列"), page)
        self.add_choice = QComboBox(page)
        self.add = QPushButton(self.tr("添加列"), page)
        self.reset_level = QPushButton(self.tr("恢复本级默认模板"), page)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.remove.clicked.connect(self._remove_column)
        self.add.clicked.connect(self._add_column)
        self.reset_level.clicked.connect(self._reset_level)
        form = QFormLayout()
        form.addRow(self.tr("作战图："), self.level)
        form.addRow(self.tr("标题："), self.sheet_title)
        form.addRow(self.tr("地图默认指标："), self.map_metric)
        right = QVBoxLayout()
        title_row = QHBoxLayout()
        title_row.addWidget(QLabel(self.tr("表名："), page))
        title_row.addWidget(self.table_title, 1)
        right.addLayout(title_row)
        right.addWidget(self.columns, 1)
        moves = QHBoxLayout()
        for button in (self.up, self.down, self.remove):
            moves.addWidget(button)
        moves.addStretch(1)
        moves.addWidget(self.add_choice)
        moves.addWidget(self.add)
        right.addLayout(moves)
        body = QHBoxLayout()
        body.addWidget(self.table_list, 1)
        body.addLayout(right, 3)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.reset_level)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        return page

    def _map_page(self) -> QWidget:
        page = QWidget(self)
        self.geo_status = QLabel(page)
        self.geo_status.setWordWrap(True)
        self.geo_load = QPushButton(self.tr("载入村界地图文件（GeoJSON）…"), page)
        self.geo_load.clicked.connect(self._load_geojson)
        self.geo_clear = QPushButton(self.tr("不用地图文件，改用示意图"), page)
        self.geo_clear.clicked.connect(self._clear_geojson)
        self.unmatched = QListWidget(page)
        note = QLabel(
            self.tr(
                "未载入地图文件时，作战图画示意图：各村为方块，按乡镇分组。载入村界 GeoJSON 文件（面要素，属性含村名"
                " name/名称 或区划代码 code/代码）后画真实村界；先按12位区划代码匹配，再按村名匹配。"
            ),
            page,
        )
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.geo_load)
        buttons.addWidget(self.geo_clear)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(note)
        layout.addLayout(buttons)
        layout.addWidget(self.geo_status)
        layout.addWidget(QLabel(self.tr("未匹配到村的地图要素："), page))
        layout.addWidget(self.unmatched, 1)
        return page

    # -- load -----------------------------------------------------------------------------------------------------
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

    # -- targets --------------------------------------------------------------------------------------------------
    @staticmethod
    def _default_targets() -> list:
        from povdesk.wallchart import targets

        return list(targets.DEFAULTS)

    def _west(self) -> None:
        from povdesk.wallchart import targets

        current = self._read_targets(check=False)
        self._fill_targets([targets.WEST_INCIDENCE if t.key == "incidence" else t for t in current])

    def _fill_targets(self, targets: list) -> None:
        self._targets = list(targets)
        table = self.targets_table
        table.setRowCount(len(targets))
        for r, t in enumerate(targets):
            kind = METRICS[t.metric].kind if t.metric in METRICS else "count"
            cells = [t.label, METRICS[t.metric].label if t.metric in METRICS else t.metric, BETTER_TEXT[t.better],
                     _limit_text(t.green, kind), _limit_text(t.amber, kind)]  # fmt: skip
            for c, text in enumerate(cells):
                item = QTableWidgetItem(self.tr(text) if c < 3 else text)
                if c in (1, 2):
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()

    def _read_targets(self, *, check: bool = True) -> list:
        from dataclasses import replace

        out = []
        for r, t in enumerate(self._targets):
            kind = METRICS[t.metric].kind if t.metric in METRICS else "count"
            label = self.targets_table.item(r, 0).text().strip() or t.label
            limits = []
            for c in (3, 4):
                text = self.targets_table.item(r, c).text().strip().rstrip("%").strip()
                try:
                    value = float(text)
                except ValueError:
                    if not check:
                        limits.append(t.green if c == 3 else t.amber)
                        continue
                    self.tabs.setCurrentIndex(0)
                    self.targets_table.setCurrentCell(r, c)
                    raise RuleViolation(
                        f"考核指标“{label}”的{'绿灯' if c == 3 else '黄灯'}界限“{text}”不是数字"
                    ) from None
                limits.append(value / 100 if kind == "percent" else value)
            out.append(replace(t, label=label, green=limits[0], amber=limits[1]))
        return out

    # -- rural population -----------------------------------------------------------------------------------------
    def population_year_value(self) -> int:
        return self.population_year.currentData()

    def _fill_population(self) -> None:
        from povdesk.wallchart import population

        year = self.population_year_value()
        with self.db.session() as session:
            stored = population.populations(session, year)
            earlier: dict[int, tuple[int, int]] = {}  # area → (year, figure) of the latest earlier year entered
            for past in range(FIRST_YEAR, year):
                earlier.update({a: (past, n) for a, n in population.populations(session, past).items()})
        table = self.population_table
        table.blockSignals(True)
        villages = [n for n in self.nodes if n.level == "village"]
        names = {n.id: n.name for n in self.nodes}
        parents = {n.id: n.parent_id for n in self.nodes}
        table.setRowCount(len(villages))
        for r, node in enumerate(villages):
            value = self._population_edits.get((node.id, year), stored.get(node.id))
            cells = [
                names.get(parents.get(node.id), ""),
                node.name,
                node.code or "",
                "" if value is None else str(value),
                self.tr("{0}年：{1:,}").format(*earlier[node.id]) if node.id in earlier else "",
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, node.id)
                if c == 4:
                    item.setForeground(Qt.GlobalColor.gray)
                if c != 3:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                else:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        table.blockSignals(False)

    def _population_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 3:
            return
        text = item.text().strip().replace(",", "")
        area_id = item.data(Qt.ItemDataRole.UserRole)
        if text and not text.isdigit():
            item.setBackground(Qt.GlobalColor.yellow)
            self._say(self.tr("农村人口应为整数：“{0}”").format(item.text()))
            self._population_edits[(area_id, self.population_year_value())] = -1
            return
        item.setBackground(Qt.GlobalColor.transparent)
        self._population_edits[(area_id, self.population_year_value())] = int(text) if text else None

    def _import_population(self) -> None:
        from povdesk.wallchart import population

        path = open_path(self, self.settings, "areas", self.tr("导入农村人口"),
                         self.tr("Excel 文件 (*.xlsx *.xlsm *.xls *.ods)"))  # fmt: skip
        if path is None:
            return
        try:
            with self.db.transaction() as session:
                result = population.import_sheet(session, Path(path), year=self.population_year_value())
        except PovDeskError as exc:
            show_error(self, exc, self.tr("导入农村人口"))
            return
        self._fill_population()
        self.data_changed.emit()
        QMessageBox.information(self, self.tr("导入农村人口"), _import_text(result))

    # -- templates ------------------------------------------------------------------------------------------------
    def current_level(self) -> str:
        return self.level.currentData()

    def _sheet(self) -> dict:
        return self._templates[self.current_level()]

    def _table(self) -> dict | None:
        row = self.table_list.currentRow()
        tables = self._sheet()["tables"]
        return tables[row] if 0 <= row < len(tables) else None

    def _show_level(self) -> None:
        sheet = self._sheet()
        self.sheet_title.setText(sheet["title"])
        self.map_metric.setCurrentIndex(max(0, self.map_metric.findData(sheet["map_metric"])))
        self.table_list.blockSignals(True)
        self.table_list.clear()
        for table in sheet["tables"]:
            self.table_list.addItem(table["title"])
        self.table_list.blockSignals(False)
        self.table_list.setCurrentRow(0)
        self._show_table()

    def _show_table(self) -> None:
        table = self._table()
        self.columns.blockSignals(True)
        self.columns.setRowCount(0)
        self.add_choice.clear()
        if table is not None:
            self.table_title.setText(table["title"])
            self.columns.setRowCount(len(table["columns"]))
            for r, (key, title) in enumerate(table["columns"]):
                what = QTableWidgetItem(self.tr(column_label(table["rows"], key)))
                what.setFlags(what.flags() & ~Qt.ItemFlag.ItemIsEditable)
                what.setToolTip(key)
                self.columns.setItem(r, 0, what)
                self.columns.setItem(r, 1, QTableWidgetItem(title))
            used = {key for key, _ in table["columns"]}
            for key, label in column_choices(table["rows"]):
                if key not in used:
                    self.add_choice.addItem(self.tr(label), key)
        self.columns.resizeColumnToContents(0)
        self.columns.blockSignals(False)

    def _sheet_title_edited(self, text: str) -> None:
        self._sheet()["title"] = text

    def _map_metric_chosen(self, _index: int) -> None:
        self._sheet()["map_metric"] = self.map_metric.currentData()

    def _table_title_edited(self, text: str) -> None:
        table = self._table()
        if table is not None:
            table["title"] = text
            self.table_list.currentItem().setText(text)

    def _column_title_edited(self, item: QTableWidgetItem) -> None:
        table = self._table()
        if table is not None and item.column() == 1:
            table["columns"][item.row()][1] = item.text()

    def _move(self, step: int) -> None:
        table, row = self._table(), self.columns.currentRow()
        if table is None or not (0 <= row < len(table["columns"])) or not (0 <= row + step < len(table["columns"])):
            return
        cols = table["columns"]
        cols[row], cols[row + step] = cols[row + step], cols[row]
        self._show_table()
        self.columns.selectRow(row + step)

    def _remove_column(self) -> None:
        table, row = self._table(), self.columns.currentRow()
        if table is None or not (0 <= row < len(table["columns"])):
            return
        del table["columns"][row]
        self._show_table()
        self.columns.selectRow(min(row, self.columns.rowCount() - 1))

    def _add_column(self) -> None:
        table, key = self._table(), self.add_choice.currentData()
        if table is None or key is None:
            return
        row = self.columns.currentRow()
        at = row + 1 if row >= 0 else len(table["columns"])
        table["columns"].insert(at, [key, column_label(table["rows"], key)])
        self._show_table()
        self.columns.selectRow(at)

    def _reset_level(self) -> None:
        from povdesk.wallchart import templates

        self._templates[self.current_level()] = copy.deepcopy(
            templates.to_json(templates.DEFAULTS[self.current_level()])
        )
        self._show_level()

    # -- the map --------------------------------------------------------------------------------------------------
    def _village_rows(self) -> list[AreaRow]:
        names = {n.id: n.name for n in self.nodes}
        return [AreaRow(n.id, n.name, n.level, n.code, names.get(n.parent_id)) for n in self.nodes
                if n.level == "village"]  # fmt: skip

    def _show_layer(self, layer) -> None:
        from povdesk.wallchart import geo

        self.unmatched.clear()
        if layer is None:
            self.geo_status.setText(self.tr("未载入地图文件：作战图画示意图。"))
            self.geo_clear.setEnabled(False)
            return
        matched, unmatched = geo.match(layer, self._village_rows())
        villages = len(self._village_rows())
        self.geo_status.setText(
            self.tr("地图文件共 {0} 个要素，匹配到 {1} 个村（共 {2} 个村），{3} 个要素未匹配。").format(
                len(layer.features), len(matched), villages, len(unmatched)
            )
        )
        self.unmatched.addItems(unmatched)
        self.geo_clear.setEnabled(True)

    def _load_geojson(self) -> None:
        path = open_path(self, self.settings, "areas", self.tr("载入村界地图文件"),
                         self.tr("GeoJSON 文件 (*.geojson *.json)"))  # fmt: skip
        if path is not None:
            self.load_geojson_file(Path(path))

    def load_geojson_file(self, path: Path) -> bool:
        from povdesk.wallchart import geo

        try:
            text = path.read_text(encoding="utf-8-sig")
            layer = geo.load(text)
        except (OSError, UnicodeDecodeError) as exc:
            self._say(self.tr("无法读取地图文件“{0}”：{1}").format(path.name, exc))
            return False
        except PovDeskError as exc:
            self._say(self.tr("地图文件“{0}”：{1}").format(path.name, exc))
            return False
        self.error.hide()
        self._geo_text, self._geo_cleared = text, False
        self._show_layer(layer)
        return True

    def _clear_geojson(self) -> None:
        self._geo_text, self._geo_cleared = None, True
        self._show_layer(None)

    # -- save -----------------------------------------------------------------------------------------------------
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


def _limit_text(value: float, kind: str) -> str:
    if kind == "percent":
        return f"{value * 100:g}"
    return f"{value:g}"


def _import_text(result) -> str:
    """What an import did, in the clerk's words."""
    return result.summary() + "。"
