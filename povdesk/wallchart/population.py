"""Rural population (农村人口) per area and year: the denominator of the poverty incidence, entered in the wall
charts' settings or imported from a sheet."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine
from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk.errors import NotFound, PovDeskError, RuleViolation
from povdesk.files import os_error_text
from povdesk.model import Area, AreaPopulation


def set_population(session: Session, area_id: int, year: int, n: int | None) -> None:
    """Set (or with None remove) an area's rural population of a year."""
    if session.get(Area, area_id) is None:
        raise NotFound("找不到这个区划，可能已被删除或合并")
    if not 1949 < year < 2200:
        raise RuleViolation(f"年度“{year}”不正确")
    row = session.scalar(select(AreaPopulation).where(AreaPopulation.area_id == area_id, AreaPopulation.year == year))
    if n is None:
        if row is not None:
            session.delete(row)
    else:
        if n < 0:
            raise RuleViolation("农村人口不能为负数")
        if row is None:
            session.add(AreaPopulation(area_id=area_id, year=year, rural_population=int(n)))
        else:
            row.rural_population = int(n)
    session.flush()


def populations(session: Session, year: int) -> dict[int, int]:
    """Area id → rural population entered for exactly that year."""
    return dict(session.execute(
        select(AreaPopulation.area_id, AreaPopulation.rural_population).where(AreaPopulation.year == year)
    ).all())  # fmt: skip


def current_year() -> int:
    return dt.date.today().year


HEADERS = {
    "code": ("区划代码", "统计用区划代码", "行政区划代码", "代码"),
    "name": ("区划名称", "名称", "单位名称"),
    "township": ("乡镇", "乡（镇）", "乡镇（街道）", "乡镇名称"),
    "village": ("行政村", "村", "村（社区）", "村名称", "村委会"),
    "year": ("年度", "年份", "统计年度"),
    "population": ("农村人口", "农村户籍人口", "农村人口数", "农村户籍人口数", "乡村人口", "农业人口"),
}
_LOOKUP = {re.sub(r"\s", "", t).replace("(", "（").replace(")", "）"): k for k, ts in HEADERS.items() for t in ts}
HEADER_SCAN = 10


class PopulationImportError(PovDeskError):
    """The sheet cannot be read as a table of rural population at all; nothing was imported."""


@dataclass
class PopulationImportResult:
    written: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (Excel row number, why)

    def summary(self) -> str:
        text = f"已导入 {self.written} 个区划的农村人口"
        if self.rejected:
            text += f"，{len(self.rejected)} 行未导入：" + "；".join(f"第{r}行{why}" for r, why in self.rejected[:20])
            if len(self.rejected) > 20:
                text += "……"
        return text


def _text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell if cell is not None else "").strip()


def _read(path: Path) -> tuple[dict[str, int], list[tuple[int, list]]]:
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except OSError as exc:
        raise PopulationImportError(f"无法读取“{path.name}”：{os_error_text(exc)}") from None
    except Exception:  # calamine reports a damaged or foreign file in several ways
        raise PopulationImportError(f"无法读取“{path.name}”：不是有效的 Excel 文件，或文件已损坏") from None
    for r, row in enumerate(rows[:HEADER_SCAN]):
        mapping: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = _LOOKUP.get(re.sub(r"\s", "", str(cell or "")).replace("(", "（").replace(")", "）"))
            if key and key not in mapping:
                mapping[key] = c
        if "population" in mapping and {"code", "name", "township", "village"} & set(mapping):
            return mapping, [(r + 2 + i, list(data)) for i, data in enumerate(rows[r + 1 :])]
    raise PopulationImportError(
        f"在“{path.name}”的前{HEADER_SCAN}行中找不到表头：应有“农村人口”列，以及“区划代码”或“乡镇”“村”（或“名称”）列"
    )


def import_sheet(session: Session, path: str | os.PathLike, *, year: int | None = None) -> PopulationImportResult:
    """Rural population from the first sheet of a workbook: one area per row, by 区划代码 or by 乡镇/村 names (or a
    名称 column), the 年度 column or `year` (default: this year). Good rows are written in the caller's transaction;
    the others are listed with their row numbers and why."""
    path = Path(path)
    mapping, rows = _read(path)
    areas = session.execute(select(Area.id, Area.parent_id, Area.level, Area.name, Area.code)).all()
    by_code = {a.code: a.id for a in areas if a.code}
    names = {a.id: a.name for a in areas}
    by_name: dict[str, list] = {}
    for a in areas:
        by_name.setdefault(a.name, []).append(a)
    result = PopulationImportResult()
    seen: dict[tuple[int, int], int] = {}

    def cell(row: list, key: str) -> str:
        c = mapping.get(key)
        return _text(row[c]) if c is not None and c < len(row) else ""

    for number, row in rows:
        if not any(_text(c) for c in row):
            continue
        code, township, village, name = (
            cell(row, "code"),
            cell(row, "township"),
            cell(row, "village"),
            cell(row, "name"),
        )
        area_id: int | None = None
        if code:
            digits = re.sub(r"\D", "", code)
            area_id = by_code.get(digits.ljust(12, "0")[:12]) if 6 <= len(digits) <= 12 else None
            if area_id is None:
                result.rejected.append((number, f"区划代码“{code}”不在区划中"))
                continue
        else:
            wanted = village or name or township
            if not wanted:
                result.rejected.append((number, "没有区划代码或名称"))
                continue
            found = by_name.get(wanted, [])
            if village and township:
                found = [a for a in found if names.get(a.parent_id) == township]
            if len(found) != 1:
                where = f"{township}{village}" if village and township else wanted
                result.rejected.append(
                    (number, f"找不到“{where}”" if not found else f"“{where}”不止一个，请写区划代码")
                )
                continue
            area_id = found[0].id
        text = cell(row, "population").replace(",", "")
        try:
            n = int(float(text))
        except ValueError:
            result.rejected.append((number, f"农村人口“{text}”不是数字" if text else "没有填写农村人口"))
            continue
        if n < 0:
            result.rejected.append((number, "农村人口不能为负数"))
            continue
        year_text = cell(row, "year").removesuffix("年")
        try:
            row_year = int(float(year_text)) if year_text else (year or current_year())
        except ValueError:
            result.rejected.append((number, f"年度“{year_text}”不正确"))
            continue
        if (area_id, row_year) in seen:
            result.rejected.append((number, f"与第{seen[area_id, row_year]}行重复"))
            continue
        seen[area_id, row_year] = number
        try:
            set_population(session, area_id, row_year, n)
        except RuleViolation as exc:
            result.rejected.append((number, str(exc)))
            continue
        result.written += 1
    return result
