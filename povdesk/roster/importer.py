"""Importing a roster in one transaction: dry run, --strict, idempotent matching, history, progress and cancel."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

from sqlalchemy import exists, select, text, update
from sqlalchemy.orm import Session

from povdesk import history
from povdesk.audit import entry as audit_entry
from povdesk.bulk import bulk_insert, indexes_built_after, no_gc_passes
from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.model import (
    ChangeLog,
    Household,
    HouseholdYear,
    Member,
    MonitoredHousehold,
    Pairing,
)
from povdesk.progress import Progress
from povdesk.roster import kept, national
from povdesk.roster.families import claimed_elsewhere, settle
from povdesk.roster.kept import KeptColumns
from povdesk.roster.layout import BY_KEY
from povdesk.roster.reader import Header, MissingColumns, RosterSheet, data_year_hint
from povdesk.roster.result import ImportResult
from povdesk.roster.store import (
    Areas,
    Cadres,
    Ids,
    households_by_number,
    members_by_id_number,
    registered_heads,
)
from povdesk.roster.validate import HouseholdRecord, RosterParser
from povdesk.roster.writer import YEAR_FIELDS, Batch, Extras, Writer
from povdesk.wallchart import summary

CHUNK_ROWS = 4096
FLUSH_MEMBERS = 8192
IMPORT_LOCK_KEY = 0x506F764465736B01  # PostgreSQL advisory lock held by the running roster import


class ImportBusy(PovDeskError):
    """Another import is running on the shared database."""


class _Run:
    def __init__(self, session: Session, sheet: RosterSheet, parser: RosterParser, result: ImportResult, *,
                 user: str, today: dt.date, progress: Progress) -> None:  # fmt: skip
        self.s = session
        self.sheet = sheet
        self.parser = parser
        self.result = result
        self.user = user
        self.today = today
        self.progress = progress
        self.reason = f"花名册导入：{sheet.path.name}"
        self.ids = Ids(session)
        self.had_households = session.scalar(select(exists().where(Household.id.is_not(None))))
        self.had_members = session.scalar(select(exists().where(Member.id.is_not(None))))
        self.areas = Areas(session, self.ids, warn_new=bool(self.had_households))
        self.cadres = Cadres(session, self.ids)
        self.keys = set(sheet.header.mapping.values())
        self.pending: list[HouseholdRecord] = []
        self.pending_members = 0
        self.kept = KeptColumns(sheet.header)
        result.kept_columns = len(self.kept.keys)
        if self.kept:
            kept.remember(session, self.kept.keys)
        # a list of exited people says which members get 低保 or 特困 support, not the household's attribute
        self.derive_attribute = "attribute" not in self.keys and bool(self.keys.intersection(national.SUPPORT_KEYS))
        self.writer = Writer(
            session,
            parser,
            result,
            self.cadres,
            user=user,
            today=today,
            reason=self.reason,
            header_row=sheet.header.excel_row,
            income_year=self._income_year(),
        )

    def _income_year(self) -> tuple[int, str] | None:
        """The year of the incomes of a household whose 收入年度 is not given (no column, or a blank cell): the data
        year the title rows name, else last year (said in the summary). None: the file has no yearly figures."""
        if not self.keys.intersection((*YEAR_FIELDS, "dangerous_house")):  # 是否危房户 gives housing_ok
            return None
        year = data_year_hint(self.sheet.header.context)
        return (year, "title") if year is not None else (self.today.year - 1, "assumed")

    # -- the loop --------------------------------------------------------------------------------------------------
    def run(self) -> None:
        total = self.sheet.data_rows_estimate
        self.progress.start(total, "正在读取并检查花名册……")
        # SQLite: a first import into an empty registry builds the indexes once, at the end (readers see the old
        # snapshot meanwhile); PostgreSQL would lock the tables against every other clerk while the indexes are away.
        first_load = not self.had_households and not self.ids.postgres
        with indexes_built_after(self.s, Household, Member, HouseholdYear, when=first_load):
            chunk: list[tuple[int, list]] = []
            done = 0
            for item in self.sheet.rows():
                chunk.append(item)
                if len(chunk) >= CHUNK_ROWS:
                    done += len(chunk)
                    self._feed(chunk)
                    chunk = []
                    self.progress.update(min(done, total))
            done += len(chunk)
            self._feed(chunk)
            self._queue(self.parser.finish())
            self._flush()
            self.parser.size_warnings()
            self.progress.update(total, label="正在完成……")

    def _feed(self, chunk: list[tuple[int, list]]) -> None:
        self._queue(self.parser.feed(chunk))
        if self.pending_members >= FLUSH_MEMBERS:
            self._flush()

    def _queue(self, households: list[HouseholdRecord]) -> None:
        for household in households:
            self.pending.append(household)
            self.pending_members += len(household.members)

    # -- one batch of completed households -----------------------------------------------------------------------
    def _flush(self) -> None:
        batch, self.pending, self.pending_members = self.pending, [], 0
        parser = self.parser
        checked: list[HouseholdRecord] = []
        for household in batch:
            household.queued = False
            parser.resolve(household)
            if household.error is not None:
                parser.reject_household(household)
            else:
                checked.append(household)
        if not checked:
            return
        firsts = [h for h in checked if h.owner is None]
        existing = households_by_number(self.s, [h.number for h in firsts]) if self.had_households else {}
        owners = {}
        if self.had_members:  # people already registered under these rows' ID numbers, wherever they belong
            owners = members_by_id_number(self.s, [m.person.number for h in checked for m in h.members])
        heads = registered_heads(self.s, [existing[h.number].id for h in firsts if h.number in existing])
        ready: list[HouseholdRecord] = []
        for household in checked:  # in the parser's order: a later block of a number is settled after the first
            found = existing.get(household.number) if household.owner is None else None
            if found is not None:
                household.id = found.id
            claimed_elsewhere(self.s, parser, household, owners)
            settle(parser, household, registered_head=heads.get(found.id) if found is not None else None)
            if household.error is None and household.owner is None and household.members:
                place = self.areas.place(household.values, household.first_row, parser.warn)
                if isinstance(place, str):
                    household.error, household.error_row = place, household.first_row
                else:
                    household.values["village_id"], household.values["group_id"] = place
            if household.error is not None:
                parser.reject_household(household)
            elif household.members:  # nothing of a household whose every row was rejected is stored or updated
                household.kept = True
                ready.append(household)
        if not ready:
            return
        # New areas go in before anything else of the batch: an updated household moved into one is flushed by the
        # next query (autoflush), and its foreign key must find the area there.
        self.areas.insert_new()
        writer, batch = self.writer, Batch()
        review: list[int] = []  # households stored before whose later rows have values to verify
        new_ids = iter(self.ids.take(Household, sum(1 for h in ready if h.id is None and h.owner is None)))
        for household in ready:
            parser.warn_kept(household)
            if household.owner is None and self.derive_attribute and household.values.get("status") is not None:
                household.values["attribute"] = national.derived_attribute(household.members)
                self.result.attributes_derived += 1
            episode = national.episode(parser, household) if household.owner is None else None
            extras = self._extras(household)
            if household.owner is not None:  # a later block joins the household of the first
                household.id = household.owner.id
            elif household.id is None:
                household.id = next(new_ids)
                writer.add(household, episode, extras, batch)
                self.result.households_added += 1
            else:
                found = existing[household.number]
                writer.existing_ids.add(found.id)
                if writer.update_household(found, household, episode, extras, batch):
                    self.result.households_updated += 1
            to_review = writer.members(household, owners, extras, batch)
            if household.owner is not None and to_review:
                review.append(household.id)
            elif household.owner is None and household.id in writer.existing_ids:
                writer.review(existing[household.number], household, to_review)
            household.members = []
        self._insert(batch)
        if review:
            # version + 1: a Core UPDATE is a write like any other, an editor that loaded these households is refused
            self.s.execute(
                update(Household)
                .where(Household.id.in_(review))
                .values(needs_review=True, version=Household.version + 1)
            )

    def _extras(self, household: HouseholdRecord) -> Extras:
        """The kept columns of a household's rows: (household values, each member's values, keys held per person).
        A later block's values all go to its members: its household's own were settled with the first block."""
        if not self.kept:
            return {}, [{}] * len(household.members), set()
        values, members, per_person = self.kept.split([member.raw for member in household.members])
        if household.owner is not None:
            return {}, [{**values, **mine} for mine in members], per_person | set(values)
        return values, members, per_person

    def _insert(self, batch: Batch) -> None:
        self.s.flush()
        self.cadres.insert_new()
        bulk_insert(self.s, Household, batch.households)
        if batch.members:
            ids = iter(self.ids.take(Member, len(batch.members)))
            for row, log in batch.members:
                row["id"] = next(ids)
                if log is not None:
                    log["member_id"] = row["id"]
            bulk_insert(self.s, Member, [row for row, _ in batch.members])
        bulk_insert(self.s, HouseholdYear, batch.years)
        bulk_insert(self.s, MonitoredHousehold, batch.monitors)
        bulk_insert(self.s, Pairing, batch.pairings)
        moment = history.moment(self.s)  # UTC by Python, as every history entry: not the server default
        for log in batch.logs:
            log["at"] = moment
        bulk_insert(self.s, ChangeLog, batch.logs)


def _one_import_at_a_time(session: Session) -> None:
    """On a shared server, a second import waits for nobody: it is refused at once while another one runs.

    Two imports of overlapping rosters would otherwise collide on the same household numbers only when the first
    commits, after minutes of work. The lock belongs to the transaction, so a crashed PC cannot leave it held.
    """
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the file has one writer at a time anyway (a second import waits, then fails as busy)
    if not session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY}):
        raise ImportBusy("另一台电脑正在导入花名册，本次未导入任何数据，数据库未改动。请等它完成后重试")


class PendingImport:
    """A validated import whose transaction is still open: `result` is what committing it stores.

    The wizard's preview: the clerk reads `result`, then 导入 calls `commit()`, 上一步 or 取消 `rollback()`; the file
    is not read again. Meanwhile the transaction keeps what it wrote to itself (SQLite: the database's one writer;
    PostgreSQL: the import lock and the rows), so it is held only while the clerk reads the preview.
    The session passes from the worker thread that ran the import to the one that commits (SQLAlchemy opens SQLite
    files with check_same_thread=False for its connection pool) and is never used by two at once: `commit()` and
    `rollback()` take one lock, and whichever comes second finds the transaction gone.
    """

    def __init__(self, db: Database, session: Session, result: ImportResult) -> None:
        self.result = result
        self._db = db
        self._session: Session | None = session
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        """Neither committed nor rolled back yet."""
        return self._session is not None

    def commit(self) -> ImportResult:
        """Store what was validated; the result then reads as a done import. On an error nothing is stored."""
        with self._lock:
            if self._session is None:
                raise RuntimeError("the held import was committed or rolled back already")
            session, self._session = self._session, None
            try:
                session.commit()
            finally:
                session.close()
        self.result.dry_run, self.result.committed = False, True
        self._db.refresh_statistics()
        summary.refresh(self._db)  # the first wall chart after the load reads every village stored
        return self.result

    def rollback(self) -> None:
        """Discard everything the import wrote; after a commit or a rollback it does nothing."""
        with self._lock:
            session, self._session = self._session, None
            if session is not None:
                session.close()  # closing a session rolls its transaction back and returns the connection


@no_gc_passes()
def import_roster(
    db: Database,
    path: str | os.PathLike,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    mapping: dict[int, str | None] | None = None,
    dry_run: bool = False,
    strict: bool = False,
    hold: bool = False,
    progress: Progress | None = None,
    user: str = "",
    today: dt.date | None = None,
) -> ImportResult | PendingImport:
    """Import a roster file in one transaction; a dry run, a --strict refusal, an error or a cancel change nothing.

    `header_row` (Excel row number of the header's last row) and `mapping` (column index → field key, None for a
    column kept as written) are what the clerk chose in the wizard; by default both are detected. With `hold`, the
    validated import comes back as a PendingImport whose transaction is still open, for the caller to commit or
    roll back.
    """
    if hold and (dry_run or strict):
        raise ValueError("a held import is committed or rolled back by its caller: not a dry run, not strict")
    progress = progress or Progress()
    today = today or dt.date.today()
    progress.start(0, "正在打开花名册……")  # a county's roster takes seconds before its first row
    with RosterSheet(path, sheet, header_row=header_row) as roster:
        header: Header = roster.header
        if mapping:
            roster.header = header = header.with_mapping(mapping)
        missing = header.missing_required()
        if missing:
            names = "、".join(f"“{BY_KEY[k].header}”" for k in missing)
            raise MissingColumns(f"“{roster.path.name}”工作表“{roster.name}”第{header.excel_row}行的表头中找不到必需的列："
                                 f"{names}。请检查表头，或在导入向导中指定这些列")  # fmt: skip
        result = ImportResult(Path(path), roster.name, header.excel_row, list(header.texts), dry_run=dry_run or hold,
                              strict=strict)  # fmt: skip
        parser = RosterParser(header, roster.column_label, today=today, date_epoch=roster.date_epoch)
        session = db.session()
        held = False
        try:
            session.begin()
            _one_import_at_a_time(session)
            audit = audit_entry(session, "roster_import", "household", detail={"file": str(path), "sheet": roster.name},
                                user=user)  # fmt: skip
            session.flush()
            _Run(session, roster, parser, result, user=user, today=today, progress=progress).run()
            result.rejected = sorted(parser.rejected)
            result.warnings = sorted(parser.warnings)
            result.rejected_raw = parser.rejected_raw
            audit.detail = json.dumps({"file": str(path), "sheet": roster.name, **{k: v for k, v in
                                       result.to_json().items() if not isinstance(v, list)},
                                       "rejected": len(result.rejected)}, ensure_ascii=False)  # fmt: skip
            if hold:
                session.flush()  # a refusal by the database shows in the preview, not at 导入
                held = True
                return PendingImport(db, session, result)
            if dry_run or result.refused_by_strict:
                session.rollback()
                if result.refused_by_strict and not dry_run:
                    result.households_added = result.households_updated = 0
                    result.persons_added = result.persons_updated = 0
            else:
                session.commit()
                result.committed = True
                db.refresh_statistics()
                summary.refresh(db)  # the first wall chart after the load reads every village stored
        finally:
            if not held:
                session.close()  # after an error or a cancel: the transaction is rolled back
    return result
