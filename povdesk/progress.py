"""Progress reporting and cancellation for long work; the GUI, the CLI and the tests each plug in their own sink."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from povdesk.errors import PovDeskError

ProgressSink = Callable[[int, int, str], None]  # done, total, label


class Cancelled(PovDeskError):
    """The user cancelled; whatever the work had begun was rolled back."""

    def __init__(self, message: str = "操作已取消，数据库未作任何改动") -> None:
        super().__init__(message)


class Progress:
    """Passed to every long job in povdesk/: `update()` reports, `check()` raises Cancelled once cancel is asked.

    Safe to cancel from another thread; reports are throttled so a tight loop may call update() freely.
    """

    def __init__(self, sink: ProgressSink | None = None, *, interval: float = 0.1) -> None:
        self._sink = sink
        self._interval = interval
        self._last = 0.0
        self._cancel = threading.Event()
        self.total = 0
        self.done = 0
        self.label = ""

    def start(self, total: int, label: str = "") -> None:
        self.total, self.done, self.label = total, 0, label
        self._emit(force=True)

    def update(self, done: int | None = None, *, advance: int = 0, label: str | None = None) -> None:
        """Set or advance the count; also checks for cancellation."""
        self.done = done if done is not None else self.done + advance
        if label is not None:
            self.label = label
        self._emit(force=label is not None or self.done >= self.total)
        self.check()

    def _emit(self, *, force: bool) -> None:
        now = time.monotonic()
        if self._sink and (force or now - self._last >= self._interval):
            self._last = now
            self._sink(self.done, self.total, self.label)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()
