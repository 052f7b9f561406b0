"""Excel rosters in the GUI: the import wizard and the export action, installed in the main window's File menu."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from ui.files import save_path_and_filter, show_saved
from ui.operator_name import operator
from ui.ops import run_in_background
from ui.settings import Option

if TYPE_CHECKING:
    from ui.importing.wizard import ImportWizard

LAST_EXPORT_LAYOUT = Option("export/last_layout", "povdesk")


def open_import_wizard(window, path: str | None = None) -> ImportWizard | None:
    """Ask for the roster (unless given), then show the wizard on its sheet page; None when the clerk cancels the
    file dialog. After a committed import the window's `data_changed` signal is emitted."""
    from ui.importing.wizard import ImportWizard, choose_roster  # the importer, pypinyin, openpyxl: not at startup

    if path is None:
        chosen = choose_roster(window, window.settings)
        if chosen is None:
            return None
        path = str(chosen)
    # the 经办人 recorded in the import's audit and history: asked for here, once, if not set yet
    wizard = ImportWizard(window.db, window.settings, window, path=path, user=operator(window.settings, window))
    if hasattr(window, "data_changed"):
        wizard.imported.connect(lambda _result: window.data_changed.emit())
    wizard.show()
    wizard.next()  # the file is chosen: on to its sheets (a file that cannot be read stays on the file page, said why)
    return wizard


def export_roster_to(parent: QWidget, db, settings, *, area_id: int | None = None, household_ids=None,
                     path: str | None = None, layout: str | None = None):  # fmt: skip
    """Ask for a file and its layout (unless given) and export in the background; the registry, an area or the given
    households. The layout is chosen with the file type of the save dialog and remembered."""
    from povdesk.roster.export_layouts import DEFAULT_LAYOUT, LAYOUTS  # the exporter: loaded when first used
    from povdesk.roster.exporter import export_roster

    if path is None:
        filters = {f"{chosen.label} (*.xlsx)": name for name, chosen in LAYOUTS.items()}
        last = settings.get(LAST_EXPORT_LAYOUT)
        selected = next((text for text, name in filters.items() if name == last), next(iter(filters)))
        chosen_path, selected = save_path_and_filter(
            parent, settings, "rosters", parent.tr("导出花名册"), parent.tr("花名册.xlsx"), ";;".join(filters), selected
        )
        if chosen_path is None:
            return None
        path = str(chosen_path)
        layout = filters.get(selected, DEFAULT_LAYOUT)
        settings.set(LAST_EXPORT_LAYOUT, layout)
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"

    def done(result) -> None:
        what = parent.tr("已导出 {0} 户 {1} 人的花名册").format(result.households, result.persons)
        show_saved(parent, Path(result.path), what)

    return run_in_background(
        parent, parent.tr("正在导出花名册"),
        lambda progress: export_roster(db, path, area_id=area_id, household_ids=household_ids,
                                       layout=layout or DEFAULT_LAYOUT, progress=progress),
        done,
    )  # fmt: skip


def install(window) -> tuple[QAction, QAction]:
    """Add 导入花名册… (Ctrl+O, Ctrl+I) and 导出花名册… to the File menu of the main window."""
    menu = window.menus["file"]
    import_action = QAction(window.tr("导入花名册…"), window)
    # Ctrl+O (QKeySequence.Open) is what a clerk tries first; Ctrl+I kept for those used to it
    import_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Open), QKeySequence("Ctrl+I")])
    import_action.setStatusTip(window.tr("从 Excel 花名册（.xlsx/.xls/.ods）导入户和成员"))
    import_action.triggered.connect(lambda: open_import_wizard(window))
    export_action = QAction(window.tr("导出花名册…"), window)
    export_action.setStatusTip(window.tr("导出当前区划（未选区划时为全部）的花名册：PovDesk 全部字段或全国系统的格式"))
    export_action.triggered.connect(
        lambda: export_roster_to(window, window.db, window.settings, area_id=window.current_area_id())
    )
    menu.addAction(import_action)
    menu.addAction(export_action)
    if getattr(window, "toolbar", None) is not None:
        window.toolbar.addAction(import_action)
    return import_action, export_action
