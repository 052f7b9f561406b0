"""An Excel list of areas (统计用区划代码表, or 乡镇/村/组 columns) read into the area tree, in one transaction.

Two shapes are read, with the header in the first rows:
- 区划代码 + 区划名称: one area per row, its level and parent from the 12-digit code (a county ends in 000000,
  a township in 000);
- 乡镇 / 行政村 / 村民小组 columns (names), with an optional 区划代码 of the deepest area named on the row.
The roster reader's header detection wants three known columns, more than a two-column list has, so the header is
found here; the workbook is read with python-calamine as the roster reader does.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine
from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk import areas
from povdesk.db import Database
from povdesk.files import os_error_text
from povdesk.model import Area

HEADERS = {
    "code": ("区划代码", "统计用区划代码", "行政区划代码", "代码", "编码", "区划编码"),
    "name": ("区划名称", "名称", "单位名称", "区划"),
    "county": ("县", "县（市、区）", "县区", "县名称"),
    "township": ("乡镇", "乡（镇）", "乡镇（街道）", "乡（镇、街道）", "乡镇名称"),
    "village": ("行政村", "村", "村（社区）", "村名称", "村委会"),
    "group": ("村民小组", "组", "小组", "自然村", "村民小组名称"),
}
_LOOKUP = {re.sub(r"\s", "", text).replace("(", "（").replace(")", "）"): key for key, texts in HEADERS.items()
           for text in texts}  # fmt: skip
HEADER_SCAN = 10


@dataclass(frozen=True)
class AreaImportResult:
    added: int
    existing: int


def _key(cell: object) -> str | None:
    text = re.sub(r"\s", "", str(cell or "")).replace("(", "（").replace(")", "）")
    return _LOOKUP.get(text)


def _text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell if cell is not None else "").strip()


def read_rows(path: str | os.PathLike) -> tuple[dict[str, int], list[tuple[int, list]]]:
    """The column of each field and the rows under the header as (Excel row number, cells)."""
    path = Path(path)
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except OSError as exc:
        raise areas.AreaError(f"无法读取“{path.name}”：{os_error_text(exc)}") from None
    except Exception:  # calamine reports a damaged or foreign file in several ways
        raise areas.AreaError(f"无法读取“{path.name}”：不是有效的 Excel 文件，或文件已损坏") from None
    for r, row in enumerate(rows[:HEADER_SCAN]):
        mapping: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = _key(cell)
            if key and key not in mapping:
                mapping[key] = c
        if "name" in mapping or {"township", "village"} & set(mapping):
            return mapping, [(r + 1 + i + 1, list(data)) for i, data in enumerate(rows[r + 1 :])]
    raise areas.AreaError(
        f"在“{path.name}”的前{HEADER_SCAN}行中找不到区划表头：应有“区划代码”“区划名称”两列，或“乡镇”“行政村”“村民小组”列"
    )


def _level_of_code(code: str) -> str:
    return "county" if code.endswith("000000") else "township" if code.endswith("000") else "village"


class _Builder:
    def __init__(self, session: Session, user: str) -> None:
        self.session = session
        self.user = user
        self.added = 0
        self.existing = 0
        self.by_code = dict(session.execute(select(Area.code, Area.id).where(Area.code.is_not(None))).all())

    def child(self, parent_id: int | None, name: str, code: str | None, row: int) -> int:
        """The area named `name` under `parent_id`, created if missing."""
        parent_clause = Area.parent_id.is_(None) if parent_id is None else Area.parent_id == parent_id
        found = self.session.execute(select(Area).where(parent_clause, Area.name == name)).scalars().first()
        if found is not None:
            self.existing += 1
            if code and not found.code:
                areas.set_code(self.session, found.id, code, user=self.user)
            return found.id
        try:
            area = areas.add_area(self.session, parent_id, name, code=code or None, user=self.user)
        except areas.AreaError as exc:
            raise areas.AreaError(f"第{row}行：{exc}") from None
        self.added += 1
        if area.code:
            self.by_code[area.code] = area.id
        return area.id


def import_areas(
    db: Database, path: str | os.PathLike, *, county: str | None = None, user: str = ""
) -> AreaImportResult:
    """Add the areas of the list that are not there yet (matched by name under the same parent); all or nothing.

    `county`: the county to put townships under when the list has no county row or column (a new one if needed)."""
    mapping, rows = read_rows(path)
    with db.transaction() as session:
        builder = _Builder(session, user)
        by_names = any(key in mapping for key in ("township", "village", "group"))
        default_county: int | None = None

        def county_id(row: int, name: str | None) -> int:
            nonlocal default_county
            if name:
                return builder.child(None, name, None, row)
            if default_county is None:
                first = session.execute(select(Area.id, Area.name).where(Area.parent_id.is_(None))).first()
                if county is None and first is not None:
                    default_county = first.id
                else:
                    default_county = builder.child(None, county or "本县", None, row)
            return default_county

        for row, cells in rows:

            def cell(key: str, cells: list = cells) -> str:
                col = mapping.get(key)
                return _text(cells[col]) if col is not None and col < len(cells) else ""

            code = cell("code")
            if by_names:
                names = [cell(key) for key in ("township", "village", "group")]
                if not any(names):
                    continue
                parent = county_id(row, cell("county"))
                deepest = max(i for i, name in enumerate(names) if name)
                for i, name in enumerate(names):
                    if not name:
                        if i < deepest:
                            raise areas.AreaError(f"第{row}行：缺少上级区划名称")
                        break
                    parent = builder.child(parent, name, code if i == deepest else None, row)
                continue
            name = cell("name")
            if not name and not code:
                continue
            if not name:
                raise areas.AreaError(f"第{row}行：缺少区划名称")
            if not code:
                raise areas.AreaError(f"第{row}行：“{name}”缺少区划代码，无法确定它的上级")
            code = areas.check_code(code, _level_of_code(code)) if len(code) == 12 else code
            level = _level_of_code(code) if code and code.isdigit() and len(code) == 12 else None
            if level is None:
                raise areas.AreaError(f"第{row}行：区划代码“{code}”应为12位数字")
            if level == "county":
                builder.child(None, name, code, row)
                continue
            parent_code = code[:6] + "000000" if level == "township" else code[:9] + "000"
            parent = builder.by_code.get(parent_code)
            if parent is None and level == "township":
                parent = county_id(row, None)
            if parent is None:
                raise areas.AreaError(f"第{row}行：找不到“{name}”的上级（代码 {parent_code}），请把上级写在它前面")
            builder.child(parent, name, code, row)
    return AreaImportResult(builder.added, builder.existing)
