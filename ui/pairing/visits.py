"""走访记录: the visits of the selected area, recording a visit (`VisitDialog`, also used by the household editor), and
the helpers with no visit to their households in the last N months, per unit (长期未走访)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.pairing import visits
from povdesk.pairing.visits import VisitDraft, VisitRow
from ui.dialogs import FormDialog, RememberingDialog, to_date, to_qdate
from ui.operator_name import operator
from ui.ops import run_in_background, show_error
from ui.pairing.widgets import CadrePicker, LazyRowsModel, SearchPicker, table_view, with_close
from ui.settings import AppSettings

CADRE_ROLE = Qt.ItemDataRole.UserRole + 1
SINCE = (("近三个月", 3), ("近一年", 12), ("全部", None))


class HouseholdPicker(SearchPicker):
    """Type a household number or a member's name (or initials); pick from the households found."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, self.tr("输入户编号、户主姓名或拼音首字母查找"), parent, width=28, interval=300)
        self.choices.addItem("", None)

    def refresh(self) -> None:
        with self.db.session() as session:
            found = visits.find_households(session, self.search.text())
        self.set_choices(found)

    def describe(self, household: visits.HouseholdChoice) -> str:
        return f"{household.number}　{household.head}　{household.place}"

    def household(self) -> visits.HouseholdChoice | None:
        return self.found.get(self.choices.currentData())


class VisitDialog(FormDialog):
    """Record one visit; exec() returns Accepted once it is saved. Wrong or missing fields keep the dialog open."""

    def __init__(self, db: Database, settings: AppSettings, parent: QWidget | None = None, *,
                 household_id: int | None = None, cadre_id: int | None = None, today: dt.date | None = None,
                 user: str | None = None) -> None:  # fmt: skip
        self.db, self.today = db, today or dt.date.today()
        self.user = user if user is not None else operator(settings, parent)
        self.visit_id: int | None = None
        self._household_id, self._cadre_id = household_id, cadre_id
        super().__init__(
            "pairing_visit", self.tr("记录走访"), settings, parent, ok=QDialogButtonBox.StandardButton.Save
        )
        self.setMinimumWidth(520)

    def build(self) -> None:
        db, household_id, cadre_id = self.db, self._household_id, self._cadre_id
        self.day = self.date_edit(self.today)
        self.day.setMaximumDate(to_qdate(self.today))
        self.picker: HouseholdPicker | None = None
        self._household: visits.HouseholdChoice | None = None
        if household_id is not None:
            with db.session() as session:
                found = visits.household_choices(session, [household_id])
            self._household = found[0] if found else None
            shown = f"{found[0].number}　{found[0].head}　{found[0].place}" if found else self.tr("（农户不存在）")
            household_widget: QWidget = QLabel(shown, self)
        else:
            self.picker = HouseholdPicker(db, self)
            if cadre_id is not None:  # a helper's visit: their households first
                with db.session() as session:
                    self.picker.set_choices(visits.households_of_cadre(session, cadre_id))
                self._household = self.picker.household()
            self.picker.changed.connect(self._household_changed)
            household_widget = self.picker
        helper = cadre_id if cadre_id is not None else (self._household.helper_id if self._household else None)
        self.cadre = CadrePicker(db, self, cadre_id=helper)
        self._cadre_given = cadre_id is not None
        self.kinds: dict[str, QCheckBox] = {}
        kinds_row = QHBoxLayout()
        for item in codes.VISIT_KIND:
            box = QCheckBox(self.tr(item.label), self)
            self.kinds[item.code] = box
            kinds_row.addWidget(box)
        kinds_row.addStretch(1)
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText(self.tr("走访情况、解决的问题等（可不填）"))
        self.note.setFixedHeight(self.fontMetrics().height() * 5)
        self.form.addRow(self.tr("走访日期："), self.day)
        self.form.addRow(self.tr("农户："), household_widget)
        self.form.addRow(self.tr("走访干部："), self.cadre)
        self.form.addRow(self.tr("走访内容："), kinds_row)
        self.form.addRow(self.tr("备注："), self.note)

    def _household_changed(self) -> None:
        self._household = self.picker.household() if self.picker else None
        if not self._cadre_given and self._household is not None and self._household.helper_id is not None:
            self.cadre.set_cadre(self._household.helper_id)  # the household's helper, unless a cadre was given

    def draft(self) -> VisitDraft:
        return VisitDraft(
            household_id=self._household.id if self._household else None,
            cadre_id=self.cadre.cadre_id(),
            visited_on=to_date(self.day.date()),
            kinds=[code for code, box in self.kinds.items() if box.isChecked()],
            note=self.note.toPlainText(),
        )

    def commit(self) -> bool:
        draft = self.draft()
        with self.db.session() as session:
            warnings = visits.check_visit(session, draft, self.today)
        if warnings:
            text = "\n".join(warnings) + "\n\n" + self.tr("仍要登记这次走访吗？")
            if QMessageBox.question(self, self.tr("记录走访"), text) != QMessageBox.StandardButton.Yes:
                return False
        with self.db.transaction() as session:
            self.visit_id = visits.record_visit(session, draft, user=self.user, today=self.today).id
        return True


