"""The roster import wizard as a clerk uses it, offscreen: file → sheet → columns → preview → import → report."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

from PySide6.QtWidgets import QWidget, QWizard

from povdesk.model import Household, Member
from povdesk.roster.result import ImportResult
from povdesk.roster.validate import Issue
from ui.importing.issues import ROWS_SHOWN, IssueTree, issue_kind
from ui.importing.wizard import MAPPING_PREFIX, ImportWizard

sys.path.insert(0, str(Path(__file__).parents[1] / "povdesk"))
from test_roster_fixtures import sample_households, write_roster  # noqa: E402

SHOTS = Path(__file__).parents[2] / "tests" / "ui" / "screenshots"


_PARENTS: list[QWidget] = []  # the plain parent windows stay alive for the whole test


def _wizard(qtbot, sqlite_db, settings, path) -> ImportWizard:
    parent = QWidget()
    qtbot.addWidget(parent)
    _PARENTS.append(parent)
    wizard = ImportWizard(sqlite_db, settings, parent, path=str(path))
    wizard.show()
    return wizard


def _shot(widget, name: str) -> None:
    if SHOTS.exists():
        widget.grab().save(str(SHOTS / f"{name}.png"))


def _tree(tree) -> list[tuple[str, list[tuple[str, str]]]]:
    """The issue groups as the clerk reads them: each group's line and its (row, reason) lines."""
    groups = []
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        groups.append((group.text(0), [(group.child(j).text(0), group.child(j).text(1))
                                       for j in range(group.childCount())]))  # fmt: skip
    return groups


def test_the_clerk_imports_a_roster_and_saves_the_reject_report(qtbot, sqlite_db, settings, boxes, tmp_path):
    households = sample_households()
    bad = households[1]["members"][1]["证件号码"]
    households[1]["members"][1]["证件号码"] = bad[:17] + ("1" if bad[17] == "0" else "0")  # a wrong check digit
    households[0]["members"][2]["民族"] = "汉旅"
    path = write_roster(tmp_path / "青山镇.xls", households, layout="merged", two_row_header=True)
    wizard = _wizard(qtbot, sqlite_db, settings, path)
    imported = []
    wizard.imported.connect(imported.append)
    _shot(wizard, "1-file")
    wizard.next()
    assert wizard.currentPage() is wizard.sheet_page and wizard.sheet_page.combo.currentText() == "花名册"
    wizard.next()  # reads the header on a worker thread
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10000)
    assert wizard.mapping_page.header_row.value() == 4  # the second of the two header rows
    assert wizard.mapping_page.isComplete()
    _shot(wizard, "2-mapping")
    wizard.next()
    preview = wizard.preview_page
    qtbot.waitUntil(lambda: preview.isComplete(), timeout=10000)
    groups = _tree(preview.tree)
    assert groups[0][0].startswith("未导入 · ") and groups[0][0].endswith("：1行")  # rejected rows come first
    assert [row for row, _reason in groups[0][1]] == ["第10行"] and "校验" in groups[0][1][0][1]
    ethnicity = next(rows for line, rows in groups if line.startswith("提示 · 民族"))
    assert [row for row, _reason in ethnicity] == ["第8行"] and "汉族" in ethnicity[0][1]
    assert "预检" in preview.summary.text()
    with sqlite_db.session() as s:
        assert s.query(Household).count() == 0  # the preview wrote nothing others can see
    _shot(wizard, "3-preview")
    wizard.next()  # the import, on a worker thread
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.result_page, timeout=10000)
    assert len(imported) == 1 and imported[0].persons_added == 5
    assert "新增 3 户 5 人" in wizard.result_page.summary.text()
    assert _tree(wizard.result_page.tree) == groups  # the import is the preview
    _shot(wizard, "4-result")
    with sqlite_db.session() as s:
        assert s.query(Member).count() == 5
    report = wizard.result_page.save_report(str(tmp_path / "rejects.xlsx"))
    rows = list(openpyxl.load_workbook(report).active.values)
    assert len(rows) == 2 and "校验" in rows[1][-2]
    assert boxes == []


