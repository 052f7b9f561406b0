"""The pairing solver: a named helper for every household that has none, by the county's scheme ("321"…).

The rules, in the order they are applied (DOMAIN.md §3):

1. cadres of units (county leaders, section-level, general staff; village cadres where the scheme gives them a
   number) take households up to their quota, in the villages their unit helps (a village cadre: their own village
   first), then in other villages of the same townships — one cadre's households stay together, village by village;
   cadres whose unit helps no village take households where most are left;
2. township cadres take every household left in their own township, spread evenly, each cadre's share in one block
   (a cap when the scheme sets one);
3. where a township has no township cadre (or too few under the cap), cadres of units with room left take the rest;
4. what still has no helper is a shortfall: the township, how many households and why — no rule is ever broken.

Existing pairs are kept; re-planning an area frees its households first and keeps a pair the new plan repeats. The
result depends on the data only: every choice is ordered by the areas' order and by ids.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from povdesk import codes
from povdesk.audit import entry as audit_entry
from povdesk.bulk import bulk_insert
from povdesk.model import Area, Cadre, HelpingUnit, Household, Member, Pairing, UnitVillage
from povdesk.pairing.schemes import CATCH_ALL_RANK, Scheme
from povdesk.progress import Progress
from povdesk.stats import households_in

UNIT_VILLAGE = "帮扶单位包村"
OWN_VILLAGE = "本村干部"
SAME_TOWNSHIP = "同乡镇就近"
COUNTY_WIDE = "全县统筹"
TOWNSHIP_CATCH_ALL = "乡镇干部兜底"
RELIEF = "全县统筹（本乡镇兜底干部不足）"
REPLAN_REASON = "重新规划结对"
# ranks that take households by quota, in the order they choose: the highest rank picks first
UNIT_RANKS = ("county_leader", "section", "general", "village")


@dataclass
class Assignment:
    household_id: int
    cadre_id: int
    reason: str


@dataclass
class Shortfall:
    township_id: int
    township: str
    households: int
    reason: str


@dataclass
class Proposal:
    scheme: Scheme
    area_id: int | None
    replan: bool
    assignments: list[Assignment] = field(default_factory=list)
    ending: list[int] = field(default_factory=list)  # current pairings the re-plan ends (their household re-paired)
    shortfalls: list[Shortfall] = field(default_factory=list)
    kept: int = 0  # households that keep their current helper
    rank_of: dict[int, str] = field(default_factory=dict)  # cadre id → rank, of the cadres assigned
    township_of: dict[int, str] = field(default_factory=dict)  # household id → township name, of those assigned

    def by_rank(self) -> dict[str, int]:
        counts = Counter(self.rank_of[a.cadre_id] for a in self.assignments)
        return {rank: counts[rank] for rank in codes.CADRE_RANK.codes if counts[rank]}

    def by_township(self) -> dict[str, int]:
        return dict(Counter(self.township_of[a.household_id] for a in self.assignments))


@dataclass
class ProposalRow:
    household_id: int
    household_number: str
    head: str
    township: str
    village: str
    cadre_id: int
    cadre: str
    rank: str
    unit: str
    reason: str


class _Pool:
    """Households without a helper, village by village in the areas' order; taken from the front of each village."""

    def __init__(self, villages: dict[int, list[int]], township_of: dict[int, int], order: list[int]) -> None:
        self.left = villages
        self.next = dict.fromkeys(villages, 0)
        self.by_township: dict[int, list[int]] = defaultdict(list)
        for village in order:
            if village in villages:
                self.by_township[township_of[village]].append(village)
        self.count = Counter({t: sum(len(villages[v]) for v in vs) for t, vs in self.by_township.items()})
        self.township_of = township_of

    def remaining(self, village: int) -> int:
        return len(self.left.get(village, ())) - self.next.get(village, 0)

    def take(self, village: int, n: int) -> list[int]:
        start = self.next.get(village, 0)
        taken = self.left.get(village, [])[start : start + n]
        if taken:
            self.next[village] = start + len(taken)
            self.count[self.township_of[village]] -= len(taken)
        return taken

    def villages_of(self, township: int) -> list[int]:
        return self.by_township.get(township, [])


