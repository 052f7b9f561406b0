"""The notices screen: batches of an area by year, the stage timeline, households, objections and the sheet."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from povdesk import codes
from povdesk.db import Database
from povdesk.errors import PovDeskError, RuleViolation
from povdesk.model import Area, Household, Member, NoticeItem
from povdesk.notices import kinds, sheet, workflow
from povdesk.notices import settings as notice_settings
from povdesk.progress import Progress
from ui.notices.dialogs import (
    AddHouseholdsDialog,
    NewBatchDialog,
    ObjectionDialog,
    ResolveDialog,
    StageDialog,
    WithdrawDialog,
    default_received_on,
)
from ui.notices.models import RowsModel
from ui.notices.preview import PreviewPane
from ui.operator_name import operator
from ui.ops import run_in_background, show_error
from ui.settings import AppSettings

GEOMETRY_KEY = "geometry/notices_screen"
HOUSEHOLD_COLUMNS = ["seq", "village", "group", "head", "number", "persons", "attribute", "cause", "status"]


def _table(parent: QWidget, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], keys: list[object]) -> None:
    table.setRowCount(len(rows))
    for r, (row, key) in enumerate(zip(rows, keys, strict=True)):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _selected_key(table: QTableWidget):
    items = table.selectedItems()
    return items[0].data(Qt.ItemDataRole.UserRole) if items else None


class NoticesScreen(QWidget):
    """Everything about the notice batches of one area; `data_changed` fires when statuses were changed."""

    data_changed = Signal()

    def __init__(self, db: Database, settings: AppSettings, area_id: int | None, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.db, self.settings, self.area_id = db, settings, area_id
        self._today = today
        self._rows: list[sheet.Row] = []
        self.setWindowTitle(self.tr("公示公告（两公示一公告）"))
        self.area_label = QLabel(self)
        self.year = QComboBox(self)
        self.batches = _table(
            self, [self.tr("批次"), self.tr("类型"), self.tr("户数"), self.tr("人数"), self.tr("进度")]
        )
        self.new_button = QPushButton(self.tr("新建批次…"), self)
        self.delete_button = QPushButton(self.tr("删除批次"), self)
        left = QWidget(self)
        lv = QVBoxLayout(left)
        top = QHBoxLayout()
        top.addWidget(self.area_label, 1)
        top.addWidget(QLabel(self.tr("年度："), self))
        top.addWidget(self.year)
        lv.addLayout(top)
        lv.addWidget(self.batches, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        lv.addLayout(buttons)

        self.tabs = QTabWidget(self)
        self.timeline = QWidget(self)
        self.timeline_grid = QGridLayout(self.timeline)
        self.stage_rows: dict[str, tuple[QLabel, QPushButton, QLabel]] = {}
        for row, stage in enumerate(workflow.STAGES):
            name = QLabel(f"{row + 1}. {self.tr(workflow.stage_label(stage))}", self)
            summary, why = QLabel(self), QLabel(self)
            why.setStyleSheet("color: #a05a00")
            why.setWordWrap(True)
            button = QPushButton(self._action_text(stage), self)
            button.clicked.connect(lambda _=False, s=stage: self.start_stage(s))
            for col, widget in enumerate((name, summary, button, why)):
                self.timeline_grid.addWidget(widget, row, col)
            self.stage_rows[stage] = (summary, button, why)
        self.undo_button = QPushButton(self.tr("撤销最近一个环节"), self)
        self.undo_button.clicked.connect(self.undo_last_stage)
        self.timeline_grid.addWidget(self.undo_button, len(workflow.STAGES), 2)
        self.timeline_grid.setColumnStretch(3, 1)
        self.timeline_grid.setRowStretch(len(workflow.STAGES) + 1, 1)

        headers = [self.tr(notice_settings.COLUMNS[c]) for c in HOUSEHOLD_COLUMNS] + [self.tr("撤回")]
        self.household_model = RowsModel(headers, self)
        self.households = QTableView(self)
        self.households.setModel(self.household_model)
        self.households.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.households.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.households.verticalHeader().hide()
        self.households.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton(self.tr("增加农户…"), self)
        self.withdraw_button = QPushButton(self.tr("撤回农户…"), self)
        self.objections = _table(self, [self.tr("环节"), self.tr("受理日期"), self.tr("反映人"), self.tr("涉及农户"),
                                        self.tr("异议内容"), self.tr("处理结果"), self.tr("处理日期")])  # fmt: skip
        self.add_objection_button = QPushButton(self.tr("登记异议…"), self)
        self.resolve_button = QPushButton(self.tr("处理异议…"), self)
        self.preview = PreviewPane(db, self, today=lambda: self.today, settings=settings)
        self.tabs.addTab(self.timeline, self.tr("流程"))
        self.tabs.addTab(self._with_buttons(self.households, self.add_button, self.withdraw_button), self.tr("农户"))
        self.tabs.addTab(
            self._with_buttons(self.objections, self.add_objection_button, self.resolve_button), self.tr("异议")
        )
        self.tabs.addTab(self.preview, self.tr("公示单"))
        # Ctrl+P anywhere in the screen prints the sheet previewed (the button says so in its tooltip)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_previewed)
        self.preview.print_button.setToolTip(self.tr("打印预览中的公示单（{0}）").format(
            QKeySequence(QKeySequence.StandardKey.Print).toString(QKeySequence.SequenceFormat.NativeText)))  # fmt: skip
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([430, 870])
        QVBoxLayout(self).addWidget(splitter)

        self.year.currentIndexChanged.connect(self.reload)
        self.batches.itemSelectionChanged.connect(self.show_batch)
        self.new_button.clicked.connect(self.new_batch)
        self.delete_button.clicked.connect(self.delete_batch)
        self.add_button.clicked.connect(self.add_households)
        self.withdraw_button.clicked.connect(self.withdraw_household)
        self.add_objection_button.clicked.connect(self.add_objection)
        self.resolve_button.clicked.connect(self.resolve_objection)
        self.set_area(area_id)

    def restore_geometry(self) -> None:
        saved = self.settings.get_raw(GEOMETRY_KEY)
        if not (isinstance(saved, QByteArray) and self.restoreGeometry(saved)):
            self.resize(1200, 760)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.settings.set_raw(GEOMETRY_KEY, self.saveGeometry())
        super().closeEvent(event)

    def _with_buttons(self, table: QWidget, *buttons: QPushButton) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(table, 1)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _action_text(self, stage: str) -> str:
        return self.tr("开始公示…") if stage in workflow.NOTICE_STAGES - {workflow.ANNOUNCEMENT} else (
            self.tr("发布公告…") if stage == workflow.ANNOUNCEMENT else self.tr("登记完成…"))  # fmt: skip

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # -- loading ---------------------------------------------------------------------------------------------------
    def set_area(self, area_id: int | None) -> None:
        self.area_id = area_id
        with self.db.session() as s:
            area = s.get(Area, area_id) if area_id else None
            self.area_label.setText(self.tr("区划：{0}").format(area.name if area else self.tr("全部")))
            years = sorted({b.year for b in workflow.find_batches(s, area=area)}, reverse=True)
        current = self.year.currentData()
        self.year.blockSignals(True)
        self.year.clear()
        self.year.addItem(self.tr("全部"), None)
        for y in years:
            self.year.addItem(str(y), y)
        index = self.year.findData(current)
        self.year.setCurrentIndex(max(index, 0))
        self.year.blockSignals(False)
        self.reload()

    def reload(self, *, select_id: int | None = None) -> None:
        keep = select_id or self.batch_id
        with self.db.session() as s:
            area = s.get(Area, self.area_id) if self.area_id else None
            rows, keys = [], []
            for b in workflow.find_batches(s, area=area, year=self.year.currentData()):
                households, persons = workflow.counts(s, b)
                info = workflow.stage_info(s, b, self.today)
                started = [i for i in info if i.started_on]
                progress = (
                    self.tr("已完成") if b.completed_on else (started[-1].label if started else self.tr("未开始"))
                )
                rows.append(
                    [b.title or "", codes.NOTICE_KIND.label_of(b.kind), str(households), str(persons), progress]
                )
                keys.append(b.id)
        self.batches.blockSignals(True)
        _fill(self.batches, rows, keys)
        self.batches.blockSignals(False)
        if keep in keys:
            self.batches.selectRow(keys.index(keep))
        elif keys:
            self.batches.selectRow(0)
        self.show_batch()

    @property
    def batch_id(self) -> int | None:
        return _selected_key(self.batches) if hasattr(self, "batches") else None

    def show_batch(self) -> None:
        batch_id = self.batch_id
        self.delete_button.setEnabled(batch_id is not None)
        for widget in (
            self.add_button,
            self.withdraw_button,
            self.add_objection_button,
            self.resolve_button,
            self.undo_button,
        ):
            widget.setEnabled(batch_id is not None)
        if batch_id is None:
            for summary, button, why in self.stage_rows.values():
                summary.setText("")
                button.setEnabled(False)
                button.setToolTip(self.tr("请先选择或新建一个批次"))
                why.setText("")
            self.household_model.set_rows([], [])
            _fill(self.objections, [], [])
            self.preview.set_batch(None, [])
            return
        with self.db.session() as s:
            batch = workflow.get_batch(s, batch_id)
            for info in workflow.stage_info(s, batch, self.today):
                summary, button, why = self.stage_rows[info.stage]
                reason = workflow.why_not(s, batch, info.stage, today=self.today)
                text = info.summary + (
                    self.tr("，{0}条异议待处理").format(info.open_objections) if info.open_objections else ""
                )
                summary.setText(text)
                button.setEnabled(reason is None)
                button.setToolTip(reason or "")
                why.setText(reason or "" if info.started_on is None else "")
            self._load_households(s, batch)
            self._load_objections(s, batch)
            villages = sorted({(r.village_order, r.village_id, r.village) for r in self._rows})
            self.preview.set_batch(batch_id, [(v, name) for _, v, name in villages])

    def _load_households(self, s, batch) -> None:
        items = {i.household_id: i for i in batch.items}
        self._rows = sheet.load_rows(s, batch, list(items))
        rows = []
        for n, r in enumerate(self._rows, start=1):
            item = items[r.household_id]
            withdrawn = f"{workflow.date_text(item.withdrawn_on)} {item.withdrawn_reason}" if item.withdrawn_on else ""
            rows.append([r.value(c, n) for c in HOUSEHOLD_COLUMNS] + [withdrawn])
        self.household_model.set_rows(rows, [r.household_id for r in self._rows])
        self.households.resizeColumnsToContents()

    def _load_objections(self, s, batch) -> None:
        names = dict(s.execute(select(Member.household_id, Member.name).where(
            Member.household_id.in_(select(NoticeItem.household_id).where(NoticeItem.batch_id == batch.id)),
            Member.relation == "head")).all())  # fmt: skip
        rows, keys = [], []
        for o in workflow.objections(s, batch):
            rows.append([workflow.stage_label(o.stage), workflow.date_text(o.received_on), o.raised_by or "",
                         names.get(o.household_id, ""), o.content, o.resolution or self.tr("（待处理）"),
                         workflow.date_text(o.resolved_on) if o.resolved_on else ""])  # fmt: skip
            keys.append(o.id)
        _fill(self.objections, rows, keys)

    # -- actions -----------------------------------------------------------------------------------------------------
    def _run(self, action, *, changed_registry: bool = False) -> bool:
        """Run `action(session)` in one transaction; show the rule that stopped it, if any."""
        try:
            with self.db.transaction() as s:
                action(s)
        except PovDeskError as exc:
            show_error(self, exc, self.windowTitle())
            return False
        self.reload()
        if changed_registry:
            self.data_changed.emit()
        return True

    def _write(self, action) -> None:
        """Run `action(session)` in one transaction; a PovDeskError goes back to the dialog, which stays open."""
        with self.db.transaction() as s:
            action(s)

    def operator(self) -> str:
        """The 经办人 recorded on a stage: the setting, asked for once when empty."""
        return operator(self.settings, self)

    def new_batch(self) -> None:
        with self.db.session() as s:
            area = s.get(Area, self.area_id) if self.area_id else None
            years = {kind: kinds.latest_year(s, kind, area) for kind in codes.NOTICE_KIND.codes} if area else {}
        if area is None:
            QMessageBox.information(self, self.windowTitle(), self.tr("请先在主窗口左侧选择乡镇或村"))
            return
        dialog = NewBatchDialog(area.name, years, self.today, self.settings, self)
        if not dialog.exec():
            return
        kind, year, start_on = dialog.values()
        created: list[int] = []
        user = self.operator() if start_on else ""

        def create(s) -> None:
            created.append(workflow.create_batch(s, kind=kind, year=year, area=s.get(Area, area.id)).id)

        def start(s) -> None:  # on its own: a notice that cannot start yet (an empty list) keeps the batch
            period = notice_settings.load(s).period_days
            workflow.start_stage(s, workflow.get_batch(s, created[0]), workflow.STAGES[0], start_on,
                                 period_days=period, user=user, today=self.today)  # fmt: skip

        if not self._run(create):
            return
        self.set_area(self.area_id)
        self.reload(select_id=created[0])
        if start_on and self._run(start):
            self.show_sheet(workflow.STAGES[0])

    def print_previewed(self) -> None:
        """Ctrl+P: print the sheet on the 公示单 tab, once it is rendered."""
        self.tabs.setCurrentWidget(self.preview)
        if self.preview.path is None:
            QMessageBox.information(self, self.windowTitle(), self.tr("请先生成公示单预览，再打印"))
            return
        self.preview.print_sheet()

    def show_sheet(self, stage: str) -> None:
        """The sheet of a notice just started, rendered on the 公示单 tab, ready to print (Ctrl+P)."""
        self.tabs.setCurrentWidget(self.preview)
        self.preview.stage.setCurrentIndex(max(self.preview.stage.findData(stage), 0))
        self.preview.make_preview()

    def delete_batch(self) -> None:
        batch_id = self.batch_id
        if batch_id is None:
            return
        answer = QMessageBox.question(self, self.windowTitle(), self.tr("删除所选批次？"))
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda s: workflow.delete_batch(s, workflow.get_batch(s, batch_id)))

    def start_stage(self, stage: str) -> None:
        batch_id = self.batch_id
        with self.db.session() as s:
            batch = workflow.get_batch(s, batch_id)
            first = workflow.earliest_start(batch, stage) or self.today
            period = notice_settings.load(s).period_days
        is_notice = stage in workflow.NOTICE_STAGES
        day = max(first, self.today) if is_notice else self.today
        user = self.operator()
        if stage == workflow.ANNOUNCEMENT:  # the statuses change off the GUI thread; the rules are checked first

            def action(values: dict) -> None:
                with self.db.session() as s:
                    reason = workflow.why_not(s, workflow.get_batch(s, batch_id), stage, values["on"], self.today)
                if reason:
                    raise RuleViolation(reason)

        else:

            def action(values: dict) -> None:
                self._write(lambda s: workflow.start_stage(
                    s, workflow.get_batch(s, batch_id), stage, today=self.today, user=user, **values))  # fmt: skip

        dialog = StageDialog(
            self.tr(workflow.stage_label(stage)), is_notice, day, period, self.settings, self,
            is_announcement=stage == workflow.ANNOUNCEMENT, action=action,
        )  # fmt: skip
        if not dialog.exec():
            return
        if stage == workflow.ANNOUNCEMENT:
            self._issue_announcement(batch_id, dict(dialog.values(), user=user))
            return
        self.reload()
        if is_notice:
            self.show_sheet(stage)

    def _issue_announcement(self, batch_id: int, values: dict) -> None:
        """Changing many households' statuses may take a moment: off the GUI thread, in one transaction."""
        db, today = self.db, self.today

        def work(progress: Progress) -> None:
            progress.start(1, "正在发布公告并更新农户状态……")
            with db.transaction() as s:
                workflow.start_stage(s, workflow.get_batch(s, batch_id), workflow.ANNOUNCEMENT, today=today, **values)
            progress.update(1)

        def done(_result) -> None:
            self.reload()
            self.data_changed.emit()
            self.show_sheet(workflow.ANNOUNCEMENT)

        self._op = run_in_background(self, self.tr("发布县公告"), work, done)

    def undo_last_stage(self) -> None:
        batch_id = self.batch_id
        with self.db.session() as s:
            started = [i for i in workflow.stage_info(s, workflow.get_batch(s, batch_id), self.today) if i.started_on]
        if not started:
            return
        stage = started[-1].stage
        answer = QMessageBox.question(
            self, self.windowTitle(), self.tr("撤销“{0}”？").format(workflow.stage_label(stage))
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda s: workflow.undo_stage(s, workflow.get_batch(s, batch_id), stage))

    def add_households(self) -> None:
        batch_id = self.batch_id

        def action(numbers: list[str]) -> None:
            self._write(lambda s: workflow.add_households(
                s, workflow.get_batch(s, batch_id), workflow.household_ids_by_number(s, numbers)))  # fmt: skip

        if AddHouseholdsDialog(self.settings, self, action=action).exec():
            self.reload()

    def withdraw_household(self) -> None:
        row = self.households.currentIndex().row()
        batch_id, household_id = self.batch_id, self.household_model.key(row)
        if household_id is None:
            QMessageBox.information(self, self.windowTitle(), self.tr("请先在列表中选择要撤回的农户"))
            return
        with self.db.session() as s:
            number = s.get(Household, household_id).number
        who = f"{self.household_model.rows[row][HOUSEHOLD_COLUMNS.index('head')]}（{number}）"

        def action(values: dict) -> None:
            self._write(lambda s: workflow.withdraw(
                s, workflow.get_batch(s, batch_id), household_id, values["reason"], values["on"]))  # fmt: skip

        if WithdrawDialog(who, self.today, self.settings, self, action=action).exec():
            self.reload()

    def add_objection(self) -> None:
        batch_id = self.batch_id
        with self.db.session() as s:
            running = [i for i in workflow.stage_info(s, workflow.get_batch(s, batch_id), self.today)
                       if i.stage in workflow.NOTICE_STAGES and i.started_on]  # fmt: skip
        if not running:
            QMessageBox.information(self, self.windowTitle(), self.tr("公示尚未开始，异议应在公示期内登记"))
            return
        stage = running[-1]
        choices = [(r.household_id, f"{r.head}（{r.village}{r.group}）") for r in self._rows]

        def action(values: dict) -> None:
            self._write(lambda s: workflow.record_objection(s, workflow.get_batch(s, batch_id), stage.stage, **values))

        day = default_received_on(self.today, stage.started_on, stage.ended_on)
        dialog = ObjectionDialog(
            day, choices, self.settings, self, period=(stage.started_on, stage.ended_on), action=action
        )
        if dialog.exec():
            self.reload()

    def resolve_objection(self) -> None:
        objection_id = _selected_key(self.objections)
        if objection_id is None:
            QMessageBox.information(self, self.windowTitle(), self.tr("请先在列表中选择要处理的异议"))
            return
        row = self.objections.currentRow()

        def action(values: dict) -> None:
            self._write(lambda s: workflow.resolve_objection(s, objection_id, **values))

        dialog = ResolveDialog(
            self.today, bool(self.objections.item(row, 3).text()), self.settings, self, action=action
        )
        if dialog.exec():
            self.reload()
