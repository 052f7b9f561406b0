"""A village wall chart's household roster at the end of a year: one labelled row per household, by group."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from povdesk import codes
from povdesk.model import AssistanceMeasure, Cadre, HelpingUnit, HouseholdYear, Member, Pairing
from povdesk.wallchart import asof
from povdesk.wallchart.model import HouseholdRow


def village_households(session: Session, cut: asof.Cutoff, hh, village_id: int, nodes: Mapping) -> list[HouseholdRow]:
    """A village's households at the cutoff (`hh`: asof.households_table), by group and number, with labels (never
    ID numbers). `nodes`: the area tree's nodes by id, for the groups' names and order."""
    rows = session.execute(select(hh).where(hh.c.village_id == village_id)).all()
    ids = [r.id for r in rows]
    if not ids:
        return []
    persons = dict(session.execute(
        select(Member.household_id, func.count()).where(Member.household_id.in_(ids), asof.member_filter(cut))
        .group_by(Member.household_id)
    ).all())  # fmt: skip
    heads = dict(session.execute(
        select(Member.household_id, func.min(Member.name))
        .where(Member.household_id.in_(ids), Member.relation == "head", asof.member_filter(cut))
        .group_by(Member.household_id)
    ).all())  # fmt: skip
    helpers = {
        hid: (name, unit, phone)
        for hid, name, unit, phone in session.execute(
            select(Pairing.household_id, Cadre.name, HelpingUnit.name, Cadre.phone)
            .join(Cadre, Cadre.id == Pairing.cadre_id)
            .outerjoin(HelpingUnit, HelpingUnit.id == Cadre.unit_id)
            .where(Pairing.household_id.in_(ids), asof.pairing_filter(cut))
            .order_by(Pairing.start_on)
        )
    }
    measures: dict[int, list[str]] = defaultdict(list)
    for hid, kind in session.execute(
        select(AssistanceMeasure.household_id, AssistanceMeasure.kind)
        .where(AssistanceMeasure.household_id.in_(ids), AssistanceMeasure.year <= cut.year)
        .order_by(AssistanceMeasure.household_id, AssistanceMeasure.year, AssistanceMeasure.id)
    ):
        label = codes.MEASURE.label_of(kind)
        if label not in measures[hid]:
            measures[hid].append(label)
    gyear = asof.guarantee_year(session, cut)
    income = {}
    if gyear is not None:
        income = dict(session.execute(
            select(HouseholdYear.household_id, HouseholdYear.per_capita_income)
            .where(HouseholdYear.household_id.in_(ids), HouseholdYear.year == gyear)
        ).all())  # fmt: skip
    mon = asof.monitoring(cut)
    monitor = {}
    for hid, *flags in session.execute(
        select(mon.c.household_id, *(mon.c[t] for t in codes.MONITOR_TYPE.codes)).where(
            mon.c.household_id.in_(ids), mon.c.ongoing == 1
        )
    ):
        monitor[hid] = "、".join(codes.MONITOR_TYPE.label_of(t) for t, f in zip(codes.MONITOR_TYPE.codes, flags,
                                                                               strict=True) if f)  # fmt: skip

    def group_key(r):
        group = nodes.get(r.group_id) if r.group_id else None
        return (group.sort_order if group else 10**6, r.number)

    out = []
    for r in sorted(rows, key=group_key):
        group = nodes.get(r.group_id) if r.group_id else None
        helper = helpers.get(r.id, (None, None, None))
        out.append(HouseholdRow(r.id, {
            "number": r.number,
            "group": group.name if group else None,
            "head": heads.get(r.id),
            "persons": persons.get(r.id, 0),
            "status": codes.STATUS.label_of(r.status) if r.status else None,
            "attribute": codes.ATTRIBUTE.label_of(r.attribute) if r.attribute else None,
            "cause": codes.CAUSE.label_of(r.main_cause) if r.main_cause else None,
            "plan_exit_year": f"{r.plan_exit_year}年" if r.plan_exit_year else None,
            "year_exited": f"{r.year_exited}年" if r.year_exited and r.year_exited <= cut.year else None,
            "helper": helper[0],
            "helper_unit": helper[1],
            "helper_phone": helper[2],
            "measures": "、".join(measures.get(r.id, [])) or None,
            "per_capita_income": income.get(r.id),
            "monitor_type": monitor.get(r.id) or None,
        }))  # fmt: skip
    return out
