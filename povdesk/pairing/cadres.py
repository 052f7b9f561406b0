"""Cadres (帮扶干部): the list a county of 70,000 cadres searches by name, pinyin or ID number, and the edit rules.

The list works like the household list: `cadre_ids()` filters and sorts in SQL and returns the ordered ids;
`fetch_rows()` reads one page of rows, with each cadre's current load and quota under the county's scheme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from povdesk import codes, idnumber
from povdesk.errors import NotFound, PovDeskError
from povdesk.model import Area, Cadre, HelpingUnit, Pairing
from povdesk.names import pinyin_keys
from povdesk.pairing.coverage import load_of
from povdesk.pairing.schemes import Scheme, current_scheme

_ID_LIKE = re.compile(r"^[0-9xX]{4,18}$")
_LETTERS = re.compile(r"^[a-zA-Z]+$")
SORTS = ("name", "rank", "unit", "load")
_NAME_LENGTH = Cadre.__table__.c.name.type.length


@dataclass(frozen=True)
class CadreQuery:
    text: str = ""  # name (张建 finds 张建国), pinyin initials (zjg), full pinyin (zhangjianguo), ID number or phone
    unit_id: int | None = None
    rank: str | None = None  # codes.CADRE_RANK
    active: bool | None = True  # None: active and inactive
    sort: str = "name"  # one of SORTS
    descending: bool = False

    def with_(self, **changes) -> CadreQuery:
        return replace(self, **changes)


@dataclass(frozen=True)
class CadreRow:
    id: int
    name: str
    sex: str | None
    rank: str
    unit_id: int | None
    unit: str
    position: str
    phone: str
    home_area: str
    active: bool
    id_number: str | None
    political_status: str
    load: int  # households helped today
    quota: int | None  # under the current scheme: 0 takes none, None no cap (township cadres, 兜底)

    @property
    def rank_label(self) -> str:
        return codes.CADRE_RANK.label_of(self.rank) if self.rank in codes.CADRE_RANK else self.rank

    @property
    def load_text(self) -> str:
        """The load column, "2 / 3": current households / quota ("兜底" without a cap)."""
        quota = "兜底" if self.quota is None else "不结对" if self.quota == 0 else self.quota
        return f"{self.load} / {quota}"

    @property
    def over_quota(self) -> bool:
        return self.quota is not None and self.load > self.quota


@dataclass
class CadreDraft:
    """A cadre as the edit dialog holds it."""

    name: str = ""
    sex: str | None = None
    id_number: str = ""
    unit_id: int | None = None
    position: str = ""
    rank: str = "general"
    phone: str = ""
    political_status: str = ""
    home_area_id: int | None = None
    active: bool = True


def _prefix(column, text: str):
    """`column LIKE 'text%'` as a range, so that the column's index (where there is one) serves."""
    return and_(column >= text, column < text + "\U0010ffff")


def _initials(pinyin: str) -> str:
    return "".join(s[0] for s in pinyin.split() if s)


def _search(text: str, *, substring: bool = False):
    """The SQL condition for a search; letters also need `_refine` (the pinyin column has no initials of its own)."""
    if _ID_LIKE.match(text):
        return _prefix(Cadre.id_number, idnumber.normalize(text)) | Cadre.phone.contains(text, autoescape=True)
    if _LETTERS.match(text):
        letters = text.lower()
        # "zjg": syllables starting z, j, g ("z% j% g%" also lets through a few names the refinement drops)
        cond = Cadre.name_pinyin.like(" ".join(f"{ch}%" for ch in letters))
        if len(letters) > 1:
            cond = cond | func.replace(Cadre.name_pinyin, " ", "").like(f"{letters}%")
        return cond
    return Cadre.name.contains(text, autoescape=True) if substring else _prefix(Cadre.name, text)


def _refine(text: str, pinyin: str) -> bool:
    letters = text.lower()
    return _initials(pinyin).startswith(letters) or pinyin.replace(" ", "").startswith(letters)


def _filtered(query: CadreQuery, text: str, *, substring: bool = False) -> Select:
    stmt = select(Cadre.id, Cadre.name_pinyin)
    if text:
        stmt = stmt.where(_search(text, substring=substring))
    if query.unit_id is not None:
        stmt = stmt.where(Cadre.unit_id == query.unit_id)
    if query.rank:
        stmt = stmt.where(Cadre.rank == query.rank)
    if query.active is not None:
        stmt = stmt.where(Cadre.active.is_(query.active))
    return stmt


