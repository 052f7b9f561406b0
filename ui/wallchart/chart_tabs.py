"""The dashboard's chart tabs: the pyqtgraph bar charts of each theme, on scrolling pages, and what they show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from povdesk.wallchart.model import METRICS
from ui.wallchart.charts import PALETTE, BarChart, Series

if TYPE_CHECKING:
    from ui.wallchart.dashboard import View

CHILD_NAMES = {"county": "乡镇", "township": "村", "village": "村民小组"}
RATES = ("food_clothing_rate", "education_rate", "medical_rate", "housing_rate", "water_rate")


def tr(text: str) -> str:
    return QCoreApplication.translate("DashboardWindow", text)


def add_chart_tabs(tabs: QTabWidget, parent: QWidget) -> dict[str, BarChart]:
    """A scrolling page of charts per theme added to `tabs`; the charts by key."""
    charts: dict[str, BarChart] = {}

    def chart_tab(key: str, title: str, page_charts: list[tuple[str, BarChart]]) -> None:
        page = QWidget(parent)
        layout = QVBoxLayout(page)
        for name, chart in page_charts:
            charts[name] = chart
            layout.addWidget(chart)
        layout.addStretch(1)
        scroll = QScrollArea(parent)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        scroll.setObjectName(f"tab_{key}")
        tabs.addTab(scroll, title)

    chart_tab(
        "base",
        tr("贫困底数"),
        [
            ("base_by_area", BarChart("", parent)),
            ("incidence_by_area", BarChart("", parent, percent=True)),
            ("by_attribute", BarChart(tr("按贫困户属性（户）"), parent)),
            ("by_cause", BarChart(tr("按主要致贫原因（户）"), parent)),
        ],
    )
    chart_tab(
        "exits",
        tr("脱贫进度"),
        [
            ("exits_by_year", BarChart(tr("历年计划与实际脱贫户数"), parent, horizontal=False)),
            ("exits_by_area", BarChart("", parent)),
        ],
    )
    chart_tab(
        "guarantees",
        tr("两不愁三保障"),
        [
            ("guarantee_rates", BarChart(tr("“两不愁三保障”及饮水安全达标率"), parent, percent=True)),
            ("short_by_area", BarChart("", parent)),
        ],
    )
    chart_tab(
        "assistance",
        tr("帮扶力量"),
        [
            ("forces_by_area", BarChart("", parent)),
            ("coverage_by_area", BarChart("", parent, percent=True)),
            ("visits_by_area", BarChart("", parent)),
        ],
    )
    chart_tab(
        "monitoring",
        tr("动态监测"),
        [
            ("monitor_types", BarChart(tr("监测对象类型与风险消除（户）"), parent)),
            ("elimination_by_area", BarChart("", parent, percent=True)),
        ],
    )
    charts["incidence_by_area"].empty_text = tr("未录入农村人口（在“作战图设置 › 农村人口”中填写或导入）")
    return charts


def show_charts(charts: dict[str, BarChart], view: View) -> None:
    """Each chart's series for the area: its child areas, its years, its totals."""
    from povdesk.wallchart.targets import COLORS, light

    d = view.dashboard
    child = tr(CHILD_NAMES[d.level])
    names = [c.name for c in d.children]
    total = d.total.values

    def by_area(key: str, colour: str | None = None) -> Series:
        """A metric of the child areas; lit by its target when it has one and no colour is given."""
        values = [c.values.get(key) for c in d.children]
        target = next((t for t in view.targets if t.metric == key), None)
        if colour is None and target is not None:
            colours = [COLORS.get(light(target, v) or "", "#bbbbbb") for v in values]
            return Series(tr(METRICS[key].label), values, colours)
        return Series(tr(METRICS[key].label), values, colour or PALETTE[0])

    def of_total(name: str, keys, colour) -> Series:
        return Series(name, [total.get(k) for k in keys], colour)

    def show(key: str, title: str, categories: list[str], *series: Series) -> None:
        chart = charts[key]
        chart.title = title
        chart.set_data(categories, list(series))

    show("base_by_area", tr("分{0}建档立卡户数与未脱贫户数").format(child), names,
         by_area("households", PALETTE[0]), by_area("poor_households", PALETTE[1]))  # fmt: skip
    show("incidence_by_area", tr("分{0}贫困发生率").format(child), names, by_area("incidence"))
    charts["incidence_by_area"].setVisible(d.level != "village")  # groups have no rural population
    for key, chart_key in (("attribute", "by_attribute"), ("cause", "by_cause")):
        counts = d.breakdowns.get(key) or {}
        charts[chart_key].setVisible(bool(counts))
        charts[chart_key].set_data(list(counts), [Series(tr("户数"), list(counts.values()), PALETTE[2])])
    years = [str(y) for y in d.years]
    planned = of_total(tr("计划脱贫户数"), [f"exits_planned_{y}" for y in years], PALETTE[0])
    actual = of_total(tr("实际脱贫户数"), [f"exits_actual_{y}" for y in years], PALETTE[2])
    show("exits_by_year", tr("历年计划与实际脱贫户数"), years, planned, actual)
    show("exits_by_area", tr("分{0}{1}年计划与实际脱贫户数").format(child, d.year), names,
         by_area("exits_planned", PALETTE[0]), by_area("exits_actual", PALETTE[2]))  # fmt: skip
    rates = of_total(tr("达标率"), RATES, PALETTE[2])
    show(
        "guarantee_rates",
        tr("“两不愁三保障”及饮水安全达标率"),
        [tr(METRICS[k].label) for k in RATES],
        rates,
    )
    title = tr("分{0}“两不愁三保障”未达标户数").format(child)
    show("short_by_area", title, names, by_area("guarantee_short_households"))
    show("forces_by_area", tr("分{0}帮扶单位、工作队与帮扶干部").format(child), names,
         by_area("units", PALETTE[0]), by_area("teams", PALETTE[1]), by_area("cadres", PALETTE[3]))  # fmt: skip
    show("coverage_by_area", tr("分{0}结对覆盖率").format(child), names, by_area("pairing_coverage"))
    show(
        "visits_by_area",
        tr("分{0}近三个月走访次数").format(child),
        names,
        by_area("visits_recent", PALETTE[4]),
    )
    kinds = ("monitored_unstable", "monitored_marginal", "monitored_sudden", "risk_eliminated_households")
    monitored = of_total(tr("户数"), kinds, [PALETTE[1], PALETTE[0], PALETTE[3], PALETTE[2]])
    show(
        "monitor_types",
        tr("监测对象类型与风险消除（户）"),
        [tr(METRICS[k].label) for k in kinds],
        monitored,
    )
    show("elimination_by_area", tr("分{0}风险消除率").format(child), names, by_area("risk_elimination_rate"))
