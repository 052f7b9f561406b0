"""The notices screen as a clerk uses it: batches, the stage timeline with its reasons, households, objections,
the sheet previewed and printed, village PDFs exported, templates, household cards."""

import datetime as dt
import re
import subprocess

import pytest
from sqlalchemy import func, select

from PySide6.QtCore import QDate, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from povdesk.model import Area, Household, Member, Objection
from povdesk.notices import settings as notice_settings
from povdesk.notices import workflow
from ui.notices import install
from ui.notices import preview as preview_module
from ui.notices.dialogs import ObjectionDialog, ResolveDialog, StageDialog, WithdrawDialog, default_received_on
from ui.notices.screen import HOUSEHOLD_COLUMNS, NoticesScreen
from ui.notices.templates import TemplateDialog
from ui.operator_name import OPERATOR

D = dt.date


def accept_with(**texts):
    """A dialog `exec` that fills line edits / text boxes by attribute name and presses OK (which may refuse)."""

    def exec_(self):
        for name, value in texts.items():
            widget = getattr(self, name)
            widget.setPlainText(value) if hasattr(widget, "setPlainText") else widget.setText(value)
        self.accept()
        return self.result()

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
    settings.set(OPERATOR, "王会计")  # the 经办人 setting, else asked for with a modal dialog
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
    monkeypatch.setattr(StageDialog, "exec", accept_with())
    screen.stage_rows["village_notice"][1].click()
    # THEN the timeline shows its period and the review waits for its end
    assert screen.stage_rows["village_notice"][0].text() == "公示2019年12月20日至2019年12月26日（7天）"
    assert not screen.stage_rows["village_notice"][1].isEnabled()
    assert "公示期到2019年12月26日才结束" in review.toolTip()
    assert screen.batches.item(0, 4).text() == "村公示"
    with demo_db.session() as s:  # the 经办人 is recorded on the stage
        assert workflow.stage_row(workflow.get_batch(s, batch_id), "village_notice").recorded_by == "王会计"


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
    monkeypatch.setattr(StageDialog, "exec", accept_with())
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


INPUTS = (QAbstractSpinBox, QLineEdit, QPlainTextEdit, QComboBox, QCheckBox)


@pytest.mark.parametrize(
    ("is_notice", "is_announcement", "period_label"),
    [(True, False, "公示期："), (True, True, "公告期："), (False, False, None)],
)
def test_stage_dialog_places_every_field_it_creates(qtbot, settings, is_notice, is_announcement, period_label):
    dialog = StageDialog("村公示", is_notice, D(2019, 12, 1), 7, settings, is_announcement=is_announcement)
    qtbot.addWidget(dialog)
    dialog.show()
    # THEN no input floats over the form: each is in a row of the form or hidden
    for widget in dialog.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if isinstance(widget, INPUTS):
            assert dialog.form.indexOf(widget) >= 0 or widget.isHidden(), type(widget).__name__
    labels = [dialog.form.labelForField(w).text() for w in (dialog.period,) if w is not None]
    assert labels == ([period_label] if period_label else [])
    # the issuing body's placeholder is shown whole
    issuer = dialog.issuer
    assert issuer.fontMetrics().horizontalAdvance(issuer.placeholderText()) < issuer.width() - 8


def test_a_refused_resolution_keeps_the_dialog_open_and_the_text(qtbot, demo_db, settings, township_batch):
    township_id, batch_id = township_batch
    with demo_db.transaction() as s:
        batch = workflow.get_batch(s, batch_id)
        workflow.start_stage(s, batch, "village_notice", D(2019, 12, 1), today=D(2019, 12, 3))
        objection_id = workflow.record_objection(
            s, batch, "village_notice", received_on=D(2019, 12, 3), content="该户有货车"
        ).id
    screen = screen_for(qtbot, demo_db, settings, township_id, D(2019, 12, 5))
    screen.objections.selectRow(0)
    shown = []

    def exec_(dialog):
        shown.append(dialog)
        dialog.day.setDate(QDate(2019, 12, 2))  # earlier than the objection was received
        dialog.resolution.setPlainText("经核实，货车已变卖")
        dialog.accept()
        return dialog.result()

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ResolveDialog, "exec", exec_)
        screen.resolve_objection()
    dialog = shown[0]
    # THEN the dialog was not accepted: the reason in red, the date marked, the typed resolution kept
    assert dialog.result() == 0 and "不能早于受理日期" in dialog.error.text() and not dialog.error.isHidden()
    assert dialog.marked is dialog.day and dialog.resolution.toPlainText() == "经核实，货车已变卖"
    with demo_db.session() as s:
        assert s.get(Objection, objection_id).resolution is None
    # WHEN the clerk corrects the date and presses OK again THEN it is saved and the dialog closes
    dialog.day.setDate(QDate(2019, 12, 4))
    dialog.accept()
    assert dialog.result() == 1 and dialog.marked is None
    with demo_db.session() as s:
        assert s.get(Objection, objection_id).resolved_on == D(2019, 12, 4)


