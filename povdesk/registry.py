"""The household list: which households match a search and filters, in what order (all in SQL), and their rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Select, and_, case, func, literal_column, or_, select, true
from sqlalchemy.orm import Session, aliased

from povdesk import codes, idnumber
from povdesk.codes import CodeList
from povdesk.model import Area, Cadre, Household, HouseholdYear, Member, MonitoredHousehold, Pairing

COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "户编号"),
    ("head", "户主"),
    ("persons", "人数"),
    ("township", "乡镇"),
    ("village", "村"),
    ("group", "组"),
    ("attribute", "贫困户属性"),
    ("main_cause", "主要致贫原因"),
    ("status", "状态"),
    ("per_capita_income", "人均纯收入"),
    ("helper", "帮扶人"),
    ("monitor_type", "监测类型"),
)
COLUMN_KEYS = tuple(key for key, _ in COLUMNS)
_ID_LIKE = re.compile(r"^[0-9xX]{4,18}$")
_LETTERS = re.compile(r"^[a-zA-Z]+$")


@dataclass(frozen=True)
class RegistryQuery:
    """What the clerk asked for. `year` picks the data year: status is that year's, income is that year's."""

    area_id: int | None = None
    text: str = ""
    status: str | None = None
    attribute: str | None = None
    cause: str | None = None  # main cause or either other cause
    monitor_type: str | None = None
    needs_review: bool = False  # only households with values to verify (待核实)
    year: int | None = None
    sort: str = "number"
    descending: bool = False

    def with_(self, **changes) -> RegistryQuery:
        return replace(self, **changes)


@dataclass
class Row:
    id: int
    number: str
    head: str = ""
    persons: int = 0
    township: str = ""
    village: str = ""
    group: str = ""
    attribute: str | None = None
    main_cause: str | None = None
    status: str | None = None
    per_capita_income: float | None = None
    helper: str = ""
    monitor_type: str | None = None


def latest_year(session: Session) -> int | None:
    return session.scalar(select(func.max(HouseholdYear.year)))


def _code_order(column, code_list: CodeList):
    """Sort codes in the order of their list (poor, exited, returned), unknown codes last."""
    return case({code: i for i, code in enumerate(code_list.codes)}, value=column, else_=len(code_list.codes))


def _prefix(column, text: str):
    """`column LIKE 'text%'` written as a range, so both SQLite and PostgreSQL use the column's index."""
    return and_(column >= text, column < text + "\U0010ffff")


def _search(text: str, *, substring: bool = False):
    """Households with a member matching `text` (name, pinyin initials, ID number), or whose number contains it.

    Members are found through an index (`IN (SELECT household_id …)`, never a probe per household); a Chinese
    name is matched from its first character (张建 finds 张建国) unless `substring` asks for a full scan.
    """
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if _ID_LIKE.match(text):
        digits = idnumber.normalize(text) if len(text) in (15, 18) else text.upper()
        by_member = Household.id.in_(select(Member.household_id).where(_prefix(Member.id_number, digits)))
        return or_(by_member, Household.number.contains(text, autoescape=True))
    if _LETTERS.match(text):
        cond = _prefix(Member.name_initials, text.lower())
        if len(text) > 4:  # long enough to be spelled out: "zhangjianguo"
            cond = or_(cond, _prefix(func.replace(Member.name_pinyin, " ", ""), text.lower()))
    else:
        cond = Member.name.contains(text, autoescape=True) if substring else _prefix(Member.name, text)
    return Household.id.in_(select(Member.household_id).where(cond))


def _matching(session: Session, query: RegistryQuery, year: int | None, *, substring: bool = False) -> Select | None:
    """The filtered households, unordered; None when nothing narrows the list (every household)."""
    conditions = []
    if query.area_id is not None:
        area = session.get(Area, query.area_id)
        if area is not None and area.parent_id is not None:  # the county is everything
            subtree = select(Area.id).where(_prefix(Area.path, area.path))
            column = Household.group_id if area.level == "group" else Household.village_id
            conditions.append(column.in_(subtree))
    if query.status and query.year is not None:
        conditions.append(
            Household.id.in_(
                select(HouseholdYear.household_id).where(
                    HouseholdYear.year == year, HouseholdYear.status == query.status
                )
            )
        )
    elif query.status:
        conditions.append(Household.status == query.status)
    if query.attribute:
        conditions.append(Household.attribute == query.attribute)
    if query.cause:
        c = query.cause
        conditions.append(or_(Household.main_cause == c, Household.other_cause_1 == c, Household.other_cause_2 == c))
    if query.monitor_type:
        conditions.append(
            Household.id.in_(
                select(MonitoredHousehold.household_id).where(
                    MonitoredHousehold.type == query.monitor_type, MonitoredHousehold.risk_eliminated_on.is_(None)
                )
            )
        )
    if query.needs_review:
        conditions.append(Household.needs_review == true())
    if (cond := _search(query.text, substring=substring)) is not None:
        conditions.append(cond)
    return select(Household.id).where(*conditions) if conditions else None


