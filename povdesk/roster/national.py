"""What the national systems' columns mean in PovDesk's terms (../shared/CODES.md §15–§21): the status a 户类型 or an
exited 贫困户属性 implies, housing from 是否危房户, the attribute derived from the members' 低保/特困 support, and the
monitoring episode of an E2021 export (type, identification month, risks, elimination)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from povdesk import codes

if TYPE_CHECKING:
    from povdesk.roster.validate import HouseholdRecord, MemberRecord, RosterParser

# 户类型 → status: 脱贫户 has exited and still enjoys the policies, 脱贫不享受政策户 no longer does; 一般农户 was never
# registered as poor (a monitored marginal household, for one).
TYPE_STATUS = {"exited": "exited", "exited_stable": "exited_stable", "ordinary": None}
SUPPORT_KEYS = ("low_income_support", "extreme_support")
RISK_KEYS = tuple(f"risk_{i}" for i in range(1, 6))


def complete(values: dict, attribute_text: str | None) -> None:
    """Add to a household's values what its national columns imply.

    The status comes from 脱贫属性 when the file has it; else from 户类型; else from a 贫困户属性 label that says the
    household has exited (一般脱贫户: general and exited). Housing is safe unless 是否危房户 says 是.
    """
    if values.get("status") is None:
        if "household_type" in values:
            status = TYPE_STATUS.get(values["household_type"])
        else:
            status = codes.ATTRIBUTE.implied_status(attribute_text) if attribute_text else None
        if status is not None:
            values["status"] = status
    if values.get("housing_ok") is None and values.get("dangerous_house") is not None:
        values["housing_ok"] = not values["dangerous_house"]


def derived_attribute(members: list[MemberRecord]) -> str:
    """贫困户属性 of a household from its members' support (lists of exited people have no attribute column): a member
    under 特困供养 makes it extreme, else one under 低保 low_income, else it is general."""
    for key, attribute in (("extreme_support", "extreme"), ("low_income_support", "low_income")):
        if any(member.values.get(key) not in (None, "no") for member in members):
            return attribute
    return "general"


def risks(values: dict) -> str | None:
    """致贫/返贫风险1–5 as MonitoredHousehold.risk: the official labels (or the text as written) joined by "、"."""
    found: list[str] = []
    for key in RISK_KEYS:
        risk = values.get(key)
        if risk and risk not in found:
            found.append(risk)
    return "、".join(found) or None


def episode(parser: RosterParser, household: HouseholdRecord) -> dict | None:
    """The monitoring episode a household's columns describe, as MonitoredHousehold values, or None.

    What cannot be stored is reported, and kept for review in the household's unreadable values: a 监测对象类别 without
    its identification date (the episode needs one), a 消除监测时间 under 风险是否已消除 = 否. Call it after
    `parser.warn_kept(household)`: the values added here have had their own warning.
    """
    v = household.values
    kind = v.get("monitor_type")
    if kind is None:
        return None
    row, label = household.first_row, parser.label
    if v.get("monitor_since") is None:
        text = codes.MONITOR_TYPE.label_of(kind)
        parser.warn(
            row,
            f"户编号{household.number}的{label('monitor_type')}为“{text}”，但没有{label('monitor_since')}，"
            "未登记为监测户，类别已原样保留待核实",
            f"缺少{label('monitor_since')}",
        )
        parser.keep(household, "monitor_type", text)
        return None
    eliminated_on = v.get("risk_eliminated_on")
    if v.get("risk_eliminated") is True and eliminated_on is None:
        parser.warn(
            row,
            f"户编号{household.number}的{label('risk_eliminated')}为“是”，但没有"
            f"{label('risk_eliminated_on')}，已按风险未消除登记",
            f"缺少{label('risk_eliminated_on')}",
        )
    elif v.get("risk_eliminated") is False and eliminated_on is not None:
        parser.warn(
            row,
            f"户编号{household.number}的{label('risk_eliminated')}为“否”，却填写了"
            f"{label('risk_eliminated_on')}“{eliminated_on.isoformat()}”，已按风险未消除登记，日期已原样保留"
            "待核实",
            f"{label('risk_eliminated')}与消除时间矛盾",
        )
        parser.keep(household, "risk_eliminated_on", eliminated_on.isoformat())
        eliminated_on = None
    return dict(
        type=kind,
        identified_on=v["monitor_since"],
        risk=risks(v),
        risk_eliminated_on=eliminated_on,
        elimination_method=v.get("elimination_method"),
    )
