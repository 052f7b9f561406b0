"""The background-op helper, typed settings and the remembering dialog base."""

import threading

import pytest

from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from povdesk.errors import PovDeskError
from povdesk.progress import Cancelled
from ui.dialogs import RememberingDialog
from ui.ops import run_in_background
from ui.settings import AppSettings, Option


def test_result_arrives_on_the_gui_thread(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    results = []

    def work(progress):
        progress.start(3, "计算中")
        for i in range(3):
            progress.update(i + 1)
        return threading.get_ident()

    run_in_background(parent, "测试", work, lambda r: results.append((r, threading.get_ident())))
    qtbot.waitUntil(lambda: len(results) > 0, timeout=5000)
    worker_thread, callback_thread = results[0]
    assert worker_thread != callback_thread == threading.get_ident()


def test_a_job_that_ends_while_its_progress_is_shown_closes_cleanly(qtbot):
    # GIVEN a job with its progress dialog on screen, whose last progress report and result both wait for the GUI
    parent = QWidget()
    qtbot.addWidget(parent)
    results, shown = [], threading.Event()

    def work(progress):
        progress.start(2, "正在导出第1个村")
        assert shown.wait(5)
        progress.update(2, label="正在导出第2个村")
        return "done"

    op = run_in_background(parent, "导出", work, results.append)
    qtbot.waitUntil(lambda: op.dialog.isVisible(), timeout=5000)
    shown.set()
    QThreadPool.globalInstance().waitForDone()
    # WHEN the GUI thread handles them (the modal dialog's setValue delivers the result in between)
    # THEN the result arrives and no error escapes (pytest-qt fails the test on an exception in a slot)
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)


def test_cancel_stops_the_work_and_reports_cancelled(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    started, errors = threading.Event(), []

    def work(progress):
        progress.start(10**9)
        started.set()
        while True:
            progress.update(advance=1)

    op = run_in_background(parent, "长任务", work, lambda r: None, errors.append)
    assert started.wait(5)
    op.dialog.findChild(QPushButton).click()  # the clerk clicks 取消
    qtbot.waitUntil(lambda: len(errors) > 0, timeout=5000)
    assert isinstance(errors[0], Cancelled)


def test_errors_from_the_core_are_shown_in_chinese(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    parent = QWidget()
    qtbot.addWidget(parent)

    def work(progress):
        raise PovDeskError("第5行身份证号校验位错误")

    run_in_background(parent, "导入", work, lambda r: None)
    qtbot.waitUntil(lambda: len(shown) > 0, timeout=5000)
    assert shown == ["第5行身份证号校验位错误"]


def test_options_have_types_and_defaults(settings):
    page_size = Option("test/page_size", 200, int)
    show_ids = Option("test/show_ids", True, bool)
    assert settings.get(page_size) == 200
    settings.set(page_size, 500)
    settings.set(show_ids, False)
    settings.sync()
    reread = AppSettings(QSettings(settings.qsettings.fileName(), QSettings.Format.IniFormat))
    assert reread.get(page_size) == 500
    assert reread.get(show_ids) is False
    with pytest.raises(ValueError):
        Option("test/page_size", 1, int)


def test_dialog_reopens_where_the_clerk_left_it(qtbot, settings):
    first = RememberingDialog("test_dialog", settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(640, 480)
    first.move(50, 60)
    first.accept()
    second = RememberingDialog("test_dialog", settings)
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == (640, 480)


def test_unexpected_and_database_errors_are_shown_in_chinese_with_the_detail_in_the_log(qtbot, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from povdesk.logs import log_path, setup_logging

    setup_logging()
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    parent = QWidget()
    qtbot.addWidget(parent)

    def bug(progress):
        raise KeyError("household_widget_state")

    def locked(progress):
        raise OperationalError("INSERT INTO household …", {}, Exception("database is locked"))

    run_in_background(parent, "导入", bug, lambda r: None)
    run_in_background(parent, "保存", locked, lambda r: None)
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)
    unexpected, busy = sorted(shown, key=lambda text: "意外" not in text)
    assert "意外错误" in unexpected and str(log_path()) in unexpected and "KeyError" not in unexpected
    assert busy.startswith("数据库正被另一台电脑") and "locked" not in busy
    assert "household_widget_state" in log_path().read_text(encoding="utf-8")
