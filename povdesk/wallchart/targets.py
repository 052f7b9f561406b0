"""Targets (考核指标) with red / amber / green lights: defaults from the county exit indicators, editable per office."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

from sqlalchemy.orm import Session

from povdesk import office_settings
from povdesk.errors import RuleViolation
from povdesk.wallchart.model import METRICS, Light

SETTING_KEY = "wallchart.targets"
Better = Literal["lower", "higher"]
COLORS: dict[str, str] = {"green": "#2e9d4f", "amber": "#f0a020", "red": "#d8352a"}
LIGHT_LABELS: dict[str, str] = {"green": "达标", "amber": "接近", "red": "未达标"}


@dataclass(frozen=True)
class Target:
    """`metric`'s value is green when at least as good as `green`, amber when at least as good as `amber`, else red.
    Percent metrics are fractions (0.02 for 2%)."""

    key: str
    label: str
    metric: str
    better: Better
    green: float
    amber: float


DEFAULTS: tuple[Target, ...] = (
    Target("incidence", "贫困发生率低于2%", "incidence", "lower", 0.02, 0.03),
    Target("pairing_coverage", "结对帮扶全覆盖", "pairing_coverage", "higher", 1.0, 0.95),
    Target("guarantee_short_households", "无“两不愁三保障”未达标户", "guarantee_short_households", "lower", 0, 0),
    Target("risk_elimination_rate", "监测对象风险消除率", "risk_elimination_rate", "higher", 0.9, 0.7),
)
# The west's incidence line (DOMAIN.md §4: below 3% in the west)
WEST_INCIDENCE = Target("incidence", "贫困发生率低于3%", "incidence", "lower", 0.03, 0.03)


def light(target: Target, value: float | int | None) -> Light | None:
    """The light of a value; None when the value is unknown (no rural population entered, no monitored household)."""
    if value is None:
        return None
    if target.better == "lower":
        return "green" if value <= target.green else "amber" if value <= target.amber else "red"
    return "green" if value >= target.green else "amber" if value >= target.amber else "red"


def _check(targets: list[Target]) -> None:
    unknown = [t.metric for t in targets if t.metric not in METRICS]
    if unknown:
        raise RuleViolation(f"作战图考核指标引用了不存在的指标：{'、'.join(unknown)}")
    for t in targets:
        if t.better not in ("lower", "higher"):
            raise RuleViolation(f"考核指标“{t.label}”的方向应为 lower 或 higher，而不是“{t.better}”")
        worse = t.amber > t.green if t.better == "lower" else t.amber < t.green
        if not worse and t.amber != t.green:
            raise RuleViolation(f"考核指标“{t.label}”的黄灯界限应比绿灯界限宽")


def load(session: Session) -> list[Target]:
    """The office's targets, or the defaults."""
    stored = office_settings.read(session, SETTING_KEY)
    if stored is None:
        return list(DEFAULTS)
    try:
        data = json.loads(stored)
        targets = [Target(**{k: item[k] for k in Target.__dataclass_fields__}) for item in data]
    except (ValueError, TypeError, KeyError) as exc:
        raise RuleViolation(f"作战图考核指标设置已损坏（{exc}），请在“作战图设置”中恢复默认") from exc
    _check(targets)
    return targets


def save(session: Session, targets: list[Target]) -> None:
    _check(targets)
    office_settings.write(session, SETTING_KEY, json.dumps([asdict(t) for t in targets], ensure_ascii=False))


def reset(session: Session) -> None:
    office_settings.remove(session, SETTING_KEY)


def lights(targets: list[Target], values: dict) -> dict[str, Light]:
    """Target key → light for an area's values (targets whose value is unknown are left out)."""
    out: dict[str, Light] = {}
    for t in targets:
        found = light(t, values.get(t.metric))
        if found is not None:
            out[t.key] = found
    return out
