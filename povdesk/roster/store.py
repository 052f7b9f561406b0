"""Registry lookups an import needs: households and members by number, areas and helper cadres (created when new)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from povdesk import codes
from povdesk.bulk import bulk_insert
from povdesk.model import Area, Cadre, HelpingUnit, Household, Member
from povdesk.names import pinyin_keys

Warn = Callable[[int, str], None]
LOOKUP_BATCH = 2000


class Ids:
    """Primary keys for bulk-inserted rows that other rows refer to, taken inside the import's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.next: dict[str, int] = {}
        self.pools: dict[str, list[int]] = {}

    def take(self, model: type, n: int) -> list[int] | range:
        table = model.__tablename__
        if n <= 0:
            return []
        if self.postgres:  # drawn from the sequence in blocks; unused numbers only leave gaps
            pool = self.pools.setdefault(table, [])
            if len(pool) < n:
                pool.extend(self.session.scalars(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                                                      "FROM generate_series(1, :n)"), {"n": max(n - len(pool), 1024)}))  # fmt: skip
            taken, self.pools[table] = pool[:n], pool[n:]
            return taken
        start = self.next.get(table)
        if start is None:  # SQLite: the audit row written first holds the write lock, so max(id) cannot go stale
            start = (self.session.scalar(text(f"SELECT max(id) FROM {table}")) or 0) + 1
        self.next[table] = start + n
        return range(start, start + n)


def households_by_number(session: Session, numbers: list[str]) -> dict[str, Household]:
    found: dict[str, Household] = {}
    for start in range(0, len(numbers), LOOKUP_BATCH):
        part = numbers[start : start + LOOKUP_BATCH]
        for household in session.scalars(select(Household).where(Household.number.in_(part))):
            found[household.number] = household
    return found


def members_by_id_number(session: Session, numbers: list[str]) -> dict[str, Member]:
    """Members registered (not removed) under these ID numbers, wherever they belong."""
    found: dict[str, Member] = {}
    for start in range(0, len(numbers), LOOKUP_BATCH):
        part = numbers[start : start + LOOKUP_BATCH]
        query = select(Member).where(Member.id_number.in_(part), Member.removed_on.is_(None))
        for member in session.scalars(query):
            found[member.id_number] = member
    return found


def registered_heads(session: Session, household_ids: list[int]) -> dict[int, tuple[str | None, str]]:
    """The current head of each of these registered households that has one: (ID number, name)."""
    found: dict[int, tuple[str | None, str]] = {}
    for start in range(0, len(household_ids), LOOKUP_BATCH):
        part = household_ids[start : start + LOOKUP_BATCH]
        query = select(Member.household_id, Member.id_number, Member.name).where(
            Member.household_id.in_(part), Member.relation == "head", Member.removed_on.is_(None)
        )
        found.update((household_id, (id_number, name)) for household_id, id_number, name in session.execute(query))
    return found


