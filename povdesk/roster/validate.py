"""Turning roster rows into validated households and members: grouping, required values, codes, ID numbers, warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from povdesk import codes
from povdesk.roster import national
from povdesk.roster import normalize as nz
from povdesk.roster.cells import CellError
from povdesk.roster.fields import ColumnInvalid, converter
from povdesk.roster.layout import BY_KEY, HOUSEHOLD, MEMBER
from povdesk.roster.reader import Header

_MISS = object()
_INVALID = frozenset((nz.Invalid, nz.Unreadable, ColumnInvalid))  # `value.__class__ in _INVALID`: no call in hot loops
_FATAL = frozenset((nz.Invalid, ColumnInvalid))  # unless a `warning`, the cell rejects its row (or household)
_NO_RELATION = nz.Unreadable("", "缺少与户主关系")  # a member row without 与户主关系: imported as 其他, to be verified
CHECKED_ONLY = ("sex", "age")  # read to check the ID number against, never stored: an unreadable one is only reported
TOTAL_MARKERS = ("合计", "总计", "小计", "共计", "累计")
NOTE_MARKERS = ("填表", "审核", "制表", "负责人", "备注", "说明", "注：", "注:", "签字", "盖章", "联系人")


def total_or_note(filled: list) -> bool:
    """Whether a row whose non-blank cells are `filled` is a total row (合计) or a signature or note line under a
    table: one of its first six cells starts with a marker, white space ignored."""
    for value in filled[:6]:
        if isinstance(value, str):
            folded = "".join(value.split())
            if folded.startswith(TOTAL_MARKERS) or folded.startswith(NOTE_MARKERS):
                return True
    return False


@dataclass(frozen=True, order=True)
class Issue:
    """A rejected row or a warning: the row number the clerk sees in Excel and the reason in Chinese."""

    row: int
    reason: str
    kind: str = field(default="", compare=False)  # warnings of one kind are grouped: "务工状况无法识别"


def unverified(unreadable: list[tuple[str, nz.Unreadable]] | None) -> dict[str, str] | None:
    """Field key → the text as written, of the values kept for review; None when there are none."""
    kept = {key: value.text for key, value in unreadable or () if key not in CHECKED_ONLY}
    return kept or None


class HouseholdRecord:
    """A household as read so far: where it starts, its household-level cells, its pending members, its errors.

    One record is one block of rows: a household number met again after other households' rows, or a second
    head under the same number, starts another record whose `owner` is the first one (see `families.settle`).
    """

    __slots__ = (
        "number", "first_row", "last_row", "rows", "raw", "raw_rows", "conflicts", "values", "members", "error",
        "error_row", "resolved", "queued", "id", "head_name", "head_row", "declared_size", "last", "owner",
        "head_block", "kept", "unreadable",
    )  # fmt: skip

    def __init__(self, number: str, first_row: int, width: int) -> None:
        self.number = number
        self.first_row = first_row
        self.last_row = first_row
        self.rows = 0  # person rows in the file, rejected ones included: the household size they show
        self.raw: list | None = [None] * width  # first non-blank raw cell of each household-level column
        self.raw_rows: list[int] = [0] * width
        self.conflicts: list[tuple[int, int, object]] = []
        self.values: dict[str, object] = {}
        self.members: list[MemberRecord] = []
        self.error: str | None = None
        self.error_row = 0  # the row the error is in; 0: the error is every row's own reason
        self.resolved = False  # household-level values converted and checked
        self.queued = False
        self.id: int | None = None
        self.head_name: str | None = None
        self.head_row = 0  # the row whose 与户主关系 is 户主, rejected or not (0: none)
        self.declared_size: int | None = None
        self.last: tuple = ()  # the household cells of the row before
        self.owner: HouseholdRecord | None = None  # the first block of this household number, for a later block
        self.head_block: HouseholdRecord | None = None  # on a first block: the first of its blocks with a head row
        self.kept = False  # stored (or updated): a later block of the same number may join it
        self.unreadable: list[tuple[str, nz.Unreadable]] | None = None  # household cells kept for review


class MemberRecord:
    __slots__ = ("row", "raw", "person", "values", "name", "unreadable")

    def __init__(
        self,
        row: int,
        raw: list,
        person: nz.PersonId,
        name: str,
        values: dict,
        unreadable: list[tuple[str, nz.Unreadable]] | None = None,
    ) -> None:
        self.row = row
        self.raw = raw
        self.person = person
        self.name = name
        self.values = values
        self.unreadable = unreadable  # cells kept for review (待核实) as (field key, value)


class RosterParser:
    """Feeds on chunks of (row number, cells); hands back households whose rows have all been seen.

    Household-level columns may be repeated on every row, given on the head's row only, or merged vertically
    (the reader fills merged cells): a row with a blank household number continues the household above it.
    """

    def __init__(
        self,
        header: Header,
        labels: Callable[[int], str],
        *,
        today: dt.date | None = None,
        date_epoch: dt.date = nz.EXCEL_EPOCH_1900,
    ) -> None:
        """`date_epoch`: day 0 of the workbook's date system, for dates written as bare serial numbers."""
        self.today = today or dt.date.today()
        self.header = header
        self.labels = labels
        self.rejected: list[Issue] = []
        self.warnings: list[Issue] = []
        self.rejected_raw: dict[int, list] = {}
        mapping = header.mapping
        self.col = {key: col for col, key in mapping.items()}
        self.hh_col = self.col["household_number"]
        self.id_col = self.col["id_number"]
        self.name_col = self.col["name"]
        self.relation_col = self.col.get("relation")
        self.household_cols = [c for c, k in sorted(mapping.items()) if BY_KEY[k].level == HOUSEHOLD
                               and k != "household_number"]  # fmt: skip
        self.household_keys = [mapping[c] for c in self.household_cols]
        self.household_index = {key: i for i, key in enumerate(self.household_keys)}
        self.member_cols = [c for c, k in sorted(mapping.items()) if BY_KEY[k].level == MEMBER]
        self.member_keys = [mapping[c] for c in self.member_cols]
        self.household_getter = _getter(self.household_cols)
        self.member_getter = _getter(self.member_cols)
        self.converters = {
            k: converter(k, self.today, date_epoch, header.texts[col])
            for col, k in mapping.items()
            if BY_KEY[k].kind != "ignored"
        }
        self.caches: dict[str, dict | None] = {
            k: ({} if cached else None) for k, (_, cached) in self.converters.items()
        }
        self.household_converters = [(k, self.converters[k][0], self.caches[k]) for k in self.household_keys]
        self.by_raw_number: dict[object, HouseholdRecord] = {}
        self.by_number: dict[str, HouseholdRecord] = {}
        self.latest: dict[str, HouseholdRecord] = {}  # the last block of a number met in more than one block
        self.heads: dict[object, bool] = {}  # raw 与户主关系 cell → is it 户主
        self.current: HouseholdRecord | None = None
        self.seen_ids: dict[str, tuple[HouseholdRecord, int, str]] = {}
        self.completed: list[HouseholdRecord] = []

    # -- issues ---------------------------------------------------------------------------------------------------
    def reject(self, row: int, reason: str, raw: list) -> None:
        self.rejected.append(Issue(row, reason))
        self.rejected_raw[row] = list(raw)

    def warn(self, row: int, reason: str, kind: str = "") -> None:
        self.warnings.append(Issue(row, reason, kind))

    def _warn_kept(self, row: int, key: str, value: nz.Unreadable) -> None:
        """The warning of a value kept for review, grouped by column: "务工状况无法识别"."""
        label = self.label(key)
        if key == "relation" and not value.text:
            self.warn(row, f"{label}未填写，已按“其他”导入，待核实", f"{label}未填写")
            return
        if key == "relation":
            done = "已按“其他”导入，原文保留待核实"
        elif key in CHECKED_ONLY:
            done = "已按身份证号导入"
        else:
            done = "已原样保留待核实"
        advice = f"，{value.advice}" if value.advice else ""
        self.warn(row, f"{label}“{value.text}”无法识别，{done}{advice}", f"{label}无法识别")

    def keep(self, household: HouseholdRecord, key: str, text: str) -> None:
        """Keep a household value for review that could not be stored, its warning already given."""
        household.unreadable = [*(household.unreadable or ()), (key, nz.Unreadable(text, ""))]

    def warn_kept(self, household: HouseholdRecord) -> None:
        """Report the values kept for review of a household that is stored (a rejected one's rows say why instead)."""
        if household.owner is None:  # a later block's household cells are not taken (families._join says so)
            for key, value in household.unreadable or ():
                self._warn_kept(household.raw_rows[self.household_index[key]], key, value)
        for member in household.members:
            for key, value in member.unreadable or ():
                self._warn_kept(member.row, key, value)

    def _convert(self, key: str, value: object) -> object:
        convert, _ = self.converters[key]
        cache = self.caches[key]
        if cache is None:
            return convert(value)
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = convert(value)
            return result

    def label(self, key: str) -> str:
        col = self.col.get(key)
        return self.labels(col) if col is not None else BY_KEY[key].header

    def labelled(self, key: str, message: str) -> str:
        return f"{self.label(key)}：{message}"

    def _reason(self, key: str, invalid: nz.Invalid) -> str:
        """Why a cell was refused, naming its column: "人均纯收入：“abc”不是金额", "“姓名”超过32个字…"."""
        if invalid.__class__ is ColumnInvalid:
            return f"“{self.label(key)}”{invalid.message}"
        return self.labelled(key, invalid.message)

    def _head(self, household: HouseholdRecord, row_no: int, row: list) -> None:
        """Note a household's head row (once per household, so the name is read here rather than column-wise)."""
        household.head_row = row_no
        name = row[self.name_col]
        if isinstance(name, str) and name.strip():
            name = "".join(name.split())
            household.head_name = name if len(name) <= 32 else name[:8] + "…"
        owner = household.owner or household
        if owner.head_block is None:
            owner.head_block = household

    # -- rows ------------------------------------------------------------------------------------------------------
    def _skippable(self, row: list) -> bool:
        """Total rows (合计), signature and note lines under the table."""
        filled = [v for v in row if v != "" and v is not None]
        if total_or_note(filled):
            return True
        return len(filled) <= 2 and row[self.id_col] == "" and row[self.name_col] == ""

    def _household_for(self, number_raw: object, row_no: int, head: bool) -> HouseholdRecord:
        """The record a row belongs to: the current one, a new household, or a new block of a number seen before."""
        household = self.by_raw_number.get(number_raw)
        if household is not None and household is self.current and not (head and household.head_row):
            return household  # the common case: the next row of the household being read
        if number_raw == "" or number_raw is None or (isinstance(number_raw, str) and not number_raw.strip()):
            if self.current is not None and not head:
                return self.current  # merged or head-only household cells: the household above continues
            reason = "缺少户编号" + ("（户主所在行必须填写户编号）" if head else "")
            return self._broken(f"第{row_no}行", row_no, self.labelled("household_number", reason))
        if household is None:
            number = self._convert("household_number", number_raw)
            if isinstance(number, nz.Invalid):
                broken = self._broken(str(number_raw), row_no, self._reason("household_number", number))
                if number_raw.__class__ is not CellError:  # "#N/A" in two places says nothing about a household
                    self.by_raw_number[number_raw] = broken
                return broken
            household = self.by_number.get(number)  # the same number typed another way ("0012" / 12)
            if household is None:
                household = self.by_number[number] = HouseholdRecord(number, row_no, len(self.household_cols))
            self.by_raw_number[number_raw] = household
        if self.by_number.get(household.number) is not household:
            return household  # a household number that could not be read: its rows share its reason
        block = self.latest.get(household.number, household)
        if block.rows == 0 or (block is self.current and not (head and block.head_row)):
            return block
        # The number again after other households' rows, or a second head under it: another block, which
        # `families.settle` rejects or joins to the first (one household number, one head).
        block = self.latest[household.number] = HouseholdRecord(household.number, row_no, len(self.household_cols))
        block.owner = household
        return block

    def _broken(self, number: str, row_no: int, error: str) -> HouseholdRecord:
        broken = HouseholdRecord(number, row_no, len(self.household_cols))
        broken.error, broken.error_row = error, row_no
        return broken

    def feed(self, chunk: Iterable[tuple[int, list]]) -> list[HouseholdRecord]:
        """Take a chunk of rows; return the households completed so far (their rows will not continue)."""
        kept_rows, kept_numbers, kept_households = [], [], []
        household_getter, hh_col, relation_col = self.household_getter, self.hh_col, self.relation_col
        by_raw_number, heads = self.by_raw_number, self.heads
        for row_no, row in chunk:
            if not any(row):
                continue  # blank rows (they do not end a household: merged cells never span them, but tidy sheets do)
            if (row[self.id_col] == "" or row[self.name_col] == "") and self._skippable(row):
                continue
            head = False
            if relation_col is not None:
                head = heads.get(row[relation_col])
                if head is None:
                    head = heads[row[relation_col]] = self._convert("relation", row[relation_col]) == "head"
            household = by_raw_number.get(row[hh_col])
            if household is None or household is not self.current or (head and household.head_row):
                household = self._household_for(row[hh_col], row_no, head)
            if household is not self.current:
                if self.current is not None and not self.current.queued:
                    self.current.queued = True
                    self.completed.append(self.current)
                self.current = household
            if head and not household.head_row:
                self._head(household, row_no, row)
            household.last_row = row_no
            household.rows += 1
            if household.raw is not None and self.household_cols:
                cells = household_getter(row)
                if cells != household.last:  # household cells repeated on every row: compared once, in C
                    household.last = cells
                    raw = household.raw
                    rows = household.raw_rows
                    for i, value in enumerate(cells):
                        if value == "" or value is None or value == raw[i]:
                            continue
                        if raw[i] is None:
                            raw[i], rows[i] = value, row_no
                        elif not household.resolved:
                            household.conflicts.append((i, row_no, value))
            kept_rows.append(row)
            kept_numbers.append(row_no)
            kept_households.append(household)
        if kept_rows:
            self._members(kept_rows, kept_numbers, kept_households)
        done, self.completed = self.completed, []
        return done

    def finish(self) -> list[HouseholdRecord]:
        if self.current is not None and not self.current.queued:
            self.current.queued = True
            self.completed.append(self.current)
        self.current = None
        done, self.completed = self.completed, []
        return done

    def _members(self, rows: list[list], numbers: list[int], households: list[HouseholdRecord]) -> None:
        """Convert the member columns of a chunk column by column (cached per distinct value), then check each row."""
        columns = list(zip(*map(self.member_getter, rows), strict=True)) if self.member_cols else []
        converted: dict[str, list] = {}
        for key, values in zip(self.member_keys, columns, strict=True):
            convert, _ = self.converters[key]
            converted[key] = nz.convert_column(convert, values, self.caches[key])
        invalid_cells: dict[int, list[tuple[str, nz.Invalid]]] = {}
        for key, values in converted.items():
            cache = self.caches[key]
            if cache is not None and not any(isinstance(v, nz.Invalid) for v in cache.values()):
                continue
            for i, value in enumerate(values):
                if value.__class__ in _INVALID:
                    invalid_cells.setdefault(i, []).append((key, value))
        persons = converted.pop("id_number")
        names = converted.pop("name")
        ages = converted.pop("age", None)
        sexes = converted.pop("sex", None)
        keys = list(converted)
        value_rows = zip(*converted.values(), strict=True) if keys else ((),) * len(rows)
        seen_ids, today, relation_col = self.seen_ids, self.today, self.relation_col
        for i, values in enumerate(value_rows):
            row_no, household, person, name = numbers[i], households[i], persons[i], names[i]
            problems = invalid_cells.get(i)
            if problems or person is None or name is None or person.__class__ in _INVALID:
                reasons = self._row_reasons(person, name, problems)
                if reasons:
                    self.reject(row_no, "；".join(reasons), rows[i])
                    continue
            number = person.number
            first = seen_ids.get(number)
            if first is not None:
                other, other_row, other_name = first
                if other.number == household.number:
                    self.reject(row_no, f"身份证号{number}与本户第{other_row}行（{other_name}）重复", rows[i])
                else:
                    head = f"，户主{other.head_name}" if other.head_name else ""
                    self.reject(row_no, f"身份证号{number}已属于户编号{other.number}（第{other_row}行{other_name}{head}）"
                                        "的成员，一人只能属于一户，本行未导入", rows[i])  # fmt: skip
                continue
            seen_ids[number] = (household, row_no, name)
            if sexes is not None and sexes[i].__class__ is str and sexes[i] != person.sex:
                self.warn(row_no, f"性别填写为“{codes.SEX.label_of(sexes[i])}”，但身份证号{number}显示为"
                                  f"“{codes.SEX.label_of(person.sex)}”，已按身份证号导入")  # fmt: skip
            if ages is not None and ages[i].__class__ is int:
                actual = nz.age_on(person.birth_date, today)
                if abs(ages[i] - actual) > 1:
                    self.warn(
                        row_no, f"年龄填写为{ages[i]}岁，但按身份证号{number}计算应为{actual}岁，已按身份证号导入"
                    )
            record = dict(zip(keys, values, strict=True))
            unreadable = self._kept(row_no, problems, record) if problems else None
            if relation_col is not None and record["relation"] is None:  # never a head: heads are found by relation
                record["relation"] = "other"
                if unreadable is None or not any(key == "relation" for key, _ in unreadable):
                    unreadable = [*(unreadable or ()), ("relation", _NO_RELATION)]
            household.members.append(MemberRecord(row_no, rows[i], person, name, record, unreadable))

    def _kept(self, row_no: int, problems: list[tuple[str, nz.Invalid]], record: dict) -> list | None:
        """Empty the fields of a row's unreadable cells (kept for review) and of cells dropped with a warning."""
        unreadable = []
        for key, value in problems:
            if key in record:
                record[key] = None
            if value.__class__ is nz.Unreadable:
                unreadable.append((key, value))
            elif value.warning:
                self.warn(row_no, self.labelled(key, value.message))
        return unreadable or None

    def _row_reasons(self, person, name, problems) -> list[str]:
        """Reasons to reject a member row: a missing or unreadable name or ID number, an error cell, a value its
        column cannot hold; with them, the row's unreadable values (one reject report to correct them all)."""
        reasons = []
        if name is None:
            reasons.append(self.labelled("name", "缺少姓名"))
        elif isinstance(name, nz.Invalid):
            reasons.append(self._reason("name", name))
        if person is None:
            reasons.append(self.labelled("id_number", "缺少身份证号"))
        elif isinstance(person, nz.Invalid):
            reasons.append(self._reason("id_number", person))
        others = [(key, value) for key, value in problems or () if key not in ("name", "id_number")]
        reasons += [
            self._reason(key, value) for key, value in others if value.__class__ in _FATAL and not value.warning
        ]
        if reasons:
            reasons += [self._reason(key, value) for key, value in others if value.__class__ is nz.Unreadable]
        return reasons

    # -- households ----------------------------------------------------------------------------------------------
    def resolve(self, household: HouseholdRecord) -> None:
        """Convert and check the household-level cells once all its rows are in; errors reject the whole household."""
        if household.resolved or household.raw is None:
            household.resolved = True
            return
        household.resolved = True
        values: dict[str, object] = {}
        unreadable = []
        raws = household.raw
        for i, (key, convert, cache) in enumerate(self.household_converters):
            raw = raws[i]
            if raw is None:
                continue
            if cache is None:
                value = convert(raw)
            else:
                value = cache.get(raw, _MISS)
                if value is _MISS:
                    value = cache[raw] = convert(raw)
            if value.__class__ is nz.Unreadable:
                unreadable.append((key, value))
            elif value.__class__ in _INVALID:
                self._refuse(household, key, value, household.raw_rows[i])
            else:
                values[key] = value
        for i, row_no, raw in household.conflicts:
            key = self.household_keys[i]
            value = self._convert(key, raw)
            if value.__class__ in _FATAL:  # a bad cell rejects its household wherever it is in the block
                self._refuse(household, key, value, row_no)
            elif value != values.get(key):
                first = household.raw_rows[i]
                self.warn(row_no, self.labelled(key, f"与同户第{first}行填写的“{nz.text(household.raw[i])}”不一致，"
                                                      f"以第{first}行为准"))  # fmt: skip
        if household.error is None and values.get("village") is None and household.owner is None:
            household.error = self.labelled("village", "缺少所在行政村")
            household.error_row = household.first_row
        size = values.get("household_size")
        household.declared_size = size if isinstance(size, int) else None
        attribute = self.household_index.get("attribute")
        national.complete(values, nz.text(raws[attribute]) if attribute is not None else None)
        household.values = values
        household.unreadable = unreadable or None
        household.raw = None  # the raw cells are not needed any more: 120,000 households must stay light
        household.last = ()
        household.conflicts = []

    def _refuse(self, household: HouseholdRecord, key: str, value: nz.Invalid, row_no: int) -> None:
        if value.warning:
            self.warn(row_no, self._reason(key, value))
        elif household.error is None:
            household.error, household.error_row = self._reason(key, value), row_no

    def reject_household(self, household: HouseholdRecord) -> None:
        """Every pending member row of a household with a household-level error is rejected, the culprit row first
        (with `error_row` 0 the error is every row's own reason)."""
        for member in household.members:
            if member.row == household.error_row or not household.error_row:
                self.reject(member.row, household.error or "", member.raw)
            else:
                self.reject(member.row, f"同户第{household.error_row}行有误，整户未导入：{household.error}", member.raw)
        household.members = []

    def size_warnings(self) -> None:
        for household in self.by_number.values():
            if (
                household.declared_size is not None
                and household.declared_size != household.rows
                and not household.error
            ):
                self.warn(household.first_row, self.labelled("household_size", f"户编号{household.number}填写为"
                          f"{household.declared_size}人，但表中该户有{household.rows}行成员"))  # fmt: skip


def _getter(cols: list[int]) -> Callable[[list], tuple]:
    if not cols:
        return lambda row: ()
    if len(cols) == 1:
        col = cols[0]
        return lambda row: (row[col],)
    return itemgetter(*cols)
