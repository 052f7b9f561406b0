"""Dialogs that edit the area tree: an area's name, code and poor-village mark, a new county, a village merge."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QWidget

from povdesk import areas, codes
from povdesk.db import Database
from povdesk.model import Area
from ui.dialogs import FormDialog
from ui.settings import AppSettings

CODE_HINT = "12位统计用区划代码，可留空"


class AreaDialog(FormDialog):
    """Add an area under `parent_id` (None: a county), or edit the area `area_id`: name, code, poor village."""

    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None, *,
                 parent_id: int | None = None, area_id: int | None = None, user: str = "") -> None:  # fmt: skip
        self._db = db
        self._user = user
        self.area_id = area_id
        self.parent_id = parent_id
        with db.session() as session:
            area = session.get(Area, area_id) if area_id is not None else None
            above = session.get(Area, area.parent_id if area else parent_id)
            self._level = area.level if area else areas.CHILD_LEVEL[above.level if above else None]
            self._above = above.name if above else ""
            self._area = (area.name, area.code or "", bool(area.is_poor_village)) if area else ("", "", False)
            self._former = areas.former_names(session, area_id) if area_id is not None else []
        level = codes.AREA_LEVEL.label_of(self._level)
        title = self.tr("修改{0}").format(level) if area_id is not None else self.tr("新建{0}").format(level)
        super().__init__("areaDialog", title, settings, parent)

    def build(self) -> None:
        if self._above:
            self.form.addRow(self.tr("上级区划"), QLabel(self._above, self))
        self.name = QLineEdit(self._area[0], self)
        self.name.setMaxLength(areas.MAX_NAME)
        self.name.setPlaceholderText(self.tr("例如 河口镇、东山村、第一村民小组"))
        self.form.addRow(self.tr("名称"), self.name)
        self.code = QLineEdit(self._area[1], self)
        self.code.setMaxLength(12)
        coded = self._level in areas.CODE_DIGITS
        self.code.setPlaceholderText(self.tr(CODE_HINT) if coded else self.tr("村民小组没有统计用区划代码"))
        self.code.setEnabled(coded)
        self.form.addRow(self.tr("区划代码"), self.code)
        self.poor = QCheckBox(self.tr("贫困村"), self)
        self.poor.setChecked(self._area[2])
        self.poor.setVisible(self._level == "village")
        if self._level == "village":
            self.form.addRow("", self.poor)
        if self._former:
            self.form.addRow(self.tr("曾用名"), QLabel("、".join(self._former), self))
        self.setMinimumWidth(420)

    def commit(self) -> None:
        with self._db.transaction() as session:
            if self.area_id is None:
                area = areas.add_area(session, self.parent_id, self.name.text(), code=self.code.text(),
                                      poor_village=self.poor.isChecked(), user=self._user)  # fmt: skip
            else:
                area = areas.rename_area(session, self.area_id, self.name.text(), user=self._user)
                areas.set_code(session, self.area_id, self.code.text(), user=self._user)
                if self._level == "village":
                    areas.set_poor_village(session, self.area_id, self.poor.isChecked(), user=self._user)
            self.area_id = area.id


class NewCountyDialog(FormDialog):
    """The county and, optionally, its townships and villages typed one township a line."""

    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None, *, user: str = "") -> None:
        self._db = db
        self._user = user
        self.area_id: int | None = None
        super().__init__("newCountyDialog", self.tr("新建区划"), settings, parent)

    def build(self) -> None:
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(self.tr("例如 云岭县"))
        self.form.addRow(self.tr("县（市、区）名称"), self.name)
        self.code = QLineEdit(self)
        self.code.setMaxLength(12)
        self.code.setPlaceholderText(self.tr(CODE_HINT))
        self.form.addRow(self.tr("区划代码"), self.code)
        self.outline = QPlainTextEdit(self)
        self.outline.setPlaceholderText(
            self.tr("每行一个乡镇及其所辖村，例如：\n河口镇：东山村、西山村\n石岩乡：南坪村")
        )
        self.form.addRow(self.tr("乡镇和村"), self.outline)
        hint = QLabel(self.tr("村民小组、区划代码和贫困村标记可以稍后在左侧区划树上右键添加或修改。"), self)
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.setMinimumWidth(480)

    def commit(self) -> None:
        with self._db.transaction() as session:
            county = areas.add_area(session, None, self.name.text(), code=self.code.text(), user=self._user)
            areas.add_outline(session, county.id, self.outline.toPlainText(), user=self._user)
            self.area_id = county.id


class MergeDialog(FormDialog):
    """Merge a village into another one, chosen from the villages of the county (its own township's first)."""

    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None, *, area_id: int,
                 user: str = "") -> None:  # fmt: skip
        self._db = db
        self._user = user
        self.source_id = area_id
        with db.session() as session:
            nodes = areas.load_tree(session)
        by_id = {node.id: node for node in nodes}
        source = by_id[area_id]
        self._source_name = source.name
        villages = [n for n in nodes if n.level == "village" and n.id != area_id]
        villages.sort(key=lambda n: n.parent_id != source.parent_id)  # stable: the tree's order otherwise
        self._choices = [(n.id, f"{by_id[n.parent_id].name if n.parent_id in by_id else ''} · {n.name}")
                         for n in villages]  # fmt: skip
        self.result_counts: areas.MergeResult | None = None
        super().__init__("mergeVillagesDialog", self.tr("合并村"), settings, parent)

    def build(self) -> None:
        self.form.addRow(self.tr("并入的村"), QLabel(self._source_name, self))
        self.target = QComboBox(self)
        for area_id, label in self._choices:
            self.target.addItem(label, area_id)
        self.form.addRow(self.tr("并入到"), self.target)
        note = QLabel(
            self.tr("本村的村民小组和全部户将移到目标村，每户的变更记录中记下合并；本村随后从区划中删除。"), self
        )
        note.setWordWrap(True)
        self.form.addRow(note)
        self.setMinimumWidth(420)

    def commit(self) -> bool | None:
        target_id = self.target.currentData()
        if target_id is None:
            raise areas.AreaError(self.tr("没有可以并入的其他村"))
        answer = QMessageBox.question(
            self,
            self.tr("合并村"),
            self.tr("确定把“{0}”并入“{1}”吗？\n合并后“{0}”将从区划中删除，此操作不能撤销。").format(
                self._source_name, self.target.currentText().split(" · ")[-1]
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        with self._db.transaction() as session:
            self.result_counts = areas.merge_villages(session, self.source_id, target_id, user=self._user)
        return None
