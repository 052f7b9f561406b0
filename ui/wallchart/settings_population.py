"""The 农村人口 page of 作战图设置: each village's rural population by year, typed or imported from a sheet."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povdesk.errors import PovDeskError
from ui.files import open_path
from ui.ops import show_error
from ui.wallchart.settings_page import note_label

FIRST_YEAR = 2014


class PopulationPage:
    """The rural population page's widgets and behaviour, a part of WallchartSettingsDialog."""

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
        note = note_label(
            self.tr(
                "贫困发生率 = 未脱贫人数 ÷ 农村人口。只填村的农村人口即可，乡镇和县按村汇总。"
                "导入的表格需有“区划代码”或“乡镇”“村”列、“农村人口”（或“农村户籍人口”）列；没有“年度”列时按上面所选年度导入，导入立即保存。某年未填写时，作战图沿用此前最近一年的数字。"
            ),
            page,
        )
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


def _import_text(result) -> str:
    """What an import did, in the clerk's words."""
    return result.summary() + "。"
