"""Excel rosters in the GUI: the import wizard and the export action, installed in the main window's File menu."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ui.ops import run_in_background
from ui.settings import Option

if TYPE_CHECKING:
    from ui.importing.wizard import ImportWizard

LAST_EXPORT_FOLDER = Option("export/last_folder", "")
LAST_EXPORT_LAYOUT = Option("export/last_layout", "povdesk")


def open_import_wizard(window, path: str | None = None) -> ImportWizard:
    """Show the wizard; after a committed import the window's `data_changed` signal is emitted."""
    from ui.importing.wizard import ImportWizard  # with the importer, pypinyin and openpyxl: not at startup

    wizard = ImportWizard(window.db, window.settings, window, path=path)
    if hasattr(window, "data_changed"):
        wizard.imported.connect(lambda _result: window.data_changed.emit())
    wizard.show()
    return wizard


def export_roster_to(parent: QWidget, db, settings, *, area_id: int | None = None, household_ids=None,
                     path: str | None = None, layout: str | None = None):  # fmt: skip
    """Ask for a file and its layout (unless given) and export in the background; the registry, an area or the given
    households. The layout is chosen with the file type of the save dialog and remembered."""
    from povdesk.roster.export_layouts import DEFAULT_LAYOUT, LAYOUTS  # the exporter: loaded when first used
    from povdesk.roster.exporter import export_roster

    if path is None:
        folder = settings.get(LAST_EXPORT_FOLDER) or str(Path.home())
        filters = {f"{chosen.label} (*.xlsx)": name for name, chosen in LAYOUTS.items()}
        last = settings.get(LAST_EXPORT_LAYOUT)
        selected = next((text for text, name in filters.items() if name == last), next(iter(filters)))
        path, selected = QFileDialog.getSaveFileName(parent, parent.tr("导出花名册"), str(Path(folder) / "花名册.xlsx"),
                                                     ";;".join(filters), selected)  # fmt: skip
        if not path:
            return None
        layout = filters.get(selected, DEFAULT_LAYOUT)
        settings.set(LAST_EXPORT_FOLDER, str(Path(path).parent))
        settings.set(LAST_EXPORT_LAYOUT, layout)
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"

    def done(result) -> None:
        QMessageBox.information(parent, parent.tr("导出花名册"),
                                parent.tr("已导出 {0} 户 {1} 人到：\n{2}").format(result.households, result.persons,
                                                                           result.path))  # fmt: skip

    return run_in_background(
        parent, parent.tr("正在导出花名册"),
        lambda progress: export_roster(db, path, area_id=area_id, household_ids=household_ids,
                                       layout=layout or DEFAULT_LAYOUT, progress=progress),
        done,
    )  # fmt: skip


def install(window) -> tuple[QAction, QAction]:
    """Add 导入花名册… (Ctrl+I) and 导出花名册… to the File menu of the main window."""
    menu = window.menus["file"]
    import_action = QAction(window.tr("导入花名册…"), window)
    import_action.setShortcut(QKeySequence("Ctrl+I"))
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
