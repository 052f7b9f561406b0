"""The admin command line (`python main.py COMMAND …`) for county IT staff: one module per command."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from povdesk import __version__, db_errors
from povdesk.db import ENV_VAR, open_database
from povdesk.errors import PovDeskError
from povdesk.logs import setup_logging
from povdesk.roster.slices import remove_stale_temp_folders


def command_modules() -> list[str]:
    """Every module of this package is a command: it defines `register(subparsers)`, which adds a parser with
    `func(args, db) -> int` as a default. Adding a command means adding a module, nothing else."""
    return sorted(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误：{message}\n使用 --help 查看用法。\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="main.py", description="PovDesk 建档立卡管理系统。不带命令时打开图形界面；带命令时作为管理命令行使用。"
    )
    parser.add_argument("--version", action="version", version=f"PovDesk {__version__}")
    parser.add_argument(
        "--db", metavar="URL", help=f"数据库地址（SQLAlchemy URL），默认使用环境变量 {ENV_VAR} 或本机内置数据库"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ChineseArgumentParser)
    for name in command_modules():
        importlib.import_module(name).register(subparsers)
    return parser


def print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, sort_keys=False))


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; every error the core raises becomes one Chinese line and exit code 1."""
    try:
        db = open_database(args.db)
    except PovDeskError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    try:
        return args.func(args, db)
    except PovDeskError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"错误：{db_errors.explain(exc)}", file=sys.stderr)
        return 1
    finally:
        db.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging()
    remove_stale_temp_folders()  # left by imports killed mid-way (a power cut, a forced close)
    if args.command is None:
        from ui.app import run_gui  # the GUI only when asked for: the CLI must work without a display

        return run_gui(args.db)
    return run(args)
