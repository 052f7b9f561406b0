"""Export households and members to an .xlsx roster in one of the export layouts: streamed chunk by chunk in bounded
memory, ID and household numbers as text, the roster columns PovDesk keeps written back after the layout's own."""

from __future__ import annotations

import datetime as dt
import os
import string
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from povdesk import stats
from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.files import check_writable, writing
from povdesk.model import (
    Area,
    Cadre,
    HelpingUnit,
    Household,
    HouseholdYear,
    Member,
    MonitoredHousehold,
    Pairing,
)
from povdesk.progress import Progress
from povdesk.roster import kept
from povdesk.roster.export_layouts import DEFAULT_LAYOUT, LAYOUTS, POVDESK, ExportLayout, RowMaker
from povdesk.roster.xlsxstream import HEADER, TITLE, SheetWriter

CHUNK = 2000  # households per round of queries: a few thousand rows in memory at a time
HEADER_ROW = 3  # a title and an information row above it, as the national systems' exports have

_HOUSEHOLD = (
    Household.id,
    Household.village_id,
    Household.group_id,
    Household.number.label("household_number"),
    Household.phone,
    Household.bank_name,
    Household.bank_account,
    Household.ident_standard,
    Household.attribute,
    Household.main_cause,
    Household.other_cause_1,
    Household.other_cause_2,
    Household.status,
    Household.year_identified,
    Household.year_exited,
    Household.plan_exit_year,
    Household.unverified,
)
_YEAR = (
    HouseholdYear.household_id,
    HouseholdYear.year.label("data_year"),
    HouseholdYear.wage_income,
    HouseholdYear.business_income,
    HouseholdYear.property_income,
    HouseholdYear.transfer_income,
    HouseholdYear.production_cost,
    HouseholdYear.net_income,
    HouseholdYear.per_capita_income,
    HouseholdYear.food_clothing_ok,
    HouseholdYear.education_ok,
    HouseholdYear.medical_ok,
    HouseholdYear.housing_ok,
    HouseholdYear.water_ok,
)
_MONITORING = (
    MonitoredHousehold.household_id,
    MonitoredHousehold.type.label("monitor_type"),
    MonitoredHousehold.identified_on.label("monitor_since"),
    MonitoredHousehold.risk,
    MonitoredHousehold.risk_eliminated_on,
    MonitoredHousehold.elimination_method,
)
_HELPER = (
    Pairing.household_id,
    Cadre.name.label("helper_name"),
    HelpingUnit.name.label("helper_unit"),
    Cadre.rank.label("helper_rank"),
    Cadre.phone.label("helper_phone"),
    Pairing.start_on.label("helper_start"),
)
_MEMBER = (
    Member.household_id,
    Member.name,
    Member.id_number,
    Member.sex,
    Member.birth_date,
    Member.relation,
    Member.ethnicity,
    Member.education,
    Member.school_status,
    Member.health,
    Member.labor,
    Member.work_status,
    Member.work_months,
    Member.medical_insurance,
    Member.serious_illness_insurance,
    Member.pension_insurance,
    Member.low_income_support,
    Member.extreme_support,
    Member.phone.label("member_phone"),
    Member.unverified,
)


class ExportError(PovDeskError):
    """The roster could not be written (unknown layout, area deleted meanwhile…)."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    households: int
    persons: int


def _age(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class _AreaNames:
    """Township, village and county names for a village id, from one query over the small area table."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(Area.id, Area.name, Area.parent_id))
        self.areas = {a.id: (a.name, a.parent_id) for a in rows}

    def name(self, area_id: int | None) -> str | None:
        return self.areas[area_id][0] if area_id in self.areas else None

    def chain(self, village_id: int) -> tuple[str | None, str | None, str | None]:
        """(county, township, village) names of a village."""
        name, parent = self.areas[village_id]
        township = self.areas.get(parent)
        county = self.areas.get(township[1]) if township else None
        return (county[0] if county else None, township[0] if township else None, name)


