"""The features the main window installs, in menu order; each module defines `install(window)`."""

from __future__ import annotations

import importlib

FEATURES: list[str] = [
    "ui.registry",
    "ui.importing",
    "ui.notices",
    "ui.pairing",
    "ui.wallchart",
    "ui.backup",
    "ui.users",
    "ui.audit",
]


def install_all(window, names: list[str] | None = None) -> None:
    for name in FEATURES if names is None else names:
        importlib.import_module(name).install(window)
