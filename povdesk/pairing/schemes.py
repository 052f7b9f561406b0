"""Pairing schemes ("321", "532", "54321"…): households per cadre of each rank, and which scheme the county uses."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from povdesk import codes, office_settings
from povdesk.errors import NotFound, PovDeskError
from povdesk.model import PairingQuota, PairingScheme

SCHEME_SETTING = "pairing.scheme"
DEFAULT_SCHEME = "321"
CATCH_ALL_RANK = "township"  # township cadres take every household left in their own township (兜底)


@dataclass(frozen=True)
class Scheme:
    id: int
    name: str
    quotas: dict[str, int | None]  # rank → households per cadre; township None: the rest of its township
    note: str | None = None

    def capacity(self, rank: str) -> int | None:
        """Households a cadre of `rank` may take: 0 none (the rank is not in the table), None no cap (兜底)."""
        if rank not in self.quotas:
            return 0
        quota = self.quotas[rank]
        if quota is None:
            return None if rank == CATCH_ALL_RANK else 0
        return quota

    def describe(self) -> str:
        """ "县级领导3户、科级干部2户、一般干部1户、乡镇干部兜底" for the clerk."""
        parts = []
        for rank in codes.CADRE_RANK.codes:
            if rank in self.quotas:
                quota = self.quotas[rank]
                label = codes.CADRE_RANK.label_of(rank)
                parts.append(f"{label}兜底" if quota is None else f"{label}{quota}户")
        return "、".join(parts)


def _scheme(row: PairingScheme) -> Scheme:
    return Scheme(row.id, row.name, {q.rank: q.households for q in row.quotas}, row.note)


def list_schemes(session: Session) -> list[Scheme]:
    rows = session.scalars(select(PairingScheme).options(selectinload(PairingScheme.quotas)).order_by(PairingScheme.id))
    return [_scheme(row) for row in rows]


def current_name(session: Session) -> str:
    stored = office_settings.read(session, SCHEME_SETTING)
    return json.loads(stored) if stored is not None else DEFAULT_SCHEME


def current_scheme(session: Session, name: str | None = None) -> Scheme:
    """The scheme of that name, or the one the county uses (the setting "pairing.scheme", "321" by default)."""
    wanted = (name or current_name(session)).strip()
    for scheme in list_schemes(session):
        if scheme.name == wanted:
            return scheme
    known = "、".join(s.name for s in list_schemes(session)) or "无"
    raise NotFound(f"没有名为“{wanted}”的结对方案。现有方案：{known}")


def set_current(session: Session, name: str) -> None:
    scheme = current_scheme(session, name)
    office_settings.write(session, SCHEME_SETTING, json.dumps(scheme.name, ensure_ascii=False))


def validate(name: str, quotas: dict[str, int | None]) -> None:
    if not name.strip():
        raise PovDeskError("结对方案必须有名称")
    for rank, quota in quotas.items():
        if rank not in codes.CADRE_RANK:
            raise PovDeskError(f"未知的干部级别“{rank}”")
        if quota is None and rank != CATCH_ALL_RANK:
            raise PovDeskError(f"{codes.CADRE_RANK.label_of(rank)}必须填写每人结对户数；只有乡镇干部可以“兜底”不设上限")
        if quota is not None and not 1 <= quota <= 100:
            raise PovDeskError(f"{codes.CADRE_RANK.label_of(rank)}每人结对户数应在 1 到 100 之间（填写的是 {quota}）")
    if not quotas:
        raise PovDeskError("结对方案至少要有一个干部级别")


def save_scheme(session: Session, name: str, quotas: dict[str, int | None], note: str | None = None) -> Scheme:
    """Create the scheme, or replace the table of the scheme of that name."""
    validate(name, quotas)
    row = session.scalar(select(PairingScheme).where(PairingScheme.name == name.strip()))
    if row is None:
        row = PairingScheme(name=name.strip())
        session.add(row)
    row.note = note
    row.quotas = [PairingQuota(rank=rank, households=quota) for rank, quota in quotas.items()]
    session.flush()
    return _scheme(row)


def delete_scheme(session: Session, name: str) -> None:
    if name == current_name(session):
        raise PovDeskError(f"“{name}”是正在使用的结对方案，不能删除；请先选用其他方案")
    row = session.scalar(select(PairingScheme).where(PairingScheme.name == name))
    if row is not None:
        session.delete(row)
        session.flush()
