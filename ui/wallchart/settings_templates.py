"""The 表格模板 page of 作战图设置: each level's title, map indicator and tables (columns, titles, order)."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povdesk.wallchart.model import HOUSEHOLD_COLUMNS, METRICS

LEVELS = (
    ("county", "县级作战图（一图四表）"),
    ("township", "乡镇级作战图（一图三表）"),
    ("village", "村级作战图（一图四表）"),
)
ROWS_TEXT = {"children": "按下级区划", "households": "按户", "years": "按年度"}


def column_choices(rows: str) -> list[tuple[str, str]]:
    """(key, label) of the columns a table of these rows may have, in the metrics' order."""
    if rows == "households":
        return [(k, m.label) for k, m in HOUSEHOLD_COLUMNS.items()]
    if rows == "years":
        return [("year", "年度")] + [(k, m.label) for k, m in METRICS.items() if "{year}" in k]
    return [("name", "名称"), ("code", "区划代码")] + [(k, m.label) for k, m in METRICS.items()]


def column_label(rows: str, key: str) -> str:
    return dict(column_choices(rows)).get(key, key)


class TemplatesPage:
    """The templates page's widgets and behaviour, a part of WallchartSettingsDialog."""

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
