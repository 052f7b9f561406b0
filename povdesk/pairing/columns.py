"""The columns of a cadre roster (帮扶干部名单) and of a pairing sheet (帮扶责任人结对表): names and synonyms, how
their cells read, and the rows beneath the header, read with the household roster's machinery."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from povdesk import codes
from povdesk.audit import entry as audit_entry
from povdesk.db import Database
from povdesk.model import Cadre, HelpingUnit, Household, Member
from povdesk.progress import Progress
from povdesk.roster import normalize as nz
from povdesk.roster.cells import CellError
from povdesk.roster.fields import ColumnInvalid, too_long
from povdesk.roster.header import Vocabulary
from povdesk.roster.layout import fold, header_forms
from povdesk.roster.reader import MissingColumns, RosterSheet
from povdesk.roster.validate import Issue, total_or_note

# CODES.md §5 (GB/T 4762): numbers as some systems write them → the label; the text is otherwise kept as written.
POLITICAL_STATUS = ("中共党员", "中共预备党员", "共青团员", "民革会员", "民盟盟员", "民建会员", "民进会员", "农工党党员",
                    "致公党党员", "九三学社社员", "台盟盟员", "无党派民主人士", "群众")  # fmt: skip
_POLITICAL_BY_NUMBER = {str(i): label for i, label in enumerate(POLITICAL_STATUS, start=1)}

# 职级 as cadre rosters write it, beyond codes.CADRE_RANK's own labels. The "321" scheme counts by level: 县处级
# (leading posts and the 调研员 grades of the 2019 公务员职务与职级并行 reform, formerly 调研员/副调研员) takes 3,
# 乡科级 (正科/副科, and 主任科员 grades) takes 2, the 科员 and 办事员 grades are general staff; township and village
# cadres are named by where they work.
RANK_VARIANTS = {
    "county_leader": ("县处级领导", "县处级干部", "县处级领导干部", "县级领导干部", "县领导", "县级", "处级", "正处级",
                      "副处级", "正县级", "副县级", "正处", "副处", "调研员", "副调研员", "一级调研员", "二级调研员",
                      "三级调研员", "四级调研员"),
    "section": ("正科级", "副科级", "正科", "副科", "科级领导", "科级领导干部", "乡科级", "主任科员", "副主任科员",
                "一级主任科员", "二级主任科员", "三级主任科员", "四级主任科员"),
    "general": ("科员", "一级科员", "二级科员", "办事员", "工作人员", "普通干部", "一般职工", "职工"),
    "township": ("镇干部", "乡干部", "乡镇工作人员", "乡镇机关干部", "街道干部", "乡镇(街道)干部"),
    "village": ("村组干部", "村两委干部", "村两委", "村委干部", "村级干部", "村社干部", "社区干部"),
}  # fmt: skip


def _rank_key(text: str) -> str:
    return fold(text).replace("(", "").replace(")", "")


_RANKS = {_rank_key(text): rank for rank, texts in RANK_VARIANTS.items() for text in texts}


@dataclass(frozen=True)
class Field:
    """One column of a cadre roster or a pairing sheet; `limit`: the most characters its database column holds."""

    key: str
    header: str
    kind: str  # ignored, name, id_number, sex, rank, political, text, phone, date, household_number
    synonyms: tuple[str, ...] = ()
    limit: int | None = None


def _length(attribute) -> int | None:
    return attribute.property.columns[0].type.length


CADRE_FIELDS: tuple[Field, ...] = (
    Field("seq", "序号", "ignored", ("序", "编号")),
    Field("name", "姓名", "name", ("干部姓名", "帮扶责任人", "帮扶责任人姓名", "帮扶人", "帮扶人姓名", "帮扶干部姓名",
                                   "结对帮扶责任人"), _length(Cadre.name)),
    Field("sex", "性别", "sex", ("帮扶责任人性别",)),
    Field("id_number", "身份证号", "id_number", ("证件号码", "身份证号码", "公民身份号码", "身份证件号码", "证件号",
                                                 "身份证", "公民身份证号码", "居民身份证号码", "帮扶责任人身份证号",
                                                 "帮扶责任人身份证号码", "帮扶责任人证件号码")),
    Field("unit", "工作单位", "text", ("帮扶(选派)单位名称", "帮扶单位名称", "选派单位名称", "选派单位", "帮扶单位",
                                       "帮扶责任人单位", "帮扶责任人工作单位", "帮扶人单位", "单位", "单位名称",
                                       "所在单位", "工作单位名称"), _length(HelpingUnit.name)),
    Field("position", "职务", "text", ("帮扶责任人职务", "现任职务", "现职务", "工作职务", "职位", "帮扶人职务"),
          _length(Cadre.position)),
    Field("rank", "职级", "rank", ("级别", "干部级别", "职级层次", "帮扶责任人职级", "帮扶人职级", "帮扶责任人级别")),
    Field("phone", "联系电话", "phone", ("帮扶责任人联系方式", "帮扶责任人联系电话", "帮扶责任人电话", "帮扶人电话",
                                         "帮扶人联系电话", "手机号码", "手机号", "手机", "电话", "联系方式",
                                         "电话号码"), _length(Cadre.phone)),
    Field("political_status", "政治面貌", "political", ("帮扶责任人政治面貌",), _length(Cadre.political_status)),
    Field("township", "乡镇", "text", ("乡(镇)", "乡(镇、街道)", "乡镇(街道)", "所在乡镇", "所属乡镇", "乡镇名称",
                                       "工作乡镇")),
)  # fmt: skip

PAIRING_FIELDS: tuple[Field, ...] = (
    Field("seq", "序号", "ignored", ("序",)),
    Field("household_number", "户编号", "household_number", ("户号", "户编码", "家庭编号", "户代码"),
          _length(Household.number)),
    Field("head_name", "户主姓名", "name", ("户主", "户主名称", "帮扶对象", "帮扶对象姓名", "贫困户姓名"),
          _length(Member.name)),
    Field("head_id_number", "户主证件号码", "id_number", ("户主身份证号", "户主身份证号码", "户主公民身份号码",
                                                          "户主身份证件号码", "户主证件号")),
    Field("helper_name", "帮扶责任人", "name", ("帮扶责任人姓名", "帮扶人", "帮扶人姓名", "结对帮扶责任人",
                                                "帮扶干部", "帮扶干部姓名"), _length(Cadre.name)),
    Field("helper_id_number", "帮扶责任人身份证号", "id_number", ("帮扶责任人身份证号码", "帮扶责任人证件号码",
                                                                  "帮扶人身份证号", "帮扶人身份证号码",
                                                                  "帮扶责任人公民身份号码")),
    Field("helper_unit", "帮扶责任人单位", "text", ("帮扶单位", "帮扶人单位", "帮扶责任人工作单位",
                                                    "帮扶(选派)单位名称", "帮扶单位名称", "工作单位", "单位"),
          _length(HelpingUnit.name)),
    Field("helper_rank", "帮扶责任人职级", "rank", ("帮扶人职级", "帮扶责任人级别", "职级", "级别")),
    Field("helper_phone", "帮扶责任人联系方式", "phone", ("帮扶责任人电话", "帮扶责任人联系电话", "帮扶人电话",
                                                          "帮扶人联系电话", "联系电话", "电话", "联系方式"),
          _length(Cadre.phone)),
    Field("start", "帮扶开始时间", "date", ("帮扶开始日期", "开始时间", "开始日期", "结对时间", "结对日期",
                                            "结对开始时间", "结对开始日期", "帮扶时间")),
    Field("end", "帮扶结束时间", "date", ("帮扶结束日期", "结束时间", "结束日期", "结对结束时间", "结对结束日期")),
)  # fmt: skip


def _matcher(fields: tuple[Field, ...]) -> Callable[[object], str | None]:
    """A header cell's field key, looked up in the forms the household roster's headers are (layout.header_forms)."""
    lookup: dict[str, str] = {}
    for f in fields:
        for text in (f.header, *f.synonyms):
            lookup.setdefault(fold(text), f.key)

    @functools.lru_cache(maxsize=1024)
    def match_folded(folded: str) -> str | None:
        return next((lookup[form] for form in header_forms(folded) if form in lookup), None)

    def match(text: object) -> str | None:
        if text is None or text == "":
            return None
        folded = fold(text)
        return match_folded(folded) if folded else None

    return match


CADRES = Vocabulary(
    _matcher(CADRE_FIELDS),
    ("name", "id_number"),
    frozenset({"name", "id_number"}),
    "帮扶干部名单",
    "“姓名”“身份证号”“工作单位”“职级”",
    {f.key: f.header for f in CADRE_FIELDS},
)
PAIRINGS = Vocabulary(
    _matcher(PAIRING_FIELDS),
    ("helper_name",),
    frozenset({"helper_name", "helper_id_number"}),
    "帮扶责任人结对表",
    "“户编号”“户主证件号码”“帮扶责任人”“帮扶开始时间”",
    {f.key: f.header for f in PAIRING_FIELDS},
)


# -- cells ------------------------------------------------------------------------------------------------------------
def rank(value: object) -> str | nz.Invalid | None:
    """A cadre rank (codes.CADRE_RANK) from its label, a synonym or a common variant (RANK_VARIANTS); an unknown value
    is refused with the nearest label to suggest: a guessed rank would change how many households a cadre takes."""
    cleaned = nz.text(value)
    if cleaned is None:
        return None
    found = codes.CADRE_RANK.parse(cleaned) or _RANKS.get(_rank_key(cleaned))
    if found:
        return found
    nearest = _nearest_rank(cleaned)
    labels = "、".join(item.label for item in codes.CADRE_RANK.items)
    advice = f"最接近的是“{nearest}”；" if nearest else ""
    return nz.Invalid(f"“{nz.cell_text(value)}”不在干部级别代码表中，{advice}可填：{labels}")


def _nearest_rank(text: str) -> str | None:
    """The label of the rank whose label, synonym or variant is closest to a typo: 县处汲 → 县级领导 (by 县处级)."""
    key = _rank_key(text)
    written = [(_rank_key(t), item.code) for item in codes.CADRE_RANK.items for t in (item.label, *item.synonyms)]
    written += list(_RANKS.items())
    score, code = max((difflib.SequenceMatcher(None, key, k).ratio(), code) for k, code in written)
    return codes.CADRE_RANK.label_of(code) if score >= 0.6 else None


def political_status(value: object) -> str | None:
    """政治面貌 as written; the numbers of the code list (01 … 13) as their label."""
    cleaned = nz.text(value)
    if cleaned is None:
        return None
    return _POLITICAL_BY_NUMBER.get(cleaned.lstrip("0"), cleaned) if cleaned.isdigit() else cleaned


def _converter(f: Field, today: dt.date, epoch: dt.date) -> Callable[[object], object]:
    kind = f.kind
    if kind == "name":
        convert = nz.person_name
    elif kind == "id_number":
        convert = nz.IdChecker(today)
    elif kind == "sex":
        convert = nz.code(codes.SEX)
    elif kind == "rank":
        convert = rank
    elif kind == "political":
        convert = political_status
    elif kind == "phone":
        convert = nz.digits_text("电话号码")
    elif kind == "date":
        convert = functools.partial(nz.date, epoch=epoch, today=today)
    elif kind == "household_number":
        convert = nz.household_number
    else:
        convert = nz.text

    def checked(value: object) -> object:
        if value.__class__ is CellError:
            return ColumnInvalid(value.message)  # type: ignore[attr-defined]
        result = convert(value)
        if f.limit is not None and result.__class__ is str and len(result) > f.limit:  # type: ignore[arg-type]
            return too_long(result, f.limit)  # type: ignore[arg-type]
        return result

    return checked


# -- rows -------------------------------------------------------------------------------------------------------------
@dataclass
class Row:
    """A data row: its Excel row number, its cells as written, the converted values (None where blank) and the cells
    that could not be taken, as Chinese reasons naming their column."""

    number: int
    raw: list
    values: dict[str, object]
    errors: list[str] = field(default_factory=list)  # reject the row
    notes: list[str] = field(default_factory=list)  # dropped cells: the row is kept, with a warning
    failed: set[str] = field(default_factory=set)  # the keys of the cells in `errors` and `notes`

    def get(self, key: str) -> object:
        return self.values.get(key)


@dataclass
class SheetImportResult:
    """What a cadre or pairing import did: counts, rejected rows and warnings with their Excel rows.

    It has what `povdesk.roster.report.write_reject_report` reads, so the rejected rows can be written out, corrected
    and imported again."""

    path: Path
    sheet: str
    header_row: int
    header_texts: list[str]
    dry_run: bool = False
    committed: bool = False
    added: int = 0
    updated: int = 0
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    rejected_raw: dict[int, list] = field(default_factory=dict)

    def reject(self, row: Row, reason: str) -> None:
        self.rejected.append(Issue(row.number, reason))
        self.rejected_raw[row.number] = list(row.raw)

    def warn(self, row: int, reason: str, kind: str = "") -> None:
        self.warnings.append(Issue(row, reason, kind))

    def to_json(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "rejected": [{"row": i.row, "reason": i.reason} for i in sorted(self.rejected)],
            "warnings": [{"row": i.row, "reason": i.reason} for i in sorted(self.warnings)],
        }


class Sheet:
    """A cadre roster or a pairing sheet open for reading: its header found with `vocabulary`, its rows converted."""

    def __init__(
        self,
        path: str | os.PathLike,
        sheet: str | None,
        vocabulary: Vocabulary,
        fields: tuple[Field, ...],
        *,
        today: dt.date,
    ) -> None:
        self.roster = RosterSheet(path, sheet, vocabulary=vocabulary)
        try:
            header = self.roster.header
            missing = header.missing_required()
            if missing:
                names = "、".join(f"“{vocabulary.headers[k]}”" for k in missing)
                raise MissingColumns(f"“{self.roster.path.name}”工作表“{self.roster.name}”第{header.excel_row}行的"
                                     f"表头中找不到必需的列：{names}")  # fmt: skip
        except BaseException:
            self.roster.close()
            raise
        self.header = header
        self.keys = set(header.mapping.values())
        by_key = {f.key: f for f in fields}
        self.columns = [(col, key, by_key[key].kind, _converter(by_key[key], today, self.roster.date_epoch))
                        for col, key in sorted(header.mapping.items()) if by_key[key].kind != "ignored"]  # fmt: skip
        self.anchors = [col for col, key, _, _ in self.columns if key in vocabulary.anchors]

    def result(self, **kwargs) -> dict:
        """The arguments every SheetImportResult of this sheet starts from."""
        return dict(path=self.roster.path, sheet=self.roster.name, header_row=self.header.excel_row,
                    header_texts=list(self.header.texts), **kwargs)  # fmt: skip

    @property
    def rows_estimate(self) -> int:
        return self.roster.data_rows_estimate

    def label(self, key: str) -> str:
        col = next((c for c, k, _, _ in self.columns if k == key), None)
        return self.roster.column_label(col) if col is not None else self.roster.vocabulary.headers[key]

    def _skippable(self, row: list) -> bool:
        """Blank rows, total rows (合计) and the signature and note lines under a table."""
        filled = [v for v in row if v != "" and v is not None]
        if not filled or total_or_note(filled):
            return True
        return len(filled) <= 2 and all(col >= len(row) or nz.is_blank(row[col]) for col in self.anchors)

    def rows(self) -> Iterator[Row]:
        for number, raw in self.roster.rows():
            if self._skippable(raw):
                continue
            row = Row(number, raw, {})
            for col, key, kind, convert in self.columns:
                value = convert(raw[col]) if col < len(raw) else None
                if isinstance(value, nz.Invalid):
                    reason = (f"“{self.label(key)}”{value.message}" if value.__class__ is ColumnInvalid
                              else f"{self.label(key)}：{value.message}")  # fmt: skip
                    # a sex the ID number gives anyway, a phone number Excel cut short: dropped, said, row kept
                    soft = value.warning or (kind == "sex" and value.__class__ is nz.Unreadable)
                    (row.notes if soft else row.errors).append(reason)
                    row.failed.add(key)
                    value = None
                row.values[key] = value
            yield row

    def close(self) -> None:
        self.roster.close()

    def __enter__(self) -> Sheet:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextmanager
def import_transaction(
    db: Database,
    path: str | os.PathLike,
    source: Sheet,
    result: SheetImportResult,
    *,
    user: str,
    action: str,
    entity: str,
    progress: Progress,
    counts: tuple[str, ...] | None = None,
) -> Iterator[Session]:
    """The one transaction of a sheet import, with its audit row: a dry run, an error or a cancel change nothing.

    At the end the result's rows are sorted and the audit row records the file, the sheet and the counts (`counts`:
    which of `result.to_json()`; all of its numbers by default)."""
    sheet = {"file": str(path), "sheet": source.roster.name}
    with db.session() as session:
        session.begin()
        audit = audit_entry(session, action, entity, detail=sheet, user=user)
        session.flush()
        yield session
        result.rejected.sort()
        result.warnings.sort()
        numbers = {
            k: v for k, v in result.to_json().items() if not isinstance(v, list) and (counts is None or k in counts)
        }
        detail = {**sheet, **numbers, "rejected": len(result.rejected)}
        audit.detail = json.dumps(detail, ensure_ascii=False)
        progress.update(progress.total, label="正在完成……")
        if result.dry_run:
            session.rollback()
        else:
            session.commit()
            result.committed = True