def _areas(session: Session) -> tuple[dict[int, int], dict[int, str], list[int]]:
    """village → township, township names, villages in the areas' order."""
    village, township = aliased(Area), aliased(Area)
    rows = session.execute(
        select(village.id, township.id, township.name)
        .join(township, township.id == village.parent_id)
        .where(village.level == "village")
        .order_by(township.sort_order, township.id, village.sort_order, village.id)
    ).all()
    return {v: t for v, t, _ in rows}, {t: name for _, t, name in rows}, [v for v, _, _ in rows]


def _current_pairings(session: Session) -> dict[int, tuple[int, int]]:
    """household → (pairing id, cadre id) of every current pairing."""
    rows = session.execute(select(Pairing.household_id, Pairing.id, Pairing.cadre_id).where(Pairing.end_on.is_(None)))
    return {h: (p, c) for h, p, c in rows}


def _unit_villages(session: Session, today: dt.date) -> dict[int, list[int]]:
    rows = session.execute(
        select(UnitVillage.unit_id, UnitVillage.village_id)
        .where(or_(UnitVillage.start_on.is_(None), UnitVillage.start_on <= today))
        .where(or_(UnitVillage.end_on.is_(None), UnitVillage.end_on >= today))
        .order_by(UnitVillage.unit_id, UnitVillage.id)
    )
    villages: dict[int, list[int]] = defaultdict(list)
    for unit, village in rows:
        if village not in villages[unit]:
            villages[unit].append(village)
    return villages