def _household_ids(session: Session, area: Area | None, household_ids: Iterable[int] | Select | None) -> list[int]:
    """The households to export in roster order (by village, then household number)."""
    in_order = select(Household.id).join(Area, Area.id == Household.village_id)
    in_order = in_order.order_by(Area.path, Area.sort_order, Household.number)
    if household_ids is None or isinstance(household_ids, Select):
        query = stats.households_in(area) if household_ids is None else household_ids
        return list(session.scalars(in_order.where(Household.id.in_(query.scalar_subquery()))))
    # A list (the GUI's filtered view) may hold 120,000 ids: too many bound parameters for an IN, so filter here.
    wanted = set(household_ids)
    return [i for i in session.scalars(in_order) if i in wanted] if wanted else []


def kept_keys(session: Session) -> list[str]:
    """The kept roster columns in the order they were first imported (the importer's setting)."""
    return kept.known_keys(session)


def _queries(with_extra: bool) -> tuple[Select, ...]:
    """The statements one chunk of households is read with, each over the expanding parameter `ids`."""
    ids = bindparam("ids", expanding=True)
    households = select(*_HOUSEHOLD, *((Household.extra,) if with_extra else ())).where(Household.id.in_(ids))
    latest = (
        select(HouseholdYear.household_id, func.max(HouseholdYear.year).label("year"))
        .where(HouseholdYear.household_id.in_(ids))
        .group_by(HouseholdYear.household_id)
        .subquery()
    )
    years = select(*_YEAR).join(
        latest, (latest.c.household_id == HouseholdYear.household_id) & (latest.c.year == HouseholdYear.year)
    )
    # ordered so that the latest monitoring episode and the latest helper are read last, and kept
    monitoring = (
        select(*_MONITORING)
        .where(MonitoredHousehold.household_id.in_(ids))
        .order_by(MonitoredHousehold.identified_on, MonitoredHousehold.id)
    )
    helpers = (
        select(*_HELPER)
        .join(Cadre, Cadre.id == Pairing.cadre_id)
        .outerjoin(HelpingUnit, HelpingUnit.id == Cadre.unit_id)
        .where(Pairing.household_id.in_(ids), Pairing.end_on.is_(None))
        .order_by(Pairing.start_on, Pairing.id)
    )
    members = (
        select(*_MEMBER, *((Member.extra,) if with_extra else ()))
        .where(Member.household_id.in_(ids), Member.removed_on.is_(None))
        .order_by(Member.household_id, case((Member.relation == "head", 0), else_=1), Member.id)
    )
    return households, years, monitoring, helpers, members


def _dicts(connection: Connection, statement: Select, ids: list[int]) -> Iterator[dict]:
    result = connection.execute(statement, {"ids": ids})
    keys = list(result.keys())
    return (dict(zip(keys, row, strict=True)) for row in result)


def _chunk(
    connection: Connection, queries: tuple[Select, ...], ids: list[int], names: _AreaNames, today: dt.date
) -> Iterator[tuple[dict, list[dict]]]:
    """(household values, its current members' values, head first) of one chunk of households, in `ids` order."""
    household_query, *more, member_query = queries
    households = {row["id"]: row for row in _dicts(connection, household_query, ids)}
    for query in more:  # the latest year, the latest monitoring episode, the latest helper
        for row in _dicts(connection, query, ids):
            households[row["household_id"]].update(row)
    members: dict[int, list[dict]] = {hid: [] for hid in ids}
    for person in _dicts(connection, member_query, ids):
        person["age"] = _age(person["birth_date"], today)
        members[person["household_id"]].append(person)
    for hid in ids:
        household = households[hid]
        household["county"], household["township"], household["village"] = names.chain(household["village_id"])
        household["group"] = names.name(household["group_id"])
        household["other_causes"] = tuple(c for c in (household["other_cause_1"], household["other_cause_2"]) if c)
        household["household_size"] = len(members[hid])
        yield household, members[hid]


def _scope_figures(session: Session, ids: list[int]) -> tuple[int, int | None]:
    """(persons, latest data year) of the households to export, before their rows are written."""
    persons, year = 0, None
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        persons += session.scalar(
            select(func.count()).select_from(Member).where(Member.household_id.in_(chunk), Member.removed_on.is_(None))
        )
        latest = session.scalar(select(func.max(HouseholdYear.year)).where(HouseholdYear.household_id.in_(chunk)))
        year = latest if year is None or (latest is not None and latest > year) else year
    return persons, year


