"""Users on the embedded database: argon2 hashes, roles and their areas, the `users` command, and the old role codes
carried over by migration 0010."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from argon2 import PasswordHasher
from sqlalchemy import select, text

from povdesk import codes, demo, migrate, users
from povdesk.errors import NotFound
from povdesk.model import Area, AuditLog, User

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse 1"


@pytest.fixture
def county(sqlite_db):
    demo.generate(sqlite_db, households=60, seed=3)
    with sqlite_db.session() as s:
        township = s.scalar(select(Area).where(Area.level == "township").order_by(Area.id))
        village = s.scalar(select(Area).where(Area.level == "village", Area.path.startswith(township.path)))
        names = {"township": township.name, "village": village.name, "path": township.path, "vpath": village.path}
    with sqlite_db.transaction() as s:
        users.add_user(s, "admin0", "county_admin", PASSWORD)
    return sqlite_db, names


def test_the_first_user_is_a_county_admin(sqlite_db):
    with sqlite_db.transaction() as s, pytest.raises(users.UserError, match="第一个用户必须是县级管理员"):
        users.add_user(s, "clerk", "county_clerk", PASSWORD)
    with sqlite_db.transaction() as s:
        users.add_user(s, "boss", "county_admin", PASSWORD)
        users.add_user(s, "clerk", "county_clerk", PASSWORD)


def test_roles_are_the_four_of_the_issue():
    assert codes.USER_ROLE.codes == ["county_admin", "county_clerk", "township_clerk", "village_clerk"]
    assert codes.USER_ROLE.label_of("admin") == "管理员"  # an old code still reads in old audit entries


def test_add_hashes_with_argon2_and_authenticates(county):
    db, area = county
    with db.transaction() as s:
        users.add_user(s, "li", "township_clerk", PASSWORD, area_name=area["township"], by="test")
    with db.session() as s:
        stored = s.scalar(select(User).where(User.username == "li"))
        assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "user_add").order_by(AuditLog.id.desc())).first()
        assert PASSWORD not in audit.detail and json.loads(audit.detail)["name"] == "li"
    with db.transaction() as s:
        assert users.authenticate(s, "li", PASSWORD).username == "li"
        for name, password in (("li", "wrong password"), ("nobody", PASSWORD)):
            with pytest.raises(users.LoginFailed, match="用户名或密码不正确"):
                users.authenticate(s, name, password)


def test_disabled_users_are_refused_and_passwords_change(county):
    db, area = county
    with db.transaction() as s:
        users.add_user(s, "wang", "county_clerk", PASSWORD)
        users.change_password(s, "wang", "a new password")
    with db.transaction() as s:
        with pytest.raises(users.LoginFailed):
            users.authenticate(s, "wang", PASSWORD)
        users.authenticate(s, "wang", "a new password")
        users.disable_user(s, "wang")
    with db.transaction() as s, pytest.raises(users.LoginFailed, match="已停用"):
        users.authenticate(s, "wang", "a new password")


def test_an_old_hash_is_renewed_at_login(county):
    db, _area = county
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with db.transaction() as s:
        s.add(User(username="old", role="county_clerk", password_hash=weak.hash(PASSWORD), active=True))
    with db.transaction() as s:
        users.authenticate(s, "old", PASSWORD)
    with db.session() as s:
        renewed = s.scalar(select(User.password_hash).where(User.username == "old"))
        assert not PasswordHasher().check_needs_rehash(renewed)


def test_scope_path_of_each_role(county):
    db, area = county
    with db.transaction() as s:
        users.add_user(s, "admin", "county_admin", PASSWORD)
        users.add_user(s, "town", "township_clerk", PASSWORD, area_name=area["township"])
        users.add_user(s, "vill", "village_clerk", PASSWORD, area_name=area["village"])
        users.add_user(s, "lost", "township_clerk", PASSWORD)
    with db.session() as s:
        scope = {name: users.scope_path(s, users.get_user(s, name)) for name in ("admin", "town", "vill", "lost")}
        assert scope == {"admin": "", "town": area["path"], "vill": area["vpath"], "lost": None}
        assert users.scope_path(s, None) is None
        assert users.may_admin(users.get_user(s, "admin")) and not users.may_admin(users.get_user(s, "town"))
        assert not users.may_write(users.get_user(s, "vill")) and users.may_write(users.get_user(s, "town"))
        assert [u.name for u in users.list_users(s)] == ["admin", "admin0", "lost", "town", "vill"]
        assert users.area_choices(s, "county_clerk") == []
        assert area["township"] in dict(users.area_choices(s, "township_clerk")).values()
        assert any(label.endswith(" " + area["village"]) for _id, label in users.area_choices(s, "village_clerk"))


@pytest.mark.parametrize(
    ("name", "role", "area", "message"),
    [
        ("x1", "boss", None, "角色“boss”无效，可选：county_admin（县级管理员）"),
        ("x2", "township_clerk", "village", "乡镇经办人的区划必须是乡镇"),
        ("x3", "village_clerk", "township", "村级查询员的区划必须是行政村"),
        ("x4", "county_clerk", "township", "不能指定区划"),
        ("x5", "township_clerk", "火星乡", "找不到名为“火星乡”"),
        ("pg_x", "county_clerk", None, "保留"),
        ("a b", "county_clerk", None, "用户名“a b”无效"),
    ],
)
def test_wrong_additions_are_clear_errors(county, name, role, area, message):
    db, names = county
    with db.transaction() as s, pytest.raises((users.UserError, NotFound), match=message):
        users.add_user(s, name, role, PASSWORD, area_name=names.get(area, area))


def test_short_password_and_duplicate_name(county):
    db, _names = county
    with db.transaction() as s, pytest.raises(users.UserError, match="至少需要 8 个字符"):
        users.add_user(s, "short", "county_clerk", "1234")
    with db.transaction() as s:
        users.add_user(s, "dup", "county_clerk", PASSWORD)
    with db.transaction() as s, pytest.raises(users.UserError, match="已有名为“DUP”的用户"):
        users.add_user(s, "DUP", "county_clerk", PASSWORD)


def test_migration_0010_maps_the_old_role_codes(sqlite_db):
    with sqlite_db.transaction() as s:
        s.add_all([User(username="a", role="admin"), User(username="v", role="viewer"),
                   User(username="t", role="township_clerk")])  # fmt: skip
    with sqlite_db.engine.begin() as conn:  # a real downgrade: 0011 adds columns, it cannot be run twice
        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
        conn.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    migrate.upgrade(sqlite_db.engine)
    with sqlite_db.session() as s:
        roles = dict(s.execute(select(User.username, User.role)).all())
    assert roles == {"a": "county_admin", "v": "village_clerk", "t": "township_clerk"}


def cli(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=300, env=env)  # fmt: skip


def test_the_users_command(county, tmp_path):
    db, area = county
    env = {**os.environ, "POVDESK_LOG_DIR": str(tmp_path / "log")}
    url = db.url
    added = cli("--db", url, "users", "add", "zhao", "--role", "township_clerk", "--area", area["township"],
                "--password-stdin", stdin=PASSWORD + "\n", env=env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"已新增用户“zhao”，角色：乡镇经办人，区划：{area['township']}"
    wrong = cli("--db", url, "users", "add", "qian", "--role", "mayor", "--password-stdin", stdin=PASSWORD, env=env)
    assert wrong.returncode == 1 and "可选：county_admin（县级管理员）、county_clerk（县级经办人）" in wrong.stderr
    no_stdin = cli("--db", url, "users", "add", "qian", "--role", "county_clerk", env=env)
    assert no_stdin.returncode == 1 and "--password-stdin" in no_stdin.stderr
    assert cli("--db", url, "users", "passwd", "zhao", "--password-stdin", stdin="new password 2\n",
               env=env).returncode == 0  # fmt: skip
    assert cli("--db", url, "users", "disable", "zhao", env=env).returncode == 0
    listed = cli("--db", url, "users", "list", env=env)
    assert listed.stdout.splitlines() == [
        "用户名\t角色\t区划\t状态",
        "admin0\t县级管理员\t-\t启用",
        f"zhao\t乡镇经办人\t{area['township']}\t停用",
    ]
    unknown = cli("--db", url, "users", "disable", "nobody", env=env)
    assert unknown.returncode == 1 and "没有名为“nobody”的用户" in unknown.stderr
    everything = "".join(p.read_text() for p in (tmp_path / "log").glob("*")) + added.stdout + listed.stdout
    assert PASSWORD not in everything and "new password 2" not in everything
    with db.transaction() as s, pytest.raises(users.LoginFailed, match="已停用"):
        users.authenticate(s, "zhao", "new password 2")