class Areas:
    """County → township → village → group by name, from one read of the (small) area table.

    New areas get their ids at once and are inserted in bulk by `insert_new()`, before the households in them.
    """

    def __init__(self, session: Session, ids: Ids, *, warn_new: bool) -> None:
        self.s = session
        self.ids = ids
        self.new: list[dict] = []
        self.warn_new = warn_new
        self.children: dict[tuple[int | None, str, str], int] = {}
        self.by_level: dict[str, dict[str, list[int]]] = {}
        self.paths: dict[int, str] = {}
        self.counts: dict[int | None, int] = {}
        for area in session.execute(select(Area.id, Area.parent_id, Area.level, Area.name, Area.path)):
            self._remember(area.id, area.parent_id, area.level, area.name, area.path)
        counties = self.by_level.get("county", {})
        only = [ids[0] for ids in counties.values() if len(ids) == 1]
        self.default_county = only[0] if len(counties) == 1 and only else None
        self.cache: dict[tuple, tuple[int, int | None] | str] = {}

    def _remember(self, area_id: int, parent_id: int | None, level: str, name: str, path: str) -> None:
        self.children[(parent_id, level, name)] = area_id
        self.by_level.setdefault(level, {}).setdefault(name, []).append(area_id)
        self.paths[area_id] = path
        self.counts[parent_id] = self.counts.get(parent_id, 0) + 1

    def _add(self, parent_id: int | None, level: str, name: str, row: int, warn: Warn) -> int:
        area_id = self.ids.take(Area, 1)[0]
        path = (self.paths[parent_id] if parent_id is not None else "") + f"{area_id}/"
        self.new.append(dict(id=area_id, parent_id=parent_id, level=level, name=name, path=path,
                             sort_order=self.counts.get(parent_id, 0), is_poor_village=False))  # fmt: skip
        self._remember(area_id, parent_id, level, name, path)
        if self.warn_new:
            warn(row, f"库中没有{codes.AREA_LEVEL.label_of(level)}“{name}”，已新建；如是名称写错，请改正后重新导入")
        return area_id

    def insert_new(self) -> None:
        """Insert the areas met since the last call, parents first (the order they were met in)."""
        if self.new:
            bulk_insert(self.s, Area, self.new)
            self.new = []

    def _unique(self, level: str, name: str) -> int | None | str:
        found = self.by_level.get(level, {}).get(name, [])
        if len(found) > 1:
            return f"{codes.AREA_LEVEL.label_of(level)}“{name}”不止一个，请在表中增加上级区划（县、乡镇）列以区分"
        return found[0] if found else None

    def place(self, values: dict, row: int, warn: Warn) -> tuple[int, int | None] | str:
        """(village id, group id) of a household, creating missing areas; a string says why it cannot be placed."""
        key = (values.get("county"), values.get("township"), values.get("village"), values.get("group"))
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        county, township, village, group = key
        placed = self._place(county, township, village, group, row, warn)
        self.cache[key] = placed
        return placed

    def _place(self, county, township, village, group, row: int, warn: Warn) -> tuple[int, int | None] | str:
        county_id = self.default_county
        if county:
            county_id = self.children.get((None, "county", county))
            if county_id is None:
                county_id = self._add(None, "county", county, row, warn)
        township_id = None
        if township:
            township_id = self.children.get((county_id, "township", township))
            if township_id is None and county_id is None:
                township_id = self._unique("township", township)
                if isinstance(township_id, str):
                    return township_id
            if township_id is None:
                township_id = self._add(county_id, "township", township, row, warn)
        if township_id is not None:
            village_id = self.children.get((township_id, "village", village))
            if village_id is None:
                village_id = self._add(township_id, "village", village, row, warn)
        else:
            village_id = self._unique("village", village)
            if isinstance(village_id, str):
                return village_id
            if village_id is None:
                return f"库中没有行政村“{village}”，表中也没有乡（镇）列，无法确定它属于哪个乡镇，请增加乡（镇）列"
        group_id = None
        if group:
            group_id = self.children.get((village_id, "group", group))
            if group_id is None:
                group_id = self._add(village_id, "group", group, row, warn)
        return village_id, group_id


class Cadres:
    """Helper cadres matched by name and phone (or name and unit); new ones are inserted in bulk with their units."""

    def __init__(self, session: Session, ids: Ids) -> None:
        self.s = session
        self.ids = ids
        self.loaded = False
        self.by_phone: dict[tuple[str, str], int] = {}
        self.by_unit: dict[tuple[str, int | None], int] = {}
        self.units: dict[str, int] = {}
        self.new: list[dict] = []

    def _load(self) -> None:
        self.loaded = True
        self.units = dict(self.s.execute(select(HelpingUnit.name, HelpingUnit.id)).all())
        for cadre_id, name, phone, unit_id in self.s.execute(select(Cadre.id, Cadre.name, Cadre.phone, Cadre.unit_id)):
            if phone:
                self.by_phone.setdefault((name, phone), cadre_id)
            self.by_unit.setdefault((name, unit_id), cadre_id)

    def _unit(self, name: str | None) -> int | None:
        if not name:
            return None
        unit_id = self.units.get(name)
        if unit_id is None:
            unit = HelpingUnit(name=name)
            self.s.add(unit)
            self.s.flush()
            unit_id = self.units[name] = unit.id
        return unit_id

    def find_or_add(self, name: str, unit: str | None, phone: str | None, rank: str | None, row: int,
                    warn: Warn) -> int:  # fmt: skip
        if not self.loaded:
            self._load()
        unit_id = self._unit(unit)
        found = self.by_phone.get((name, phone)) if phone else None
        if found is None:
            found = self.by_unit.get((name, unit_id))
        if found is not None:
            return found
        if rank is None:
            warn(row, f"帮扶责任人“{name}”是新登记的干部，表中没有填写职级，已按“一般干部”登记，请在帮扶管理中核对")
        cadre_id = self.ids.take(Cadre, 1)[0]
        pinyin = pinyin_keys(name)[0]
        self.new.append(dict(id=cadre_id, name=name, name_pinyin=pinyin, unit_id=unit_id,
                             rank=rank or "general", phone=phone, active=True))  # fmt: skip
        if phone:
            self.by_phone[(name, phone)] = cadre_id
        self.by_unit[(name, unit_id)] = cadre_id
        return cadre_id

    def insert_new(self) -> None:
        """Insert the cadres met since the last call (before the pairings that refer to them)."""
        if self.new:
            bulk_insert(self.s, Cadre, self.new)
            self.new = []
