"""Importing the pairings an office already made by hand (帮扶责任人结对表) in one transaction: each row names a
household and its helper, with 帮扶开始时间 / 帮扶结束时间; ended rows become history, a current row replaces the
household's current helper. Row-level reasons with Excel row numbers, dry run; importing the same sheet again changes
nothing."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from povdesk import history
from povdesk.db import Database
from povdesk.model import Cadre, Pairing
from povdesk.pairing.columns import PAIRING_FIELDS, PAIRINGS, Row, Sheet, SheetImportResult, import_transaction
from povdesk.progress import Progress
from povdesk.roster.reader import MissingColumns
from povdesk.roster.store import LOOKUP_BATCH, Cadres, Ids, households_by_number, members_by_id_number, registered_heads

CHUNK_ROWS = 1024


@dataclass
class PairingImportResult(SheetImportResult):
    """`added`: pairings created (current and ended); `updated`: pairings whose dates the sheet corrected or ended;
    `ended`: current pairings ended because the sheet names another current helper; `cadres_added`: helpers new to
    the registry, registered as cadres."""

    ended: int = 0
    cadres_added: int = 0

    def to_json(self) -> dict:
        return {**super().to_json(), "ended": self.ended, "cadres_added": self.cadres_added}

    def summary(self) -> str:
        done = "预检完成（未写入数据库）：将" if self.dry_run else "导入完成："
        return (f"{done}新增结对 {self.added} 条，更新 {self.updated} 条，更换帮扶责任人 {self.ended} 户，"
                f"新登记帮扶干部 {self.cadres_added} 人。被拒绝 {len(self.rejected)} 行，"
                f"提示 {len(self.warnings)} 条。")  # fmt: skip


@dataclass
class _Pair:
    """A checked row: the household, the helper and the dates it gives."""

    row: Row
    household_id: int
    cadre_id: int
    helper: str
    start: dt.date
    end: dt.date | None
    explicit_start: bool


class _Run:
    def __init__(self, session: Session, sheet: Sheet, result: PairingImportResult, *, user: str,
                 today: dt.date) -> None:  # fmt: skip
        self.s = session
        self.sheet = sheet
        self.result = result
        self.user = user
        self.today = today
        self.reason = f"结对表导入：{sheet.roster.path.name}"
        self.cadres = Cadres(session, Ids(session))
        self.by_id_number: dict[str, tuple[int, str]] = {
            number: (cadre_id, name)
            for cadre_id, name, number in session.execute(select(Cadre.id, Cadre.name, Cadre.id_number))
            if number
        }
        self.id_number_of: dict[int, str | None] = {}  # cadres found by name, and the ID number they hold

    # -- pass 1: check each row, find its household and its helper --------------------------------------------------
    def check(self, rows: list[Row]) -> list[_Pair]:
        result, label = self.result, self.sheet.label
        good: list[Row] = []
        for row in rows:
            for note in row.notes:
                result.warn(row.number, note)
            reasons = list(row.errors)
            if row.get("helper_name") is None and "helper_name" not in row.failed:
                reasons.insert(0, f"{label('helper_name')}：缺少帮扶责任人姓名")
            if (
                row.get("household_number") is None
                and row.get("head_id_number") is None
                and not (row.failed & {"household_number", "head_id_number"})
            ):
                reasons.insert(0, "缺少户编号和户主证件号码，无法确定是哪一户")
            start, end = row.get("start"), row.get("end")
            if end is not None and start is None and "start" not in row.failed:
                reasons.append(f"填写了{label('end')}，但没有{label('start')}")
            elif end is not None and start is not None and end < start:
                reasons.append(f"{label('end')}{end:%Y年%m月%d日}早于{label('start')}{start:%Y年%m月%d日}")
            if reasons:
                result.reject(row, "；".join(reasons))
            else:
                good.append(row)
        numbers = sorted({r.get("household_number") for r in good if r.get("household_number")})
        households = {number: h.id for number, h in households_by_number(self.s, numbers).items()}
        heads = sorted({r.get("head_id_number").number for r in good if r.get("head_id_number")})
        members = {number: m.household_id for number, m in members_by_id_number(self.s, heads).items()}
        registered = registered_heads(self.s, sorted({*households.values(), *members.values()}))
        pairs = []
        for row in good:
            household_id = self._household(row, households, members, registered)
            if household_id is None:
                continue
            cadre_id = self._helper(row)
            if cadre_id is None:
                continue
            start = row.get("start")
            if start is None:
                result.warn(row.number, f"未填写{label('start')}，已按导入当天（{self.today:%Y年%m月%d日}）记为开始时间",
                            f"{label('start')}未填写")  # fmt: skip
            pairs.append(_Pair(row, household_id, cadre_id, row.get("helper_name"), start or self.today, row.get("end"),
                               start is not None))  # fmt: skip
        self.result.cadres_added = len(self.cadres.new)
        self.cadres.insert_new()
        return pairs

    def _household(self, row: Row, households: dict, members: dict, registered: dict) -> int | None:
        number, head = row.get("household_number"), row.get("head_id_number")
        by_number = households.get(number) if number else None
        by_head = members.get(head.number) if head else None
        if number and by_number is None:
            self.result.reject(row, f"户编号{number}不在库中，请先导入该户的花名册")
            return None
        if head and by_head is None and by_number is None:
            self.result.reject(row, f"户主证件号码{head.number}不在库中，请先导入该户的花名册")
            return None
        if by_number is not None and by_head is not None and by_number != by_head:
            self.result.reject(row, f"户主证件号码{head.number}属于另一户，与户编号{number}不符，请核对")
            return None
        household_id = by_number if by_number is not None else by_head
        name, (_, registered_name) = row.get("head_name"), registered.get(household_id, (None, None))
        if name and registered_name and name != registered_name:
            self.result.warn(row.number, f"户主姓名填写为“{name}”，库中该户户主是“{registered_name}”，"
                                         f"已按{'户编号' if by_number is not None else '户主证件号码'}导入")  # fmt: skip
        return household_id

    def _helper(self, row: Row) -> int | None:
        """The helper's cadre: by ID number when given, else by name with phone or unit (povdesk.roster.store.Cadres,
        as a household roster names helpers); one the registry does not know is registered as a cadre."""
        name, person = row.get("helper_name"), row.get("helper_id_number")
        if person is not None and person.number in self.by_id_number:
            cadre_id, registered = self.by_id_number[person.number]
            if registered != name:
                self.result.warn(row.number, f"帮扶责任人身份证号{person.number}登记的姓名是“{registered}”，"
                                             f"表中写作“{name}”，已按身份证号确定帮扶责任人")  # fmt: skip
            return cadre_id
        new = len(self.cadres.new)
        cadre_id = self.cadres.find_or_add(name, row.get("helper_unit"), row.get("helper_phone"),
                                           row.get("helper_rank"), row.number, self.result.warn)  # fmt: skip
        if person is None:
            return cadre_id
        if len(self.cadres.new) > new:  # registered just now: with the ID number the sheet gives
            self.cadres.new[-1].update(id_number=person.number, sex=person.sex)
        else:
            if cadre_id not in self.id_number_of:
                self.id_number_of[cadre_id] = self.s.scalar(select(Cadre.id_number).where(Cadre.id == cadre_id))
            held = self.id_number_of[cadre_id]
            if held is not None and held != person.number:
                self.result.reject(row, f"帮扶责任人“{name}”在库中登记的身份证号是{held}，与表中的{person.number}不同，"
                                        "请核对是否同名的另一人")  # fmt: skip
                return None
            if held is None:  # a helper registered by name (a household roster): now with the ID number given
                self.s.execute(update(Cadre).where(Cadre.id == cadre_id).values(id_number=person.number))
                self.id_number_of[cadre_id] = person.number
        self.by_id_number[person.number] = (cadre_id, name)
        return cadre_id

    # -- pass 2: the pairings -------------------------------------------------------------------------------------
    def apply(self, pairs: list[_Pair], progress: Progress) -> None:
        """Ended rows first (they may end the current pairing they describe), then the current ones, each in file
        order; a household's current pairing is ended before another is added (the database allows one)."""
        ids = sorted({p.household_id for p in pairs})
        self.pairings: dict[int, list[Pairing]] = {}
        for at in range(0, len(ids), LOOKUP_BATCH):
            for pairing in self.s.scalars(select(Pairing).where(Pairing.household_id.in_(ids[at : at + LOOKUP_BATCH]))):
                self.pairings.setdefault(pairing.household_id, []).append(pairing)
        self.names = dict(self.s.execute(select(Cadre.id, Cadre.name)).all())
        self.current_rows: dict[int, _Pair] = {}
        ordered = [p for p in pairs if p.end is not None] + [p for p in pairs if p.end is None]
        for done, pair in enumerate(ordered, start=1):
            self._ended(pair) if pair.end is not None else self._current(pair)
            if done % CHUNK_ROWS == 0:
                self.s.flush()
                progress.update(advance=CHUNK_ROWS)
        self.s.flush()

    def _add(self, pair: _Pair, end_reason: str | None) -> None:
        pairing = Pairing(cadre_id=pair.cadre_id, household_id=pair.household_id, start_on=pair.start, end_on=pair.end,
                          end_reason=end_reason, created_by=self.user)  # fmt: skip
        self.s.add(pairing)
        self.pairings.setdefault(pair.household_id, []).append(pairing)
        self.result.added += 1

    def _ended(self, pair: _Pair) -> None:
        mine = [p for p in self.pairings.get(pair.household_id, ()) if p.cadre_id == pair.cadre_id]
        if any(p.start_on == pair.start and p.end_on == pair.end for p in mine):
            return  # imported before
        reason = f"{self.reason}，帮扶结束"
        current = next((p for p in mine if p.end_on is None and p.start_on <= pair.end), None)
        if current is None:  # a past episode (a current pairing that began later is not the one that ended)
            self._add(pair, reason)
            return
        current.start_on, current.end_on, current.end_reason = pair.start, pair.end, reason
        self.result.updated += 1

    def _current(self, pair: _Pair) -> None:
        earlier = self.current_rows.get(pair.household_id)
        if earlier is not None:
            if earlier.cadre_id == pair.cadre_id:
                self.result.reject(pair.row, f"与第{earlier.row.number}行重复（同一户、同一帮扶责任人），本行未导入")
            else:
                self.result.reject(pair.row, f"第{earlier.row.number}行已填写该户的帮扶责任人“{earlier.helper}”（未填写"
                                             "帮扶结束时间），一户只能有一名当前帮扶责任人；已结束的结对请填写帮扶结束时间")  # fmt: skip
            return
        self.current_rows[pair.household_id] = pair
        pairings = self.pairings.get(pair.household_id, [])
        current = next((p for p in pairings if p.end_on is None), None)
        if current is not None and current.cadre_id == pair.cadre_id:
            if pair.explicit_start and current.start_on != pair.start:
                current.start_on = pair.start  # the date the office paired them, rather than that of an earlier import
                self.result.updated += 1
            return
        if current is not None:
            current.end_on, current.end_reason = max(pair.start, current.start_on), f"{self.reason}，更换帮扶责任人"
            self.result.ended += 1
        history.record(self.s, household_id=pair.household_id, kind="field", field="helper",
                       old=self.names.get(current.cadre_id) if current is not None else None,
                       new=pair.helper, reason=self.reason, user=self.user)  # fmt: skip
        self._add(pair, None)


def import_pairings(
    db: Database,
    path: str | os.PathLike,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    user: str = "",
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> PairingImportResult:
    """Import a pairing sheet (or the 帮扶责任人 columns of any sheet naming households by 户编号 or 户主证件号码) in
    one transaction; a dry run, an error or a cancel change nothing. Households must be registered already."""
    progress = progress or Progress()
    today = today or dt.date.today()
    progress.start(0, "正在打开帮扶责任人结对表……")
    with Sheet(path, sheet, PAIRINGS, PAIRING_FIELDS, today=today) as source:
        if not source.keys & {"household_number", "head_id_number"}:
            raise MissingColumns(f"“{source.roster.path.name}”工作表“{source.roster.name}”第{source.header.excel_row}"
                                 "行的表头中找不到“户编号”或“户主证件号码”列，无法确定各行是哪一户")  # fmt: skip
        result = PairingImportResult(**source.result(dry_run=dry_run))
        rows = list(source.rows())
        progress.start(len(rows), "正在导入结对关系……")
        with import_transaction(
            db, path, source, result, user=user, action="pairing_import", entity="pairing", progress=progress
        ) as session:
            run = _Run(session, source, result, user=user, today=today)
            run.apply(run.check(rows), progress)
    return result
