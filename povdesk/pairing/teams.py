"""Village work teams (驻村工作队): a team per village and term, its first secretary, captain and members, rotation.

Rotating ends the current team and its members on a day and starts the next team on the same day; nothing is
deleted, so a village's past teams and secretaries stay on record. As for unit assignments, `end_on` is the last
day of a term.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk.errors import NotFound, PovDeskError
from povdesk.model import Cadre, HelpingUnit, WorkTeam, WorkTeamMember
from povdesk.pairing.units import _village, _village_names, end_dated, long_date, not_ended, villages

ROLES = {"first_secretary": "第一书记", "captain": "队长", "member": "队员"}
SINGLE_ROLES = ("first_secretary", "captain")  # one at a time per team


def role_label(role: str) -> str:
    return ROLES.get(role, role)


@dataclass(frozen=True)
class MemberRow:
    id: int
    team_id: int
    cadre_id: int
    cadre: str
    unit: str
    position: str
    phone: str
    role: str  # a ROLES key
    start_on: dt.date | None
    end_on: dt.date | None

    @property
    def role_label(self) -> str:
        return role_label(self.role)


@dataclass(frozen=True)
class TeamRow:
    id: int
    village_id: int
    village: str
    township: str
    unit_id: int | None
    unit: str
    start_on: dt.date | None
    end_on: dt.date | None
    first_secretary: str = ""
    captain: str = ""
    members: int = 0  # current members, every role


@dataclass(frozen=True)
class VillageTeam:
    """A village and its team today (None: no team)."""

    village_id: int
    township: str
    village: str
    team: TeamRow | None = None
    past_teams: int = 0


def _team(session: Session, team_id: int) -> WorkTeam:
    team = session.get(WorkTeam, team_id)
    if team is None:
        raise NotFound("该工作队不存在，可能已被他人修改")
    return team


def _members(session: Session, team_ids: Iterable[int], today: dt.date | None) -> list[MemberRow]:
    """Members of the teams (only those not ended before `today` when given), role order then start date."""
    query = (
        select(WorkTeamMember, Cadre.name, Cadre.position, Cadre.phone, HelpingUnit.name)
        .join(Cadre, Cadre.id == WorkTeamMember.cadre_id)
        .join(HelpingUnit, HelpingUnit.id == Cadre.unit_id, isouter=True)
        .where(WorkTeamMember.team_id.in_(list(team_ids)))
    )
    if today is not None:
        query = query.where(not_ended(WorkTeamMember.end_on, today))
    rows = [
        MemberRow(m.id, m.team_id, m.cadre_id, name, unit or "", position or "", phone or "", m.role, m.start_on,
                  m.end_on)
        for m, name, position, phone, unit in session.execute(query)
    ]  # fmt: skip
    roles = list(ROLES)
    rows.sort(key=lambda r: (r.end_on is not None, roles.index(r.role) if r.role in roles else 9,
                             r.start_on or dt.date.min, r.id))  # fmt: skip
    return rows


def _rows(session: Session, teams: list[WorkTeam], today: dt.date) -> list[TeamRow]:
    names, townships, _order = _village_names(session)
    units = dict(session.execute(select(HelpingUnit.id, HelpingUnit.name)).all())
    current: dict[int, list[MemberRow]] = {}
    ids = [t.id for t in teams]
    for chunk in range(0, len(ids), 5000):
        for member in _members(session, ids[chunk : chunk + 5000], today):
            current.setdefault(member.team_id, []).append(member)
    rows = []
    for team in teams:
        members = current.get(team.id, [])
        first = next((m.cadre for m in members if m.role == "first_secretary"), "")
        captain = next((m.cadre for m in members if m.role == "captain"), "")
        rows.append(
            TeamRow(team.id, team.village_id, names.get(team.village_id, ""), townships.get(team.village_id, ""),
                    team.unit_id, units.get(team.unit_id, ""), team.start_on, team.end_on, first, captain,
                    len(members))
        )  # fmt: skip
    return rows


def village_teams(session: Session, area_id: int | None = None, today: dt.date | None = None) -> list[VillageTeam]:
    """Every village of the area (None: the county) in the tree's order, with its current team."""
    today = today or dt.date.today()
    places = villages(session, area_id)
    wanted = {v for v, _t, _n in places}
    teams = session.scalars(select(WorkTeam).order_by(WorkTeam.start_on, WorkTeam.id)).all()
    current = [t for t in teams if t.village_id in wanted and (t.end_on is None or t.end_on >= today)]
    by_village = {row.village_id: row for row in _rows(session, current, today)}  # the latest current team wins
    past: dict[int, int] = {}
    for team in teams:
        if team.village_id in wanted and team.end_on is not None and team.end_on < today:
            past[team.village_id] = past.get(team.village_id, 0) + 1
    return [VillageTeam(v, township, name, by_village.get(v), past.get(v, 0)) for v, township, name in places]


def teams_of_village(session: Session, village_id: int, today: dt.date | None = None) -> list[TeamRow]:
    """The village's teams, newest first (the current one on top)."""
    today = today or dt.date.today()
    teams = session.scalars(
        select(WorkTeam).where(WorkTeam.village_id == village_id).order_by(WorkTeam.start_on.desc(), WorkTeam.id.desc())
    ).all()
    return _rows(session, list(teams), today)


