"""Importing a cadre roster (帮扶干部名单) in one transaction: cadres matched by ID number, units created when new, home
areas found from the 乡镇 column or the unit, row-level reasons with Excel row numbers, dry run."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk import codes
from povdesk.db import Database
from povdesk.model import Cadre, HelpingUnit
from povdesk.names import pinyin_keys
from povdesk.pairing.columns import CADRE_FIELDS, CADRES, Row, Sheet, SheetImportResult, import_transaction
from povdesk.pairing.home import Homes
from povdesk.progress import Progress

TOWNSHIP_UNIT_KIND = "乡镇"
CHUNK_ROWS = 256


@dataclass
class CadreImportResult(SheetImportResult):
    """`added` and `updated` count cadres; `units_added` the helping units the roster named first."""

    units_added: int = 0

    def to_json(self) -> dict:
        return {**super().to_json(), "units_added": self.units_added}

    def summary(self) -> str:
        """One Chinese sentence for the clerk."""
        done = "预检完成（未写入数据库）：将" if self.dry_run else "导入完成："
        units = f"，新建帮扶单位 {self.units_added} 个" if self.units_added else ""
        return (f"{done}新增帮扶干部 {self.added} 人，更新 {self.updated} 人{units}。"
                f"被拒绝 {len(self.rejected)} 行，提示 {len(self.warnings)} 条。")  # fmt: skip


class Units:
    """Helping units by name; a new one is added, a unit naming a township becomes that township's government."""

    def __init__(self, session: Session, result: CadreImportResult) -> None:
        self.s = session
        self.result = result
        self.by_name = {unit.name: unit for unit in session.scalars(select(HelpingUnit))}

    def get(self, name: str | None, township_id: int | None) -> HelpingUnit | None:
        if not name:
            return None
        unit = self.by_name.get(name)
        if unit is None:
            unit = HelpingUnit(name=name, township_id=township_id, kind=TOWNSHIP_UNIT_KIND if township_id else None)
            self.s.add(unit)
            self.s.flush()
            self.by_name[name] = unit
            self.result.units_added += 1
        elif township_id is not None and unit.township_id is None:
            unit.township_id = township_id
            unit.kind = unit.kind or TOWNSHIP_UNIT_KIND
        return unit


class _Run:
    def __init__(self, session: Session, sheet: Sheet, result: CadreImportResult) -> None:
        self.s = session
        self.sheet = sheet
        self.result = result
        self.homes = Homes(session)
        self.units = Units(session, result)
        self.by_id_number: dict[str, Cadre] = {}
        self.without_id: dict[tuple[str, str], list[Cadre]] = {}  # (name, phone or unit) → cadres with no ID number
        unit_names = {unit.id: unit.name for unit in self.units.by_name.values()}
        for cadre in session.scalars(select(Cadre)):
            if cadre.id_number:
                self.by_id_number[cadre.id_number] = cadre
            else:
                for key in (cadre.phone, unit_names.get(cadre.unit_id)):
                    if key:
                        self.without_id.setdefault((cadre.name, key), []).append(cadre)
        self.seen: dict[str, tuple[int, str]] = {}  # ID number → (row, name) met in this file

    def row(self, row: Row) -> None:
        result = self.result
        for note in row.notes:
            result.warn(row.number, note)
        name, person = row.get("name"), row.get("id_number")
        reasons = list(row.errors)
        if person is None and "id_number" not in row.failed:
            reasons.insert(0, f"{self.sheet.label('id_number')}：缺少身份证号，无法确认是哪一名干部")
        if name is None and "name" not in row.failed:
            reasons.insert(0, f"{self.sheet.label('name')}：缺少姓名")
        if reasons:
            result.reject(row, "；".join(reasons))
            return
        number = person.number
        first = self.seen.get(number)
        if first is not None:
            result.reject(row, f"身份证号{number}与第{first[0]}行（{first[1]}）重复，本行未导入")
            return
        self.seen[number] = (row.number, name)
        sex = row.get("sex")
        if sex is not None and sex != person.sex:
            result.warn(row.number, f"性别填写为“{codes.SEX.label_of(sex)}”，但身份证号{number}显示为"
                                    f"“{codes.SEX.label_of(person.sex)}”，已按身份证号导入")  # fmt: skip
        cadre = self.by_id_number.get(number) or self._registered_without_id(row, name)
        unit_name = row.get("unit")
        rank = row.get("rank")
        home = self.homes.home(rank=rank or (cadre.rank if cadre else None), township=row.get("township"),
                               unit=unit_name)  # fmt: skip
        if rank is None and cadre is None:
            rank = "township" if home.township_id is not None else "general"
            result.warn(row.number, f"职级未填写，已按“{codes.CADRE_RANK.label_of(rank)}”登记，请核对",
                        "职级未填写")  # fmt: skip
            if rank == "township":
                home = self.homes.home(rank=rank, township=row.get("township"), unit=unit_name)
        for warning in home.warnings:
            result.warn(row.number, warning)
        unit = self.units.get(unit_name, home.unit_township_id)
        values = {
            "name": name, "id_number": number, "sex": person.sex, "rank": rank, "position": row.get("position"),
            "phone": row.get("phone"), "political_status": row.get("political_status"),
            "unit_id": unit.id if unit else None, "home_area_id": home.area_id,
        }  # fmt: skip
        if cadre is None:
            cadre = Cadre(name_pinyin=pinyin_keys(name)[0], active=True, **values)
            self.s.add(cadre)
            self.by_id_number[number] = cadre
            result.added += 1
            return
        changed = False
        for attr, value in values.items():
            if value is not None and getattr(cadre, attr) != value:  # a blank cell never erases what is known
                setattr(cadre, attr, value)
                changed = True
        self.by_id_number[number] = cadre
        if changed:
            cadre.name_pinyin = pinyin_keys(cadre.name)[0]
            result.updated += 1

    def _registered_without_id(self, row: Row, name: str) -> Cadre | None:
        """A cadre registered without an ID number (a helper named in a household roster) whose name and phone, or
        name and unit, are this row's: the row gives it its ID number rather than a second cadre."""
        for key in (row.get("phone"), row.get("unit")):
            found = self.without_id.get((name, key)) if key else None
            if found and len(found) == 1 and not found[0].id_number:
                return found[0]
        return None


def import_cadres(
    db: Database,
    path: str | os.PathLike,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    user: str = "",
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> CadreImportResult:
    """Import a cadre roster in one transaction; a dry run, an error or a cancel change nothing. Importing the same
    roster again adds nobody: cadres are matched by ID number."""
    progress = progress or Progress()
    today = today or dt.date.today()
    progress.start(0, "正在打开帮扶干部名单……")
    with Sheet(path, sheet, CADRES, CADRE_FIELDS, today=today) as source:
        result = CadreImportResult(**source.result(dry_run=dry_run))
        total = source.rows_estimate
        progress.start(total, "正在导入帮扶干部……")
        with import_transaction(
            db,
            path,
            source,
            result,
            user=user,
            action="cadre_import",
            entity="cadre",
            progress=progress,
            counts=("added", "updated"),
        ) as session:
            run = _Run(session, source, result)
            for done, row in enumerate(source.rows(), start=1):
                run.row(row)
                if done % CHUNK_ROWS == 0:
                    session.flush()
                    progress.update(min(done, total))
            session.flush()
    return result
