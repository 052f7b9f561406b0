"""Pairing by hand: reassigning keeps history and respects the scheme, ending a cadre's pairings on transfer."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from povdesk import demo
from povdesk.errors import PovDeskError
from povdesk.model import Area, Cadre, Household, Pairing
from povdesk.pairing import manual

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def county(db):
    demo.generate(db, households=300, seed=5)
    return db


def _current(session, household_id):
    return session.scalar(select(Pairing).where(Pairing.household_id == household_id, Pairing.end_on.is_(None)))


def _township_of(session, household_id):
    village = session.get(Area, session.get(Household, household_id).village_id)
    return village.parent_id


def _cadre_with_room(session, household_id, *, exclude=(), same_township=True):
    """An active township cadre (no cap under "321") of the household's township, or of another one."""
    township = _township_of(session, household_id)
    for cadre in session.scalars(
        select(Cadre).where(Cadre.rank == "township", Cadre.active.is_(True)).order_by(Cadre.id)
    ):
        home = session.get(Area, cadre.home_area_id)
        home_township = home.id if home.level == "township" else home.parent_id
        if cadre.id not in exclude and (home_township == township) == same_township:
            return cadre
    raise AssertionError("no such township cadre")


def _full_cadre(session, rank, *, exclude):
    """An active cadre of `rank` at the scheme's quota, paired up to it with other households if need be."""
    cadre = session.scalars(
        select(Cadre).where(Cadre.rank == rank, Cadre.active.is_(True), Cadre.id != exclude).order_by(Cadre.id)
    ).first()
    load, capacity = manual.cadre_load(session, cadre.id)
    others = session.scalars(
        select(Pairing.household_id).where(Pairing.end_on.is_(None), Pairing.cadre_id != cadre.id).order_by(Pairing.id)
    ).all()
    for hid in others[: max(0, capacity - load)]:
        manual.reassign(session, hid, cadre.id, user="test", today=TODAY)
    assert manual.cadre_load(session, cadre.id) == (capacity, capacity)
    return cadre


def test_reassign_ends_the_old_pairing_and_keeps_it_in_history(county):
    with county.transaction() as session:
        old = _current(session, 1)
        cadre = _cadre_with_room(session, 1, exclude={old.cadre_id})
        old_name = old.cadre.name
        new = manual.reassign(session, 1, cadre.id, user="李会计", today=TODAY, reason="原责任人调动")
        assert new.start_on == TODAY
    with county.session() as session:
        helpers = manual.helpers_of(session, 1)
        # the clerk sees the new helper first, and the old one below with its end date and reason
        assert [h.cadre for h in helpers] == [cadre.name, old_name]
        assert helpers[0].current and helpers[0].created_by == "李会计"
        assert helpers[1].end_on == TODAY and helpers[1].end_reason == "原责任人调动"
        assert session.scalar(select(func.count()).where(Pairing.household_id == 1, Pairing.end_on.is_(None))) == 1


def test_reassign_to_the_same_cadre_changes_nothing(county):
    with county.transaction() as session:
        old = _current(session, 2)
        same = manual.reassign(session, 2, old.cadre_id, user="test", today=TODAY)
        assert same.id == old.id
    with county.session() as session:
        assert len(manual.helpers_of(session, 2)) == 1


def test_reassign_refuses_over_quota_unless_forced(county):
    with county.transaction() as session:
        household = session.scalars(select(Pairing.household_id).order_by(Pairing.household_id.desc())).first()
        cadre = _full_cadre(session, "section", exclude=_current(session, household).cadre_id)
        with pytest.raises(manual.OverQuota, match=r"已结对2户.*“321”方案每名科级干部结对2户"):
            manual.reassign(session, household, cadre.id, user="test", today=TODAY)
        assert _current(session, household).cadre_id != cadre.id  # refused: the household keeps its helper
        manual.reassign(session, household, cadre.id, user="test", today=TODAY, force=True)
        assert _current(session, household).cadre_id == cadre.id
        assert manual.cadre_load(session, cadre.id) == (3, 2)


def test_reassign_refuses_a_rank_the_scheme_does_not_pair(county):
    with county.transaction() as session:
        village_cadre = session.scalars(select(Cadre).where(Cadre.rank == "village").order_by(Cadre.id)).first()
        with pytest.raises(manual.OverQuota, match="是村干部，按“321”方案村干部不结对农户"):
            manual.reassign(session, 6, village_cadre.id, user="test", today=TODAY)


def test_a_township_cadre_of_another_township_needs_confirming(county):
    with county.transaction() as session:
        stranger = _cadre_with_room(session, 8, exclude={_current(session, 8).cadre_id}, same_township=False)
        with pytest.raises(manual.OutsideTownship, match="乡镇干部一般只帮扶本乡镇的农户"):
            manual.reassign(session, 8, stranger.id, user="test", today=TODAY)
        manual.reassign(session, 8, stranger.id, user="test", today=TODAY, force=True)
        assert _current(session, 8).cadre_id == stranger.id


def test_reassign_refuses_an_inactive_cadre(county):
    with county.transaction() as session:
        cadre = _cadre_with_room(session, 4, exclude={_current(session, 4).cadre_id})
        cadre.active = False
        with pytest.raises(PovDeskError, match="已停用"):
            manual.reassign(session, 4, cadre.id, user="test", today=TODAY)


def test_a_pairing_that_starts_later_ends_on_its_start_day(county):
    later = TODAY + dt.timedelta(days=30)
    with county.transaction() as session:
        _current(session, 5).start_on = later
        cadre = _cadre_with_room(session, 5, exclude={_current(session, 5).cadre_id})
        new = manual.reassign(session, 5, cadre.id, user="test", today=TODAY)
        assert new.start_on == later
    with county.session() as session:
        assert manual.helpers_of(session, 5)[1].end_on == later


def test_ending_a_cadres_pairings_keeps_history_and_leaves_households_unpaired(county):
    with county.session() as session:
        cadre_id, n = session.execute(
            select(Pairing.cadre_id, func.count())
            .where(Pairing.end_on.is_(None))
            .group_by(Pairing.cadre_id)
            .order_by(func.count().desc(), Pairing.cadre_id)
        ).first()
    with county.transaction() as session:
        freed = manual.end_cadre_pairings(session, cadre_id, reason="调动：调往州农业局", user="test", today=TODAY)
    assert len(freed) == n > 1
    with county.session() as session:
        assert session.get(Cadre, cadre_id).active is False
        for hid in freed:
            assert _current(session, hid) is None
            [past] = [h for h in manual.helpers_of(session, hid) if h.cadre_id == cadre_id]
            assert (past.end_on, past.end_reason) == (TODAY, "调动：调往州农业局")
        assert manual.cadre_load(session, cadre_id)[0] == 0
        with pytest.raises(PovDeskError, match="已停用"):
            manual.reassign(session, freed[0], cadre_id, user="test", today=TODAY)


def test_ending_needs_a_reason(county):
    with county.transaction() as session, pytest.raises(PovDeskError, match="原因"):
        manual.end_cadre_pairings(session, 1, reason=" ", user="test", today=TODAY)
