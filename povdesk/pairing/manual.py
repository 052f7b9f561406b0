"""Pairing by hand: give a household another helper, end a cadre's pairings on transfer or retirement, and the
helpers a household has had. Pairings are ended (end date and reason), never deleted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk import codes
from povdesk.errors import NotFound, PovDeskError
from povdesk.model import Area, Cadre, HelpingUnit, Household, Pairing
from povdesk.pairing.coverage import load_of
from povdesk.pairing.schemes import CATCH_ALL_RANK, Scheme, current_scheme

DEFAULT_REASON = "调整帮扶责任人"
END_REASONS = ("调动", "退休", "其他")  # why a cadre's pairings end; the screen adds the clerk's text


class NeedsConfirmation(PovDeskError):
    """A pairing the rules advise against; the clerk may confirm it (`force=True`)."""


class OverQuota(NeedsConfirmation):
    """The cadre would help more households than the scheme allows."""


class OutsideTownship(NeedsConfirmation):
    """A township cadre would help a household of another township."""


@dataclass(frozen=True)
class HelperRow:
    """One pairing of a household, for the household's list of helpers (current first, then newest first)."""

    pairing_id: int
    cadre_id: int
    cadre: str
    rank: str  # codes.CADRE_RANK label
    unit: str  # the helping unit; a township or village cadre without one: their township or village
    position: str
    phone: str
    start_on: dt.date
    end_on: dt.date | None
    end_reason: str
    created_by: str

    @property
    def current(self) -> bool:
        return self.end_on is None


def _current(session: Session, household_id: int) -> Pairing | None:
    return session.scalar(select(Pairing).where(Pairing.household_id == household_id, Pairing.end_on.is_(None)))


def _end(pairing: Pairing, today: dt.date, reason: str) -> dt.date:
    """End a pairing today, or on its start day if it starts later (the database wants end ≥ start)."""
    pairing.end_on = max(today, pairing.start_on)
    pairing.end_reason = reason
    return pairing.end_on


def cadre_load(session: Session, cadre_id: int, scheme: Scheme | None = None) -> tuple[int, int | None]:
    """(households the cadre helps now, households the scheme in use allows: None = no cap, 0 = none)."""
    cadre = session.get(Cadre, cadre_id)
    if cadre is None:
        raise NotFound("找不到该帮扶干部，可能已被删除")
    scheme = scheme or current_scheme(session)
    return load_of(session, [cadre_id]).get(cadre_id, 0), scheme.capacity(cadre.rank)


def _township_of(session: Session, area_id: int | None) -> Area | None:
    area = session.get(Area, area_id) if area_id is not None else None
    while area is not None and area.level not in ("township", "county"):
        area = area.parent
    return area if area is not None and area.level == "township" else None


def _check_township(session: Session, cadre: Cadre, household: Household) -> None:
    home, there = _township_of(session, cadre.home_area_id), _township_of(session, household.village_id)
    if home is not None and there is not None and home.id != there.id:
        raise OutsideTownship(
            f"干部“{cadre.name}”是{home.name}的乡镇干部，户{household.number}在{there.name}；"
            f"乡镇干部一般只帮扶本乡镇的农户"
        )


def reassign(
    session: Session,
    household_id: int,
    cadre_id: int,
    *,
    user: str,
    today: dt.date,
    reason: str = DEFAULT_REASON,
    force: bool = False,
) -> Pairing:
    """Make the cadre the household's helper from today: the current pairing ends (kept in history) and a new one
    starts. Nothing changes when the cadre already helps the household. Unless `force`, raises OverQuota when the
    cadre is full under the scheme in use, OutsideTownship for a township cadre and a household of another township."""
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound("找不到该农户，可能已被删除")
    cadre = session.get(Cadre, cadre_id)
    if cadre is None:
        raise NotFound("找不到该帮扶干部，可能已被删除")
    current = _current(session, household_id)
    if current is not None and current.cadre_id == cadre_id:
        return current
    if not cadre.active:
        raise PovDeskError(f"干部“{cadre.name}”已停用（调离或退休），不能再结对农户；请选择其他干部")
    scheme = current_scheme(session)
    load, capacity = cadre_load(session, cadre_id, scheme)
    if capacity is not None and load + 1 > capacity and not force:
        rank = codes.CADRE_RANK.label_of(cadre.rank)
        if not capacity:
            raise OverQuota(f"干部“{cadre.name}”是{rank}，按“{scheme.name}”方案{rank}不结对农户")
        raise OverQuota(
            f"干部“{cadre.name}”（{rank}）已结对{load}户，按“{scheme.name}”方案每名{rank}结对{capacity}户，"
            f"再结对户{household.number}将超出方案"
        )
    if cadre.rank == CATCH_ALL_RANK and not force:
        _check_township(session, cadre, household)
    start = today
    if current is not None:
        start = _end(current, today, reason.strip() or DEFAULT_REASON)
        session.flush()  # the database allows one current pairing per household: end the old one first
    pairing = Pairing(cadre_id=cadre_id, household_id=household_id, start_on=start, created_by=user)
    session.add(pairing)
    session.flush()
    return pairing


def end_cadre_pairings(
    session: Session, cadre_id: int, *, reason: str, user: str, today: dt.date, deactivate: bool = True
) -> list[int]:
    """On transfer or retirement: end every current pairing of the cadre (kept in history) and, with `deactivate`,
    mark the cadre inactive so nobody pairs them again. Returns the ids of the households left without a helper.

    `user` is who did it; pairings record who made them, not who ended them, so it is not stored today."""
    cadre = session.get(Cadre, cadre_id)
    if cadre is None:
        raise NotFound("找不到该帮扶干部，可能已被删除")
    reason = reason.strip()
    if not reason:
        raise PovDeskError("请填写结束结对的原因（调动、退休等）")
    pairings = session.scalars(
        select(Pairing).where(Pairing.cadre_id == cadre_id, Pairing.end_on.is_(None)).order_by(Pairing.household_id)
    ).all()
    for pairing in pairings:
        _end(pairing, today, reason)
    if deactivate:
        cadre.active = False
    session.flush()
    return [p.household_id for p in pairings]


def helpers_of(session: Session, household_id: int) -> list[HelperRow]:
    """Every helper the household has had: the current one first, then by start date, newest first."""
    rows = session.execute(
        select(Pairing, Cadre, HelpingUnit.name, Area.name)
        .join(Cadre, Cadre.id == Pairing.cadre_id)
        .outerjoin(HelpingUnit, HelpingUnit.id == Cadre.unit_id)
        .outerjoin(Area, Area.id == Cadre.home_area_id)
        .where(Pairing.household_id == household_id)
        .order_by(Pairing.end_on.is_(None).desc(), Pairing.start_on.desc(), Pairing.id.desc())
    ).all()
    return [
        HelperRow(
            pairing_id=p.id,
            cadre_id=c.id,
            cadre=c.name,
            rank=codes.CADRE_RANK.label_of(c.rank),
            unit=unit or home or "",
            position=c.position or "",
            phone=c.phone or "",
            start_on=p.start_on,
            end_on=p.end_on,
            end_reason=p.end_reason or "",
            created_by=p.created_by or "",
        )
        for p, c, unit, home in rows
    ]
