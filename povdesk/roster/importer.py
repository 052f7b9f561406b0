"""Importing a roster in one transaction: dry run, --strict, idempotent matching, history, progress and cancel."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session

from povdesk import history
from povdesk.bulk import bulk_insert, indexes_built_after, no_gc_passes
from povdesk.db import Database
from povdesk.errors import PovDeskError
from povdesk.model import (
    AuditLog,
    ChangeLog,
    Household,
    HouseholdYear,
    Member,
    MonitoredHousehold,
    Pairing,
)
from povdesk.names import pinyin_keys
from povdesk.progress import Progress
from povdesk.roster.families import settle
from povdesk.roster.layout import BY_KEY, match_header
from povdesk.roster.reader import Header, MissingColumns, RosterSheet
from povdesk.roster.store import (
    Areas,
    Cadres,
    households_by_number,
    members_by_id_number,
    registered_heads,
)
from povdesk.roster.validate import HouseholdRecord, Issue, MemberRecord, RosterParser

IGNORED_HEADERS = ("未导入原因", "原行号")  # the extra columns of a reject report being imported again
CHUNK_ROWS = 4096
FLUSH_MEMBERS = 8192
IMPORT_LOCK_KEY = 0x506F764465736B01  # PostgreSQL advisory lock held by the running roster import

HOUSEHOLD_FIELDS = {  # layout key → Household attribute
    "phone": "phone", "bank_name": "bank_name", "bank_account": "bank_account", "ident_standard": "ident_standard",
    "attribute": "attribute", "main_cause": "main_cause", "status": "status", "year_identified": "year_identified",
    "year_exited": "year_exited",
}  # fmt: skip
YEAR_FIELDS = (
    "wage_income", "business_income", "property_income", "transfer_income", "production_cost", "net_income",
    "per_capita_income", "food_clothing_ok", "education_ok", "medical_ok", "housing_ok", "water_ok",
)  # fmt: skip
MEMBER_FIELDS = (
    "relation", "ethnicity", "education", "school_status", "health", "labor", "work_status", "work_months",
    "medical_insurance", "serious_illness_insurance", "pension_insurance",
)  # fmt: skip


class ImportBusy(PovDeskError):
    """Another import is running on the shared database."""


class _Rollback(Exception):
    """Raised inside the transaction to undo a dry run or a --strict import with rejected rows."""


@dataclass
class ImportResult:
    path: Path
    sheet: str
    header_row: int
    header_texts: list[str]
    dry_run: bool = False
    strict: bool = False
    committed: bool = False
    households_added: int = 0
    households_updated: int = 0
    persons_added: int = 0
    persons_updated: int = 0
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    rejected_raw: dict[int, list] = field(default_factory=dict)

    @property
    def refused_by_strict(self) -> bool:
        return self.strict and bool(self.rejected)

    def to_json(self) -> dict:
        """The CLI's --json object."""
        return {
            "households_added": self.households_added,
            "households_updated": self.households_updated,
            "persons_added": self.persons_added,
            "persons_updated": self.persons_updated,
            "rejected": [{"row": i.row, "reason": i.reason} for i in self.rejected],
            "warnings": [{"row": i.row, "reason": i.reason} for i in self.warnings],
        }

    def summary(self) -> str:
        """One Chinese paragraph for the clerk."""
        if self.refused_by_strict:
            head = f"有 {len(self.rejected)} 行被拒绝，按“严格模式”要求本次未导入任何数据。"
        elif self.dry_run:
            head = (f"预检完成（未写入数据库）：将新增 {self.households_added} 户 {self.persons_added} 人，"
                    f"更新 {self.households_updated} 户 {self.persons_updated} 人。")  # fmt: skip
        else:
            head = (f"导入完成：新增 {self.households_added} 户 {self.persons_added} 人，"
                    f"更新 {self.households_updated} 户 {self.persons_updated} 人。")  # fmt: skip
        return head + f"被拒绝 {len(self.rejected)} 行，提示 {len(self.warnings)} 条。"


