"""A cadre's home area: the township of a township cadre, from a 乡镇 column or a unit such as 某某镇人民政府 /
某某乡党委; the village of a village cadre, from a unit such as 某某村委会. Names are matched against the area table."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk.model import Area

# What follows a township's name in the name of its government or party organs (not its schools or clinics)
TOWNSHIP_ORGANS = ("人民政府", "政府", "党委", "委员会", "人大", "人民代表大会", "纪委", "机关", "办事处", "党工委",
                   "党政办", "党政综合办", "综合办")  # fmt: skip
# … and a village's name in the name of its committees
VILLAGE_ORGANS = ("委会", "村委", "村民委员会", "委员会", "党支部", "党总支", "支部", "两委", "居委会", "居民委员会")
_PARTY = ("中国共产党", "中共")
_TOWNSHIP_SUFFIXES = ("民族乡", "街道办事处", "街道", "镇", "乡")


def _clean(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _mentions(name: str, places: Iterable[str]) -> Iterator[tuple[str, str, str]]:
    """(place, the text before it, the text after it) for each place `name` mentions, at its first mention."""
    for place in places:
        at = name.find(place)
        if at >= 0:
            yield place, name[:at], name[at + len(place) :]


def _stem(name: str) -> str:
    """里耶镇 → 里耶: how a 乡镇 cell may name a township without its suffix."""
    for suffix in _TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass
class Home:
    """Where a cadre works: `area_id` (the cadre's home area), `unit_township_id` (the township whose government the
    unit is, for HelpingUnit.township_id) and the warnings to give on the row."""

    area_id: int | None = None
    unit_township_id: int | None = None
    township_id: int | None = None
    warnings: list[str] = field(default_factory=list)


class Homes:
    """Townships and villages by name, from one read of the area table."""

    def __init__(self, session: Session) -> None:
        self.townships: dict[str, list[int]] = {}
        self.stems: dict[str, list[int]] = {}
        self.villages: dict[str, list[tuple[int, int | None]]] = {}  # name → (village id, township id)
        self.names: dict[int, str] = {}
        counties: list[str] = []
        query = select(Area.id, Area.parent_id, Area.level, Area.name).where(
            Area.level.in_(("county", "township", "village"))
        )
        for area_id, parent_id, level, name in session.execute(query):
            self.names[area_id] = name
            if level == "county":
                counties.append(name)
            elif level == "township":
                self.townships.setdefault(name, []).append(area_id)
                self.stems.setdefault(_stem(name), []).append(area_id)
            else:
                self.villages.setdefault(name, []).append((area_id, parent_id))
        self.counties = sorted(counties, key=len, reverse=True)
        self.township_names = sorted(self.townships, key=len, reverse=True)
        self.village_names = sorted(self.villages, key=len, reverse=True)

    # -- names -----------------------------------------------------------------------------------------------------
    def township(self, text: str) -> int | str:
        """The township a 乡镇 cell names (里耶镇, or 里耶); a string says why none is taken."""
        name = _clean(text)
        for county in self.counties:  # 龙山县里耶镇
            if name.startswith(county) and len(name) > len(county):
                name = name[len(county) :]
                break
        found = self.townships.get(name) or self.stems.get(_stem(name)) or []
        if len(found) == 1:
            return found[0]
        if found:
            return f"乡镇“{text}”不止一个，无法确定是哪一个"
        return f"库中没有乡镇“{text}”"

    def _bare(self, prefix: str, township_ids: tuple[int, ...] = ()) -> bool:
        """Whether the text before a name is only a party prefix, a county and (before a village) its township."""
        for party in _PARTY:
            prefix = prefix.removeprefix(party)
        for county in self.counties:
            if prefix.startswith(county):
                prefix = prefix[len(county) :]
                break
        for township_id in township_ids:
            prefix = prefix.removeprefix(self.names.get(township_id, "\0"))
        return not prefix

    def unit_township(self, unit: str) -> int | None:
        """The township whose government or party committee a unit is: 里耶镇人民政府, 中共里耶镇委员会, 里耶镇党委,
        里耶镇 → 里耶镇; 里耶镇中心小学 → None (a school in the township is not its government)."""
        name = _clean(unit)
        for township, before, rest in _mentions(name, self.township_names):
            if self._bare(before) and (not rest or rest.startswith(TOWNSHIP_ORGANS)):
                found = self.townships[township]
                return found[0] if len(found) == 1 else None
        return None

    def unit_village(self, unit: str, township_id: int | None) -> int | str | None:
        """The village whose committee a unit is (长春村委会, 里耶镇长春村党支部), within `township_id` when known; a
        string says why none is taken, None: the unit names no village."""
        name = _clean(unit)
        for village, before, rest in _mentions(name, self.village_names):
            candidates = self.villages[village]
            if township_id is not None:
                candidates = [c for c in candidates if c[1] == township_id]
            parents = tuple({parent for _, parent in candidates if parent is not None})
            if not candidates or not self._bare(before, parents):
                continue
            if rest and not rest.startswith(VILLAGE_ORGANS):
                continue
            in_prefix = [c for c in candidates if self.names.get(c[1] or 0, "\0") in before]
            candidates = in_prefix or candidates
            if len(candidates) == 1:
                return candidates[0][0]
            return f"行政村“{village}”不止一个，请在“乡镇”列填写它所在的乡镇"
        return None

    # -- a cadre ---------------------------------------------------------------------------------------------------
    def home(self, *, rank: str | None, township: str | None, unit: str | None) -> Home:
        """A cadre's home area from the 乡镇 cell and the unit: a township found either way is the home of a township
        cadre (and of any cadre of a township government); a village cadre's home is the village its unit names."""
        home = Home()
        if unit:
            home.unit_township_id = self.unit_township(unit)
        home.township_id = home.unit_township_id
        if township:
            found = self.township(township)
            if isinstance(found, str):
                home.warnings.append(f"{found}，未设定所在乡镇")
                found = None
            elif home.unit_township_id is not None and found != home.unit_township_id:
                home.warnings.append(f"乡镇“{township}”与工作单位“{unit}”所在的乡镇不一致，以乡镇列为准")
            home.township_id = found
        home.area_id = home.township_id
        if rank == "village":
            village = self.unit_village(unit, home.township_id) if unit else None
            if isinstance(village, int):
                home.area_id = village
            else:
                why = village or (f"工作单位“{unit}”中找不到行政村名称" if unit else "没有填写工作单位")
                home.warnings.append(f"职级为村干部，但{why}，未设定所在行政村；请把工作单位写作“某某村委会”")
        elif rank == "township" and home.township_id is None and not home.warnings:
            where = f"工作单位“{unit}”中也找不到乡镇名称" if unit else "也没有填写工作单位"
            home.warnings.append(f"职级为乡镇干部，但没有填写乡镇，{where}，未设定所在乡镇，自动结对不会给他分配本乡镇的户；"
                                 "请补填“乡镇”列")  # fmt: skip
        return home
