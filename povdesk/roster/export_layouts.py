"""The layouts a roster is exported in, and how each writes a field: PovDesk's own, the E2016 national person export
(国办数据) and the E2021 （自定义）监测对象信息 export (../shared/CODES.md §1, values as in §15–§25).

A column writes a field PovDesk models (its layout.py key, which the importer reads back under the same header), or
a national column the importer does not read (人编号, 证件类型, 出生日期…): that one is written from the roster's kept
column of the same header, which is what the clerk's roster said, and where there is none from a stored value if
PovDesk has one (出生日期 from the birth date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from povdesk import codes
from povdesk.roster.kept import header_of
from povdesk.roster.layout import BY_KEY, COLUMNS, HOUSEHOLD, MEMBER, fold, match_header
from povdesk.roster.national import RISK_KEYS, TYPE_STATUS

Values = dict[str, object]  # a household's or a person's stored values by layout key, as exporter.py reads them
ValueOf = Callable[[Values], object]

DEFAULT_LAYOUT = "povdesk"
# 贫困户属性 of an exited household in the 2019–20 labels (CODES.md §15): the attribute says the guarantee, the label
# also says that the household has exited.
EXITED_ATTRIBUTE = {"general": "一般脱贫户", "low_income": "低保脱贫户", "extreme": "特困供养脱贫户"}
_TYPE_OF_STATUS = {status: kind for kind, status in TYPE_STATUS.items()}  # 户类型 from the status


@dataclass(frozen=True)
class ExportColumn:
    header: str
    key: str | None  # the field written (a layout.py key); None: a national column the importer does not read
    level: str  # HOUSEHOLD or MEMBER: whose values, unverified texts and kept columns fill it
    value: ValueOf | None  # the cell from the stored values; None for a column filled from the kept columns only
    width: float = 10
    text: bool = False  # written as text, so that Excel cannot turn it into a number


@dataclass(frozen=True)
class ExportLayout:
    name: str
    label: str  # what the clerk chooses
    sheet: str
    title: str  # format field: scope
    # The information row's segments (format fields: scope, today, households, data_year), each written when its
    # fields are known; the importer reads the income year from "数据截止：2020年12月31日" where no column holds it.
    info: tuple[str, ...]
    columns: tuple[ExportColumn, ...]


def _yes_no(value: object) -> str | None:
    return None if value is None else ("是" if value else "否")


def _money(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)


def _month(value: dt.date | None) -> str | None:
    return None if value is None else f"{value:%Y%m}"  # 识别监测时间 202304 (CODES.md §25)


def _day(value: dt.date | None) -> str | None:
    return None if value is None else f"{value:%Y%m%d}"  # 出生日期 19421228


def _attribute_by_status(v: Values) -> str:
    attribute = v.get("attribute")
    if v.get("status") in codes.EXITED and attribute in EXITED_ATTRIBUTE:
        return EXITED_ATTRIBUTE[attribute]
    return codes.ATTRIBUTE.label_of(attribute)


def _risk(i: int) -> ValueOf:
    """致贫/返贫风险i from the risks stored joined by "、"; a sixth and later risk stay with the fifth, never lost."""

    def value(v: Values) -> str | None:
        parts = (v.get("risk") or "").split("、") if v.get("monitor_type") else []
        if i == len(RISK_KEYS):
            return "、".join(parts[i - 1 :]) or None
        return parts[i - 1] if i <= len(parts) else None

    return value


def _school_2021(v: Values) -> str | None:
    """E2021 leaves 在校生状况 blank for someone not at school; 非在校生 is not in its list (CODES.md §7)."""
    school = v.get("school_status")
    return None if school == "none" else codes.SCHOOL.label_of(school) or None


def _eliminated(v: Values) -> str | None:
    return _yes_no(v.get("risk_eliminated_on") is not None) if v.get("monitor_type") else None


def _other_causes(v: Values) -> str | None:
    return "、".join(codes.CAUSE.label_of(c) for c in v.get("other_causes") or ()) or None


# Fields whose cell is not one stored value written by its kind.
_DERIVED: dict[str, ValueOf] = {
    "household_type": lambda v: codes.HOUSEHOLD_TYPE.label_of(_TYPE_OF_STATUS.get(v.get("status"))) or None,
    "dangerous_house": lambda v: None if v.get("housing_ok") is None else _yes_no(not v["housing_ok"]),
    "risk_eliminated": _eliminated,
    "other_causes": _other_causes,
    **{key: _risk(i) for i, key in enumerate(RISK_KEYS, start=1)},
}


def _by_kind(key: str) -> ValueOf:
    column = BY_KEY[key]
    if column.kind in ("code", "codes"):
        labels, label_of = {item.code: item.label for item in column.code_list}, column.code_list.label_of
        return lambda v: labels.get(v.get(key)) or label_of(v.get(key)) or None  # several codes, retired ones
    if column.kind == "bool":
        return lambda v: _yes_no(v.get(key))
    if column.kind == "money":
        return lambda v: _money(v.get(key))
    if column.text_format:
        return lambda v: None if v.get(key) is None else str(v[key])
    return lambda v: v.get(key)


def field(
    key: str,
    header: str | None = None,
    *,
    value: ValueOf | None = None,
    text: bool | None = None,
    width: float | None = None,
) -> ExportColumn:
    """A column writing a modeled field: under its own header unless another is given, by its kind unless `value`."""
    column = BY_KEY[key]
    value = value or _DERIVED.get(key) or _by_kind(key)
    return ExportColumn(
        header or column.header,
        key,
        column.level,
        value,
        width or column.width,
        column.text_format if text is None else text,
    )


def kept(
    header: str, level: str, *, value: ValueOf | None = None, width: float = 10, text: bool = False
) -> ExportColumn:
    """A national column the importer does not read: the roster's kept column of that header, written back; else
    `value`, where PovDesk knows it."""
    return ExportColumn(header, None, level, value, width, text)


POVDESK = ExportLayout(
    "povdesk",
    "PovDesk 花名册（全部字段）",
    "花名册",
    "建档立卡人口花名册（{scope}）",
    ("导出日期：{today}，共{households}户",),
    tuple(
        field(c.key) if c.level != "ignored" else ExportColumn(c.header, None, "ignored", None, c.width)
        for c in COLUMNS
    ),
)

H, M = HOUSEHOLD, MEMBER

# The 国办数据 "贫困户数据" export, one row per person (CODES.md §1, E2016), in its order.
NATIONAL_2016 = ExportLayout(
    "national-2016",
    "全国扶贫开发信息系统 贫困户数据（2016 版）",
    "贫困户数据",
    "贫困户数据（{scope}）",
    ("统计范围：{scope}", "数据截止：{data_year}年12月31日", "导出时间：{today}"),
    (
        ExportColumn("序号", None, "ignored", None, 6),
        field("county", "县(市、区、旗)"),
        field("township", "乡(镇)"),
        field("village"),
        field("group", "自然村"),
        field("household_number"),
        kept("人编号", M, width=18, text=True),
        field("name"),
        field("id_number"),
        field("household_size"),
        field("relation"),
        field("ethnicity"),
        field("education"),
        field("school_status"),
        field("health"),
        field("labor"),
        field("work_status"),
        field("work_months"),
        field("serious_illness_insurance", "参加大病医疗"),
        field("status"),
        field("year_exited"),
        field("attribute", value=_attribute_by_status),
        field("main_cause"),
        field("dangerous_house", "危房户"),
        field("water_ok", "饮水安全"),
        kept("饮水困难", H, width=8),
        field("per_capita_income"),
        field("phone"),
    ),
)

# The E2021 （自定义）监测对象信息 export, one row per person (CODES.md §1): the columns PovDesk models, and the person's
# identity columns it keeps; household columns first, then the person's, then the monitoring and risks on the right.
MONITORING_2021 = ExportLayout(
    "monitoring-2021",
    "防返贫监测信息系统 监测对象信息（2021 版）",
    "监测对象信息",
    "（自定义）监测对象信息（{scope}）",
    ("导出范围：{scope}", "数据截止：{data_year}年12月31日", "导出时间：{today}"),
    (
        ExportColumn("序号", None, "ignored", None, 6),
        field("county", "县"),
        field("township", "乡"),
        field("village", "村"),
        field("household_number"),
        field("phone", "户联系电话"),
        field("household_type"),
        field("monitor_type"),
        kept("人口编号", M, width=18, text=True),
        field("name"),
        kept("证件类型", M, width=12),
        field("id_number"),
        field("sex"),
        kept("出生日期", M, value=lambda v: _day(v.get("birth_date")), text=True),
        field("ethnicity"),
        kept("政治面貌", M, width=8),
        field("relation"),
        field("education"),
        field("school_status", value=_school_2021),
        field("health"),
        field("labor"),
        field("work_months"),
        field("medical_insurance"),
        field("serious_illness_insurance"),
        field("pension_insurance"),
        field("low_income_support"),
        field("extreme_support"),
        field("member_phone", "家庭成员联系电话"),
        field("per_capita_income", "人均纯收入（元）"),
        field("wage_income"),
        field("business_income"),
        field("transfer_income"),
        field("dangerous_house"),
        field("water_ok", "是否解决安全饮用水"),
        field("risk_eliminated"),
        field("elimination_method"),
        field("monitor_since", "识别监测时间", value=lambda v: _month(v.get("monitor_since")), text=True),
        field("risk_eliminated_on", "消除监测时间", value=lambda v: _month(v.get("risk_eliminated_on")), text=True),
        *(field(key) for key in RISK_KEYS),
    ),
)

LAYOUTS: dict[str, ExportLayout] = {layout.name: layout for layout in (POVDESK, NATIONAL_2016, MONITORING_2021)}


class RowMaker:
    """The cells of a layout's rows, then the kept columns the layout does not have (JSON list `kept_keys`).

    A column the importer reads is written from the stored value, else from the text kept for review (unverified)
    when the coded field is empty, else from a kept column of its header; a column the importer does not read is
    written from the kept column of its header first (it is what the roster said), else from the stored value.
    Kept values are a person's own, else the household's.
    """

    KEPT_WIDTH = 12

    def __init__(self, layout: ExportLayout, kept_keys: list[str]) -> None:
        columns = layout.columns
        kept_of = {}  # folded header → the kept key that is the first column of that header
        for key in kept_keys:
            kept_of.setdefault(fold(key), key)
        written = {fold(c.header) for c in columns}
        self.appended = [key for key in kept_keys if fold(key) not in written]
        self.headers = [c.header for c in columns] + [header_of(key) for key in self.appended]
        self.widths = [c.width for c in columns] + [self.KEPT_WIDTH] * len(self.appended)
        # kept values are text as the clerk saw it: written as text, like the layout's ID columns
        self.text_columns = [i for i, c in enumerate(columns) if c.text] + list(range(len(columns), len(self.headers)))
        self.seq = next((i for i, c in enumerate(columns) if c.level == "ignored"), None)
        self._size = len(columns)
        self._values = {
            level: [(i, c.value) for i, c in enumerate(columns) if c.level == level and c.value]
            for level in (HOUSEHOLD, MEMBER)
        }
        self._to_verify = {
            level: [(i, c.key) for i, c in enumerate(columns) if c.level == level and c.key]
            for level in (HOUSEHOLD, MEMBER)
        }
        # (column, kept key, whether the kept value comes before the stored one)
        self._kept = [
            (i, kept_of[fold(c.header)], match_header(c.header) is None)
            for i, c in enumerate(columns)
            if fold(c.header) in kept_of
        ]

    def household(self, household: Values) -> list:
        """The household's cells of its members' rows (the person's columns empty)."""
        cells = [None] * len(self.headers)
        for i, value in self._values[HOUSEHOLD]:
            cells[i] = value(household)
        if household.get("unverified"):
            self._verify(cells, HOUSEHOLD, household["unverified"])
        return cells

    def person(self, base: list, household: Values, person: Values, seq: int | None = None) -> list:
        """A person's cells, to lay over the household's `base`: the person's columns, the kept columns, and any
        household column that this person's kept value fills; the other household columns empty."""
        cells = [None] * len(self.headers)
        for i, value in self._values[MEMBER]:
            cells[i] = value(person)
        if person.get("unverified"):
            self._verify(cells, MEMBER, person["unverified"])
        if self._kept or self.appended:
            own, shared = person.get("extra") or {}, household.get("extra") or {}
            for i, key, first in self._kept:
                found = own.get(key, shared.get(key))
                current = cells[i] if cells[i] is not None else base[i]
                if found is not None and (first or current is None or current == ""):
                    cells[i] = found
            for i, key in enumerate(self.appended, start=self._size):
                cells[i] = own.get(key, shared.get(key))
        if self.seq is not None:
            cells[self.seq] = seq
        return cells

    @staticmethod
    def laid_over(base: list, cells: list) -> list:
        """A person's whole row: the person's `cells` laid over the household's `base` (values or rendered cells)."""
        return [h if p is None else p for h, p in zip(base, cells, strict=True)]

    def _verify(self, cells: list, level: str, texts: dict) -> None:
        """Write the text kept for review where the coded field is empty: nothing a clerk typed is lost."""
        for i, key in self._to_verify[level]:
            if (cells[i] is None or cells[i] == "") and texts.get(key):
                cells[i] = texts[key]