class _Ids:
    """Primary keys for bulk-inserted rows that other rows refer to, taken inside the import's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.next: dict[str, int] = {}
        self.pools: dict[str, list[int]] = {}

    def take(self, model: type, n: int) -> list[int] | range:
        table = model.__tablename__
        if n <= 0:
            return []
        if self.postgres:  # drawn from the sequence in blocks; unused numbers only leave gaps
            pool = self.pools.setdefault(table, [])
            if len(pool) < n:
                pool.extend(self.session.scalars(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                                                      "FROM generate_series(1, :n)"), {"n": max(n - len(pool), 1024)}))  # fmt: skip
            taken, self.pools[table] = pool[:n], pool[n:]
            return taken
        start = self.next.get(table)
        if start is None:  # SQLite: the audit row written first holds the write lock, so max(id) cannot go stale
            start = (self.session.scalar(text(f"SELECT max(id) FROM {table}")) or 0) + 1
        self.next[table] = start + n
        return range(start, start + n)


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
        self.ids = _Ids(session)
        self.had_households = session.scalar(select(exists().where(Household.id.is_not(None))))
        self.had_members = session.scalar(select(exists().where(Member.id.is_not(None))))
        self.areas = Areas(session, self.ids, warn_new=bool(self.had_households))
        self.cadres = Cadres(session, self.ids)
        self.keys = set(sheet.header.mapping.values())
        self.pending: list[HouseholdRecord] = []
        self.pending_members = 0
        self.existing_ids: set[int] = set()  # households that were registered before this import

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
            self._claimed_elsewhere(household, owners)
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
        new_households, new_members, years, monitors, pairings, logs = [], [], [], [], [], []
        new_ids = iter(self.ids.take(Household, sum(1 for h in ready if h.id is None and h.owner is None)))
        for household in ready:
            if household.owner is not None:  # a later block joins the household of the first
                household.id = household.owner.id
            elif household.id is None:
                household.id = next(new_ids)
                new_households.append(self._household_row(household))
                logs.append(dict(household_id=household.id, member_id=None, kind="created", field=None,
                                 old_value=None, new_value=household.values.get("status"), reason=self.reason,
                                 user=self.user))  # fmt: skip
                self._year(household, None, years)
                self._monitoring(household, None, monitors)
                self._helper(household, None, pairings)
                self.result.households_added += 1
            else:
                found = existing[household.number]
                self.existing_ids.add(found.id)
                if self._update_household(found, household, years, monitors, pairings):
                    self.result.households_updated += 1
            self._members(household, owners, new_members, logs)
            household.members = []
        self._insert(new_households, new_members, years, monitors, pairings, logs)

    def _insert(self, households, members, years, monitors, pairings, logs) -> None:
        self.s.flush()
        self.cadres.insert_new()
        bulk_insert(self.s, Household, households)
        if members:
            ids = iter(self.ids.take(Member, len(members)))
            for row, log in members:
                row["id"] = next(ids)
                if log is not None:
                    log["member_id"] = row["id"]
            bulk_insert(self.s, Member, [row for row, _ in members])
        bulk_insert(self.s, HouseholdYear, years)
        bulk_insert(self.s, MonitoredHousehold, monitors)
        bulk_insert(self.s, Pairing, pairings)
        bulk_insert(self.s, ChangeLog, logs)

    # -- new rows --------------------------------------------------------------------------------------------------
    def _household_row(self, household: HouseholdRecord) -> dict:
        v = household.values
        causes = v.get("other_causes") or ()
        row = dict(id=household.id, number=household.number, village_id=v["village_id"], group_id=v["group_id"],
                   other_cause_1=causes[0] if causes else None, other_cause_2=causes[1] if len(causes) > 1 else None)  # fmt: skip
        for key, attr in HOUSEHOLD_FIELDS.items():
            row[attr] = v.get(key)
        return row

    def _member_row(self, household: HouseholdRecord, member: MemberRecord) -> dict:
        full, initials = pinyin_keys(member.name)
        person = member.person
        row = dict(household_id=household.id, id_number=person.number, name=member.name, name_pinyin=full,
                   name_initials=initials, sex=person.sex, birth_date=person.birth_date)  # fmt: skip
        values = member.values
        for key in MEMBER_FIELDS:
            row[key] = values.get(key)
        return row

    def _year(self, household: HouseholdRecord, found: Household | None, years: list) -> bool:
        """The income and guarantees of the roster's data year: added, or updated with history."""
        v = household.values
        year = v.get("data_year")
        if year is None:
            return False
        figures = {k: v[k] for k in YEAR_FIELDS if v.get(k) is not None}
        if v.get("household_size") is not None:
            figures["persons"] = v["household_size"]
        current = None
        if found is not None:
            current = self.s.scalar(select(HouseholdYear).where(HouseholdYear.household_id == found.id,
                                                                HouseholdYear.year == year))  # fmt: skip
        if current is None:
            if not figures:
                return False
            years.append(dict(household_id=household.id, year=year, status=v.get("status"),
                              persons=figures.pop("persons", household.rows), **figures))  # fmt: skip
            return found is not None
        return bool(history.apply_changes(self.s, current, figures, household_id=household.id, user=self.user,
                                          reason=f"{self.reason}（{year}年数据）"))  # fmt: skip

    def _monitoring(self, household: HouseholdRecord, found: Household | None, monitors: list) -> bool:
        v = household.values
        kind, since = v.get("monitor_type"), v.get("monitor_since")
        if kind is None:
            return False
        if since is None:
            self.parser.warn(
                household.first_row, f"户编号{household.number}填写了监测对象类别，但缺少纳入监测日期，监测信息未导入"
            )
            return False
        if found is not None:
            episode = self.s.scalar(select(MonitoredHousehold).where(
                MonitoredHousehold.household_id == found.id, MonitoredHousehold.type == kind,
                MonitoredHousehold.identified_on == since))  # fmt: skip
            if episode is not None:
                eliminated = v.get("risk_eliminated_on")
                if eliminated is None:
                    return False
                return bool(history.apply_changes(self.s, episode, {"risk_eliminated_on": eliminated},
                                                  household_id=found.id, kind="monitoring", user=self.user,
                                                  reason=self.reason))  # fmt: skip
            history.record(self.s, household_id=found.id, kind="monitoring", field="type", new=kind,
                           reason=self.reason, user=self.user)  # fmt: skip
        monitors.append(dict(household_id=household.id, type=kind, identified_on=since,
                             risk_eliminated_on=v.get("risk_eliminated_on")))  # fmt: skip
        return found is not None

    def _helper(self, household: HouseholdRecord, found: Household | None, pairings: list) -> bool:
        v = household.values
        name = v.get("helper_name")
        if not name:
            return False
        cadre_id = self.cadres.find_or_add(name, v.get("helper_unit"), v.get("helper_phone"), v.get("helper_rank"),
                                           household.first_row, self.parser.warn)  # fmt: skip
        if found is not None:
            active = list(self.s.scalars(select(Pairing).where(Pairing.household_id == found.id,
                                                               Pairing.end_on.is_(None))))  # fmt: skip
            if any(p.cadre_id == cadre_id for p in active):
                return False
            old = "、".join(p.cadre.name for p in active) or None
            for pairing in active:
                pairing.end_on, pairing.end_reason = self.today, f"{self.reason}，更换帮扶责任人"
            history.record(self.s, household_id=found.id, kind="field", field="helper", old=old, new=name,
                           reason=self.reason, user=self.user)  # fmt: skip
        pairings.append(dict(cadre_id=cadre_id, household_id=household.id, start_on=self.today))
        return found is not None

    # -- updates ---------------------------------------------------------------------------------------------------
    def _update_household(self, found: Household, household: HouseholdRecord, years, monitors, pairings) -> bool:
        """Apply what the roster says differently; blank cells never erase what the registry knows."""
        v = household.values
        values = {attr: v[key] for key, attr in HOUSEHOLD_FIELDS.items() if v.get(key) is not None}
        values["village_id"] = v["village_id"]
        if v.get("group_id") is not None:
            values["group_id"] = v["group_id"]
        if v.get("other_causes"):
            causes = v["other_causes"]
            values["other_cause_1"] = causes[0]
            values["other_cause_2"] = causes[1] if len(causes) > 1 else None
        changed = bool(history.apply_changes(self.s, found, values, household_id=found.id, user=self.user,
                                             reason=self.reason))  # fmt: skip
        changed |= self._year(household, found, years)
        changed |= self._monitoring(household, found, monitors)
        changed |= self._helper(household, found, pairings)
        return changed

    def _members(self, household: HouseholdRecord, owners: dict[str, Member], new_members: list, logs: list) -> None:
        for member in household.members:
            current = owners.get(member.person.number)
            if current is None:
                row = self._member_row(household, member)
                log = None
                if household.id in self.existing_ids:
                    log = dict(household_id=household.id, member_id=None, kind="member_added", field=None,
                               old_value=None, new_value=member.name, reason=self.reason, user=self.user)  # fmt: skip
                new_members.append((row, log))
                if log is not None:
                    logs.append(log)
                self.result.persons_added += 1
                continue
            values = {k: member.values[k] for k in MEMBER_FIELDS if member.values.get(k) is not None}
            values["name"] = member.name
            values["sex"] = member.person.sex
            values["birth_date"] = member.person.birth_date
            changed = history.apply_changes(self.s, current, values, household_id=household.id, user=self.user,
                                            kind="member_changed", member_id=current.id, reason=self.reason)  # fmt: skip
            if "name" in changed:
                current.name_pinyin, current.name_initials = pinyin_keys(member.name)
            if changed:
                self.result.persons_updated += 1

    def _claimed_elsewhere(self, household: HouseholdRecord, owners: dict[str, Member]) -> None:
        """Reject the rows of people the registry holds in another household (before the head rule is applied)."""
        if not owners:
            return
        mine = household.id if household.owner is None else household.owner.id
        kept = []
        for member in household.members:
            current = owners.get(member.person.number)
            if current is None or current.household_id == mine:
                kept.append(member)
                continue
            other = self.s.get(Household, current.household_id)
            head = self.s.scalar(select(Member.name).where(Member.household_id == current.household_id,
                                                           Member.relation == "head", Member.removed_on.is_(None)))  # fmt: skip
            self.parser.reject(member.row, f"身份证号{member.person.number}已登记为户编号{other.number}"
                               f"{f'（户主{head}）' if head else ''}的成员{current.name}，一人只能属于一户，"
                               "本行未导入；如确需迁入本户，请先在该户办理减员", member.raw)  # fmt: skip
        household.members = kept


