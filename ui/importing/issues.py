"""The rejected rows and warnings of an import, grouped by kind ("务工状况无法识别：37行") with the rows behind each."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from povdesk.roster.result import ImportResult
from povdesk.roster.validate import Issue

_SUBJECT_END = re.compile(r"[：“（，,0-9]")
ROWS_SHOWN = 500  # rows listed per group; its count stays exact
REJECTED_COLOR = QColor("#fde0dc")
WARNING_COLOR = QColor("#fff2cc")


def issue_kind(issue: Issue) -> str:
    """What an issue is about, to group it by: its `kind`, else the subject its reason starts with, up to the first
    quote, bracket, colon, comma or number ("民族：…", "“姓名”超过…", "户主行有误（第8行）…", "户编号5329…")."""
    if issue.kind:
        return issue.kind
    reason = issue.reason
    if reason.startswith("“") and "”" in reason:
        return reason[1 : reason.index("”")]
    subject = _SUBJECT_END.split(reason, maxsplit=1)[0]
    return subject if len(subject) >= 2 else reason


def group_issues(issues: Iterable[Issue]) -> list[tuple[str, list[Issue]]]:
    """Issues by kind, the largest group first (then by first row); rows in order within each group."""
    groups: dict[str, list[Issue]] = {}
    for issue in issues:
        groups.setdefault(issue_kind(issue), []).append(issue)
    for rows in groups.values():
        rows.sort(key=lambda i: i.row)
    return sorted(groups.items(), key=lambda group: (-len(group[1]), group[1][0].row))


class IssueTree(QTreeWidget):
    """Groups of rejected rows (red, open) above groups of warnings (yellow, closed); a group opens onto its rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderLabels([self.tr("行号"), self.tr("原因")])
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setUniformRowHeights(True)  # a long reason is one line and its tooltip
        self.setColumnWidth(0, self.fontMetrics().horizontalAdvance(self.tr("第000000行")) + 2 * self.indentation())

    def show_result(self, result: ImportResult) -> None:
        self.clear()
        for severity, issues, color, expanded in (
            (self.tr("未导入"), result.rejected, REJECTED_COLOR, True),
            (self.tr("提示"), result.warnings, WARNING_COLOR, False),
        ):
            for kind, rows in group_issues(issues):
                self._add_group(severity, kind, rows, color, expanded)

    def _add_group(self, severity: str, kind: str, rows: list[Issue], color: QColor, expanded: bool) -> None:
        group = QTreeWidgetItem(self, [self.tr("{0} · {1}：{2}行").format(severity, kind, len(rows))])
        group.setFirstColumnSpanned(True)
        font = QFont(group.font(0))
        font.setBold(True)
        group.setFont(0, font)
        group.setBackground(0, color)
        for issue in rows[:ROWS_SHOWN]:
            item = QTreeWidgetItem(group, [self.tr("第{0}行").format(issue.row), issue.reason])
            item.setToolTip(1, issue.reason)
        if len(rows) > ROWS_SHOWN:
            more = QTreeWidgetItem(group, ["", self.tr("……另有 {0} 行未列出").format(len(rows) - ROWS_SHOWN)])
            more.setForeground(1, QColor("#616161"))
        group.setExpanded(expanded)
