"""The notices screen as a clerk uses it: batches, the stage timeline with its reasons, households, objections,
the sheet previewed and printed, village PDFs exported, templates, household cards."""

import datetime as dt
import subprocess

import pytest
from sqlalchemy import func, select

from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QMessageBox

from povdesk.model import Area, Household, Member
from povdesk.notices import settings as notice_settings
from povdesk.notices import workflow
from ui.notices import install
from ui.notices.dialogs import ObjectionDialog, ResolveDialog, StageDialog, WithdrawDialog
from ui.notices.screen import HOUSEHOLD_COLUMNS, NoticesScreen
from ui.notices.templates import TemplateDialog

D = dt.date


def accept_with(**texts):
    """A dialog `exec` that fills line edits / text boxes by attribute name and presses OK."""

    def exec_(self):
        for name, value in texts.items():
            widget = getattr(self, name)
            widget.setPlainText(value) if hasattr(widget, "setPlainText") else widget.setText(value)
        return 1

    return exec_


@pytest.fixture
def township_batch(demo_db):
    """An exit batch for 2019 of the township with the most exits, nothing started yet."""
    with demo_db.transaction() as s:
        counts = s.execute(
            select(Area.parent_id, func.count())
            .join(Household, Household.village_id == Area.id)
            .where(Household.status == "exited", Household.year_exited == 2019)
            .group_by(Area.parent_id)
        ).all()
        township = s.get(Area, max(counts, key=lambda r: r[1])[0])
        batch = workflow.create_batch(s, kind="exit", year=2019, area=township)
        return township.id, batch.id


def screen_for(qtbot, demo_db, settings, area_id, today):
    screen = NoticesScreen(demo_db, settings, area_id, today=today)
    qtbot.addWidget(screen)
    screen.show()
    return screen


def test_install_adds_the_screen_cards_and_templates_to_the_menus(main_window):
    install(main_window)
    notices = [a.text() for a in main_window.menus["notices"].actions()]
    assert any("两公示一公告" in t for t in notices) and any("明白卡" in t for t in notices)
    assert any("登记表" in t for t in notices)
    assert any("公示模板" in a.text() for a in main_window.menus["settings"].actions())
    assert main_window.menus["notices"].menuAction().isVisible()
    screen = main_window.notices.open_screen()
    assert screen.isVisible() and screen.batches.rowCount() == 0


def test_timeline_runs_in_order_and_disabled_buttons_say_why(qtbot, demo_db, settings, township_batch, monkeypatch):
    township_id, batch_id = township_batch
    screen = screen_for(qtbot, demo_db, settings, township_id, D(2019, 12, 20))
    assert screen.batches.rowCount() == 1 and "2019年贫困户退出" in screen.batches.item(0, 0).text()
    summary, review, why = screen.stage_rows["township_review"]
    assert not review.isEnabled() and review.toolTip() == "请先完成“村公示”" == why.text()
    assert screen.stage_rows["village_notice"][1].isEnabled()
    # WHEN the clerk starts the village notice on the proposed date (today)
    monkeypatch.setattr(StageDialog, "exec", lambda self: 1)
    screen.stage_rows["village_notice"][1].click()
    # THEN the timeline shows its period and the review waits for its end
    assert screen.stage_rows["village_notice"][0].text() == "公示2019年12月20日至2019年12月26日（7天）"
    assert not screen.stage_rows["village_notice"][1].isEnabled()
    assert "公示期到2019年12月26日才结束" in review.toolTip()
    assert screen.batches.item(0, 4).text() == "村公示"


def test_withdraw_and_objections_from_the_lists(qtbot, demo_db, settings, township_batch, monkeypatch):
    township_id, batch_id = township_batch
    with demo_db.transaction() as s:
        workflow.start_stage(s, workflow.get_batch(s, batch_id), "village_notice", D(2019, 12, 1), today=D(2019, 12, 3))
    screen = screen_for(qtbot, demo_db, settings, township_id, D(2019, 12, 3))
    before = int(screen.batches.item(0, 2).text())
    screen.households.selectRow(0)
    head = screen.household_model.rows[0][HOUSEHOLD_COLUMNS.index("head")]
    monkeypatch.setattr(WithdrawDialog, "exec", accept_with(reason="家庭成员患大病，暂缓退出"))
    screen.withdraw_household()
    assert int(screen.batches.item(0, 2).text()) == before - 1
    withdrawn = [row[len(HOUSEHOLD_COLUMNS)] for row in screen.household_model.rows]
    assert sum("家庭成员患大病" in t for t in withdrawn) == 1
    # an objection during the notice blocks the township review until resolved
    monkeypatch.setattr(ObjectionDialog, "exec", accept_with(raised_by="村民李某", content="该户有经营性货车"))
    screen.add_objection()
    assert screen.objections.rowCount() == 1 and screen.objections.item(0, 5).text() == "（待处理）"
    assert "1条异议待处理" in screen.stage_rows["village_notice"][0].text()
    later = screen_for(qtbot, demo_db, settings, township_id, D(2019, 12, 9))
    assert "异议尚未处理完毕" in later.stage_rows["township_review"][1].toolTip()
    later.objections.selectRow(0)
    monkeypatch.setattr(ResolveDialog, "exec", accept_with(resolution="经核实，货车已于2018年变卖，维持"))
    later.resolve_objection()
    assert later.objections.item(0, 5).text().startswith("经核实")
    assert later.stage_rows["township_review"][1].isEnabled()
    assert head  # the list showed the head's name


