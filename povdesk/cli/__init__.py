"""The admin command line (`python main.py COMMAND …`) for county IT staff: one module per command.

Building the parser imports nothing heavy: `--version` and `--help` answer without loading the database layer,
openpyxl, reportlab or Qt. Command modules import what they need inside their run functions.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import pkgutil
import re
import sys
from collections.abc import Callable, Iterator, Sequence

from povdesk import __version__

DB_ENV_VAR = "POVDESK_DB"  # povdesk.db.ENV_VAR, spelled here so that --help does not import the database layer

# argparse's own messages (Python 3.11+), as regular expressions, and their Chinese; tried in order
_ARGPARSE_MESSAGES: list[tuple[str, str]] = [
    (r"the following arguments are required: (.+)", r"缺少必需的参数：\1"),
    (r"unrecognized arguments: (.+)", r"无法识别的参数：\1"),
    (r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)", r"参数 \1 的值 \2 无效，可选：\3"),
    (r"argument (.+?): invalid (\w+) value: (.+)", r"参数 \1 的值 \3 无效（应为 \2）"),
    (r"argument (.+?): expected one argument", r"参数 \1 后面需要一个值"),
    (r"argument (.+?): expected at most one argument", r"参数 \1 后面最多一个值"),
    (r"argument (.+?): expected at least one argument", r"参数 \1 后面至少需要一个值"),
    (r"argument (.+?): expected (\d+) arguments?", r"参数 \1 后面需要 \2 个值"),
    (r"argument (.+?): not allowed with argument (.+)", r"参数 \1 不能与 \2 同时使用"),
    (r"argument (.+?): ignored explicit argument (.+)", r"参数 \1 不接受值 \2"),
    (r"ambiguous option: (.+?) could match (.+)", r"选项 \1 不明确，可能是：\2"),
    (r"one of the arguments (.+) is required", r"必须给出以下参数之一：\1"),
    (r"argument (.+?): (.+)", r"参数 \1：\2"),
]
_INT_TYPES = {"int": "整数", "float": "数字"}


def chinese_argparse_message(message: str) -> str:
    """argparse's English error message in Chinese; one that is not known is kept as it is."""
    for pattern, replacement in _ARGPARSE_MESSAGES:
        match = re.fullmatch(pattern, message, flags=re.DOTALL)
        if match:
            text = match.expand(replacement)
            for english, chinese in _INT_TYPES.items():
                text = text.replace(f"（应为 {english}）", f"（应为{chinese}）")
            return text
    return message


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Chinese usage prefix; a help text may be a function, called only when the help is shown."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def _format_action(self, action: argparse.Action) -> str:
        if callable(action.help):
            action = copy.copy(action)
            action.help = action.help()
        return super()._format_action(action)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are Chinese throughout."""

    def __init__(self, *args, add_help: bool = True, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误：{chinese_argparse_message(message)}\n使用 --help 查看用法。\n")


class LazyChoices(Sequence[str]):
    """Choices computed on first use, so that building the parser imports no domain module."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self._items: list[str] | None = None

    def _get(self) -> list[str]:
        if self._items is None:
            self._items = list(self._load())
        return self._items

    def __getitem__(self, index):
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __contains__(self, value: object) -> bool:
        return value in self._get()


def command_modules() -> list[str]:
    """Every module of this package is a command: it defines `register(subparsers)`, which adds a parser with
    `func(args, db) -> int` as a default. Adding a command means adding a module, nothing else."""
    return sorted(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


DB_HELP = f"数据库地址（SQLAlchemy URL），默认使用环境变量 {DB_ENV_VAR} 或本机内置数据库；可写在命令之前或之后"


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    """`--db` on every command too, so that `main.py stats --db URL` works as well as `main.py --db URL stats`.

    SUPPRESS keeps a command's parser from overwriting a --db given before the command."""
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=DB_HELP)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                _add_db_option(subparser)


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="main.py", description="PovDesk 建档立卡管理系统。不带命令时打开图形界面；带命令时作为管理命令行使用。"
    )
    parser.add_argument("--version", action="version", version=f"PovDesk {__version__}", help="显示版本号并退出")
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    subparsers = parser.add_subparsers(
        title="命令", dest="command", metavar="COMMAND", parser_class=ChineseArgumentParser
    )
    for name in command_modules():
        importlib.import_module(name).register(subparsers)
    for subparser in subparsers.choices.values():
        _add_db_option(subparser)
    return parser


def print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, sort_keys=False))


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; every error the core raises becomes one Chinese line and exit code 1."""
    from sqlalchemy.exc import SQLAlchemyError

    from povdesk import db_errors
    from povdesk.db import open_database
    from povdesk.errors import PovDeskError

    if not getattr(args, "opens_database", True):  # `restore`: the database may be the damaged one it replaces
        try:
            return args.func(args, None)
        except PovDeskError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
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
    if args.command is None:
        from ui.app import run_gui  # the GUI only when asked for: the CLI must work without a display

        return run_gui(args.db)  # sets up logging and removes stale temporary folders itself
    from povdesk.logs import setup_logging
    from povdesk.roster.slices import remove_stale_temp_folders

    setup_logging()
    remove_stale_temp_folders()  # left by imports killed mid-way (a power cut, a forced close)
    return run(args)
