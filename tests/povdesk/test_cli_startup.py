"""The CLI starts fast and speaks Chinese: `--version`/`--help` load no heavy module; argparse's texts are Chinese."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from povdesk.cli import DB_ENV_VAR, build_parser, chinese_argparse_message

ROOT = Path(__file__).parents[2]
HEAVY = ("sqlalchemy", "openpyxl", "reportlab", "PySide6", "shiboken6", "alembic", "pypinyin", "python_calamine",
         "povdesk.db", "povdesk.model", "povdesk.roster", "povdesk.notices", "povdesk.pairing", "ui")  # fmt: skip
ENGLISH = re.compile(r"usage:|options:|positional arguments|show this help|show program|error:|argument|invalid|"
                     r"required|unrecognized|expected|choose from")  # fmt: skip


def run(*args: str, importtime: bool = False) -> subprocess.CompletedProcess:
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run(
        [sys.executable, *flags, str(ROOT / "main.py"), *args],
        capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip


def imported_modules(stderr: str) -> set[str]:
    """Module names from `-X importtime` lines: `import time: self | cumulative | name`."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")} - {
        "package"
    }


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h"]])
def test_version_and_help_import_no_heavy_module(args):
    # WHEN the CLI is asked only for its version or help
    started = time.perf_counter()
    result = run(*args, importtime=True)
    elapsed = time.perf_counter() - started
    print(f"main.py {' '.join(args)}: {elapsed:.2f} s (with -X importtime)")
    # THEN it answers without loading the domain, the database layer, Excel, PDF or Qt
    assert result.returncode == 0, result.stderr[-2000:]
    modules = imported_modules(result.stderr)
    assert "povdesk.cli" in modules  # the measurement itself works
    heavy = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []


def test_help_is_chinese_throughout():
    result = run("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("用法：main.py")
    assert "显示本帮助并退出" in result.stdout and "显示版本号并退出" in result.stdout
    assert "选项" in result.stdout and "命令" in result.stdout
    assert not ENGLISH.search(result.stdout), result.stdout


@pytest.mark.parametrize("command", ["stats", "import", "export", "notice", "cadres", "pair", "pairs"])
def test_every_command_help_is_chinese(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"用法：main.py {command}")
    assert "--db URL" in result.stdout  # --db is also accepted after the command
    assert not ENGLISH.search(result.stdout), result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nosuchcommand"], "参数 COMMAND 的值 'nosuchcommand' 无效"),
        (["stats", "--nosuchoption"], "无法识别的参数：--nosuchoption"),
        (["stats", "--area"], "参数 --area 后面需要一个值"),
        (["notice", "--kind", "exit"], "缺少必需的参数：--year, --area, --stage, --out"),
        (["notice", "--kind", "nonsense"], "参数 --kind 的值 'nonsense' 无效，可选："),
        (["demo", "--households", "many"], "参数 --households 的值 'many' 无效（应为整数）"),
        (["export", "out.xlsx", "--layout", "nonsense"], "参数 --layout 的值 'nonsense' 无效，可选：'national-2016'"),
        (["cadres"], "缺少必需的参数：COMMAND"),
    ],
)
def test_argument_errors_are_chinese(args, expected):
    result = run(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert result.stderr.startswith("用法：")
    assert not ENGLISH.search(result.stderr), result.stderr


def test_an_unknown_argparse_message_is_kept_rather_than_lost():
    assert chinese_argparse_message("something new") == "something new"
    assert chinese_argparse_message("argument --x: something new") == "参数 --x：something new"


@pytest.mark.parametrize("where", ["before", "after", "both"])
def test_db_before_or_after_the_command(tmp_path, where):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    other = f"sqlite:///{tmp_path / 'other.db'}"
    args = {"before": ["--db", url, "stats"], "after": ["stats", "--db", url],
            "both": ["--db", other, "stats", "--db", url]}[where]  # fmt: skip
    assert build_parser().parse_args(args).db == url
    nested = {"before": ["--db", url, "pairs", "import", "f.xlsx"], "after": ["pairs", "import", "f.xlsx", "--db", url],
              "both": ["--db", other, "pairs", "--db", url, "import", "f.xlsx"]}[where]  # fmt: skip
    assert build_parser().parse_args(nested).db == url
    result = run(*args, "--json")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.db").exists() and not (tmp_path / "other.db").exists()


def test_no_db_anywhere_means_the_default():
    assert build_parser().parse_args(["stats"]).db is None


def test_the_env_var_named_in_help_is_the_one_used():
    from povdesk.db import ENV_VAR

    assert DB_ENV_VAR == ENV_VAR
