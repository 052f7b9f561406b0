"""驻村工作队: each village's work team (unit, dates, first secretary, captain), its past teams and members;
form or rotate a team, add a member, a member leaves."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPushButton,
    QWidget,
)

from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.pairing import cadres, teams
from ui.dialogs import FormDialog, RememberingDialog, to_date
from ui.pairing.widgets import (
    CadrePicker,
    EndDialog,
    combo_value,
    day_text,
    fill_table,
    make_table,
    master_detail,
    search_edit,
    searchable_combo,
    select_key,
    selected_key,
)
from ui.settings import AppSettings


class RotateDialog(FormDialog):
    """Form a village's team, or rotate it (换届): the current team and its members end the day before."""

    def __init__(self, db: Database, settings: AppSettings, village: teams.VillageTeam, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:  # fmt: skip
        self.db, self.village, self.today = db, village, today or dt.date.today()
        title = self.tr("工作队轮换：{0}") if village.team else self.tr("组建驻村工作队：{0}")
        super().__init__("pairing_team_rotate", title.format(village.village), settings, parent)
        self.setMinimumWidth(480)

    def build(self) -> None:
        team = self.village.team
        with self.db.session() as session:
            choices = [(name, unit_id) for unit_id, name in cadres.unit_choices(session)]
        self.unit = searchable_combo(self, choices, self.tr("（无）"))
        self.unit.setCurrentIndex(max(0, self.unit.findData(team.unit_id if team else None)))
        self.start = self.date_edit(self.today)
        self.secretary = CadrePicker(self.db, self)
        self.captain = CadrePicker(self.db, self)
        if team is not None:
            note = self.tr("现任工作队（{0}进驻，第一书记{1}）及其队员将于轮换日期前一天期满，记录保留。")
            hint = QLabel(note.format(day_text(team.start_on), team.first_secretary or self.tr("未配备")), self)
            hint.setWordWrap(True)
            self.form.addRow(hint)
        self.form.addRow(self.tr("派驻单位："), self.unit)
        self.form.addRow(self.tr("进驻日期：") if team is None else self.tr("轮换日期："), self.start)
        self.form.addRow(self.tr("第一书记："), self.secretary)
        self.form.addRow(self.tr("队长："), self.captain)

    def commit(self) -> None:
        members = [(c, role) for c, role in ((self.secretary.cadre_id(), "first_secretary"),
                                             (self.captain.cadre_id(), "captain")) if c is not None]  # fmt: skip
        if len({c for c, _r in members}) < len(members):
            raise PovDeskError(self.tr("第一书记和队长不能是同一个人"))
        with self.db.transaction() as session:
            teams.rotate(session, self.village.village_id, to_date(self.start.date()), unit_id=combo_value(self.unit),
                         new_members=members, keep_unit=False)  # fmt: skip


class MemberDialog(FormDialog):
    """A cadre joins the team: pick them by typing their name or initials, their role and the day they join."""

    def __init__(self, db: Database, settings: AppSettings, team: teams.TeamRow, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:  # fmt: skip
        self.db, self.team, self.today = db, team, today or dt.date.today()
        super().__init__("pairing_team_member", self.tr("添加队员：{0}工作队").format(team.village), settings, parent)
        self.setMinimumWidth(460)

    def build(self) -> None:
        self.cadre = CadrePicker(self.db, self)
        self.role = QComboBox(self)
        for code, label in teams.ROLES.items():
            self.role.addItem(self.tr(label), code)
        self.role.setCurrentIndex(self.role.findData("member"))
        self.start = self.date_edit(max(self.today, self.team.start_on or self.today))
        self.form.addRow(self.tr("干部："), self.cadre)
        self.form.addRow(self.tr("职务："), self.role)
        self.form.addRow(self.tr("加入日期："), self.start)

    def commit(self) -> None:
        cadre_id = self.cadre.cadre_id()
        if cadre_id is None:
            raise PovDeskError(self.tr("请先查找并选择一名干部"))
        with self.db.transaction() as session:
            teams.add_member(session, self.team.id, cadre_id, self.role.currentData(), to_date(self.start.date()))


class LeaveDialog(EndDialog):
    """A member leaves the team: the question names them."""

    def __init__(self, db: Database, settings: AppSettings, member: teams.MemberRow, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:  # fmt: skip
        self.member = member
        question = self.tr("确定让{0}（{1}）离开工作队吗？离队记录保留在历史中。")
        super().__init__(
            "pairing_team_leave",
            self.tr("队员离队"),
            db,
            settings,
            parent,
            question=question.format(member.cadre, self.tr(member.role_label)),
            day_label=self.tr("离队日期："),
            ok=self.tr("确认离队"),
            end=lambda session, day: teams.end_member(session, member.id, day),
            today=today,
        )


class TeamsDialog(RememberingDialog):
    """Villages of the selected area with their team; the selected village's teams over time and their members."""

    data_changed = Signal()

    def __init__(self, db: Database, settings: AppSettings, area_id: int | None, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:  # fmt: skip
        super().__init__("pairing_teams", settings, parent)
        self.db, self.settings, self.area_id = db, settings, area_id
        self.today = today or dt.date.today()
        self.setWindowTitle(self.tr("驻村工作队"))
        self._villages: list[teams.VillageTeam] = []
        self._teams: list[teams.TeamRow] = []
        self._members: list[teams.MemberRow] = []
        self.search = search_edit(self, self.tr("按乡镇、村名或第一书记筛选"))
        self.villages = make_table(
            self,
            [self.tr("乡镇"), self.tr("村"), self.tr("派驻单位"), self.tr("进驻日期"), self.tr("第一书记"),
             self.tr("队长"), self.tr("在队人数"), self.tr("往届")],
            stretch=2,
        )  # fmt: skip
        self.summary = QLabel(self)
        self.rotate_button = QPushButton(self.tr("轮换（换届）…"), self)
        self.village_title = QLabel(self)
        self.village_title.setStyleSheet("font-weight: bold")
        self.teams = make_table(
            self,
            [self.tr("进驻日期"), self.tr("期满日期"), self.tr("派驻单位"), self.tr("第一书记"), self.tr("状态")],
            2,
        )
        self.members = make_table(
            self,
            [self.tr("职务"), self.tr("姓名"), self.tr("工作单位"), self.tr("单位职务"), self.tr("联系电话"),
             self.tr("加入日期"), self.tr("离队日期")],
            stretch=2,
        )  # fmt: skip
        self.add_member_button = QPushButton(self.tr("添加队员…"), self)
        self.leave_button = QPushButton(self.tr("队员离队…"), self)

        members_title = QLabel(self.tr("所选工作队的队员："), self)
        master_detail(
            self,
            [self.search, (self.villages, 1), [self.rotate_button, None, self.summary]],
            [
                self.village_title,
                (self.teams, 1),
                members_title,
                (self.members, 2),
                [self.add_member_button, self.leave_button, None],
            ],
            (600, 500),
        )

        self.search.textChanged.connect(self._show_villages)
        self.villages.itemSelectionChanged.connect(self._show_teams)
        self.teams.itemSelectionChanged.connect(self._show_members)
        self.members.itemSelectionChanged.connect(self._update_buttons)
        self.rotate_button.clicked.connect(self.rotate)
        self.add_member_button.clicked.connect(self.add_member)
        self.leave_button.clicked.connect(self.leave)
        self.reload()
        self.resize(1180, 640)

    def reload(self, village_id: int | None = None) -> None:
        village_id = village_id if village_id is not None else selected_key(self.villages)
        with self.db.session() as session:
            self._villages = teams.village_teams(session, self.area_id, self.today)
        self._show_villages()
        if village_id is not None:
            select_key(self.villages, village_id)
        elif self.villages.rowCount():
            self.villages.selectRow(0)

    def _show_villages(self) -> None:
        text = self.search.text().strip()
        shown = [
            v for v in self._villages
            if not text or text in v.township + v.village or (v.team and text in v.team.first_secretary)
        ]  # fmt: skip
        rows = []
        for v in shown:
            t = v.team
            rows.append([v.township, v.village, t.unit if t else self.tr("（无工作队）"), day_text(t.start_on) if t else "",
                         t.first_secretary if t else "", t.captain if t else "", str(t.members) if t else "",
                         str(v.past_teams) if v.past_teams else ""])  # fmt: skip
        fill_table(self.villages, rows, [v.village_id for v in shown], {i for i, v in enumerate(shown) if not v.team})
        with_team = sum(1 for v in self._villages if v.team)
        without = sum(1 for v in self._villages if v.team and not v.team.first_secretary)
        text = self.tr("{0} 个村，{1} 个有工作队").format(len(self._villages), with_team)
        if without:
            text += self.tr("，{0} 个未配第一书记").format(without)
        self.summary.setText(text)
        self._show_teams()

    def village(self) -> teams.VillageTeam | None:
        village_id = selected_key(self.villages)
        return next((v for v in self._villages if v.village_id == village_id), None)

    def _show_teams(self) -> None:
        village = self.village()
        if village is None:
            self._teams = []
            self.village_title.setText(self.tr("请在左侧选择村"))
        else:
            with self.db.session() as session:
                self._teams = teams.teams_of_village(session, village.village_id, self.today)
            self.village_title.setText(self.tr("{0}{1}历届驻村工作队").format(village.township, village.village))
        rows, ended = [], set()
        for i, t in enumerate(self._teams):
            current = t.end_on is None or t.end_on >= self.today
            if not current:
                ended.add(i)
            rows.append([day_text(t.start_on), day_text(t.end_on), t.unit, t.first_secretary,
                         self.tr("现任") if current else self.tr("已期满")])  # fmt: skip
        fill_table(self.teams, rows, [t.id for t in self._teams], ended)
        if self._teams:
            self.teams.selectRow(0)
        self.rotate_button.setText(
            self.tr("轮换（换届）…") if village is not None and village.team else self.tr("组建工作队…")
        )
        self._show_members()

    def team(self) -> teams.TeamRow | None:
        team_id = selected_key(self.teams)
        return next((t for t in self._teams if t.id == team_id), None)

    def _show_members(self) -> None:
        team = self.team()
        with self.db.session() as session:
            self._members = teams.members(session, team.id) if team else []
        rows = [[self.tr(m.role_label), m.cadre, m.unit, m.position, m.phone, day_text(m.start_on), day_text(m.end_on)]
                for m in self._members]  # fmt: skip
        left = {i for i, m in enumerate(self._members) if m.end_on is not None and m.end_on < self.today}
        fill_table(self.members, rows, [m.id for m in self._members], left)
        self._update_buttons()

    def member(self) -> teams.MemberRow | None:
        member_id = selected_key(self.members)
        return next((m for m in self._members if m.id == member_id), None)

    def _update_buttons(self) -> None:
        team, member = self.team(), self.member()
        self.rotate_button.setEnabled(self.village() is not None)
        self.add_member_button.setEnabled(team is not None and (team.end_on is None or team.end_on >= self.today))
        self.leave_button.setEnabled(member is not None and member.end_on is None)

    def _changed(self) -> None:
        self.reload()
        self.data_changed.emit()

    def rotate(self) -> None:
        village = self.village()
        if village is not None and RotateDialog(self.db, self.settings, village, self, today=self.today).exec():
            self._changed()

    def add_member(self) -> None:
        team = self.team()
        if team is not None and MemberDialog(self.db, self.settings, team, self, today=self.today).exec():
            self._changed()

    def leave(self) -> None:
        member = self.member()
        if member is not None and LeaveDialog(self.db, self.settings, member, self, today=self.today).exec():
            self._changed()