class _Solver:
    def __init__(self, session: Session, scheme: Scheme, area: Area | None, replan: bool, today: dt.date) -> None:
        self.scheme = scheme
        self.proposal = Proposal(scheme, area.id if area else None, replan)
        self.township_of, self.township_names, self.village_order = _areas(session)
        self.position = {v: i for i, v in enumerate(self.village_order)}
        self.cadres = session.execute(
            select(Cadre.id, Cadre.rank, Cadre.unit_id, Cadre.home_area_id)
            .where(Cadre.active.is_(True))
            .order_by(Cadre.id)
        ).all()
        self.unit_villages = _unit_villages(session, today)
        self.levels = dict(
            session.execute(select(Area.id, Area.level).where(Area.level.in_(("township", "village")))).all()
        )
        current = _current_pairings(session)
        households = session.execute(
            select(Household.id, Household.village_id).order_by(Household.village_id, Household.number, Household.id)
        ).all()
        self.village_of = dict(households)
        inside = None if area is None else set(session.scalars(households_in(area)))
        self.freed: dict[int, tuple[int, int]] = {}  # household → its current pairing, that a re-plan may end
        self.load: Counter[int] = Counter()
        keep = self._still_right(current, inside) if replan else None
        free: dict[int, list[int]] = defaultdict(list)
        for household, village in households:
            if inside is not None and household not in inside:
                continue
            if household in current:
                if keep is None or household in keep:
                    self.proposal.kept += 1
                    continue
                self.freed[household] = current[household]
            free[village].append(household)
        self.pool = _Pool(free, self.township_of, self.village_order)
        self.cadre_villages: dict[int, list[int]] = defaultdict(list)  # villages where a cadre helps already
        for household, (_, cadre) in current.items():
            if household not in self.freed:
                self.load[cadre] += 1
                village = self.village_of[household]
                if village not in self.cadre_villages[cadre]:
                    self.cadre_villages[cadre].append(village)

    def _still_right(self, current: dict[int, tuple[int, int]], inside: set[int] | None) -> set[int]:
        """The households of the re-planned area whose unit cadre the scheme still allows: active, within the quota,
        in the villages (or townships) the cadre's unit helps. Township cadres' households are shared out again (a
        scheme that gives unit cadres more leaves them less), each staying with its cadre while the share allows."""
        cadres = {c.id: c for c in self.cadres}
        by_cadre: dict[int, list[int]] = defaultdict(list)
        for household, (_, cadre) in current.items():
            if inside is None or household in inside:
                by_cadre[cadre].append(household)
            else:
                self.load[cadre] += 1  # pairs outside the area stay, and count against the quota first
        keep: set[int] = set()
        for cadre_id, households in sorted(by_cadre.items()):
            cadre = cadres.get(cadre_id)
            if cadre is None or cadre.rank == CATCH_ALL_RANK:  # township cadres take the rest: shared out again
                continue
            villages = self._villages_of(cadre)
            room = self._room(cadre.id, cadre.rank)
            allowed = [h for h in households if self._allowed(self.village_of[h], villages)]
            kept = allowed if room is None else allowed[: max(room, 0)]
            keep.update(kept)
        self.load.clear()
        return keep

    def _villages_of(self, cadre) -> tuple[set[int], set[int]]:
        """The villages and townships a cadre may help in without a shortfall calling for it."""
        if cadre.rank == CATCH_ALL_RANK:
            township = self._township_of_home(cadre.home_area_id)
            return set(), {township} if township else set()
        villages = set(self.unit_villages.get(cadre.unit_id, ()))
        if cadre.rank == "village" and self.levels.get(cadre.home_area_id) == "village":
            villages.add(cadre.home_area_id)
        return villages, {self.township_of[v] for v in villages if v in self.township_of}

    def _allowed(self, village: int, where: tuple[set[int], set[int]]) -> bool:
        return village in where[0] or self.township_of.get(village) in where[1]

    # -- helpers -----------------------------------------------------------------------------------------------------
    def _assign(self, cadre: int, rank: str, households: Iterable[int], reason: str) -> int:
        n = 0
        for household in households:
            self.proposal.assignments.append(Assignment(household, cadre, reason))
            n += 1
        if n:
            self.load[cadre] += n
            self.proposal.rank_of[cadre] = rank
        return n

    def _room(self, cadre: int, rank: str) -> int | None:
        capacity = self.scheme.capacity(rank)
        return None if capacity is None else capacity - self.load[cadre]

    def _township_of_home(self, home: int | None) -> int | None:
        if home is None:
            return None
        return home if self.levels.get(home) == "township" else self.township_of.get(home)

    def _fill(self, cadre: int, rank: str, room: int, villages: Iterable[tuple[int, str]]) -> int:
        for village, reason in villages:
            if room <= 0:
                break
            room -= self._assign(cadre, rank, self.pool.take(village, room), reason)
        return room

    # -- the rules ---------------------------------------------------------------------------------------------------
    def unit_cadres(self) -> list[tuple[int, str, int]]:
        """Rule 1; returns the cadres with room left (id, rank, room) for rule 3."""
        order = {rank: i for i, rank in enumerate(UNIT_RANKS)}
        cadres = sorted((c for c in self.cadres if c.rank in order), key=lambda c: (order[c.rank], c.id))
        spare, homeless = [], []
        for cadre, rank, unit, home in cadres:
            room = self._room(cadre, rank)
            if not room or room <= 0:
                continue
            preferred: list[tuple[int, str]] = [(v, UNIT_VILLAGE) for v in self.cadre_villages.get(cadre, ())]
            if rank == "village" and self.levels.get(home) == "village":
                preferred.append((home, OWN_VILLAGE))
            helped = sorted(self.unit_villages.get(unit, ()), key=lambda v: self.position.get(v, -1))
            preferred += [(v, UNIT_VILLAGE) for v in helped]
            if not preferred:
                homeless.append((cadre, rank, room))
                continue
            room = self._fill(cadre, rank, room, preferred)
            townships = list(dict.fromkeys(self.township_of[v] for v, _ in preferred if v in self.township_of))
            nearby = ((v, SAME_TOWNSHIP) for t in townships for v in self.pool.villages_of(t))
            room = self._fill(cadre, rank, room, nearby)
            if room > 0:
                spare.append((cadre, rank, room))
        self._homeless(homeless, spare)
        return spare

    def _homeless(self, homeless: list[tuple[int, str, int]], spare: list) -> None:
        """Cadres whose unit helps no village take households in the township where most are left."""
        if not homeless:
            return
        heap = [(-n, i, t) for i, (t, n) in enumerate(sorted(self.pool.count.items())) if n > 0]
        heapq.heapify(heap)
        for cadre, rank, room in homeless:
            while room > 0 and heap:
                _, i, township = heapq.heappop(heap)
                room = self._fill(cadre, rank, room, ((v, COUNTY_WIDE) for v in self.pool.villages_of(township)))
                if self.pool.count[township] > 0:
                    heapq.heappush(heap, (-self.pool.count[township], i, township))
            if room > 0:
                spare.append((cadre, rank, room))

    def township_cadres(self) -> None:
        """Rule 2: each township's cadres share what is left there, evenly, each new share in one block."""
        cap = self.scheme.capacity(CATCH_ALL_RANK)
        if cap == 0:
            return
        by_township: dict[int, list[int]] = defaultdict(list)
        for cadre, rank, _, home in self.cadres:
            township = self._township_of_home(home) if rank == CATCH_ALL_RANK else None
            if township is not None:
                by_township[township].append(cadre)
        for township, cadres in by_township.items():
            left = [h for v in self.pool.villages_of(township) for h in self.pool.take(v, self.pool.remaining(v))]
            if not left:
                continue
            share = dict(zip(cadres, _even_shares([self.load[c] for c in cadres], len(left), cap), strict=True))
            given: dict[int, list[int]] = {c: [] for c in cadres}
            rest = []
            for household in left:  # a re-planned household stays with its township cadre while the share allows
                before = self.freed.get(household, (None, None))[1]
                if before in given and share[before] > len(given[before]):
                    given[before].append(household)
                else:
                    rest.append(household)
            start = 0
            for cadre in cadres:
                n = share[cadre] - len(given[cadre])
                self._assign(cadre, CATCH_ALL_RANK, given[cadre] + rest[start : start + n], TOWNSHIP_CATCH_ALL)
                start += n
            if start < len(rest):  # over the cap: give them back for rule 3 and the shortfall
                self._give_back(rest[start:])

    def _give_back(self, households: list[int]) -> None:
        for household in households:
            village = self.village_of[household]
            self.pool.left.setdefault(village, []).append(household)
            self.pool.count[self.township_of[village]] += 1
            if village not in self.pool.villages_of(self.township_of[village]):
                self.pool.by_township[self.township_of[village]].append(village)

    def relief(self, spare: list[tuple[int, str, int]]) -> None:
        """Rule 3: townships short of township cadres get the units' spare capacity, highest rank first."""
        townships = [t for t, n in sorted(self.pool.count.items()) if n > 0]
        villages = ((v, RELIEF) for t in townships for v in self.pool.villages_of(t))
        current = next(villages, None)
        for cadre, rank, room in spare:
            while room > 0 and current is not None:
                room -= self._assign(cadre, rank, self.pool.take(current[0], room), RELIEF)
                if self.pool.remaining(current[0]) == 0:
                    current = next(villages, None)

    def shortfalls(self) -> None:
        cap = self.scheme.capacity(CATCH_ALL_RANK)
        has_cadres = {self._township_of_home(home) for _, rank, _, home in self.cadres if rank == CATCH_ALL_RANK}
        for township, n in sorted(self.pool.count.items(), key=lambda item: self._township_key(item[0])):
            if n <= 0:
                continue
            if cap == 0:
                why = f"方案“{self.scheme.name}”没有乡镇干部兜底，其他干部已达结对上限"
            elif township not in has_cadres:
                why = "本乡镇没有在岗的乡镇干部，其他干部已达结对上限"
            else:
                why = f"本乡镇的乡镇干部已达方案上限（每人{cap}户），其他干部已达结对上限"
            self.proposal.shortfalls.append(Shortfall(township, self.township_names.get(township, ""), n, why))

    def _township_key(self, township: int) -> int:
        villages = self.pool.villages_of(township)
        return self.position.get(villages[0], 0) if villages else 0

    def finish(self) -> Proposal:
        proposal = self.proposal
        if self.freed:  # a re-planned household the plan gives its old helper keeps that pairing unchanged
            repeated = {a.household_id for a in proposal.assignments
                        if self.freed.get(a.household_id, (None, None))[1] == a.cadre_id}  # fmt: skip
            assigned = {a.household_id for a in proposal.assignments}
            proposal.assignments = [a for a in proposal.assignments if a.household_id not in repeated]
            proposal.kept += len(repeated) + sum(1 for h in self.freed if h not in assigned)
            proposal.ending = sorted(self.freed[h][0] for h in assigned - repeated if h in self.freed)
        for a in proposal.assignments:
            proposal.township_of[a.household_id] = self.township_names.get(
                self.township_of.get(self.village_of[a.household_id]), ""
            )
        return proposal


