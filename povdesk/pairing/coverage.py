"""Pairing coverage: how many households each cadre helps, and the state of an area under a scheme (the figures of
`main.py pair --json` and of the solver screen)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from povdesk import codes
from povdesk.model import Area, Cadre, Household, Pairing
from povdesk.pairing.schemes import CATCH_ALL_RANK, Scheme
from povdesk.stats import households_in


def load_of(session: Session, cadre_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Current households per cadre."""
    query = select(Pairing.cadre_id, func.count()).where(Pairing.end_on.is_(None)).group_by(Pairing.cadre_id)
    if cadre_ids is not None:
        query = query.where(Pairing.cadre_id.in_(list(cadre_ids)))
    return dict(session.execute(query).all())


def state(session: Session, scheme: Scheme, area: Area | None = None) -> dict:
    """The pairing state of the area (None: the county) under a scheme: the `pair --json` object."""
    ids = households_in(area)
    households = session.scalar(select(func.count()).select_from(ids.subquery()))
    current = (
        select(Pairing.household_id, Pairing.cadre_id)
        .where(Pairing.end_on.is_(None), Pairing.household_id.in_(ids))
        .subquery()
    )
    by_rank = dict(
        session.execute(
            select(Cadre.rank, func.count()).join(current, current.c.cadre_id == Cadre.id).group_by(Cadre.rank)
        ).all()
    )
    paired = sum(by_rank.values())
    over = 0
    for rank in codes.CADRE_RANK.codes:
        capacity = scheme.capacity(rank)
        if capacity is None:
            continue
        loads = (
            select(Pairing.cadre_id)
            .join(Cadre, Cadre.id == Pairing.cadre_id)
            .where(Pairing.end_on.is_(None), Cadre.rank == rank)
            .group_by(Pairing.cadre_id)
            .having(func.count() > capacity)
        )
        if area is not None:
            loads = loads.where(Pairing.cadre_id.in_(select(current.c.cadre_id)))
        over += session.scalar(select(func.count()).select_from(loads.subquery()))
    village, home = aliased(Area), aliased(Area)
    home_township = case((home.level == "village", home.parent_id), else_=home.id)
    outside = session.scalar(
        select(func.count(func.distinct(Cadre.id)))
        .select_from(current)
        .join(Cadre, Cadre.id == current.c.cadre_id)
        .join(Household, Household.id == current.c.household_id)
        .join(village, village.id == Household.village_id)
        .join(home, home.id == Cadre.home_area_id)
        .where(Cadre.rank == CATCH_ALL_RANK, village.parent_id != home_township)
    )
    unpaired_by_township = session.execute(
        select(village.parent_id, func.count())
        .select_from(Household)
        .join(village, village.id == Household.village_id)
        .where(Household.id.in_(ids), Household.id.not_in(select(current.c.household_id)))
        .group_by(village.parent_id)
    ).all()
    names = dict(session.execute(select(Area.id, Area.name).where(Area.level == "township")).all())
    return {
        "scheme": scheme.name,
        "households": households,
        "paired": paired,
        "unpaired": households - paired,
        "by_rank": {rank: by_rank[rank] for rank in codes.CADRE_RANK.codes if by_rank.get(rank)},
        "over_quota_cadres": over,
        "township_cadres_outside_own_township": outside,
        "shortfalls": [
            {"township": names.get(t, ""), "households": n}
            for t, n in sorted(unpaired_by_township, key=lambda r: names.get(r[0], ""))
            if n
        ],
    }
