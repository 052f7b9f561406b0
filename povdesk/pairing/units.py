"""Helping units (帮扶单位) and the villages they help (单位包村), with dates; assignments are ended, never deleted.

An assignment is current on a day when it has not ended before it: `end_on` is the last day the unit helps the
village (as the solver reads it), so an assignment ended today still counts today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from povdesk.areas import load_tree
from povdesk.errors import NotFound, PovDeskError
from povdesk.model import Area, Cadre, HelpingUnit, UnitVillage

UNIT_KINDS = ("县直部门", "乡镇", "省市单位", "企业", "其他")  # suggestions; the column is free text


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    kind: str
    township_id: int | None
    villages: list[str] = field(default_factory=list)  # villages helped today, in the areas' order
    cadres: int = 0  # active cadres of the unit


@dataclass(frozen=True)
class AssignmentRow:
    id: int
    unit_id: int
    unit: str
    village_id: int
    village: str
    township: str
    start_on: dt.date | None
    end_on: dt.date | None

    def current(self, today: dt.date) -> bool:
        return self.end_on is None or self.end_on >= today


def not_ended(end_on, today: dt.date):
    """The SQL condition of an assignment, team or team member (`end_on` its column) not ended before `today`."""
    return or_(end_on.is_(None), end_on >= today)


def long_date(day: dt.date | None) -> str:
    return f"{day:%Y年%m月%d日}" if day else ""


def end_dated(
    session: Session, model: type, record_id: int, end_on: dt.date, *, missing: str, ended: str, too_early: str
):
    """End an assignment or a team membership (a `model` row with `start_on` and `end_on`) after `end_on`; the row
    stays in the history. The reasons: `missing`, `ended` with {end} and `too_early` with {end} and {start}."""
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(missing)
    if record.end_on is not None:
        raise PovDeskError(ended.format(end=long_date(record.end_on)))
    if record.start_on is not None and end_on < record.start_on:
        raise PovDeskError(too_early.format(end=long_date(end_on), start=long_date(record.start_on)))
    record.end_on = end_on
    session.flush()
    return record


def _unit(session: Session, unit_id: int) -> HelpingUnit:
    unit = session.get(HelpingUnit, unit_id)
    if unit is None:
        raise NotFound(f"帮扶单位（编号{unit_id}）不存在，可能已被他人删除")
    return unit


def _village(session: Session, village_id: int) -> Area:
    village = session.get(Area, village_id)
    if village is None or village.level != "village":
        raise PovDeskError("请选择一个村（行政村）；单位包村只能包到村")
    return village


def _check_name(session: Session, name: str, unit_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise PovDeskError("请填写帮扶单位名称")
    if len(name) > HelpingUnit.__table__.c.name.type.length:
        raise PovDeskError(f"单位名称“{name}”太长（最多{HelpingUnit.__table__.c.name.type.length}个字）")
    same = session.scalar(select(HelpingUnit.id).where(HelpingUnit.name == name, HelpingUnit.id != (unit_id or 0)))
    if same is not None:
        raise PovDeskError(f"已有名为“{name}”的帮扶单位")
    return name


def add_unit(session: Session, name: str, kind: str | None = None, township_id: int | None = None) -> HelpingUnit:
    unit = HelpingUnit(name=_check_name(session, name), kind=(kind or "").strip() or None, township_id=township_id)
    session.add(unit)
    session.flush()
    return unit


def edit_unit(session: Session, unit_id: int, name: str, kind: str | None = None) -> HelpingUnit:
    """Rename a unit or change its kind; its villages, cadres and teams follow (they refer to it by id)."""
    unit = _unit(session, unit_id)
    unit.name = _check_name(session, name, unit_id)
    unit.kind = (kind or "").strip() or None
    session.flush()
    return unit


def _village_names(session: Session) -> tuple[dict[int, str], dict[int, str], dict[int, tuple]]:
    """village id → name, village id → township name, village id → sort key (the area tree's order)."""
    village, township = aliased(Area), aliased(Area)
    rows = session.execute(
        select(village.id, village.name, township.name, township.sort_order, village.sort_order)
        .join(township, township.id == village.parent_id, isouter=True)
        .where(village.level == "village")
    ).all()
    names = {r[0]: r[1] for r in rows}
    townships = {r[0]: r[2] or "" for r in rows}
    order = {r[0]: (r[3] or 0, r[2] or "", r[4] or 0, r[1]) for r in rows}
    return names, townships, order


def list_units(session: Session, today: dt.date | None = None) -> list[UnitRow]:
    """Every unit by name, with the villages it helps today and its number of active cadres."""
    today = today or dt.date.today()
    names, _townships, order = _village_names(session)
    helped: dict[int, list[int]] = defaultdict(list)
    for unit_id, village_id in session.execute(
        select(UnitVillage.unit_id, UnitVillage.village_id).where(not_ended(UnitVillage.end_on, today))
    ):
        if village_id not in helped[unit_id]:
            helped[unit_id].append(village_id)
    cadres = dict(
        session.execute(select(Cadre.unit_id, func.count()).where(Cadre.active.is_(True)).group_by(Cadre.unit_id)).all()
    )
    rows = []
    for unit in session.scalars(select(HelpingUnit).order_by(HelpingUnit.name, HelpingUnit.id)):
        villages = sorted(helped.get(unit.id, []), key=lambda v: order.get(v, ()))
        rows.append(
            UnitRow(unit.id, unit.name, unit.kind or "", unit.township_id, [names.get(v, "") for v in villages],
                    cadres.get(unit.id, 0))
        )  # fmt: skip
    return rows


def assignments(session: Session, unit_id: int | None = None, village_id: int | None = None) -> list[AssignmentRow]:
    """A unit's (or a village's) assignments, ended ones included: current first, then by start date."""
    names, townships, order = _village_names(session)
    query = select(UnitVillage, HelpingUnit.name).join(HelpingUnit, HelpingUnit.id == UnitVillage.unit_id)
    if unit_id is not None:
        query = query.where(UnitVillage.unit_id == unit_id)
    if village_id is not None:
        query = query.where(UnitVillage.village_id == village_id)
    rows = [
        AssignmentRow(a.id, a.unit_id, unit, a.village_id, names.get(a.village_id, ""),
                      townships.get(a.village_id, ""), a.start_on, a.end_on)
        for a, unit in session.execute(query)
    ]  # fmt: skip
    rows.sort(key=lambda r: (r.end_on is not None, order.get(r.village_id, ()), r.start_on or dt.date.min, r.id))
    return rows


def units_of_village(session: Session, village_id: int, today: dt.date | None = None) -> list[tuple[int, str]]:
    """(id, name) of the units helping the village today."""
    today = today or dt.date.today()
    rows = session.execute(
        select(HelpingUnit.id, HelpingUnit.name)
        .join(UnitVillage, UnitVillage.unit_id == HelpingUnit.id)
        .where(UnitVillage.village_id == village_id, not_ended(UnitVillage.end_on, today))
        .distinct()
        .order_by(HelpingUnit.name)
    )
    return [(i, n) for i, n in rows]


def assign_village(session: Session, unit_id: int, village_id: int, start_on: dt.date) -> UnitVillage:
    """The unit helps the village from `start_on`; refused when it helps it already."""
    unit = _unit(session, unit_id)
    village = _village(session, village_id)
    already = session.scalar(
        select(UnitVillage).where(
            UnitVillage.unit_id == unit_id,
            UnitVillage.village_id == village_id,
            not_ended(UnitVillage.end_on, start_on),
        )
    )
    if already is not None:
        since = f"自{long_date(already.start_on)}起" if already.start_on else ""
        raise PovDeskError(f"“{unit.name}”{since}已在帮扶{village.name}，无需重复包村")
    assignment = UnitVillage(unit_id=unit_id, village_id=village_id, start_on=start_on)
    session.add(assignment)
    session.flush()
    return assignment


def end_assignment(session: Session, assignment_id: int, end_on: dt.date) -> UnitVillage:
    """The unit stops helping the village after `end_on`; the assignment stays in the history."""
    return end_dated(
        session,
        UnitVillage,
        assignment_id,
        end_on,
        missing="该包村记录不存在，可能已被他人修改",
        ended="该包村记录已于{end}结束",
        too_early="结束日期{end}早于开始日期{start}，请检查",
    )


def villages(session: Session, area_id: int | None = None) -> list[tuple[int, str, str]]:
    """(id, township, village) of every village (of the area's subtree), in the area tree's order."""
    names, townships, order = _village_names(session)
    ids = list(names)
    if area_id is not None:
        area = session.get(Area, area_id)
        if area is not None and area.level == "group":
            area = area.parent
        if area is not None and area.parent_id is not None:
            inside = set(session.scalars(select(Area.id).where(Area.path.startswith(area.path))))
            ids = [v for v in ids if v in inside]
    ids.sort(key=lambda v: order[v])
    return [(v, townships[v], names[v]) for v in ids]


def home_area_choices(session: Session) -> list[tuple[int, str]]:
    """(id, "某镇" or "某镇 某村") of every township and village in the tree's order: where a cadre works."""
    township = ""
    choices = []
    for node in load_tree(session):
        if node.level == "township":
            township = node.name
            choices.append((node.id, node.name))
        elif node.level == "village":
            choices.append((node.id, f"{township} {node.name}"))
    return choices