def test_an_objection_is_received_today_within_the_period(qtbot, demo_db, settings, township_batch, monkeypatch):
    township_id, batch_id = township_batch
    with demo_db.transaction() as s:
        workflow.start_stage(s, workflow.get_batch(s, batch_id), "village_notice", D(2019, 12, 1), today=D(2019, 12, 1))
    screen = screen_for(qtbot, demo_db, settings, township_id, D(2019, 12, 3))
    days = []
    monkeypatch.setattr(ObjectionDialog, "exec", lambda self: days.append(self.day.date()) or 0)
    screen.add_objection()
    assert days == [QDate(2019, 12, 3)]  # today, not the period's last day (12-7)
    assert default_received_on(D(2019, 12, 20), D(2019, 12, 1), D(2019, 12, 7)) == D(2019, 12, 7)


def test_saved_sheets_and_cards_say_where_they_went(qtbot, main_window, demo_db, settings, township_batch, tmp_path,
                                                     monkeypatch):  # fmt: skip
    township_id, _ = township_batch
    screen = screen_for(qtbot, demo_db, settings, township_id, D(2019, 12, 20))
    pane = screen.preview
    pane.refresh_button.click()
    qtbot.waitUntil(lambda: pane.save_button.isEnabled(), timeout=15000)
    target = tmp_path / "公示单.pdf"
    monkeypatch.setattr(preview_module, "save_path", lambda *a: target)
    pane.save_as()
    assert target.exists() and pane.saved_box.isVisible() and str(target) in pane.saved_box.informativeText()
    assert [b.text() for b in (pane.saved_box.open_file, pane.saved_box.open_folder)] == ["打开", "打开所在文件夹"]
    # the village's cards: no PDF viewer needed to learn where the file is
    install(main_window)
    with demo_db.session() as s:
        village = s.scalars(select(Area).where(Area.level == "village")).first()
    main_window.area_tree.select_area(village.id)
    cards = tmp_path / "cards.pdf"
    main_window.notices.print_village("cards", str(cards))
    qtbot.waitUntil(lambda: getattr(main_window.notices, "saved_box", None) is not None, timeout=20000)
    assert str(cards) in main_window.notices.saved_box.informativeText()


def test_every_placeholder_round_trips_through_its_chinese_name():
    for key, name in notice_settings.PLACEHOLDER_NAMES.items():
        stored = f"甲{{{key}}}乙"
        assert notice_settings.to_display(stored) == f"甲【{name}】乙"
        assert notice_settings.from_display(notice_settings.to_display(stored)) == stored
    for template in notice_settings.NoticeSettings().stages.values():
        for text in (template.title, template.issuer, template.text):
            shown = notice_settings.to_display(text)
            assert "{" not in shown and notice_settings.from_display(shown) == text
    documented = set(re.findall(r"\{(\w+)\}", notice_settings.StageTemplate.__doc__))
    assert documented == set(notice_settings.PLACEHOLDER_NAMES)


def test_templates_show_chinese_placeholders_with_a_live_preview(qtbot, demo_db, settings):
    dialog = TemplateDialog(demo_db, settings)
    qtbot.addWidget(dialog)
    title, issuer, text = dialog.stage_fields["village_notice"]
    assert title.text() == "【村名】【年度】年【公示事项】公示" and "{" not in text.toPlainText()
    assert dialog.preview.text().startswith("某某村2019年贫困户识别公示")  # the kind chosen below the tabs
    # WHEN the clerk edits the title and sets the village contact THEN the preview follows at once
    title.setText("【村名】【年度】年脱贫户名单公示")
    dialog.contact.setText("李文书 13812345678")
    assert dialog.preview.text().startswith("某某村2019年脱贫户名单公示")
    assert "村联系人及电话：李文书 13812345678" in dialog.preview.text()
    assert dialog.save()
    with demo_db.session() as s:
        saved = notice_settings.load(s)
    assert saved.stages["village_notice"].title == "{village}{year}年脱贫户名单公示"
    assert saved.contact == "李文书 13812345678"
    dialog.resize(900, 760)
    dialog.show()
    dialog.grab().save("/tmp/shots15/notice_templates.png")


def test_each_village_can_have_its_own_contact(qtbot, demo_db, settings, monkeypatch):
    from ui.notices.templates import VillageContactsDialog

    dialog = TemplateDialog(demo_db, settings)
    qtbot.addWidget(dialog)

    first = []

    def fill(contacts):
        assert contacts.table.rowCount() > 1 and " " in contacts.table.item(0, 0).text()  # "乡镇 村" of every village
        first.append(contacts.table.item(0, 0).data(Qt.ItemDataRole.UserRole))
        contacts.table.item(0, 1).setText(" 李文书 13812345678 ")
        contacts.accept()
        return contacts.result()

    monkeypatch.setattr(VillageContactsDialog, "exec", fill)
    dialog.village_contacts_button.click()
    assert dialog.save()
    with demo_db.session() as s:
        saved = notice_settings.load(s)
    assert saved.village_contacts == {str(first[0]): "李文书 13812345678"}
    assert saved.contact_for(first[0]) == "李文书 13812345678" and saved.contact_for(None) == saved.contact
