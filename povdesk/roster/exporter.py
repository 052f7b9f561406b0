"""Export households and members to an .xlsx roster in the national layout (openpyxl, streamed, text-formatted IDs)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from povdesk import stats
from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.files import writing
from povdesk.model import Area, Cadre, HelpingUnit, Household, HouseholdYear, Member, MonitoredHousehold, Pairing
from povdesk.progress import Progress
from povdesk.roster.layout import BY_KEY, COLUMNS, HOUSEHOLD, MEMBER

CHUNK = 2000
SHEET_TITLE = "花名册"
HEADER_ROW = 3  # a title and a note above it, as the national system's exports have

MEMBER_FIELDS = (
    "name", "id_number", "sex", "relation", "ethnicity", "education", "school_status", "health", "labor",
    "work_status", "work_months", "medical_insurance", "serious_illness_insurance", "pension_insurance",
)  # fmt: skip
HOUSEHOLD_FIELDS = (
    "number", "phone", "bank_name", "bank_account", "ident_standard", "attribute", "main_cause", "other_cause_1",
    "other_cause_2", "status", "year_identified", "year_exited",
)  # fmt: skip
YEAR_FIELDS = (
    "year", "persons", "wage_income", "business_income", "property_income", "transfer_income", "production_cost",
    "net_income", "per_capita_income", "food_clothing_ok", "education_ok", "medical_ok", "housing_ok", "water_ok",
)  # fmt: skip


class ExportError(PovDeskError):
    """The roster could not be written (folder missing, file open in Excel…)."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    households: int
    persons: int