def _one_import_at_a_time(session: Session) -> None:
    """On a shared server, a second import waits for nobody: it is refused at once while another one runs.

    Two imports of overlapping rosters would otherwise collide on the same household numbers only when the first
    commits, after minutes of work. The lock belongs to the transaction, so a crashed PC cannot leave it held.
    """
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the file has one writer at a time anyway (a second import waits, then fails as busy)
    if not session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY}):
        raise ImportBusy("另一台电脑正在导入花名册，本次未导入任何数据，数据库未改动。请等它完成后重试")


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
    progress: Progress | None = None,
    user: str = "",
    today: dt.date | None = None,
) -> ImportResult:
    """Import a roster file in one transaction; a dry run, a --strict refusal, an error or a cancel change nothing.

    `header_row` (Excel row number of the header's last row) and `mapping` (column index → field key, None to
    ignore a column) are what the clerk chose in the wizard; by default both are detected.
    """
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
        result = ImportResult(Path(path), roster.name, header.excel_row, list(header.texts), dry_run=dry_run,
                              strict=strict)  # fmt: skip
        parser = RosterParser(header, roster.column_label, today=today, date_epoch=roster.date_epoch)
        for col in header.unmapped:
            known = match_header(header.texts[col])
            if header.texts[col] not in IGNORED_HEADERS and not (known and BY_KEY[known].kind == "ignored"):
                parser.warn(
                    header.excel_row, f"第{col + 1 + roster.col_offset}列“{header.texts[col]}”无法识别，该列未导入"
                )
        session = db.session()
        try:
            with session.begin():
                _one_import_at_a_time(session)
                audit = AuditLog(user=user, action="roster_import", entity="household",
                                 detail=json.dumps({"file": str(path), "sheet": roster.name}, ensure_ascii=False))  # fmt: skip
                session.add(audit)
                session.flush()
                _Run(session, roster, parser, result, user=user, today=today, progress=progress).run()
                result.rejected = sorted(parser.rejected)
                result.warnings = sorted(parser.warnings)
                result.rejected_raw = parser.rejected_raw
                audit.detail = json.dumps({"file": str(path), "sheet": roster.name, **{k: v for k, v in
                                           result.to_json().items() if not isinstance(v, list)},
                                           "rejected": len(result.rejected)}, ensure_ascii=False)  # fmt: skip
                if dry_run or result.refused_by_strict:
                    raise _Rollback
            result.committed = True
            db.refresh_statistics()
        except _Rollback:
            if result.refused_by_strict and not dry_run:
                result.households_added = result.households_updated = 0
                result.persons_added = result.persons_updated = 0
        finally:
            session.close()
    return result
