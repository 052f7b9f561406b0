"""The area tree as plain data for any client: areas in display order, counts per subtree, and editing by hand."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from povdesk import codes, history
from povdesk.errors import PovDeskError
from povdesk.model import (
    Area,
    AreaPopulation,
    AuditLog,
    Cadre,
    HelpingUnit,
    Household,
    Member,
    MonitoringLine,
    NoticeBatch,
    UnitVillage,
    User,
    WorkTeam,
)


@dataclass(frozen=True)
class AreaNode:
    id: int
    parent_id: int | None
    level: str  # codes.AREA_LEVEL
    name: str
    code: str | None
    is_poor_village: bool


@dataclass
class Counts:
    households: int = 0
    persons: int = 0


def has_any(session: Session) -> bool:
    """Whether the database has any area at all (an empty one opens on the start page)."""
    return session.scalar(select(Area.id).limit(1)) is not None


def load_tree(session: Session) -> list[AreaNode]:
    """Every area, parents before children, siblings in their sort order (then by name)."""
    rows = session.execute(
        select(Area.id, Area.parent_id, Area.level, Area.name, Area.code, Area.is_poor_village).order_by(
            Area.sort_order, Area.code, Area.name, Area.id
        )
    ).all()
    children: dict[int | None, list[AreaNode]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(AreaNode(*row))
    ordered: list[AreaNode] = []
    stack = list(reversed(children[None]))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children[node.id]))
    return ordered


def subtree_counts(session: Session) -> dict[int, Counts]:
    """Households and current members in each area's subtree, in two grouped queries (no per-area query)."""
    households = session.execute(
        select(Household.village_id, Household.group_id, func.count()).group_by(
            Household.village_id, Household.group_id
        )
    ).all()
    persons = session.execute(
        select(Household.village_id, Household.group_id, func.count())
        .join(Member, Member.household_id == Household.id)
        .where(Member.removed_on.is_(None))
        .group_by(Household.village_id, Household.group_id)
    ).all()
    ancestors = {
        area_id: [int(part) for part in path.split("/") if part]
        for area_id, path in session.execute(select(Area.id, Area.path))
    }
    counts: dict[int, Counts] = defaultdict(Counts)
    for rows, field in ((households, "households"), (persons, "persons")):
        for village_id, group_id, n in rows:
            chain = ancestors.get(village_id, [village_id])
            if group_id is not None and group_id != village_id:
                chain = [*chain, group_id]
            for area_id in chain:
                setattr(counts[area_id], field, getattr(counts[area_id], field) + n)
    return dict(counts)


# -- editing by hand ---------------------------------------------------------------------------------------------------
# Each function works in the caller's session: the caller opens one transaction per clerk's action (db.transaction()).
# What happened to an area is kept in the audit log (entity "area"): the area table has no history of its own, and a
# merged village's households get a ChangeLog row each, so their own history says where they came from.

CHILD_LEVEL = {None: "county", "county": "township", "township": "village", "village": "group"}
# How many leading digits of a 12-digit statistical code identify an area of each level.
CODE_DIGITS = {"county": 6, "township": 9, "village": 12}
MAX_NAME = 64


class AreaError(PovDeskError):
    """An area edit refused, with the reason in words for the clerk."""


def _audit(session: Session, action: str, area_id: int, user: str, **detail) -> None:
    text = json.dumps(detail, ensure_ascii=False)
    session.add(AuditLog(user=user, action=action, entity="area", entity_id=area_id, detail=text))


