"""The bundled fonts (resources/fonts) as Qt fallbacks, so that rare characters (䶮, 𠮷) show in lists and editors.

The PDFs draw them from the same files (povdesk.pdf.fonts); on screen, Qt would otherwise show a box wherever the
system fonts lack a character — CJK Extension B on most PCs.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

FONT_DIR = Path(__file__).resolve().parents[1] / "resources" / "fonts"
FONT_FILES = ("wqy-microhei.ttc", "HanaMinA-rare.ttf", "HanaMinB-extb.ttf")  # in fallback order
SKIPPED_FAMILIES = {"WenQuanYi Micro Hei Mono"}  # the .ttc's second face: the proportional one is wanted


def register_bundled_fonts(folder: Path = FONT_DIR) -> list[str]:
    """Register the bundled font files with Qt; their family names in fallback order (a missing file is skipped)."""
    families: list[str] = []
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(folder / name))
        if font_id < 0:
            continue
        families += [f for f in QFontDatabase.applicationFontFamilies(font_id) if f not in families]
    return [f for f in families if f not in SKIPPED_FAMILIES]


def install_fallback_fonts(app: QApplication, folder: Path = FONT_DIR) -> list[str]:
    """Make the bundled fonts fallbacks of the application font: the system's font first (it looks native), then
    ours for whatever it lacks. Returns the application font's families."""
    fallbacks = register_bundled_fonts(folder)
    font = QFont(app.font())
    primary = font.families() or [font.family()]
    families = primary + [f for f in fallbacks if f not in primary]
    font.setFamilies(families)
    app.setFont(font)
    for family in primary:  # a widget that names the system family alone still falls back to ours
        QFont.insertSubstitutions(family, fallbacks)
    return families
