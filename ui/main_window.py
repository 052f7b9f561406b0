"""The main window: it only assembles the area tree, the registry views and the features' menus and actions.

It is built in two steps so that the clerk sees it at once: the frame (title, menus, a "正在打开数据库" page) needs
only Qt and shows while the database layer and the features load; `attach(db)` then fills it in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from povdesk import __version__
from ui.settings import AppSettings, Option

if TYPE_CHECKING:
    from povdesk.db import Database

GEOMETRY = Option("mainwindow/geometry", QByteArray(), QByteArray)
STATE = Option("mainwindow/state", QByteArray(), QByteArray)
SPLITTER = Option("mainwindow/splitter", QByteArray(), QByteArray)
LAST_AREA = Option("mainwindow/last_area", 0, int)

# (key, title): features find their menu by key, e.g. window.menus["notices"].
MENUS = (
    ("file", "文件(&F)"),
    ("registry", "建档立卡(&R)"),
    ("notices", "公示公告(&N)"),
    ("pairing", "结对帮扶(&P)"),
    ("charts", "挂图作战(&C)"),
    ("settings", "设置(&S)"),
    ("help", "帮助(&H)"),
)


class MainWindow(QMainWindow):
    data_changed = Signal()  # a feature changed registry data: views and counts reload
    area_changed = Signal(object)  # the selected area id, or None
    closing = Signal()  # views save their state

    def __init__(self, db: Database | None, settings: AppSettings, *, features: list[str] | None = None) -> None:
        """The frame only when `db` is None (start-up shows it before the database layer is loaded), else the
        whole window."""
        super().__init__()
        self.db: Database | None = None
        self.settings = settings
        self.ready = False  # attached to a database, features installed
        self.setWindowTitle(self.tr("PovDesk 建档立卡管理系统"))
        self.menus: dict[str, QMenu] = {key: self.menuBar().addMenu(self.tr(title)) for key, title in MENUS}
        self.menuBar().setEnabled(False)
        self.toolbar = self.addToolBar(self.tr("工具栏"))
        self.toolbar.setObjectName("mainToolbar")
        self.pages = QStackedWidget(self)
        loading = QLabel(self.tr("正在打开数据库……"), self)
        loading.setObjectName("loadingPage")
        loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        loading.setStyleSheet("font-size: 16pt; color: #555;")
        self.pages.addWidget(loading)
        self.setCentralWidget(self.pages)
        self.db_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.db_label)
        self.restoreGeometry(self.settings.get(GEOMETRY)) or self.resize(1280, 800)
        if db is not None:
            self.attach(db, features=features)

    def attach(self, db: Database, *, features: list[str] | None = None) -> None:
        """Fill the frame in: the area tree and the views over `db`, the features' menus, the saved layout."""
        from povdesk import audit
        from ui.area_tree import AreaTree
        from ui.features import install_all
        from ui.start_page import is_demo

        self.db = db
        audit.set_user(db, self.user_name)  # every write of this window's sessions is audited under this name
        self.area_tree = AreaTree(db, self, settings=self.settings)
        self.summary = QLabel(self)
        self.summary.setObjectName("areaSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        right = QWidget(self)
        layout = QVBoxLayout(right)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.right_layout = layout
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.area_tree)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.start_page = None  # built when the database has no area: see _show_start_page_if_empty
        self.pages.addWidget(self.splitter)
        self.return_url: str | None = None  # the real database, while the demo county is open
        self.db_label.setText(self.tr("数据库：{0}").format(db.display_url))
        if is_demo(db):
            self.setWindowTitle(self.tr("PovDesk 建档立卡管理系统 —— 演示数据"))
            self.db_label.setText(self.tr("演示数据（虚构的县，与正式数据分开保存）：{0}").format(db.display_url))
            self.db_label.setStyleSheet("color: #b35900; font-weight: bold;")

        install_all(self, features)
        self._add_standard_actions()
        for menu in self.menus.values():  # a feature not built yet leaves no empty menu behind
            menu.menuAction().setVisible(not menu.isEmpty())
        self.menuBar().setEnabled(True)
        self.area_tree.area_selected.connect(self._on_area_selected)
        self.area_tree.counts_loaded.connect(self._update_summary)
        self.data_changed.connect(self.area_tree.reload)
        self.data_changed.connect(self._show_start_page_if_empty)
        self.area_tree.edited.connect(self.data_changed.emit)
        self.area_tree.reload()
        self._restore_state()
        self._show_start_page_if_empty()
        self.ready = True

    def user_name(self) -> str:
        """Who writes: the logged-in user, else the 经办人 setting (empty: the audit takes the computer's login)."""
        from ui.operator_name import OPERATOR

        login = getattr(self, "login", None)
        return login.name if login is not None else self.settings.get(OPERATOR).strip()

    def current_area_id(self) -> int | None:
        return self.area_tree.current_area_id()

    def _add_standard_actions(self) -> None:
        from ui.start_page import is_demo, load_demo

        quit_action = QAction(self.tr("退出(&X)"), self)
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)  # empty on Windows: Ctrl+Q there too
        quit_action.setShortcuts(keys + [QKeySequence("Ctrl+Q")] if QKeySequence("Ctrl+Q") not in keys else keys)
        quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        quit_action.triggered.connect(self.close)
        if not self.menus["file"].isEmpty():
            self.menus["file"].addSeparator()
        self.menus["file"].addAction(quit_action)
        if is_demo(self.db):
            demo = QAction(self.tr("返回正式数据(&B)"), self)
            demo.triggered.connect(self._leave_demo)
        else:
            demo = QAction(self.tr("载入演示数据(&D)…"), self)
            demo.setStatusTip(self.tr("打开虚构的演示县（另存一个文件，不会混入正式数据）"))
            demo.triggered.connect(lambda: load_demo(self))
        demo.setObjectName("demoAction")
        self.menus["help"].addAction(demo)
        about = QAction(self.tr("关于 PovDesk(&A)"), self)
        about.triggered.connect(self._show_about)
        self.menus["help"].addAction(about)

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("关于 PovDesk"),
            self.tr("PovDesk 建档立卡管理系统 {0}\n\n数据库：{1}").format(__version__, self.db.display_url),
        )

    def _leave_demo(self) -> None:
        from povdesk.db import resolve_url
        from ui.start_page import reopen_on

        reopen_on(self, self.return_url or resolve_url())

    def _show_start_page_if_empty(self) -> None:
        """An empty database shows the start page; the first area brings the tree and the views."""
        from ui.start_page import StartPage

        empty = self.area_tree.model().rowCount() == 0
        if empty and self.start_page is None:
            self.start_page = StartPage(self)
            self.pages.addWidget(self.start_page)
        if not empty and self.pages.currentWidget() is self.start_page:  # the first areas came (an import, by hand)
            self.area_tree.setCurrentIndex(self.area_tree.model().index(0, 0))
        self.pages.setCurrentWidget(self.start_page if empty else self.splitter)
        self.toolbar.setHidden(empty)  # 新建户 and the rest need an area: the start page offers what can be done

    def _on_area_selected(self, area_id: int | None) -> None:
        self._update_summary()
        self.area_changed.emit(area_id)

    def _update_summary(self) -> None:
        area_id = self.current_area_id()
        if area_id is None:
            self.summary.setText(self.tr("请在左侧选择区划"))
            return
        counts = self.area_tree.counts.get(area_id)
        name = self.area_tree.area_name(area_id)
        if counts is None:
            self.summary.setText(self.tr("{0}：正在统计……").format(name))
        else:
            self.summary.setText(
                self.tr("{0}：建档立卡 {1:,} 户 {2:,} 人").format(name, counts.households, counts.persons)
            )

    def _restore_state(self) -> None:
        self.restoreState(self.settings.get(STATE))
        if not self.splitter.restoreState(self.settings.get(SPLITTER)):
            self.splitter.setSizes([320, 960])
        last = self.settings.get(LAST_AREA)
        if not (last and self.area_tree.select_area(last)):
            first = self.area_tree.model().index(0, 0)
            if first.isValid():
                self.area_tree.setCurrentIndex(first)
            else:
                self._update_summary()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.settings.set(GEOMETRY, self.saveGeometry())
        if not self.ready:  # closed while the database was still opening: nothing else to keep
            self.settings.sync()
            super().closeEvent(event)
            return
        self.closing.emit()
        self.settings.set(STATE, self.saveState())
        self.settings.set(SPLITTER, self.splitter.saveState())
        self.settings.set(LAST_AREA, self.current_area_id() or 0)
        self.settings.sync()
        super().closeEvent(event)