def current_team(session: Session, village_id: int, today: dt.date | None = None) -> WorkTeam | None:
    today = today or dt.date.today()
    return session.scalar(
        select(WorkTeam)
        .where(WorkTeam.village_id == village_id, not_ended(WorkTeam.end_on, today))
        .order_by(WorkTeam.start_on.desc(), WorkTeam.id.desc())
        .limit(1)
    )


def members(session: Session, team_id: int, *, include_ended: bool = True) -> list[MemberRow]:
    """A team's members: current ones first (first secretary, captain, members), then those who left."""
    rows = _members(session, [team_id], None)
    if not include_ended:
        rows = [r for r in rows if r.end_on is None]
    return rows


def first_secretary(session: Session, village_id: int, today: dt.date | None = None) -> MemberRow | None:
    """The village's first secretary today, if its current team has one."""
    today = today or dt.date.today()
    team = current_team(session, village_id, today)
    if team is None:
        return None
    return next((m for m in _members(session, [team.id], today) if m.role == "first_secretary"), None)


def start_team(session: Session, village_id: int, unit_id: int | None, start_on: dt.date) -> WorkTeam:
    """A village's first team (or its next one after the last has ended); use `rotate` to replace a current team."""
    village = _village(session, village_id)
    existing = current_team(session, village_id, start_on)
    if existing is not None:
        raise PovDeskError(f"{village.name}已有驻村工作队（{long_date(existing.start_on)}起），如需换届请使用“轮换”")
    team = WorkTeam(village_id=village_id, unit_id=unit_id, start_on=start_on)
    session.add(team)
    session.flush()
    return team


def add_member(session: Session, team_id: int, cadre_id: int, role: str, start_on: dt.date) -> WorkTeamMember:
    """A cadre joins the team in a role; one first secretary and one captain at a time."""
    team = _team(session, team_id)
    if role not in ROLES:
        raise PovDeskError(f"未知的工作队职务“{role}”")
    cadre = session.get(Cadre, cadre_id)
    if cadre is None:
        raise NotFound("所选干部不存在，可能已被他人删除")
    if team.end_on is not None and team.end_on < start_on:
        raise PovDeskError(f"该工作队已于{long_date(team.end_on)}期满，不能再加入队员")
    if team.start_on is not None and start_on < team.start_on:
        raise PovDeskError(f"加入日期{long_date(start_on)}早于工作队进驻日期{long_date(team.start_on)}")
    current = _members(session, [team_id], start_on)
    if any(m.cadre_id == cadre_id for m in current):
        raise PovDeskError(f"{cadre.name}已是该工作队成员")
    if role in SINGLE_ROLES:
        holder = next((m for m in current if m.role == role), None)
        if holder is not None:
            raise PovDeskError(f"该工作队已有{role_label(role)}{holder.cadre}，请先让其离队或使用“轮换”")
    member = WorkTeamMember(team_id=team_id, cadre_id=cadre_id, role=role, start_on=start_on)
    session.add(member)
    session.flush()
    return member


def end_member(session: Session, member_id: int, end_on: dt.date) -> WorkTeamMember:
    """The cadre leaves the team after `end_on`; the record stays."""
    return end_dated(
        session,
        WorkTeamMember,
        member_id,
        end_on,
        missing="该队员记录不存在，可能已被他人修改",
        ended="该队员已于{end}离队",
        too_early="离队日期{end}早于加入日期{start}",
    )


def rotate(
    session: Session,
    village_id: int,
    on: dt.date,
    *,
    unit_id: int | None = None,
    new_members: Iterable[tuple[int, str]] = (),
    keep_unit: bool = True,
) -> WorkTeam:
    """换届: the current team and its members end the day before `on`; a new team starts on `on` with the given
    (cadre id, role) members. The unit is the previous team's unless `unit_id` is given."""
    village = _village(session, village_id)
    old = current_team(session, village_id, on)
    if old is not None:
        if old.start_on is not None and on <= old.start_on:
            raise PovDeskError(f"轮换日期{long_date(on)}应晚于现任工作队进驻日期{long_date(old.start_on)}")
        last_day = on - dt.timedelta(days=1)
        for member in session.scalars(
            select(WorkTeamMember).where(WorkTeamMember.team_id == old.id, WorkTeamMember.end_on.is_(None))
        ):
            member.end_on = max(last_day, member.start_on or last_day)
        old.end_on = last_day
        if unit_id is None and keep_unit:
            unit_id = old.unit_id
    elif session.scalar(select(WorkTeam.id).where(WorkTeam.village_id == village_id, WorkTeam.start_on > on)):
        raise PovDeskError(f"{village.name}在{long_date(on)}之后已有工作队记录，请检查轮换日期")
    session.flush()
    team = WorkTeam(village_id=village_id, unit_id=unit_id, start_on=on)
    session.add(team)
    session.flush()
    for cadre_id, role in new_members:
        add_member(session, team.id, cadre_id, role, on)
    return team
