"""The core is a library for the CLI, the GUI and the tests alike: importing it must not load Qt."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import povdesk

ROOT = Path(__file__).parents[2]


def test_importing_every_povdesk_module_loads_no_pyside6():
    modules = [m.name for m in pkgutil.walk_packages(povdesk.__path__, "povdesk.") if ".migrations" not in m.name]
    assert len(modules) > 10
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""