def _age(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("是" if value else "否")


def _money(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)


class _AreaNames:
    """Township, village and county names for a village id, from one query over the small area table."""

    def __init__(self, session: Session) -> None:
        self.areas = {a.id: (a.name, a.parent_id, a.level) for a in session.execute(select(Area.id, Area.name,
                                                                                            Area.parent_id, Area.level))}  # fmt: skip

    def name(self, area_id: int | None) -> str | None:
        return self.areas[area_id][0] if area_id in self.areas else None

    def chain(self, village_id: int) -> tuple[str | None, str | None, str | None]:
        """(county, township, village) names of a village."""
        name, parent, _ = self.areas[village_id]
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


def _chunk_rows(session: Session, ids: list[int], names: _AreaNames, today: dt.date) -> Iterator[list]:
    """The roster rows of one chunk of households, in layout order, head first within each household."""
    households = {row.id: row for row in session.execute(
        select(Household.id, Household.village_id, Household.group_id, *(getattr(Household, f) for f in HOUSEHOLD_FIELDS))
        .where(Household.id.in_(ids)))}  # fmt: skip
    latest = (
        select(HouseholdYear.household_id, func.max(HouseholdYear.year).label("year"))
        .where(HouseholdYear.household_id.in_(ids))
        .group_by(HouseholdYear.household_id)
        .subquery()
    )
    years = {row.household_id: row for row in session.execute(
        select(HouseholdYear.household_id, *(getattr(HouseholdYear, f) for f in YEAR_FIELDS))
        .join(latest, (latest.c.household_id == HouseholdYear.household_id) & (latest.c.year == HouseholdYear.year)))}  # fmt: skip
    monitoring = {row.household_id: row for row in session.execute(
        select(MonitoredHousehold.household_id, MonitoredHousehold.type, MonitoredHousehold.identified_on,
               MonitoredHousehold.risk_eliminated_on)
        .where(MonitoredHousehold.household_id.in_(ids)).order_by(MonitoredHousehold.identified_on))}  # fmt: skip
    helpers = {row.household_id: row for row in session.execute(
        select(Pairing.household_id, Cadre.name, Cadre.rank, Cadre.phone, HelpingUnit.name.label("unit"))
        .join(Cadre, Cadre.id == Pairing.cadre_id).outerjoin(HelpingUnit, HelpingUnit.id == Cadre.unit_id)
        .where(Pairing.household_id.in_(ids), Pairing.end_on.is_(None)).order_by(Pairing.start_on, Pairing.id))}  # fmt: skip
    members: dict[int, list] = {}
    for row in session.execute(
        select(Member.household_id, Member.birth_date, *(getattr(Member, f) for f in MEMBER_FIELDS))
        .where(Member.household_id.in_(ids), Member.removed_on.is_(None))
        .order_by(Member.household_id, case((Member.relation == "head", 0), else_=1), Member.id)
    ):  # fmt: skip
        members.setdefault(row.household_id, []).append(row)
    for hid in ids:
        household = households[hid]
        county, township, village = names.chain(household.village_id)
        year = years.get(hid)
        monitor = monitoring.get(hid)
        helper = helpers.get(hid)
        values = {
            "county": county, "township": township, "village": village, "group": names.name(household.group_id),
            "household_number": household.number, "household_size": len(members.get(hid, ())),
            "phone": household.phone, "bank_name": household.bank_name, "bank_account": household.bank_account,
            "year_identified": household.year_identified, "year_exited": household.year_exited,
            "other_causes": "、".join(BY_KEY["other_causes"].code_list.label_of(c)
                                     for c in (household.other_cause_1, household.other_cause_2) if c) or None,
        }  # fmt: skip
        for key in ("ident_standard", "attribute", "main_cause", "status"):
            code = getattr(household, key)
            values[key] = BY_KEY[key].code_list.label_of(code) if code else None
        if year is not None:
            values["data_year"] = year.year
            for key in YEAR_FIELDS[2:9]:
                values[key] = _money(getattr(year, key))
            for key in YEAR_FIELDS[9:]:
                values[key] = _yes_no(getattr(year, key))
        if monitor is not None:
            values["monitor_type"] = BY_KEY["monitor_type"].code_list.label_of(monitor.type)
            values["monitor_since"] = monitor.identified_on
            values["risk_eliminated_on"] = monitor.risk_eliminated_on
        if helper is not None:
            values["helper_name"], values["helper_unit"], values["helper_phone"] = (
                helper.name,
                helper.unit,
                helper.phone,
            )
            values["helper_rank"] = BY_KEY["helper_rank"].code_list.label_of(helper.rank)
        household_cells = [values.get(c.key) if c.level == HOUSEHOLD else None for c in COLUMNS]
        for person in members.get(hid, ()):
            cells = list(household_cells)
            person_values = {
                "name": person.name, "id_number": person.id_number, "age": _age(person.birth_date, today),
                "work_months": person.work_months,
            }  # fmt: skip
            for key in ("sex", "relation", "ethnicity", "education", "school_status", "health", "labor",
                        "work_status"):  # fmt: skip
                code = getattr(person, key)
                person_values[key] = BY_KEY[key].code_list.label_of(code) if code else None
            for key in ("medical_insurance", "serious_illness_insurance", "pension_insurance"):
                person_values[key] = _yes_no(getattr(person, key))
            for i, column in enumerate(COLUMNS):
                if column.level == MEMBER:
                    cells[i] = person_values.get(column.key)
            yield cells


class _Writer:
    """An openpyxl write-only sheet with a styled header and text-formatted ID, phone and account columns."""

    def __init__(self, title: str, note: str) -> None:
        self.wb = Workbook(write_only=True)
        self.ws = self.wb.create_sheet(SHEET_TITLE)
        self.ws.freeze_panes = f"A{HEADER_ROW + 1}"
        for i, column in enumerate(COLUMNS, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = column.width
        self.text_columns = [i for i, c in enumerate(COLUMNS) if c.text_format]
        self.date_columns = [i for i, c in enumerate(COLUMNS) if c.kind == "date"]
        self._text_template = WriteOnlyCell(self.ws, "")
        self._text_template.number_format = "@"
        self._date_template = WriteOnlyCell(self.ws, None)
        self._date_template.number_format = "yyyy-mm-dd"
        title_cell = WriteOnlyCell(self.ws, title)
        title_cell.font = Font(bold=True, size=14)
        self.ws.append([title_cell])
        self.ws.append([note])
        thin = Side(style="thin", color="808080")
        header = []
        for column in COLUMNS:
            cell = WriteOnlyCell(self.ws, column.header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            header.append(cell)
        self.ws.append(header)

    def _styled(self, template, value):
        cell = WriteOnlyCell(self.ws, value)
        cell._style = template._style  # the same immutable style array: cheap for 400,000 rows
        return cell

    def append(self, seq: int, cells: list) -> None:
        cells[0] = seq
        for i in self.text_columns:
            if cells[i] is not None:
                cells[i] = self._styled(self._text_template, str(cells[i]))
        for i in self.date_columns:
            if cells[i] is not None:
                cells[i] = self._styled(self._date_template, cells[i])
        self.ws.append(cells)

    def save(self, path: Path) -> None:
        self.wb.save(path)


def roster_rows(
    session: Session,
    *,
    area: Area | None = None,
    household_ids: Iterable[int] | Select | None = None,
    today: dt.date | None = None,
) -> tuple[int, Iterator[list]]:
    """The household count and the roster rows (cells in layout order, without the sequence number) to write."""
    today = today or dt.date.today()
    ids = _household_ids(session, area, household_ids)
    names = _AreaNames(session)

    def rows() -> Iterator[list]:
        for start in range(0, len(ids), CHUNK):
            yield from _chunk_rows(session, ids[start : start + CHUNK], names, today)

    return len(ids), rows()


def export_roster(
    db: Database,
    path: str | os.PathLike,
    *,
    area_id: int | None = None,
    household_ids: Iterable[int] | Select | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ExportResult:
    """Write the registry, one area, or the given households (ids or a select of ids) to an .xlsx roster."""
    progress = progress or Progress()
    path = Path(path)
    today = today or dt.date.today()
    with db.session() as session:
        area = session.get(Area, area_id) if area_id is not None else None
        if area_id is not None and area is None:
            raise ExportError("要导出的区划不存在，可能已被删除")
        ids = _household_ids(session, area, household_ids)
        names = _AreaNames(session)
        scope = area.name if area is not None else ("所选农户" if household_ids is not None else "全部")
        writer = _Writer(f"建档立卡人口花名册（{scope}）", f"导出日期：{today:%Y-%m-%d}，共{len(ids)}户")
        progress.start(len(ids), "正在导出花名册……")
        persons = 0
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for cells in _chunk_rows(session, chunk, names, today):
                persons += 1
                writer.append(persons, cells)
            progress.update(start + len(chunk))
    with writing(path):
        writer.save(path)
    return ExportResult(path, len(ids), persons)