class VisitTableModel(LazyRowsModel):
    def __init__(self, db: Database, parent=None) -> None:
        columns = [("visited_on", "走访日期"), ("household_number", "户编号"), ("head", "户主"), ("village", "村"),
                   ("cadre", "走访干部"), ("unit", "工作单位"), ("kinds_text", "走访内容"), ("note", "备注"),
                   ("created_by", "登记人")]  # fmt: skip
        super().__init__(db, [(k, self.tr(t)) for k, t in columns], visits.fetch_visit_rows, parent)

    def cell(self, row: VisitRow, key: str, role: int):
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.note if key == "note" and row.note else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "visited_on":
            return f"{row.visited_on:%Y-%m-%d}"
        if key == "note":
            return row.note.replace("\n", " ")
        return getattr(row, key)


class VisitsDialog(RememberingDialog):
    """Visits of the selected area (newest first) and, in a second tab, helpers overdue for a visit."""

    data_changed = Signal()

    def __init__(self, db: Database, settings: AppSettings, area_id: int | None, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:  # fmt: skip
        super().__init__("pairing_visits", settings, parent)
        self.db, self.settings, self.area_id = db, settings, area_id
        self.today = today or dt.date.today()
        with db.session() as session:
            self.area_name = visits.area_label(session, area_id)
            months = visits.visit_months(session)
        self.setWindowTitle(self.tr("走访记录：{0}").format(self.area_name))
        self.tabs = QTabWidget(self)

        page = QWidget(self)
        self.since = QComboBox(page)
        for label, n in SINCE:
            self.since.addItem(self.tr(label), n)
        self.since.setCurrentIndex(1)
        self.count = QLabel(page)
        self.model = VisitTableModel(db, self)
        self.view = table_view(page, self.model)
        self.view.horizontalHeader().setStretchLastSection(False)
        self.view.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)  # 备注
        self.record_button = QPushButton(self.tr("记录走访…"), page)
        self.delete_button = QPushButton(self.tr("删除记录…"), page)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("区划：{0}").format(self.area_name), page))
        top.addSpacing(16)
        top.addWidget(QLabel(self.tr("时间："), page))
        top.addWidget(self.since)
        top.addStretch(1)
        top.addWidget(self.count)
        bottom = QHBoxLayout()
        bottom.addWidget(self.record_button)
        bottom.addWidget(self.delete_button)
        bottom.addStretch(1)
        v = QVBoxLayout(page)
        v.addLayout(top)
        v.addWidget(self.view, 1)
        v.addLayout(bottom)
        self.tabs.addTab(page, self.tr("走访记录"))

        page = QWidget(self)
        self.months = QSpinBox(page)
        self.months.setRange(1, visits.MAX_MONTHS)
        self.months.setValue(months)
        self.months.setSuffix(self.tr(" 个月"))
        self.overdue_summary = QLabel(page)
        self.overdue_summary.setWordWrap(True)
        self.overdue = QTreeWidget(page)
        self.overdue.setHeaderLabels([self.tr("帮扶单位 / 干部"), self.tr("级别"), self.tr("职务"), self.tr("联系电话"),
                                      self.tr("帮扶户数"), self.tr("最近走访")])  # fmt: skip
        self.overdue.setAlternatingRowColors(True)
        self.visit_helper_button = QPushButton(self.tr("为所选干部记录走访…"), page)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("超过"), page))
        top.addWidget(self.months)
        top.addWidget(QLabel(self.tr("未走访所帮扶农户的帮扶责任人（全办公室共用此设置）"), page))
        top.addStretch(1)
        v = QVBoxLayout(page)
        v.addLayout(top)
        v.addWidget(self.overdue_summary)
        v.addWidget(self.overdue, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.visit_helper_button)
        bottom.addStretch(1)
        v.addLayout(bottom)
        self.tabs.addTab(page, self.tr("长期未走访"))
        self._overdue_loaded = self._overdue_ready = False

        with_close(self, self.tabs)

        self._months_timer = QTimer(self, singleShot=True, interval=400)
        self._months_timer.timeout.connect(self._months_changed)
        self.months.valueChanged.connect(self._months_timer.start)
        self.since.currentIndexChanged.connect(self.reload)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.overdue.itemSelectionChanged.connect(self._update_buttons)
        self.record_button.clicked.connect(lambda: self.record())
        self.delete_button.clicked.connect(self.delete)
        self.visit_helper_button.clicked.connect(self._record_for_helper)
        self.reload()
        self.resize(1150, 620)

    # -- visits ---------------------------------------------------------------------------------------------------
    def reload(self) -> None:
        months = self.since.currentData()
        since = visits.months_before(self.today, months) if months else None
        with self.db.session() as session:
            ids = visits.visit_ids(session, area_id=self.area_id, since=since)
        self.model.set_ids(ids)
        self.count.setText(self.tr("共 {0:,} 次走访").format(len(ids)))
        self.view.resizeColumnsToContents()
        self._update_buttons()
        if self._overdue_loaded:
            self.load_overdue()

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(bool(self.view.selectionModel().selectedRows()))
        item = self.overdue.currentItem()
        self.visit_helper_button.setEnabled(item is not None and item.data(0, CADRE_ROLE) is not None)

    def record(self, *, cadre_id: int | None = None) -> bool:
        dialog = VisitDialog(self.db, self.settings, self, cadre_id=cadre_id, today=self.today)
        if not dialog.exec():
            return False
        self.reload()
        self.data_changed.emit()
        return True

    def delete(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        row = self.model.row_data(rows[0].row()) if rows else None
        if row is None:
            return
        text = self.tr("删除{0}{1}走访{2}（户主{3}）的记录吗？删除后不能恢复。").format(
            f"{row.visited_on:%Y-%m-%d}", row.cadre, row.household_number, row.head)  # fmt: skip
        if QMessageBox.question(self, self.tr("删除走访记录"), text) != QMessageBox.StandardButton.Yes:
            return
        try:
            with self.db.transaction() as session:
                visits.delete_visit(session, row.id)
        except PovDeskError as exc:
            show_error(self, exc, self.tr("删除走访记录"))
            return
        self.reload()
        self.data_changed.emit()

    # -- helpers overdue ------------------------------------------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        if index == 1 and not self._overdue_loaded:
            self.load_overdue()

    def _months_changed(self) -> None:
        try:
            with self.db.transaction() as session:
                visits.set_visit_months(session, self.months.value())
        except PovDeskError as exc:
            show_error(self, exc, self.tr("长期未走访"))
            return
        self.load_overdue()

    def load_overdue(self) -> None:
        """Counting a county's helpers takes a second or two: it runs off the GUI thread."""
        self._overdue_loaded = True
        self._overdue_ready = False
        self._overdue_run = getattr(self, "_overdue_run", 0) + 1
        run = self._overdue_run
        months, db, today, area_id = self.months.value(), self.db, self.today, self.area_id
        self.overdue_summary.setText(self.tr("正在统计……"))

        def count(_progress):
            with db.session() as session:
                return visits.helpers_without_visit(session, months, today, area_id)

        run_in_background(self, self.tr("长期未走访"), count, lambda groups: self._show_overdue(groups, months, run),
                          show_dialog=False)  # fmt: skip

    def _show_overdue(self, groups: list[visits.UnitOverdue], months: int, run: int) -> None:
        if run != self._overdue_run:  # a newer count (other months, a new visit) is on its way
            return
        self._overdue_ready = True
        self.overdue.clear()
        never = 0
        for group in groups:
            top = QTreeWidgetItem([self.tr("{0}（{1} 人）").format(group.unit, len(group.helpers))])
            for helper in group.helpers:
                never += helper.last_visit is None
                last = f"{helper.last_visit:%Y-%m-%d}" if helper.last_visit else self.tr("从未走访")
                item = QTreeWidgetItem([helper.cadre, codes.CADRE_RANK.label_of(helper.rank), helper.position,
                                        helper.phone, str(helper.households), last])  # fmt: skip
                item.setData(0, CADRE_ROLE, helper.cadre_id)
                item.setTextAlignment(4, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                top.addChild(item)
            self.overdue.addTopLevelItem(top)
            top.setExpanded(True)
        total = sum(len(g.helpers) for g in groups)
        cutoff = visits.months_before(self.today, months)
        if total:
            text = self.tr("{0}：{1} 个单位共 {2} 名帮扶责任人自{3}以来未走访所帮扶的农户，其中 {4} 人从未走访。")
            self.overdue_summary.setText(
                text.format(self.area_name, len(groups), total, f"{cutoff:%Y年%m月%d日}", never)
            )
        else:
            self.overdue_summary.setText(
                self.tr("{0}：所有帮扶责任人自{1}以来都走访过所帮扶的农户。").format(
                    self.area_name, f"{cutoff:%Y年%m月%d日}"
                )
            )
        for column in range(self.overdue.columnCount()):
            self.overdue.resizeColumnToContents(column)
        self.overdue.setColumnWidth(0, max(self.overdue.columnWidth(0) + 24, 220))
        self._update_buttons()

    def overdue_ids(self) -> list[int]:
        ids = []
        for i in range(self.overdue.topLevelItemCount()):
            top = self.overdue.topLevelItem(i)
            ids += [top.child(j).data(0, CADRE_ROLE) for j in range(top.childCount())]
        return ids

    def _record_for_helper(self) -> None:
        item = self.overdue.currentItem()
        cadre_id = item.data(0, CADRE_ROLE) if item is not None else None
        if cadre_id is not None:
            self.record(cadre_id=cadre_id)
