"""Status changes of a household (identified, exited, returned, monitored, risk eliminated) and the rules they obey."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from povdesk import codes
from povdesk.errors import RuleViolation
from povdesk.households.draft import EpisodeDraft, HouseholdDraft

ACTIONS = codes.CodeList(
    "status_action",
    "状态变更",
    (
        codes.Code("identified", "识别为贫困户"),
        codes.Code("exited", "脱贫退出"),
        codes.Code("returned", "返贫"),
        codes.Code("monitor_unstable", "纳入监测：脱贫不稳定户"),
        codes.Code("monitor_marginal", "纳入监测：边缘易致贫户"),
        codes.Code("monitor_sudden", "纳入监测：突发严重困难户"),
        codes.Code("risk_eliminated", "风险消除"),
    ),
)
MONITOR_ACTIONS = {"monitor_unstable": "unstable", "monitor_marginal": "marginal", "monitor_sudden": "sudden"}


@dataclass
class StatusChange:
    """One pending change; `before` keeps the draft's status and episodes so the last change can be taken back."""

    action: str  # a code of ACTIONS
    on: dt.date
    reason: str
    before: tuple = field(default=(), repr=False, compare=False)

    @property
    def label(self) -> str:
        return ACTIONS.label_of(self.action)


def status_label(status: str | None) -> str:
    return codes.STATUS.label_of(status) if status else "未纳入建档立卡"


def _check_common(draft: HouseholdDraft, on: dt.date, reason: str, today: dt.date) -> None:
    if not reason.strip():
        raise RuleViolation("请填写变更原因（如“经民主评议、两公示一公告，识别为贫困户”）")
    if on > today:
        raise RuleViolation(f"变更日期{on:%Y年%m月%d日}晚于今天，不能登记尚未发生的变更")
    last = draft.status_changes[-1].on if draft.status_changes else None
    if last and on < last:
        raise RuleViolation(f"变更日期不能早于上一项待保存的变更（{last:%Y年%m月%d日}）")


def _check_rule(draft: HouseholdDraft, action: str, on: dt.date) -> None:
    status = draft.status
    current = status_label(status)
    episode = draft.open_episode()
    if action == "identified":
        if status is not None:
            raise RuleViolation(f"该户已是建档立卡户（当前状态：{current}），不能重复识别")
    elif action == "exited":
        if status not in codes.POOR:
            raise RuleViolation(f"只有未脱贫、预脱贫或返贫的户才能脱贫退出，该户当前状态为“{current}”")
        if draft.year_identified and on.year < draft.year_identified:
            raise RuleViolation(f"脱贫年度{on.year}年不能早于识别年度{draft.year_identified}年")
    elif action == "returned":
        if status not in codes.EXITED:
            raise RuleViolation(f"只有已脱贫的户才能标注返贫，该户当前状态为“{current}”")
        if draft.year_exited and on.year < draft.year_exited:
            raise RuleViolation(f"返贫日期不能早于脱贫年度{draft.year_exited}年")
    elif action in MONITOR_ACTIONS:
        if episode is not None:
            raise RuleViolation(
                f"该户已是监测对象（{codes.MONITOR_TYPE.label_of(episode.type)}，"
                f"{episode.identified_on:%Y年%m月%d日}起），请先标注风险消除，再重新纳入监测"
            )
        kind = MONITOR_ACTIONS[action]
        if kind == "unstable" and status not in codes.EXITED:
            raise RuleViolation(f"脱贫不稳定户须是已脱贫户，该户当前状态为“{current}”")
        if kind == "marginal" and status is not None:
            raise RuleViolation(
                f"边缘易致贫户是未纳入建档立卡的农户，该户当前状态为“{current}”"
                + ("，已脱贫户请选择“脱贫不稳定户”" if status in codes.EXITED else "")
            )
        if kind == "sudden" and status in codes.POOR:
            raise RuleViolation(f"该户当前状态为“{current}”，已在帮扶之中，不需再纳入突发严重困难户监测")
    elif action == "risk_eliminated":
        if episode is None:
            raise RuleViolation("该户没有尚未消除风险的监测记录，不能标注风险消除")
        if on < episode.identified_on:
            raise RuleViolation(f"风险消除日期不能早于纳入监测日期（{episode.identified_on:%Y年%m月%d日}）")
    else:
        raise RuleViolation(f"未知的状态变更“{action}”")


def allowed_actions(draft: HouseholdDraft, on: dt.date | None = None) -> list[str]:
    """The changes the procedures allow for the draft as it stands, most likely first (risk elimination if monitored)."""
    on = on or dt.date.today()
    allowed = []
    for action in ACTIONS.codes:
        try:
            _check_rule(draft, action, on)
        except RuleViolation:
            continue
        allowed.append(action)
    if "risk_eliminated" in allowed:
        allowed.insert(0, allowed.pop(allowed.index("risk_eliminated")))
    return allowed


def apply_status_change(
    draft: HouseholdDraft, action: str, on: dt.date, reason: str, *, today: dt.date | None = None
) -> StatusChange:
    """Check the change against the draft as it stands (earlier pending changes included) and apply it to the draft.

    Raises RuleViolation, in Chinese, when the procedures forbid it; nothing is written until the draft is saved.
    """
    _check_common(draft, on, reason, today or dt.date.today())
    _check_rule(draft, action, on)
    before = (draft.status, draft.year_identified, draft.year_exited, copy.deepcopy(draft.episodes))
    if action == "identified":
        draft.status, draft.year_identified = "poor", on.year
    elif action == "exited":
        draft.status, draft.year_exited = "exited", on.year
    elif action == "returned":
        draft.status = "returned"
    elif action in MONITOR_ACTIONS:
        draft.episodes.append(EpisodeDraft(type=MONITOR_ACTIONS[action], identified_on=on, risk=reason.strip()))
    else:
        draft.open_episode().risk_eliminated_on = on
    change = StatusChange(action, on, reason.strip(), before)
    draft.status_changes.append(change)
    return change


def undo_last_status_change(draft: HouseholdDraft) -> StatusChange | None:
    """Take back the last pending change (before saving), restoring the draft as it was."""
    if not draft.status_changes:
        return None
    change = draft.status_changes.pop()
    draft.status, draft.year_identified, draft.year_exited, draft.episodes = change.before
    return change