def _ordered(stmt: Select, query: CadreQuery) -> Select:
    def way(column):
        return column.desc() if query.descending else column.asc()

    name_order = (way(Cadre.name_pinyin), way(Cadre.name), way(Cadre.id))
    if query.sort == "rank":
        ranks = codes.CADRE_RANK.codes
        rank_order = case({code: i for i, code in enumerate(ranks)}, value=Cadre.rank, else_=len(ranks))
        return stmt.order_by(way(rank_order), *name_order)
    if query.sort == "unit":
        unit = aliased(HelpingUnit)
        stmt = stmt.join(unit, unit.id == Cadre.unit_id, isouter=True)
        return stmt.order_by(way(func.coalesce(unit.name, "")), *name_order)
    if query.sort == "load":
        loads = (
            select(Pairing.cadre_id, func.count().label("n"))
            .where(Pairing.end_on.is_(None))
            .group_by(Pairing.cadre_id)
            .subquery()
        )
        stmt = stmt.join(loads, loads.c.cadre_id == Cadre.id, isouter=True)
        return stmt.order_by(way(func.coalesce(loads.c.n, 0)), *name_order)
    return stmt.order_by(*name_order)


def cadre_ids(session: Session, query: CadreQuery) -> list[int]:
    """The ordered ids of every cadre matching the query."""
    text = query.text.strip().replace(" ", "")
    rows = session.execute(_ordered(_filtered(query, text), query)).all()
    if text and _LETTERS.match(text):
        return [cadre_id for cadre_id, pinyin in rows if _refine(text, pinyin or "")]
    if not rows and text and not _ID_LIKE.match(text):
        rows = session.execute(_ordered(_filtered(query, text, substring=True), query)).all()  # 建国 finds 张建国
    return [cadre_id for cadre_id, _pinyin in rows]


def _scheme(session: Session) -> Scheme | None:
    try:
        return current_scheme(session)
    except NotFound:
        return None


def fetch_rows(session: Session, ids: list[int]) -> dict[int, CadreRow]:
    """The rows of these cadres, with their load today and their quota under the county's scheme."""
    if not ids:
        return {}
    scheme = _scheme(session)
    home, parent = aliased(Area), aliased(Area)
    rows = session.execute(
        select(Cadre, HelpingUnit.name, home.name, home.level, parent.name)
        .join(HelpingUnit, HelpingUnit.id == Cadre.unit_id, isouter=True)
        .join(home, home.id == Cadre.home_area_id, isouter=True)
        .join(parent, parent.id == home.parent_id, isouter=True)
        .where(Cadre.id.in_(ids))
    ).all()
    loads = load_of(session, ids)
    result = {}
    for cadre, unit, area, level, parent_name in rows:
        place = f"{parent_name or ''}{area}" if level in ("village", "group") else (area or "")
        result[cadre.id] = CadreRow(
            cadre.id, cadre.name, cadre.sex, cadre.rank, cadre.unit_id, unit or "", cadre.position or "",
            cadre.phone or "", place, bool(cadre.active), cadre.id_number, cadre.political_status or "",
            loads.get(cadre.id, 0), scheme.capacity(cadre.rank) if scheme else None,
        )  # fmt: skip
    return result


def search(session: Session, text: str, *, limit: int = 50, active_only: bool = True) -> list[CadreRow]:
    """The first cadres matching `text`, for pickers (teams, visits, reassignment)."""
    ids = cadre_ids(session, CadreQuery(text=text, active=True if active_only else None))[:limit]
    rows = fetch_rows(session, ids)
    return [rows[i] for i in ids if i in rows]


def get_row(session: Session, cadre_id: int) -> CadreRow:
    row = fetch_rows(session, [cadre_id]).get(cadre_id)
    if row is None:
        raise NotFound("该干部不存在，可能已被他人删除")
    return row


def load_draft(session: Session, cadre_id: int) -> CadreDraft:
    cadre = session.get(Cadre, cadre_id)
    if cadre is None:
        raise NotFound("该干部不存在，可能已被他人删除")
    return CadreDraft(cadre.name, cadre.sex, cadre.id_number or "", cadre.unit_id, cadre.position or "", cadre.rank,
                      cadre.phone or "", cadre.political_status or "", cadre.home_area_id, bool(cadre.active))  # fmt: skip


