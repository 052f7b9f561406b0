"""`main.py users`: add, list, change the password of, and disable PovDesk users.

The password is read from standard input (`--password-stdin`, one line) or asked at the terminal without echo;
it never appears in the command line, the output or the log.
"""

from __future__ import annotations

import sys

from povdesk.cli import LazyChoices, print_json


def _roles() -> list[str]:
    from povdesk import codes

    return codes.USER_ROLE.codes


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "users",
        help="管理用户（登录账户、角色和区划）",
        description="管理 PovDesk 用户。在 PostgreSQL 上每个用户同时是同名的数据库登录账户，只能看到自己区划的数据。",
    )
    commands = parser.add_subparsers(title="操作", dest="users_command", metavar="ACTION", required=True)
    roles = LazyChoices(_roles)

    add = commands.add_parser("add", help="新增用户", description="新增用户；密码从标准输入读取或在终端输入。")
    add.add_argument("name", metavar="NAME", help="用户名（也是数据库登录名）")
    add.add_argument("--role", metavar="ROLE", required=True,
                     help=lambda: "角色：" + "、".join(roles))  # fmt: skip
    add.add_argument("--area", metavar="NAME", help="乡镇经办人所属乡镇或村级查询员所属村的名称")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取一行作为密码")
    add.set_defaults(func=run_add)

    lst = commands.add_parser("list", help="列出用户", description="列出全部用户：用户名、角色、区划、是否启用。")
    lst.add_argument("--json", action="store_true", help="输出 JSON")
    lst.set_defaults(func=run_list)

    passwd = commands.add_parser("passwd", help="修改密码", description="修改用户的密码。")
    passwd.add_argument("name", metavar="NAME", help="用户名")
    passwd.add_argument("--password-stdin", action="store_true", help="从标准输入读取一行作为密码")
    passwd.set_defaults(func=run_passwd)

    disable = commands.add_parser("disable", help="停用用户", description="停用用户：此后不能再登录。")
    disable.add_argument("name", metavar="NAME", help="用户名")
    disable.set_defaults(func=run_disable)

    enable = commands.add_parser("enable", help="重新启用用户", description="重新启用已停用的用户。")
    enable.add_argument("name", metavar="NAME", help="用户名")
    enable.set_defaults(func=run_enable)


def read_password(from_stdin: bool) -> str:
    """One line from standard input, or typed twice at the terminal without echo."""
    from povdesk.users import UserError

    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise UserError("请用 --password-stdin 从标准输入提供密码（密码不能写在命令行上）")
    import getpass

    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise UserError("两次输入的密码不一致")
    return first


def _by(session) -> str:
    from povdesk import rls

    return rls.login_name(session) if rls.is_postgres(session) else "cli"


def run_add(args, db) -> int:
    from povdesk import codes, users

    role = users.parse_role(args.role)  # before asking for a password: a wrong role is told at once
    password = users.check_password(read_password(args.password_stdin))
    with db.transaction() as session:
        user = users.add_user(session, args.name, role, password, area_name=args.area, by=_by(session))
        area = args.area or ""
    where = f"，区划：{area}" if area else ("" if role in users.COUNTY_ROLES else "，未指定区划（看不到任何数据）")
    print(f"已新增用户“{user.username}”，角色：{codes.USER_ROLE.label_of(role)}{where}")
    return 0


def run_list(args, db) -> int:
    from povdesk import users

    with db.session() as session:
        found = users.list_users(session)
    if args.json:
        print_json([{"name": u.name, "role": u.role, "role_label": u.role_label, "area": u.area_name,
                     "active": u.active} for u in found])  # fmt: skip
        return 0
    if not found:
        print("还没有用户")
        return 0
    print("用户名\t角色\t区划\t状态")
    for u in found:
        print(f"{u.name}\t{u.role_label}\t{u.area_name or '-'}\t{'启用' if u.active else '停用'}")
    return 0


def run_passwd(args, db) -> int:
    from povdesk import users

    with db.session() as session:
        users.get_user(session, args.name)  # an unknown name is told before the password is asked
    password = users.check_password(read_password(args.password_stdin))
    with db.transaction() as session:
        users.change_password(session, args.name, password, by=_by(session))
    print(f"已修改用户“{args.name}”的密码")
    return 0


def run_disable(args, db) -> int:
    from povdesk import users

    with db.transaction() as session:
        users.disable_user(session, args.name, by=_by(session))
    print(f"已停用用户“{args.name}”")
    return 0


def run_enable(args, db) -> int:
    from povdesk import users

    with db.transaction() as session:
        users.set_active(session, args.name, True, by=_by(session))
    print(f"已重新启用用户“{args.name}”")
    return 0