def _even_shares(loads: list[int], n: int, cap: int | None) -> list[int]:
    """How many of `n` households each cadre takes so that loads end as even as possible, none over `cap`."""
    shares = [0] * len(loads)
    heap = [(load, i) for i, load in enumerate(loads) if cap is None or load < cap]
    heapq.heapify(heap)
    for _ in range(n):
        if not heap:
            break
        load, i = heapq.heappop(heap)
        shares[i] += 1
        if cap is None or load + 1 < cap:
            heapq.heappush(heap, (load + 1, i))
    return shares


def propose(session: Session, scheme: Scheme, area: Area | None = None, *, replan: bool = False,
            today: dt.date | None = None, progress: Progress | None = None) -> Proposal:  # fmt: skip
    """A helper for every household of the area (None: the county) without one; nothing is written."""
    progress = progress or Progress()
    progress.start(4, "正在读取户和帮扶干部……")
    solver = _Solver(session, scheme, area, replan, today or dt.date.today())
    progress.update(1, label="正在按帮扶单位结对……")
    spare = solver.unit_cadres()
    progress.update(2, label="正在由乡镇干部兜底……")
    solver.township_cadres()
    solver.relief(spare)
    progress.update(3, label="正在汇总……")
    solver.shortfalls()
    proposal = solver.finish()
    progress.update(4)
    return proposal