def household_ids(session: Session, query: RegistryQuery) -> list[int]:
    """The ordered ids of every household matching the query: the list's whole content."""
    year = query.year or latest_year(session)
    ids = _ordered(session, query, year, _matching(session, query, year))
    if not ids and query.text and not _ID_LIKE.match(query.text) and not _LETTERS.match(query.text):
        # nobody's name starts with it: look inside names (建国 finds 张建国), a slower full scan
        ids = _ordered(session, query, year, _matching(session, query, year, substring=True))
    return ids


def review_count(session: Session, area_id: int | None) -> int:
    """Households of the area's subtree with values to verify: the count beside the 待核实 filter."""
    matching = _matching(session, RegistryQuery(area_id=area_id, needs_review=True), None)
    return session.scalar(select(func.count()).select_from(matching.subquery()))


def first_household_ids(session: Session, query: RegistryQuery, n: int) -> tuple[list[int], int] | None:
    """The first `n` ids of `household_ids(query)` and how many there are in all, when the database can give both
    without ordering the whole result (no search text, a sort by column); otherwise None.

    Opening the county shows its first rows from these, and takes the full list of 120,000 ids right after.
    """
    if query.text or query.sort in _KEY_SCANS:
        return None
    year = query.year or latest_year(session)
    matching = _matching(session, query, year)
    every = matching if matching is not None else select(Household.id)
    total = session.scalar(select(func.count()).select_from(every.subquery()))
    return _id_list(session, _order(every, query).limit(n)), total


def _id_list(session: Session, stmt: Select) -> list[int]:
    """Ids straight from the driver's cursor: a list of 120,000 ints without per-row result processing."""
    return [row[0] for row in session.connection().execute(stmt).cursor.fetchall()]


def _ordered(session: Session, query: RegistryQuery, year: int | None, matching: Select | None) -> list[int]:
    by_number = matching if matching is not None else select(Household.id)
    if query.sort not in _KEY_SCANS:
        return _id_list(session, _order(by_number, query))
    # Sorting 120,000 rows through a join probes the household table once per row (~0.4 s on SQLite). Instead the
    # database walks the sort key's covering index in order, and the filter's ids are taken in that order; rows
    # without a key follow in household-number order.
    direction = Household.number.desc() if query.descending else Household.number
    scan = _KEY_SCANS[query.sort](year, query.descending)
    keyed = list(dict.fromkeys(_id_list(session, scan)))  # a household with two keys (helpers) stays at its first
    if matching is None:
        if len(keyed) == session.scalar(select(func.count()).select_from(Household)):
            return keyed  # every household has a key: the scan is the answer
        wanted = _id_list(session, select(Household.id).order_by(direction))
    else:
        wanted = _id_list(session, matching.order_by(direction))
    members = set(wanted)
    ordered = [i for i in keyed if i in members]
    if len(ordered) < len(wanted):
        placed = set(ordered)
        ordered.extend(i for i in wanted if i not in placed)
    return ordered


def _income_scan(year: int | None, descending: bool) -> Select:
    key = HouseholdYear.per_capita_income
    return (
        select(HouseholdYear.household_id)
        .where(HouseholdYear.year == year, key.is_not(None))
        .order_by(key.desc() if descending else key, HouseholdYear.household_id)
    )


def _head_scan(_year: int | None, descending: bool) -> Select:
    key = Member.name_pinyin
    return (
        select(Member.household_id)
        # a literal, not a bound parameter: SQLite uses a partial index only when the WHERE matches it as written
        .where(Member.relation == literal_column("'head'"), Member.removed_on.is_(None))
        .order_by(key.desc() if descending else key, Member.household_id)
    )


def _size_scan(_year: int | None, descending: bool) -> Select:
    size = func.count()
    return (
        select(Member.household_id)
        .where(Member.removed_on.is_(None))
        .group_by(Member.household_id)
        .order_by(size.desc() if descending else size, Member.household_id)
    )


def _helper_scan(_year: int | None, descending: bool) -> Select:
    """Households by the pinyin of their helpers; one with two helpers is placed by the first in that order."""
    key = Cadre.name_pinyin
    return (
        select(Pairing.household_id)
        .join(Cadre, Cadre.id == Pairing.cadre_id)
        .where(Pairing.end_on.is_(None))
        .order_by(key.desc() if descending else key, Pairing.household_id)
    )


_KEY_SCANS = {"per_capita_income": _income_scan, "head": _head_scan, "persons": _size_scan, "helper": _helper_scan}


