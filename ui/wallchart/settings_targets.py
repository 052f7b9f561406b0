"""The 考核指标 page of 作战图设置: the issuing office and the targets' green and amber limits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povdesk.errors import RuleViolation
from povdesk.wallchart.model import METRICS
from ui.wallchart.settings_page import button_row, note_label

BETTER_TEXT = {"lower": "越低越好", "higher": "越高越好"}


class TargetsPage:
    """The targets page's widgets and behaviour, a part of WallchartSettingsDialog."""

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
        note = note_label(
            self.tr(
                "达到绿灯界限为绿灯（达标），达到黄灯界限为黄灯（接近），否则为红灯。百分比指标填写百分数，如 2 表示 2%。"
            ),
            page,
        )
        buttons = button_row(self.targets_default, self.targets_west)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.targets_table, 1)
        layout.addWidget(note)
        layout.addLayout(buttons)
        return page

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


def _limit_text(value: float, kind: str) -> str:
    if kind == "percent":
        return f"{value * 100:g}"
    return f"{value:g}"