def _check(session: Session, draft: CadreDraft, cadre_id: int | None) -> CadreDraft:
    """The draft as it will be stored, or a PovDeskError saying what is wrong (one thing at a time)."""
    name = "".join(draft.name.split())
    if not name:
        raise PovDeskError("请填写干部姓名")
    if len(name) > _NAME_LENGTH:
        raise PovDeskError(f"姓名“{name}”太长（最多{_NAME_LENGTH}个字）")
    if draft.rank not in codes.CADRE_RANK:
        raise PovDeskError("请选择干部级别（县级领导、科级干部、一般干部、乡镇干部或村干部）")
    if draft.sex is not None and draft.sex not in codes.SEX:
        raise PovDeskError(f"未知的性别“{draft.sex}”")
    sex, number = draft.sex, None
    if draft.id_number.strip():
        info = idnumber.parse(draft.id_number)  # InvalidIdNumber says what is wrong
        number = info.number
        if sex is None:
            sex = info.sex
        elif sex != info.sex:
            raise PovDeskError(
                f"性别与身份证号不符：身份证号“{idnumber.mask(number)}”为{codes.SEX.label_of(info.sex)}性"
            )
        other = session.execute(
            select(Cadre.id, Cadre.name).where(Cadre.id_number == number, Cadre.id != (cadre_id or 0))
        ).first()
        if other is not None:
            raise PovDeskError(f"身份证号“{idnumber.mask(number)}”已登记为干部{other.name}，同一人不能登记两次")
    unit = session.get(HelpingUnit, draft.unit_id) if draft.unit_id is not None else None
    if draft.unit_id is not None and unit is None:
        raise PovDeskError("所选工作单位不存在，可能已被他人删除")
    home_id = draft.home_area_id
    if home_id is None and draft.rank == "township" and unit is not None:
        home_id = unit.township_id  # 某某镇人民政府: the township it governs
    wanted = {"township": "township", "village": "village"}.get(draft.rank)
    if wanted is not None:
        home = session.get(Area, home_id) if home_id is not None else None
        if home is None or home.level != wanted:
            what = "乡镇" if wanted == "township" else "村"
            raise PovDeskError(
                f"{codes.CADRE_RANK.label_of(draft.rank)}请选择所在{what}：自动结对只在其所在{what}内安排"
            )
    phone = draft.phone.strip()
    if len(phone) > Cadre.__table__.c.phone.type.length:
        raise PovDeskError(f"联系电话“{phone}”太长")
    return replace(draft, name=name, sex=sex, id_number=number or "", phone=phone, home_area_id=home_id,
                   position=draft.position.strip(), political_status=draft.political_status.strip())  # fmt: skip


def check(session: Session, draft: CadreDraft, cadre_id: int | None = None) -> None:
    """Raise what is wrong with the draft, without saving (the dialog validates before it accepts)."""
    _check(session, draft, cadre_id)


def save_cadre(session: Session, draft: CadreDraft, cadre_id: int | None = None) -> Cadre:
    """Add a cadre (cadre_id None) or change one; the pinyin key follows the name."""
    clean = _check(session, draft, cadre_id)
    if cadre_id is None:
        cadre = Cadre()
        session.add(cadre)
    else:
        cadre = session.get(Cadre, cadre_id)
        if cadre is None:
            raise NotFound("该干部不存在，可能已被他人删除")
    cadre.name, cadre.name_pinyin = clean.name, pinyin_keys(clean.name)[0]
    cadre.sex, cadre.id_number = clean.sex, clean.id_number or None
    cadre.unit_id, cadre.rank = clean.unit_id, clean.rank
    cadre.position, cadre.phone = clean.position or None, clean.phone or None
    cadre.political_status, cadre.home_area_id = clean.political_status or None, clean.home_area_id
    cadre.active = clean.active
    session.flush()
    return cadre


def set_active(session: Session, cadre_id: int, active: bool) -> int:
    """Deactivate (or reactivate) a cadre; returns how many households they still help today.

    An inactive cadre takes no new households; the pairings they have are ended by the reassignment screen, which
    also re-pairs those households — deactivating alone never leaves a household without a helper."""
    cadre = session.get(Cadre, cadre_id)
    if cadre is None:
        raise NotFound("该干部不存在，可能已被他人删除")
    cadre.active = active
    session.flush()
    return load_of(session, [cadre_id]).get(cadre_id, 0)


def unit_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every unit, for filters and the edit dialog."""
    return [(i, n) for i, n in session.execute(select(HelpingUnit.id, HelpingUnit.name).order_by(HelpingUnit.name))]


def count(session: Session, *, active: bool | None = True) -> int:
    stmt = select(func.count()).select_from(Cadre)
    if active is not None:
        stmt = stmt.where(Cadre.active.is_(active))
    return session.scalar(stmt)