def _order(stmt: Select, query: RegistryQuery) -> Select:
    key = query.sort
    if key == "number":
        sort_key = Household.number
    elif key in ("township", "village", "group"):
        village, township = aliased(Area), aliased(Area)
        stmt = stmt.join(village, village.id == Household.village_id)
        stmt = stmt.outerjoin(township, township.id == village.parent_id)
        sort_key = (township.sort_order, township.id)
        if key != "township":
            sort_key += (village.sort_order, village.id)
        if key == "group":
            group = aliased(Area)
            stmt = stmt.outerjoin(group, group.id == Household.group_id)
            sort_key += (group.sort_order, group.id)
    elif key in ("attribute", "main_cause", "status"):
        lists = {"attribute": codes.ATTRIBUTE, "main_cause": codes.CAUSE, "status": codes.STATUS}
        sort_key = _code_order(getattr(Household, key), lists[key])
    elif key == "monitor_type":
        sort_key = _code_order(
            select(func.min(MonitoredHousehold.type))
            .where(MonitoredHousehold.household_id == Household.id, MonitoredHousehold.risk_eliminated_on.is_(None))
            .scalar_subquery(),
            codes.MONITOR_TYPE,
        )
    else:
        raise ValueError(f"unknown sort column {key!r}")
    keys = sort_key if isinstance(sort_key, tuple) else (sort_key,)
    ordered = [(k.desc() if query.descending else k.asc()).nulls_last() for k in keys]
    return stmt.order_by(*ordered, Household.number.desc() if query.descending else Household.number)


def fetch_rows(
    session: Session, ids: Sequence[int], year: int | None, *, status_of_year: bool = False
) -> dict[int, Row]:
    """The displayed columns for a page of households (a few queries per page, never one per row).

    Income is that of `year`; with `status_of_year` the status shown is the one recorded for that year too.
    """
    if not ids:
        return {}
    village, township, group = aliased(Area), aliased(Area), aliased(Area)
    base = session.execute(
        select(
            Household.id,
            Household.number,
            Household.attribute,
            Household.main_cause,
            Household.status,
            township.name,
            village.name,
            group.name,
        )  # fmt: skip
        .join(village, village.id == Household.village_id)
        .outerjoin(township, township.id == village.parent_id)
        .outerjoin(group, group.id == Household.group_id)
        .where(Household.id.in_(ids))
    ).all()
    rows = {
        hid: Row(
            hid,
            number,
            attribute=attr,
            main_cause=cause,
            status=status,
            township=t or "",
            village=v or "",
            group=g or "",
        )  # fmt: skip
        for hid, number, attr, cause, status, t, v, g in base
    }
    members = session.execute(
        select(Member.household_id, Member.name, Member.relation).where(
            Member.household_id.in_(ids), Member.removed_on.is_(None)
        )
    ).all()
    for hid, name, relation in members:
        row = rows[hid]
        row.persons += 1
        if relation == "head" and not row.head:
            row.head = name
    if year is not None:
        for hid, income, status in session.execute(
            select(HouseholdYear.household_id, HouseholdYear.per_capita_income, HouseholdYear.status).where(
                HouseholdYear.household_id.in_(ids), HouseholdYear.year == year
            )
        ):
            rows[hid].per_capita_income = income
            if status_of_year:
                rows[hid].status = status
    helpers: dict[int, list[str]] = {}
    for hid, name in session.execute(
        select(Pairing.household_id, Cadre.name)
        .join(Cadre, Cadre.id == Pairing.cadre_id)
        .where(Pairing.household_id.in_(ids), Pairing.end_on.is_(None))
        .order_by(Pairing.start_on)
    ):
        helpers.setdefault(hid, []).append(name)
    for hid, names in helpers.items():
        rows[hid].helper = "、".join(names)
    for hid, kind in session.execute(
        select(MonitoredHousehold.household_id, MonitoredHousehold.type).where(
            MonitoredHousehold.household_id.in_(ids), MonitoredHousehold.risk_eliminated_on.is_(None)
        )
    ):
        rows[hid].monitor_type = kind
    return rows


def data_years(session: Session) -> list[int]:
    """Every year from the first to the last with figures: two index lookups, not a DISTINCT over every record."""
    # separate queries: SQLite answers a lone min() or max() from the index, but scans for both at once
    first = session.scalar(select(func.min(HouseholdYear.year)))
    last = session.scalar(select(func.max(HouseholdYear.year)))
    return [] if first is None else list(range(first, last + 1))


def village_of(session: Session, area_id: int | None) -> int | None:
    """The village a new household of this area belongs to: the village itself, or a group's village."""
    area = session.get(Area, area_id) if area_id is not None else None
    if area is None or area.level not in ("village", "group"):
        return None
    return area.id if area.level == "village" else area.parent_id