def _get(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise AreaError("该区划已不存在（可能已被删除），请刷新后重试")
    return area


def _check_name(session: Session, name: str, parent_id: int | None, *, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise AreaError("请填写区划名称")
    if len(name) > MAX_NAME:
        raise AreaError(f"区划名称不能超过{MAX_NAME}个字")
    same = select(Area.id).where(Area.name == name, Area.parent_id.is_(None) if parent_id is None
                                 else Area.parent_id == parent_id)  # fmt: skip
    if exclude is not None:
        same = same.where(Area.id != exclude)
    if session.execute(same.limit(1)).first():
        raise AreaError(f"同一上级下已有名为“{name}”的区划")
    return name


def check_code(code: str | None, level: str, parent_code: str | None = None) -> str | None:
    """A 12-digit statistical code (统计用区划代码) checked against its level and its parent's code; blank is None."""
    code = (code or "").strip()
    if not code:
        return None
    if len(code) != 12 or not code.isdigit():
        raise AreaError(f"区划代码“{code}”应为12位数字（统计用区划代码），例如 532930101201")
    if level not in CODE_DIGITS:
        raise AreaError("村民小组没有统计用区划代码，请留空")
    digits = CODE_DIGITS[level]
    if code[digits:].strip("0"):
        raise AreaError(f"{codes.AREA_LEVEL.label_of(level)}的区划代码应以{12 - digits}个0结尾，“{code}”不是")
    if level != "county" and not code[digits - 3 : digits].strip("0"):
        raise AreaError(f"区划代码“{code}”的第{digits - 2}至{digits}位不能全为0")
    if parent_code:
        parent_level = {"township": "county", "village": "township"}[level] if level != "county" else None
        prefix = parent_code[: CODE_DIGITS[parent_level]] if parent_level else ""
        if prefix and not code.startswith(prefix):
            raise AreaError(f"区划代码“{code}”与上级的代码“{parent_code}”不一致：应以 {prefix} 开头")
    return code


def _check_code_unique(session: Session, code: str | None, exclude: int | None = None) -> None:
    if code is None:
        return
    other = session.execute(select(Area.name).where(Area.code == code, Area.id != (exclude or 0))).scalar()
    if other:
        raise AreaError(f"区划代码“{code}”已由“{other}”使用")


def add_area(
    session: Session, parent_id: int | None, name: str, *, code: str | None = None, poor_village: bool = False,
    user: str = "",
) -> Area:  # fmt: skip
    """A new area under `parent_id` (None: a county), its level one below the parent's, last among its siblings."""
    parent = _get(session, parent_id) if parent_id is not None else None
    level = CHILD_LEVEL.get(parent.level if parent else None)
    if level is None:
        raise AreaError("村民小组下不能再建下级区划")
    name = _check_name(session, name, parent_id)
    code = check_code(code, level, parent.code if parent else None)
    _check_code_unique(session, code)
    last = session.execute(
        select(func.max(Area.sort_order)).where(
            Area.parent_id.is_(None) if parent_id is None else Area.parent_id == parent_id
        )
    ).scalar()
    area = Area(parent_id=parent_id, level=level, name=name, code=code, path="", sort_order=(last or 0) + 1,
                is_poor_village=bool(poor_village and level == "village"))  # fmt: skip
    session.add(area)
    session.flush()
    area.path = f"{parent.path if parent else ''}{area.id}/"
    _audit(session, "area_add", area.id, user, name=name, level=level, code=code, parent_id=parent_id)
    return area


def rename_area(session: Session, area_id: int, name: str, *, user: str = "") -> Area:
    """A new name for an area; its households, groups and past notices stay where they are (they refer to its id)."""
    area = _get(session, area_id)
    name = _check_name(session, name, area.parent_id, exclude=area.id)
    if name != area.name:
        _audit(session, "area_rename", area.id, user, old=area.name, new=name)
        area.name = name
    return area


def set_code(session: Session, area_id: int, code: str | None, *, user: str = "") -> Area:
    area = _get(session, area_id)
    parent = session.get(Area, area.parent_id) if area.parent_id is not None else None
    code = check_code(code, area.level, parent.code if parent else None)
    _check_code_unique(session, code, exclude=area.id)
    if code != area.code:
        _audit(session, "area_code", area.id, user, old=area.code, new=code)
        area.code = code
    return area


def set_poor_village(session: Session, area_id: int, poor: bool, *, user: str = "") -> Area:
    area = _get(session, area_id)
    if area.level != "village":
        raise AreaError("只有行政村可以标记为贫困村")
    if bool(area.is_poor_village) != poor:
        _audit(session, "area_poor_village", area.id, user, old=bool(area.is_poor_village), new=poor)
        area.is_poor_village = poor
        if not poor:
            area.poor_village_exit_year = None
    return area


def _household_count(session: Session, area: Area) -> int:
    subtree = select(Area.id).where(Area.path.like(f"{area.path}%"))
    return session.execute(
        select(func.count())
        .select_from(Household)
        .where(Household.village_id.in_(subtree) | Household.group_id.in_(subtree))
    ).scalar_one()


# Records that name an area and follow a merged village to the one it joined (column, human name of the records).
_VILLAGE_REFERENCES = (
    (UnitVillage.village_id, "帮扶单位"),
    (WorkTeam.village_id, "驻村工作队"),
    (Cadre.home_area_id, "帮扶干部"),
    (NoticeBatch.area_id, "公示公告"),
    (User.area_id, "用户"),
    (HelpingUnit.township_id, "帮扶单位"),
)


def delete_area(session: Session, area_id: int, *, user: str = "") -> None:
    """Delete an empty area: refused while households, lower areas or other records refer to it."""
    area = _get(session, area_id)
    households = _household_count(session, area)
    if households:
        raise AreaError(f"“{area.name}”下还有{households}户，不能删除。请先把这些户移到其他村，或把本村并入其他村")
    children = session.execute(select(func.count()).where(Area.parent_id == area.id)).scalar_one()
    if children:
        raise AreaError(f"“{area.name}”下还有{children}个下级区划，不能删除。请先删除或合并下级区划")
    for column, what in (*_VILLAGE_REFERENCES, (MonitoringLine.area_id, "监测标准")):
        if session.execute(select(func.count()).where(column == area.id)).scalar_one():
            raise AreaError(f"“{area.name}”仍有{what}记录，不能删除")
    _audit(session, "area_delete", area.id, user, name=area.name, level=area.level, code=area.code,
           parent_id=area.parent_id)  # fmt: skip
    session.delete(area)
    session.flush()


@dataclass(frozen=True)
class MergeResult:
    households: int
    groups: int


def merge_villages(session: Session, source_id: int, target_id: int, *, user: str = "") -> MergeResult:
    """Merge the village `source_id` into `target_id`: its groups and households move, each household's history says
    so, and the source village is removed (its name and code stay in the audit log)."""
    source, target = _get(session, source_id), _get(session, target_id)
    if source.id == target.id:
        raise AreaError("不能把一个村并入它自己")
    if source.level != "village" or target.level != "village":
        raise AreaError("只能合并两个行政村")
    reason = f"村合并：{source.name}并入{target.name}"
    taken = set(session.execute(select(Area.name).where(Area.parent_id == target.id)).scalars())
    groups = session.execute(select(Area).where(Area.parent_id == source.id).order_by(Area.sort_order)).scalars().all()
    last = session.execute(select(func.max(Area.sort_order)).where(Area.parent_id == target.id)).scalar() or 0
    for offset, group in enumerate(groups, 1):
        if group.name in taken:  # two 第一村民小组: the one that came keeps where it came from in its name
            group.name = f"{group.name}（原{source.name}）"[:MAX_NAME]
        group.parent_id = target.id
        group.path = f"{target.path}{group.id}/"
        group.sort_order = last + offset
    households = session.execute(select(Household.id).where(Household.village_id == source.id)).scalars().all()
    for household_id in households:
        # ids, as the editor writes them: a past year's wall chart places the household in its old village
        history.record(session, household_id=household_id, kind="field", field="village_id", old=source.id,
                       new=target.id, reason=reason, user=user)  # fmt: skip
    session.execute(
        update(Household)
        .where(Household.village_id == source.id)
        .values(village_id=target.id, version=Household.version + 1)  # an editor open on one of them is refused
    )
    for column, _what in _VILLAGE_REFERENCES:
        session.execute(update(column.class_).where(column == source.id).values({column.key: target.id}))
    target_years = select(MonitoringLine.year).where(MonitoringLine.area_id == target.id)
    session.execute(delete(MonitoringLine).where(MonitoringLine.area_id == source.id,
                                                 MonitoringLine.year.in_(target_years)))  # fmt: skip
    session.execute(update(MonitoringLine).where(MonitoringLine.area_id == source.id).values(area_id=target.id))
    _merge_population(session, source.id, target.id)
    if source.is_poor_village and not target.is_poor_village:
        target.is_poor_village = True
        target.poor_village_exit_year = source.poor_village_exit_year
    _audit(session, "area_merge", target.id, user, source_id=source.id, source=source.name, source_code=source.code,
           target=target.name, households=len(households), groups=len(groups))  # fmt: skip
    session.flush()
    session.expire(source)
    session.delete(source)
    session.flush()
    return MergeResult(len(households), len(groups))


def _merge_population(session: Session, source_id: int, target_id: int) -> None:
    """The merged village's rural population joins the target's, year by year."""
    rows = session.execute(select(AreaPopulation).where(AreaPopulation.area_id.in_((source_id, target_id)))).scalars()
    by_year: dict[int, list[AreaPopulation]] = {}
    for row in rows:
        by_year.setdefault(row.year, []).append(row)
    for year_rows in by_year.values():
        source = next((r for r in year_rows if r.area_id == source_id), None)
        target = next((r for r in year_rows if r.area_id == target_id), None)
        if source is None:
            continue
        if target is None:
            source.area_id = target_id
        else:
            target.rural_population += source.rural_population
            session.delete(source)
    session.flush()


def deleted_area_names(session: Session, area_ids: set[int]) -> dict[int, str]:
    """The last names of areas that no longer exist (merged into another village, or deleted), from the audit log:
    the history of a household that was in a merged village names that village."""
    names: dict[int, str] = {}
    rows = session.execute(
        select(AuditLog.action, AuditLog.entity_id, AuditLog.detail)
        .where(AuditLog.entity == "area", AuditLog.action.in_(("area_merge", "area_delete")))
        .order_by(AuditLog.id)
    ).all()
    for action, entity_id, detail in rows:
        data = json.loads(detail or "{}")
        if action == "area_merge" and data.get("source_id") in area_ids:
            names[data["source_id"]] = data.get("source", "")
        elif action == "area_delete" and entity_id in area_ids:
            names[entity_id] = data.get("name", "")
    return names


@dataclass(frozen=True)
class AreaEvent:
    at: object
    user: str
    action: str
    detail: dict


AUDIT_ACTIONS = ("insert", "update", "delete")  # povdesk.audit.ACTIONS: every ORM write, recorded by the session hook


def area_history(session: Session, area_id: int) -> list[AreaEvent]:
    """What happened to an area (added, renamed, coded, merged into), newest first."""
    rows = session.execute(
        select(AuditLog).where(AuditLog.entity == "area", AuditLog.entity_id == area_id,
                               AuditLog.action.not_in(AUDIT_ACTIONS))  # the named events, not the session hook's rows
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    ).scalars()  # fmt: skip
    return [AreaEvent(r.at, r.user, r.action, json.loads(r.detail or "{}")) for r in rows]


def former_names(session: Session, area_id: int) -> list[str]:
    """The names an area had before, oldest first."""
    events = area_history(session, area_id)
    return [e.detail["old"] for e in reversed(events) if e.action == "area_rename" and e.detail.get("old")]


def add_outline(session: Session, county_id: int, outline: str, *, user: str = "") -> int:
    """Townships and their villages typed as lines "河口镇：东山村、西山村" under a county; returns the areas added."""
    added = 0
    for number, line in enumerate(outline.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        township, _sep, rest = line.replace(":", "：").partition("：")
        villages = [v.strip() for v in re.split(r"[、，,;；\s]+", rest) if v.strip()]
        try:
            same = select(Area).where(Area.parent_id == county_id, Area.name == township.strip())
            town = session.execute(same).scalars().first()
            if town is None:
                town = add_area(session, county_id, township, user=user)
                added += 1
            for village in villages:
                add_area(session, town.id, village, user=user)
                added += 1
        except AreaError as exc:
            raise AreaError(f"第{number}行：{exc}") from None
    return added
