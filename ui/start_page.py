"""The first start: on a database without any area the main window shows three ways on instead of an empty tree —
import a roster, create the areas, or look around in a demo county kept in a file of its own."""

from __future__ import annotations

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from povdesk import areas
from povdesk.db import Database, default_url, open_database, sqlite_path
from ui.files import open_path

DEMO_FILE = "povdesk-demo.db"
DEMO_HOUSEHOLDS = 3000  # a county of a few dozen villages: big enough to try every screen, generated in seconds
AREA_FILTER = "Excel 区划表 (*.xlsx *.xls *.ods *.csv)"


def demo_url(url: str) -> str:
    """The demo database beside the real one (beside the default file when the real one is a server)."""
    path = sqlite_path(url) or sqlite_path(default_url())
    return f"sqlite:///{path.with_name(DEMO_FILE)}"


def is_demo(db: Database) -> bool:
    path = sqlite_path(db.url)
    return path is not None and path.name == DEMO_FILE


def _has_areas(url: str) -> bool:
    db = open_database(url)
    try:
        with db.session() as session:
            return areas.has_any(session)
    finally:
        db.close()


def reopen_on(window, url: str):
    """Open a new main window on the database `url` and close `window`; the new window is returned."""
    from ui.main_window import MainWindow  # the window imports this module

    db = open_database(url)
    new = MainWindow(db, window.settings)
    new.return_url = getattr(window, "return_url", None) or (None if is_demo(window.db) else window.db.url)

    def close_db() -> None:
        QThreadPool.globalInstance().waitForDone()  # workers hold sessions
        db.close()

    new.closing.connect(close_db)
    window.replacement = new  # the old window is kept by whoever made it; it keeps the new one alive
    new.show()
    window.close()
    return new


def load_demo(window) -> None:
    """Open the demo county beside the real database, generating it first if it is not there yet."""
    from povdesk import demo
    from ui.ops import run_in_background

    url = demo_url(window.db.url)
    path = sqlite_path(url)
    if path.exists() and _has_areas(url):
        reopen_on(window, url)
        return

    def generate(progress):
        if path.exists():
            path.unlink()  # an empty or broken demo file from an interrupted start
        db = open_database(url)
        try:
            demo.generate(db, households=DEMO_HOUSEHOLDS, seed=1, progress=progress)
        finally:
            db.close()

    run_in_background(window, window.tr("正在生成演示数据"), generate, lambda _r: reopen_on(window, url))


class StartPage(QWidget):
    """Three big choices; `area_list_imported` after an Excel list of areas was read."""

    area_list_imported = Signal(object)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("startPage")
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel(self.tr("欢迎使用 PovDesk 建档立卡管理系统"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title, alignment=Qt.AlignmentFlag.AlignHCenter)
        note = QLabel(self.tr("数据库中还没有区划和户。请选择一种方式开始："), self)
        layout.addWidget(note, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(16)
        self.import_button = self._choice(
            "importRoster", self.tr("导入花名册"), self.tr("从全国系统导出的或本地整理的 Excel 花名册导入户和成员，区划随之建立"),
            self.import_roster,
        )  # fmt: skip
        self.new_button = self._choice(
            "newArea", self.tr("新建区划"), self.tr("手工建立本县及其乡镇、行政村和村民小组，再逐户录入"), self.new_area
        )
        self.area_list_button = QPushButton(self.tr("或从 Excel 区划表导入（区划代码、区划名称）…"), self)
        self.area_list_button.setObjectName("importAreaList")
        self.area_list_button.setFlat(True)
        self.area_list_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.area_list_button.setStyleSheet("color: #1a5fb4; text-decoration: underline;")
        self.area_list_button.clicked.connect(lambda: self.import_area_list())
        self._layout = layout
        layout.addWidget(self.area_list_button, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(8)
        self.demo_button = self._choice(
            "loadDemo", self.tr("载入演示数据"),
            self.tr("打开一个虚构的演示县，试用各项功能；演示数据另存一个文件（{0}），不会混入正式数据").format(DEMO_FILE),
            lambda: load_demo(self.window_),
        )  # fmt: skip
        choices = (self.import_button, self.new_button, self.demo_button)
        width = max(button.sizeHint().width() for button in choices)
        for button in choices:  # one column of equal buttons
            button.setMinimumWidth(width)

    def _choice(self, name: str, text: str, detail: str, slot) -> QPushButton:
        button = QPushButton(f"{text}\n{detail}", self)
        button.setObjectName(name)
        button.setMinimumSize(520, 72)
        font = button.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        button.setFont(font)
        button.setStyleSheet("QPushButton { text-align: left; padding: 10px 18px; }")
        button.clicked.connect(lambda: slot())
        self.layout().addWidget(button, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.layout().addSpacing(8)
        return button

    def import_roster(self, path: str | None = None):
        from ui.importing import open_import_wizard

        return open_import_wizard(self.window_, path)  # without a path, it asks for the file first

    def new_area(self):
        from ui.area_dialogs import NewCountyDialog

        dialog = NewCountyDialog(
            self.window_.db, self.window_.settings, self, user=self.window_.area_tree.operator_name()
        )
        if dialog.exec() == NewCountyDialog.DialogCode.Accepted:
            self.window_.data_changed.emit()
        return dialog

    def import_area_list(self, path: str | None = None):
        from povdesk.area_import import import_areas
        from povdesk.errors import PovDeskError

        if path is None:
            path = open_path(self, self.window_.settings, "areas", self.tr("导入区划表"), self.tr(AREA_FILTER))
            if path is None:
                return None
        try:
            result = import_areas(self.window_.db, path, user=self.window_.area_tree.operator_name())
        except PovDeskError as exc:
            QMessageBox.warning(self, self.tr("导入区划表"), str(exc))
            return None
        self.window_.data_changed.emit()
        self.area_list_imported.emit(result)
        QMessageBox.information(self, self.tr("导入区划表"), self.tr("已新建 {0} 个区划。").format(result.added))
        return result
