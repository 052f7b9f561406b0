"""Map colours: the target's light colours when the metric has a target, else a 5-class sequential ramp by
quantiles of the values shown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from povdesk.wallchart import targets as targets_mod
from povdesk.wallchart.model import METRICS
from povdesk.wallchart.templates import format_value

NO_DATA = "#d9d9d9"
# ColorBrewer "Reds" 5 classes: light = few, dark = many
RAMP: tuple[str, ...] = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")


def _target_for(metric_key: str, targets: Iterable[targets_mod.Target]) -> targets_mod.Target | None:
    return next((t for t in targets if t.metric == metric_key), None)


def breaks(values: Sequence[float | int | None], classes: int = len(RAMP)) -> list[float]:
    """The upper bounds of the first classes-1 classes (quantiles of the known values, without repeats)."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return []
    cuts: list[float] = []
    for i in range(1, classes):
        cut = known[min(len(known) - 1, (len(known) * i) // classes)]
        if not cuts or cut > cuts[-1]:
            cuts.append(cut)
    if cuts and cuts[-1] >= known[-1]:
        cuts.pop()
    return cuts


def _class_of(value: float, cuts: list[float]) -> int:
    """The class of a value: cuts are inclusive upper bounds, so the lowest value always takes the lightest colour."""
    for i, cut in enumerate(cuts):
        if value <= cut:
            return i
    return len(cuts)


def _ramp(n_classes: int) -> list[str]:
    """n colours spread over the ramp (2 classes: the lightest and the darkest)."""
    if n_classes <= 1:
        return [RAMP[2]]
    step = (len(RAMP) - 1) / (n_classes - 1)
    return [RAMP[round(i * step)] for i in range(n_classes)]


def fill(metric_key: str, value: float | int | None, values_of_all: Sequence[float | int | None],
         targets: Iterable[targets_mod.Target]) -> str:  # fmt: skip
    """The "#rrggbb" fill of one area on the map."""
    if value is None:
        return NO_DATA
    target = _target_for(metric_key, targets)
    if target is not None:
        found = targets_mod.light(target, value)
        return targets_mod.COLORS[found] if found else NO_DATA
    cuts = breaks(values_of_all)
    return _ramp(len(cuts) + 1)[_class_of(value, cuts)]


def legend(metric_key: str, values_of_all: Sequence[float | int | None],
           targets: Iterable[targets_mod.Target]) -> list[tuple[str, str]]:  # fmt: skip
    """(colour, text) entries explaining the map's fills."""
    metric = METRICS.get(metric_key)
    kind = metric.kind if metric else "count"
    target = _target_for(metric_key, targets)
    entries: list[tuple[str, str]] = []
    if target is not None:
        op_good, op_bad = ("≤", ">") if target.better == "lower" else ("≥", "<")
        entries.append((targets_mod.COLORS["green"], f"达标（{op_good}{format_value(target.green, kind)}）"))
        if target.amber != target.green:
            entries.append((targets_mod.COLORS["amber"], f"接近（{op_good}{format_value(target.amber, kind)}）"))
        entries.append((targets_mod.COLORS["red"], f"未达标（{op_bad}{format_value(target.amber, kind)}）"))
    else:
        cuts = breaks(values_of_all)
        colours = _ramp(len(cuts) + 1)
        members: dict[int, list[float]] = {}
        for v in values_of_all:
            if v is not None:
                members.setdefault(_class_of(v, cuts), []).append(v)
        for i, colour in enumerate(colours):  # each class by the lowest and highest value it holds
            if i in members:
                low, high = format_value(min(members[i]), kind), format_value(max(members[i]), kind)
                entries.append((colour, low if low == high else f"{low}～{high}"))
    if any(v is None for v in values_of_all):
        entries.append((NO_DATA, "无数据"))
    return entries