def _info_line(layout: ExportLayout, **fields) -> str:
    """The information row: the layout's segments whose fields are known ("数据截止" only with a data year)."""
    parts = []
    for segment in layout.info:
        names = [name for _, name, _, _ in string.Formatter().parse(segment) if name]
        if all(fields.get(name) is not None for name in names):
            parts.append(segment.format(**fields))
    return "　".join(parts)


def roster_rows(
    session: Session,
    *,
    area: Area | None = None,
    household_ids: Iterable[int] | Select | None = None,
    today: dt.date | None = None,
) -> tuple[int, Iterator[list]]:
    """The household count and the rows of PovDesk's layout (cells in layout order, no sequence number) to write."""
    today = today or dt.date.today()
    ids = _household_ids(session, area, household_ids)
    names = _AreaNames(session)
    maker = RowMaker(POVDESK, [])
    queries = _queries(with_extra=False)

    def rows() -> Iterator[list]:
        for start in range(0, len(ids), CHUNK):
            for household, members in _chunk(session.connection(), queries, ids[start : start + CHUNK], names, today):
                base = maker.household(household)
                for person in members:
                    yield maker.laid_over(base, maker.person(base, household, person))

    return len(ids), rows()


def _temporary_beside(path: Path) -> Path:
    """An empty file in the target's folder, renamed over the target once written: a file that appears whole."""
    with writing(path):
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".povdesk-export-", suffix=".xlsx")
        os.close(handle)
    return Path(temporary)


def export_roster(
    db: Database,
    path: str | os.PathLike,
    *,
    area_id: int | None = None,
    household_ids: Iterable[int] | Select | None = None,
    layout: str = DEFAULT_LAYOUT,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ExportResult:
    """Write the registry, one area, or the given households (ids or a select of ids) to an .xlsx roster in a layout
    of export_layouts.LAYOUTS. The file appears whole or not at all: it is written beside the target, then renamed."""
    if layout not in LAYOUTS:
        raise ExportError(f"没有名为“{layout}”的导出格式，可选：{'、'.join(LAYOUTS)}")
    chosen = LAYOUTS[layout]
    progress = progress or Progress()
    path = check_writable(path, suffix=".xlsx")
    today = today or dt.date.today()
    with db.session() as session:
        area = session.get(Area, area_id) if area_id is not None else None
        if area_id is not None and area is None:
            raise ExportError("要导出的区划不存在，可能已被删除")
        ids = _household_ids(session, area, household_ids)
        names = _AreaNames(session)
        keys = kept_keys(session)
        maker = RowMaker(chosen, keys)
        # the used range the sheet declares, as Excel writes it (edits saved meanwhile may make it a hint)
        persons, data_year = _scope_figures(session, ids)
        scope = area.name if area is not None else ("所选农户" if household_ids is not None else "全部")
        info = _info_line(chosen, scope=scope, today=f"{today:%Y-%m-%d}", households=len(ids), data_year=data_year)
        temporary = _temporary_beside(path)
        try:
            sheet = {"text_columns": maker.text_columns, "freeze_rows": HEADER_ROW, "rows": persons + HEADER_ROW}
            with writing(path), SheetWriter(temporary, chosen.sheet, maker.widths, **sheet) as writer:
                writer.write([chosen.title.format(scope=scope)], TITLE, merge_to=len(maker.headers) - 1)
                writer.write([info], merge_to=len(maker.headers) - 1)
                writer.write(maker.headers, HEADER)
                progress.start(len(ids), "正在导出花名册……")
                written = 0
                queries, connection = _queries(with_extra=bool(keys)), session.connection()
                for start in range(0, len(ids), CHUNK):
                    for household, members in _chunk(connection, queries, ids[start : start + CHUNK], names, today):
                        base = maker.household(household)
                        shared = writer.render(base)  # rendered once for all the household's rows
                        for person in members:
                            written += 1
                            own = writer.render(maker.person(base, household, person, seq=written))
                            writer.write_rendered(maker.laid_over(shared, own))
                    progress.update(min(start + CHUNK, len(ids)))
            with writing(path):
                os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    return ExportResult(path, len(ids), written)