def describe(session: Session, proposal: Proposal) -> list[ProposalRow]:
    """The proposal as the clerk reviews it: household, head, where, helper, rank, unit and why."""
    if not proposal.assignments:
        return []
    village, township = aliased(Area), aliased(Area)
    wanted = {a.household_id for a in proposal.assignments}
    households = {}
    area = session.get(Area, proposal.area_id) if proposal.area_id is not None else None
    rows = session.execute(  # the area in one pass: faster than 120,000 ids in IN lists
        select(Household.id, Household.number, Member.name, township.name, village.name)
        .join(village, village.id == Household.village_id)
        .outerjoin(township, township.id == village.parent_id)
        .outerjoin(
            Member, and_(Member.household_id == Household.id, Member.relation == "head", Member.removed_on.is_(None))
        )  # fmt: skip
        .where(Household.id.in_(households_in(area)))
        .order_by(Household.id, Member.id)
    )
    for household, *values in rows:
        if household in wanted and household not in households:
            households[household] = values
    cadre_ids = {a.cadre_id for a in proposal.assignments}
    home = aliased(Area)
    cadres = {  # a township cadre has no unit: the township (or village) is where the clerk reaches them
        row[0]: row[1:]
        for row in session.execute(
            select(Cadre.id, Cadre.name, Cadre.rank, func.coalesce(HelpingUnit.name, home.name))
            .outerjoin(HelpingUnit, HelpingUnit.id == Cadre.unit_id)
            .outerjoin(home, home.id == Cadre.home_area_id)
        )
        if row[0] in cadre_ids
    }
    result = []
    for a in proposal.assignments:
        number, head_name, township_name, village_name = households[a.household_id]
        name, rank, unit = cadres[a.cadre_id]
        result.append(ProposalRow(a.household_id, number, head_name or "", township_name or "", village_name,
                                  a.cadre_id, name, rank, unit or "", a.reason))  # fmt: skip
    return result


def apply(session: Session, proposal: Proposal, *, user: str, today: dt.date) -> None:
    """Write the proposal in the caller's transaction: end what the re-plan replaces, then the new pairings.

    Core writes, which the audit's session hook does not see: one audit entry tells what the run wrote."""
    audit_entry(session, "pairing_plan", "pairing", detail={"area_id": proposal.area_id, "replan": proposal.replan,
                "ended": len(proposal.ending), "added": len(proposal.assignments)}, user=user)  # fmt: skip
    if proposal.ending:
        for chunk in range(0, len(proposal.ending), 30000):
            ids = proposal.ending[chunk : chunk + 30000]
            # a pairing that starts later than today ends on its first day (end_on ≥ start_on)
            session.execute(
                update(Pairing)
                .where(Pairing.id.in_(ids), Pairing.start_on <= today)
                .values(end_on=today, end_reason=REPLAN_REASON, version=Pairing.version + 1)
            )
            session.execute(
                update(Pairing)
                .where(Pairing.id.in_(ids), Pairing.start_on > today)
                .values(end_on=Pairing.start_on, end_reason=REPLAN_REASON, version=Pairing.version + 1)
            )
    bulk_insert(
        session,
        Pairing,
        [dict(cadre_id=a.cadre_id, household_id=a.household_id, start_on=today, created_by=user)
         for a in proposal.assignments],
    )  # fmt: skip
