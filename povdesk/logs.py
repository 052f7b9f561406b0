"""The log file: the technical detail of every error a clerk is shown in plain Chinese, for the county's IT staff."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

from povdesk import APP_NAME

ENV_VAR = "POVDESK_LOG_DIR"  # another folder for the log (tests, or a PC whose profile folder is full)
MAX_BYTES = 2 << 20
BACKUPS = 3


def log_path() -> Path:
    folder = os.environ.get(ENV_VAR) or platformdirs.user_log_dir(APP_NAME, appauthor=False)
    return Path(folder) / "povdesk.log"


def setup_logging() -> Path | None:
    """Send warnings and errors of the whole program to the rotating log file, once; None if it cannot be written
    (the program works on without a log rather than refuse to start)."""
    root = logging.getLogger()
    path = log_path()
    if any(getattr(h, "povdesk", False) for h in root.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.povdesk = True
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return path