def test_the_preview_groups_warnings_by_kind_with_the_rows_behind_each(qtbot, sqlite_db, settings, boxes, tmp_path):
    households = sample_households()
    for household, member in ((0, 0), (0, 2), (1, 1)):
        households[household]["members"][member]["劳动技能"] = "半劳力"
    path = write_roster(tmp_path / "r.xlsx", households)
    wizard = _wizard(qtbot, sqlite_db, settings, path)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.preview_page.isComplete(), timeout=10000)
    groups = dict(_tree(wizard.preview_page.tree))
    rows = groups["提示 · 劳动技能无法识别：3行"]
    assert [row for row, _reason in rows] == ["第5行", "第7行", "第9行"]
    assert all("半劳力" in reason and "待核实" in reason for _row, reason in rows)
    assert not any(line.startswith("未导入") for line in groups)
    assert wizard.pending.result.persons_added == 6  # an unknown 劳动技能 loses nobody


def test_a_long_group_lists_its_first_rows_and_counts_them_all(qtbot):
    result = ImportResult(Path("r.xlsx"), "花名册", 3, [])
    result.warnings = [
        Issue(row, f"务工状况“县城务工”无法识别（第{row}行）", "务工状况无法识别") for row in range(5, 605)
    ]
    result.warnings.append(Issue(4, "帮扶责任人“赵敏”是新登记的干部"))
    tree = IssueTree()
    qtbot.addWidget(tree)
    tree.show_result(result)
    groups = _tree(tree)
    assert [line for line, _rows in groups] == ["提示 · 务工状况无法识别：600行", "提示 · 帮扶责任人：1行"]
    rows = groups[0][1]
    assert len(rows) == ROWS_SHOWN + 1 and rows[0][0] == "第5行" and rows[-1] == ("", "……另有 100 行未列出")


@pytest.mark.parametrize(
    ("reason", "group"),
    [
        ("民族：“汉旅”不是有效的民族，最接近的是“汉族”", "民族"),
        ("“姓名”超过32个字", "姓名"),
        ("户主行有误（第8行），本户未导入", "户主行有误"),
        ("户编号5329301001000001填写了监测对象类别，但缺少纳入监测日期", "户编号"),
        ("第12行重复", "第12行重复"),
    ],
)
def test_issues_without_a_kind_are_grouped_by_the_subject_of_their_reason(reason, group):
    assert issue_kind(Issue(12, reason)) == group


def test_an_unmapped_column_is_mapped_by_hand_and_remembered(qtbot, sqlite_db, settings, boxes, tmp_path):
    path = write_roster(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active.cell(3, 3).value = "所属村"  # 行政村 under a name the layout does not know
    wb.save(path)
    wizard = _wizard(qtbot, sqlite_db, settings, path)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10000)
    page = wizard.mapping_page
    assert not page.isComplete() and "行政村" in page.missing.text()
    combo = page.combos[2]
    assert combo.currentText() == "原样保留"  # not mapped: kept as written, not dropped
    combo.setCurrentIndex(combo.findData("village"))
    assert page.isComplete()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.preview_page.isComplete(), timeout=10000)
    assert wizard.pending.result.persons_added == 6
    assert settings.get_raw(MAPPING_PREFIX + wizard.header.signature)
    # a second wizard on a file of the same layout finds the column mapped
    again = _wizard(qtbot, sqlite_db, settings, path)
    again.next()
    again.next()
    qtbot.waitUntil(lambda: again.currentPage() is again.mapping_page, timeout=10000)
    assert again.mapping_page.isComplete()


def test_the_mapping_page_shows_the_file_name_beside_the_official_one(qtbot, sqlite_db, settings, boxes, tmp_path):
    path = write_roster(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active.cell(3, 12).value = "健康情况"  # a synonym of 健康状况
    wb.active.cell(3, 30).value = "备注"  # a column PovDesk does not model
    wb.save(path)
    wizard = _wizard(qtbot, sqlite_db, settings, path)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10000)
    page = wizard.mapping_page
    shown = {page.table.item(r, 1).text(): page.combos[r].currentText() for r in range(page.table.rowCount())}
    assert shown["健康情况"] == "健康状况" and shown["帮扶责任人单位"] == "帮扶责任人单位"
    assert shown["备注"] == "原样保留" and shown["序号"] == "序号（不导入）"
    assert [page.table.horizontalHeaderItem(c).text() for c in range(3)] == ["列", "表中列名", "对应标准项目"]


def test_a_file_that_is_not_a_roster_is_refused_in_plain_chinese(qtbot, sqlite_db, settings, boxes, tmp_path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04" + bytes(200))  # a download cut short (a text file would be read as CSV)
    wizard = _wizard(qtbot, sqlite_db, settings, bad)
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert boxes and "不是完整的 Excel 工作簿" in boxes[0][1] and "重新获取原文件" in boxes[0][1]
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "下一步 >"
