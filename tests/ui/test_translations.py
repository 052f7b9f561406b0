"""Qt's own dialogs and buttons read Chinese: the vendored qtbase_zh_CN.qm is loaded (PySide6's wheel lacks it)."""

from __future__ import annotations

import pytest

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel

from ui.app import TRANSLATIONS_DIR, install_translators


@pytest.fixture
def translated(qapp):
    translators = install_translators(qapp)
    yield translators
    for translator in translators:
        QApplication.removeTranslator(translator)


def test_the_vendored_file_is_there_with_its_licence():
    assert (TRANSLATIONS_DIR / "qtbase_zh_CN.qm").stat().st_size > 100_000
    assert "GPL-3 with Qt-1.0 exception" in (TRANSLATIONS_DIR / "COPYRIGHT-qttranslations.txt").read_text()


def test_qt_strings_are_chinese_after_install_translators(translated):
    assert any(t.filePath().startswith(str(TRANSLATIONS_DIR)) for t in translated)
    assert QCoreApplication.translate("QFileDialog", "Look in:") == "查找范围："
    assert QCoreApplication.translate("QFileDialog", "Files of type:") == "文件类型："
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_qts_own_file_dialog_reads_chinese(translated, qtbot):
    # GIVEN Qt's own (not the native) file dialog, as on Linux
    dialog = QFileDialog(None, "保存", "")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    # THEN its labels and buttons are Chinese
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert {"查找范围(&L)：", "文件类型(&T)："} <= labels  # Qt 6.11's strings, with mnemonics
    assert not [text for text in labels if text.isascii()]
    buttons = [b.text() for b in dialog.findChild(QDialogButtonBox).buttons()]
    assert "取消" in buttons
    dialog.grab().save("/tmp/shots15/qt_file_dialog_zh.png")