def test_announcement_changes_statuses_and_tells_the_main_window(qtbot, demo_db, settings, township_batch, monkeypatch):
    township_id, batch_id = township_batch
    with demo_db.transaction() as s:
        batch = workflow.get_batch(s, batch_id)
        poor = s.scalars(select(Household).where(Household.status == "poor", Household.village_id.in_(
            select(Area.id).where(Area.parent_id == township_id)))).first()  # fmt: skip
        workflow.add_households(s, batch, [poor.id])
        for stage, day in (
            ("village_notice", 1),
            ("township_review", 8),
            ("township_notice", 9),
            ("county_approval", 16),
        ):
            workflow.start_stage(s, batch, stage, D(2019, 12, day), today=D(2019, 12, 31))
        poor_id = poor.id
    screen = screen_for(qtbot, demo_db, settings, township_id, D(2019, 12, 20))
    button = screen.stage_rows["county_announcement"][1]
    assert button.isEnabled() and button.text() == "发布公告…"
    monkeypatch.setattr(StageDialog, "exec", lambda self: 1)
    with qtbot.waitSignal(screen.data_changed, timeout=10000):
        button.click()
    with demo_db.session() as s:
        household = s.get(Household, poor_id)
        assert (household.status, household.year_exited) == ("exited", 2019)
    assert screen.batches.item(0, 4).text() == "已完成"
    assert "县公告已发布" in screen.stage_rows["county_announcement"][2].text() or not button.isEnabled()


def test_preview_print_and_village_export(qtbot, demo_db, settings, township_batch, monkeypatch, tmp_path):
    township_id, batch_id = township_batch
    with demo_db.transaction() as s:  # a home-made character the fonts lack: the clerk is warned before printing
        first = workflow.active_household_ids(s, workflow.get_batch(s, batch_id))[0]
        s.scalars(select(Member).where(Member.household_id == first, Member.relation == "head")).one().name = "李\ue000"
    screen = screen_for(qtbot, demo_db, settings, township_id, D(2019, 12, 20))
    pane = screen.preview
    assert pane.village.count() > 2  # 全部 and the villages of the batch
    pane.refresh_button.click()
    qtbot.waitUntil(lambda: pane.document.status() == QPdfDocument.Status.Ready, timeout=15000)
    assert pane.document.pageCount() >= 1
    assert "个村的公示单：共 " in pane.status.text() and "A4纵向" in pane.status.text()
    assert pane.unprintable == {"李\ue000": "\ue000"} and "方框" in pane.status.text()
    printed = tmp_path / "printed.pdf"

    def print_to_file(dialog):
        dialog.printer().setOutputFileName(str(printed))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", print_to_file)
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]) or QMessageBox.StandardButton.Yes)
    pane.print_sheet()
    assert printed.exists() and printed.stat().st_size > 1000
    assert warned and "李\ue000" in warned[0]  # warned before printing, and the clerk chose to print anyway
    # all villages, one PDF each, off the GUI thread
    with qtbot.waitSignal(pane.exported, timeout=30000) as signal:
        pane.export_villages(str(tmp_path / "villages"))
    paths = signal.args[0]
    assert len(paths) == pane.village.count() - 1
    text = subprocess.run(["pdftotext", str(paths[0]), "-"], capture_output=True, text=True, check=True).stdout
    assert "2019年贫困户退出公示" in text and "共 " in text


def test_templates_are_saved_for_the_office(qtbot, demo_db, settings):
    dialog = TemplateDialog(demo_db, settings)
    qtbot.addWidget(dialog)
    dialog.hotline.setText("0872-5123456")
    dialog.period.setValue(10)
    dialog.kind.setCurrentIndex(dialog.kind.findData("exit"))
    dialog.column_boxes["id"].setChecked(False)
    dialog.column_boxes["income"].setChecked(True)
    assert dialog.save()
    with demo_db.session() as s:
        saved = notice_settings.load(s)
    assert saved.hotline == "0872-5123456" and saved.period_days == 10
    assert "id" not in saved.columns_for("exit") and saved.columns_for("exit")[-1] == "income"
    assert "id" in saved.columns_for("identify")


def test_cards_of_the_selected_village(qtbot, main_window, demo_db, tmp_path):
    install(main_window)
    with demo_db.session() as s:
        village = s.scalars(select(Area).where(Area.level == "village")).first()
    main_window.area_tree.select_area(village.id)
    target = tmp_path / "cards.pdf"
    main_window.notices.print_village("cards", str(target), open_when_done=False)
    qtbot.waitUntil(lambda: main_window.notices.last_printed == target, timeout=20000)
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "贫困户明白卡" in text and "帮扶联系卡" in text
