"""The 地图 page of 作战图设置: the village boundaries (GeoJSON) and the features that matched no village."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from povdesk.errors import PovDeskError
from povdesk.wallchart.model import AreaRow
from ui.files import open_path
from ui.wallchart.settings_page import button_row, note_label


class MapPage:
    """The map page's widgets and behaviour, a part of WallchartSettingsDialog."""

    def _map_page(self) -> QWidget:
        page = QWidget(self)
        self.geo_status = QLabel(page)
        self.geo_status.setWordWrap(True)
        self.geo_load = QPushButton(self.tr("载入村界地图文件（GeoJSON）…"), page)
        self.geo_load.clicked.connect(self._load_geojson)
        self.geo_clear = QPushButton(self.tr("不用地图文件，改用示意图"), page)
        self.geo_clear.clicked.connect(self._clear_geojson)
        self.unmatched = QListWidget(page)
        note = note_label(
            self.tr(
                "未载入地图文件时，作战图画示意图：各村为方块，按乡镇分组。载入村界 GeoJSON 文件（面要素，属性含村名"
                " name/名称 或区划代码 code/代码）后画真实村界；先按12位区划代码匹配，再按村名匹配。"
            ),
            page,
        )
        buttons = button_row(self.geo_load, self.geo_clear)
        layout = QVBoxLayout(page)
        layout.addWidget(note)
        layout.addLayout(buttons)
        layout.addWidget(self.geo_status)
        layout.addWidget(QLabel(self.tr("未匹配到村的地图要素："), page))
        layout.addWidget(self.unmatched, 1)
        return page

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
