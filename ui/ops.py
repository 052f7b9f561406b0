"""The one background-op helper: run a povdesk function off the GUI thread with progress, cancel and error display."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from povdesk import db_errors
from povdesk.errors import PovDeskError
from povdesk.logs import log_path
from povdesk.progress import Cancelled, Progress

log = logging.getLogger(__name__)


class _Signals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], signals: _Signals) -> None:
        super().__init__()
        self.signals = signals
        self.progress = Progress(self._report)
        self._fn = fn

    def _report(self, done: int, total: int, label: str) -> None:
        try:
            self.signals.progress.emit(done, total, label)
        except RuntimeError:  # the window is gone: stop the work at its next check
            self.progress.cancel()

    def run(self) -> None:
        try:
            result = self._fn(self.progress)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI thread
            self._emit(self.signals.failed, exc)
        else:
            self._emit(self.signals.finished, result)

    @staticmethod
    def _emit(signal, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # the window that asked is gone; nobody is left to tell
            signal.emit(value)


class BackgroundOp(QObject):
    """A running job. `progress.cancel()` (or the dialog's cancel button) stops it at its next check."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QWidget, title: str, fn: Callable[[Progress], Any], *, show_dialog: bool = True) -> None:
        super().__init__(parent)
        self._parent = parent
        self._signals = _Signals()
        self._job = _Job(fn, self._signals)
        self.dialog: QProgressDialog | None = None
        if show_dialog:
            self.dialog = QProgressDialog(title, self.tr("取消"), 0, 0, parent)
            self.dialog.setWindowTitle(title)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(300)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self.cancel)
        parent.destroyed.connect(self._job.progress.cancel)  # closing the window stops its work
        self._signals.progress.connect(self._on_progress)
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)

    @property
    def progress(self) -> Progress:
        return self._job.progress

    def start(self) -> BackgroundOp:
        QThreadPool.globalInstance().start(self._job)
        return self

    def cancel(self) -> None:
        self._job.progress.cancel()
        if self.dialog:
            self.dialog.setLabelText(self.tr("正在取消，请稍候……"))

    def _on_progress(self, done: int, total: int, label: str) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        # The label goes first: setValue() of a modal progress dialog processes events, and the job's finished
        # signal may be delivered in there and close the dialog (self.dialog is None when setValue returns).
        if label and not self._job.progress.cancelled:
            dialog.setLabelText(label)
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)

    def _close_dialog(self) -> None:
        if self.dialog:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _on_finished(self, result: object) -> None:
        self._close_dialog()
        self.done.emit(result)
        self.deleteLater()

    def _on_failed(self, exc: BaseException) -> None:
        self._close_dialog()
        self.failed.emit(exc)
        self.deleteLater()


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    """A message box for an error: the core's Chinese message as is, anything else as an unexpected error."""
    title = title or QObject.tr("PovDesk")  # type: ignore[call-arg]
    if isinstance(exc, Cancelled):
        return
    if isinstance(exc, SQLAlchemyError):
        exc = db_errors.explain(exc)
    if isinstance(exc, PovDeskError):
        QMessageBox.warning(parent, title, str(exc))
    else:
        log.error("unexpected error in %s", title, exc_info=exc)
        QMessageBox.critical(
            parent,
            title,
            f"发生意外错误，操作未完成，数据库未改动。\n详细信息已写入日志文件“{log_path()}”，请告知技术人员。",
        )


def run_in_background(
    parent: QWidget,
    title: str,
    fn: Callable[[Progress], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
    *,
    show_dialog: bool = True,
) -> BackgroundOp:
    """Run `fn(progress)` on a worker thread; `on_done(result)` / `on_error(exc)` run on the GUI thread.

    `fn` must open its own database session: sessions are never shared with the GUI thread.
    Without `on_error`, errors are shown in a message box (a cancel shows nothing).
    """
    op = BackgroundOp(parent, title, fn, show_dialog=show_dialog)
    op.done.connect(on_done)
    op.failed.connect(on_error or (lambda exc: show_error(parent, exc, title)))
    return op.start()
