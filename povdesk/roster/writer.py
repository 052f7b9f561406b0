"""What a checked household of a roster becomes in the registry: new rows for the batch's bulk insert, or the changes
to the registered household and its members, with history; and what it keeps beyond PovDesk's fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from povdesk import history
from povdesk.model import Household, HouseholdYear, Member, MonitoredHousehold, Pairing
from povdesk.names import pinyin_keys
from povdesk.roster import kept
from povdesk.roster.result import ImportResult
from povdesk.roster.store import Cadres
from povdesk.roster.validate import HouseholdRecord, MemberRecord, RosterParser, unverified

HOUSEHOLD_FIELDS = {  # layout key → Household attribute
    "phone": "phone", "bank_name": "bank_name", "bank_account": "bank_account", "ident_standard": "ident_standard",
    "attribute": "attribute", "main_cause": "main_cause", "status": "status", "year_identified": "year_identified",
    "year_exited": "year_exited", "plan_exit_year": "plan_exit_year",
}  # fmt: skip
YEAR_FIELDS = (
    "wage_income", "business_income", "property_income", "transfer_income", "production_cost", "net_income",
    "per_capita_income", "food_clothing_ok", "education_ok", "medical_ok", "housing_ok", "water_ok",
)  # fmt: skip
MEMBER_FIELDS = {  # layout key → Member attribute
    **{key: key for key in ("relation", "ethnicity", "education", "school_status", "health", "labor", "work_status",
                            "work_months", "medical_insurance", "serious_illness_insurance", "pension_insurance",
                            "low_income_support", "extreme_support")},
    "member_phone": "phone",
}  # fmt: skip
# A household's kept columns: (household values, each member's values, the keys its members hold per person)
Extras = tuple[dict[str, str], list[dict[str, str]], set[str]]


@dataclass
class Batch:
    """The rows one batch of households bulk-inserts; `members` pairs each row with its change-log row, if any."""

    households: list[dict] = field(default_factory=list)
    members: list[tuple[dict, dict | None]] = field(default_factory=list)
    years: list[dict] = field(default_factory=list)
    monitors: list[dict] = field(default_factory=list)
    pairings: list[dict] = field(default_factory=list)
    logs: list[dict] = field(default_factory=list)


class Writer:
    """Writes the households of one import; `existing_ids` collects the ids of those the registry held before it."""

    def __init__(
        self,
        session: Session,
        parser: RosterParser,
        result: ImportResult,
        cadres: Cadres,
        *,
        user: str,
        today: dt.date,
        reason: str,
        header_row: int,
        income_year: tuple[int, str] | None,
    ) -> None:
        self.s = session
        self.parser = parser
        self.result = result
        self.cadres = cadres
        self.user = user
        self.today = today
        self.reason = reason
        self.header_row = header_row
        self.income_year = income_year
        self.existing_ids: set[int] = set()

    def add(self, household: HouseholdRecord, episode: dict | None, extras: Extras, batch: Batch) -> None:
        """A household new to the registry: its rows for the batch's bulk insert."""
        batch.households.append(self.household_row(household, extras[0]))
        batch.logs.append(
            dict(
                household_id=household.id,
                member_id=None,
                kind="created",
                field=None,
                old_value=None,
                new_value=household.values.get("status"),
                reason=self.reason,
                user=self.user,
            )
        )
        self.year(household, None, batch.years)
        self.monitoring(household, episode, None, batch.monitors)
        self.helper(household, None, batch.pairings)

    # -- new households --------------------------------------------------------------------------------------------------
    def household_row(self, household: HouseholdRecord, extra: dict) -> dict:
        v = household.values
        causes = v.get("other_causes") or ()
        to_verify = unverified(household.unreadable)
        review = bool(to_verify) or any(
            unverified(member.unreadable) for member in household.members if member.unreadable
        )
        row = dict(id=household.id, number=household.number, village_id=v["village_id"], group_id=v["group_id"],
                   other_cause_1=causes[0] if causes else None, other_cause_2=causes[1] if len(causes) > 1 else None,
                   unverified=kept.as_json(to_verify), extra=kept.as_json(extra), needs_review=review)  # fmt: skip
        for key, attr in HOUSEHOLD_FIELDS.items():
            row[attr] = v.get(key)
        return row

    def member_row(self, household: HouseholdRecord, member: MemberRecord, extra: dict) -> dict:
        full, initials = pinyin_keys(member.name)
        person = member.person
        row = dict(household_id=household.id, id_number=person.number, name=member.name, name_pinyin=full,
                   name_initials=initials, sex=person.sex, birth_date=person.birth_date,
                   unverified=kept.as_json(unverified(member.unreadable)) if member.unreadable else None,
                   extra=kept.as_json(extra))  # fmt: skip
        values = member.values
        for key, attr in MEMBER_FIELDS.items():
            row[attr] = values.get(key)
        return row

    def year(self, household: HouseholdRecord, found: Household | None, years: list[dict]) -> bool:
        """The income and guarantees of the roster's data year: added, or updated with history."""
        v = household.values
        figures = {k: v[k] for k in YEAR_FIELDS if v.get(k) is not None}
        if v.get("household_size") is not None:
            figures["persons"] = v["household_size"]
        year = v.get("data_year")
        if year is None and self.income_year is not None and figures:
            year = self.default_year()
        if year is None:
            return False
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

    def default_year(self) -> int:
        """The income year of a household without one; the first use is said once (summary, and a warning when it is
        only a guess)."""
        year, source = self.income_year
        if not self.result.income_year_from:
            self.result.income_year, self.result.income_year_from = year, source
            if source == "assumed":
                message = f"未填写收入年度，表头上方也未注明数据年度，收入等数据按上一年（{year}年）导入，请核对"
                self.parser.warn(self.header_row, message, "收入年度未填写")
        return year

    def monitoring(
        self, household: HouseholdRecord, episode: dict | None, found: Household | None, monitors: list[dict]
    ) -> bool:
        """A new monitoring episode, or what changed in the one the registry holds (elimination, method, risks)."""
        if episode is None:
            return False
        if found is not None:
            current = self.s.scalar(select(MonitoredHousehold).where(
                MonitoredHousehold.household_id == found.id, MonitoredHousehold.type == episode["type"],
                MonitoredHousehold.identified_on == episode["identified_on"]))  # fmt: skip
            if current is not None:
                changes = {
                    k: episode[k]
                    for k in ("risk", "risk_eliminated_on", "elimination_method")
                    if episode[k] is not None
                }
                return bool(history.apply_changes(self.s, current, changes, household_id=found.id, kind="monitoring",
                                                  user=self.user, reason=self.reason))  # fmt: skip
            history.record(self.s, household_id=found.id, kind="monitoring", field="type", new=episode["type"],
                           reason=self.reason, user=self.user)  # fmt: skip
        monitors.append(dict(household_id=household.id, **episode))
        return found is not None

    def helper(self, household: HouseholdRecord, found: Household | None, pairings: list[dict]) -> bool:
        """The household's helper: a current pairing from 帮扶开始时间 (the import day when blank), or with 帮扶结束时间
        an ended one, kept as history. A new current helper ends the registered one on the new start."""
        v = household.values
        name = v.get("helper_name")
        if not name:
            return False
        start, end = v.get("helper_start"), v.get("helper_end")
        if end is not None and (start is None or end < start):
            problem = "没有帮扶开始时间"
            if start is not None:
                problem = f"结束时间{end:%Y年%m月%d日}早于开始时间{start:%Y年%m月%d日}"
            self.parser.warn(household.first_row, f"帮扶责任人“{name}”填写了帮扶结束时间，但{problem}，这条结对记录"
                                                  "未导入，请改正后重新导入")  # fmt: skip
            return False
        cadre_id = self.cadres.find_or_add(name, v.get("helper_unit"), v.get("helper_phone"), v.get("helper_rank"),
                                           household.first_row, self.parser.warn)  # fmt: skip
        start = start or self.today
        ended = f"{self.reason}，帮扶结束" if end is not None else None
        if found is not None:
            mine = list(self.s.scalars(select(Pairing).where(Pairing.household_id == found.id,
                                                             Pairing.cadre_id == cadre_id)))  # fmt: skip
            if end is not None:
                if any(p.start_on == start and p.end_on == end for p in mine):
                    return False
                current = next((p for p in mine if p.end_on is None), None)
                if current is not None:  # the registered helper's pairing, which the roster says has ended
                    current.start_on, current.end_on, current.end_reason = start, end, ended
                    return True
            else:
                current = next((p for p in mine if p.end_on is None), None)
                if current is not None:
                    if v.get("helper_start") is None or current.start_on == start:
                        return False
                    current.start_on = start  # the date the roster gives, instead of the day of an earlier import
                    return True
                active = list(self.s.scalars(select(Pairing).where(Pairing.household_id == found.id,
                                                                   Pairing.end_on.is_(None))))  # fmt: skip
                old = "、".join(p.cadre.name for p in active) or None
                for pairing in active:
                    pairing.end_on, pairing.end_reason = max(start, pairing.start_on), f"{self.reason}，更换帮扶责任人"
                history.record(self.s, household_id=found.id, kind="field", field="helper", old=old, new=name,
                               reason=self.reason, user=self.user)  # fmt: skip
        pairings.append(dict(cadre_id=cadre_id, household_id=household.id, start_on=start, end_on=end,
                             end_reason=ended, created_by=self.user))  # fmt: skip
        return found is not None

    # -- updates ---------------------------------------------------------------------------------------------------
    def update_household(
        self, found: Household, household: HouseholdRecord, episode: dict | None, extras: Extras, batch: Batch
    ) -> bool:
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
        changed |= self.kept_values(found, household, extras[0], extras[2])
        changed |= self.year(household, found, batch.years)
        changed |= self.monitoring(household, episode, found, batch.monitors)
        changed |= self.helper(household, found, batch.pairings)
        return changed

    def kept_values(
        self,
        current: Household | Member,
        record: HouseholdRecord | MemberRecord,
        extra: dict,
        dropped: Iterable[str],
        member_id: int | None = None,
    ) -> bool:
        """Update what a registered household or member keeps beyond its fields: the values to verify (a value now
        readable clears its entry) and the kept columns (each change logged under its header)."""
        readable = [key for key, value in record.values.items() if value is not None]
        found = kept.apply(current, unverified(record.unreadable), readable, extra, dropped)
        household_id = current.household_id if member_id is not None else current.id
        for header, old, new in found:
            history.record(self.s, household_id=household_id, member_id=member_id,
                           kind="member_changed" if member_id is not None else "field", field=header[:64], old=old,
                           new=new, reason=self.reason, user=self.user)  # fmt: skip
        return bool(found)

    def review(self, found: Household, household: HouseholdRecord, members_to_review: bool) -> None:
        """Whether a registered household still has values to verify, after this roster's rows were applied."""
        review = bool(found.unverified) or members_to_review
        if not review and found.needs_review:  # its members not in this roster may have some
            here = [member.person.number for member in household.members]
            query = select(Member.unverified).where(Member.household_id == found.id, Member.removed_on.is_(None),
                                                    Member.id_number.not_in(here))  # fmt: skip
            review = any(self.s.scalars(query))
        if found.needs_review != review:
            found.needs_review = review

    def members(self, household: HouseholdRecord, owners: dict[str, Member], extras: Extras, batch: Batch) -> bool:
        """Add or update the household's members; whether any of them has values to verify."""
        held, member_extras, _ = extras
        review = False
        for member, extra in zip(household.members, member_extras, strict=True):
            current = owners.get(member.person.number)
            if current is None:
                row = self.member_row(household, member, extra)
                review = review or row["unverified"] is not None
                log = None
                if household.id in self.existing_ids:
                    log = dict(household_id=household.id, member_id=None, kind="member_added", field=None,
                               old_value=None, new_value=member.name, reason=self.reason, user=self.user)  # fmt: skip
                batch.members.append((row, log))
                if log is not None:
                    batch.logs.append(log)
                self.result.persons_added += 1
                continue
            values = {
                attr: member.values[key] for key, attr in MEMBER_FIELDS.items() if member.values.get(key) is not None
            }
            values["name"] = member.name
            values["sex"] = member.person.sex
            values["birth_date"] = member.person.birth_date
            changed = history.apply_changes(self.s, current, values, household_id=household.id, user=self.user,
                                            kind="member_changed", member_id=current.id, reason=self.reason)  # fmt: skip
            if "name" in changed:
                current.name_pinyin, current.name_initials = pinyin_keys(member.name)
            changed_kept = self.kept_values(current, member, extra, held.keys(), member_id=current.id)
            review = review or bool(current.unverified)
            if changed or changed_kept:
                self.result.persons_updated += 1
        return review
