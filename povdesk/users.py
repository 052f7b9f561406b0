"""PovDesk users: argon2 password hashes on SQLite, PostgreSQL logins on a server, roles and the area each may see.

On SQLite the login only names who writes (the file itself is protected by the Windows account); on PostgreSQL
the server checks the password and enforces the areas (povdesk.rls), and `app_user` keeps no hash at all.
No function here logs or stores a password; a password is only ever passed in memory.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from povdesk import codes, rls
from povdesk.errors import NotFound, PovDeskError
from povdesk.model import Area, AuditLog, User

COUNTY_ROLES = ("county_admin", "county_clerk")
AREA_LEVEL = {"township_clerk": "township", "village_clerk": "village"}  # the area level such a user belongs to
READ_ONLY_ROLES = ("village_clerk",)
MIN_PASSWORD = 8
MAX_NAME_BYTES = 63  # PostgreSQL's identifier limit, in UTF-8 bytes
_NAME = re.compile(r"[A-Za-z0-9_\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]*")
_RESERVED = ("pg_", rls.GROUP_PREFIX)
_hasher = PasswordHasher()


class UserError(PovDeskError):
    """A user cannot be added or changed as asked."""


class LoginFailed(PovDeskError):
    """Wrong name or password, or a disabled user."""


@dataclass(frozen=True)
class UserInfo:
    id: int
    name: str
    role: str
    role_label: str
    area_id: int | None
    area_name: str  # "" when none
    active: bool


def role_choices() -> str:
    return "、".join(f"{item.code}（{item.label}）" for item in codes.USER_ROLE)


def parse_role(text: str) -> str:
    """The role code for a code or its Chinese label; a clear error listing the valid ones otherwise."""
    role = codes.USER_ROLE.parse(text or "")
    if not role:
        raise UserError(f"角色“{text}”无效，可选：{role_choices()}")
    return role


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise UserError("请填写用户名")
    if not _NAME.fullmatch(name) or len(name.encode()) > MAX_NAME_BYTES:
        raise UserError(f"用户名“{name}”无效：只能用字母、数字、汉字、下划线、点和连字符，不超过 {MAX_NAME_BYTES} 字节")
    if name.lower().startswith(_RESERVED) or name.lower() in ("public", "postgres"):
        raise UserError(f"用户名“{name}”是数据库保留的名称，请换一个")
    return name


def check_password(password: str) -> str:
    if password is None or len(password) < MIN_PASSWORD:
        raise UserError(f"密码太短：至少需要 {MIN_PASSWORD} 个字符")
    if any(ch in password for ch in "\r\n\0"):
        raise UserError("密码不能包含换行或空字符")
    return password


def has_users(session: Session) -> bool:
    """Whether the database has any user: without one, no login is asked (one PC, as before users)."""
    return bool(session.scalar(select(func.count()).select_from(User)))


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise NotFound(f"没有名为“{name}”的用户")
    return user


def _area_for(session: Session, role: str, area_name: str | None, area_id: int | None) -> Area | None:
    """The user's area, checked against the role: a township clerk's is a township, a village clerk's a village."""
    if area_id is not None:
        area = session.get(Area, area_id)
        if area is None:
            raise NotFound("所选区划已不存在，请刷新后重试")
    elif area_name:
        from povdesk.stats import find_area

        area = find_area(session, area_name)
    else:
        area = None
    level = AREA_LEVEL.get(role)
    role_label = codes.USER_ROLE.label_of(role)
    if area is not None and level is None:
        raise UserError(f"{role_label}可查看全县数据，不能指定区划（去掉 --area）")
    if area is not None and area.level != level:
        wanted = codes.AREA_LEVEL.label_of(level)
        raise UserError(f"{role_label}的区划必须是{wanted}，而“{area.name}”是{codes.AREA_LEVEL.label_of(area.level)}")
    return area


def _check_may_manage(session: Session) -> None:
    """On PostgreSQL a user is also a server login: only the county admin's login or the owner may change them."""
    if rls.is_postgres(session) and not rls.may_manage_roles(session):
        raise UserError("当前登录的账户无权管理用户，请用县级管理员账户操作")


def _audit(session: Session, action: str, user: User, by: str, **detail) -> None:
    session.add(AuditLog(user=by, action=action, entity="app_user", entity_id=user.id,
                         detail=json.dumps({"name": user.username, **detail}, ensure_ascii=False)))  # fmt: skip


def add_user(
    session: Session,
    name: str,
    role: str,
    password: str,
    *,
    area_name: str | None = None,
    area_id: int | None = None,
    display_name: str = "",
    by: str = "",
) -> User:
    """A new user (inside the session's transaction). On PostgreSQL also the login role of the same name, with this
    password, in the role's group; `app_user` keeps no hash there. A township or village user without an area may be
    added: they see nothing until given one."""
    name = check_name(name)
    role = parse_role(role)
    check_password(password)
    _check_may_manage(session)
    area = _area_for(session, role, area_name, area_id)
    if session.scalar(select(User.id).where(func.lower(User.username) == name.lower())) is not None:
        raise UserError(f"已有名为“{name}”的用户")
    postgres = rls.is_postgres(session)
    if not postgres and role != "county_admin" and not has_users(session):
        # from the first user on, the program asks for a login: someone must be able to manage the others
        raise UserError("第一个用户必须是县级管理员（county_admin），以后由他管理其他用户")
    user = User(username=name, display_name=display_name or name, role=role, area_id=area.id if area else None,
                active=True, password_hash=None if postgres else _hasher.hash(password))  # fmt: skip
    session.add(user)
    session.flush()
    if postgres:
        rls.create_login(session, name, password, role)
    _audit(session, "user_add", user, by, role=role, area=area.name if area else None)
    return user


def list_users(session: Session) -> list[UserInfo]:
    rows = session.execute(
        select(User, Area.name).outerjoin(Area, Area.id == User.area_id).order_by(User.username)
    ).all()
    return [
        UserInfo(user.id, user.username, user.role, codes.USER_ROLE.label_of(user.role), user.area_id,
                 area_name or "", bool(user.active))
        for user, area_name in rows
    ]  # fmt: skip


def change_password(session: Session, name: str, password: str, *, by: str = "") -> None:
    user = get_user(session, name)
    check_password(password)
    _check_may_manage(session)
    if rls.is_postgres(session):
        rls.set_password(session, user.username, password)
    else:
        user.password_hash = _hasher.hash(password)
    _audit(session, "user_password", user, by)


def set_active(session: Session, name: str, active: bool, *, by: str = "") -> None:
    """Disable (or enable again) a user: on PostgreSQL the login role becomes NOLOGIN (LOGIN)."""
    user = get_user(session, name)
    _check_may_manage(session)
    if not active and user.role == "county_admin" and user.active:
        others = session.scalar(
            select(func.count()).select_from(User).where(User.role == "county_admin", User.active.is_(True),
                                                         User.id != user.id)
        )  # fmt: skip
        if not others and not rls.is_postgres(session):
            raise UserError("不能停用最后一个县级管理员，否则再也无法管理用户")
    user.active = active
    if rls.is_postgres(session):
        rls.set_login(session, user.username, active)
    _audit(session, "user_enable" if active else "user_disable", user, by)


def disable_user(session: Session, name: str, *, by: str = "") -> None:
    set_active(session, name, False, by=by)


def set_role(session: Session, name: str, role: str, *, area_id: int | None = None, by: str = "") -> None:
    user = get_user(session, name)
    role = parse_role(role)
    _check_may_manage(session)
    area = _area_for(session, role, None, area_id)
    user.role, user.area_id = role, area.id if area else None
    if rls.is_postgres(session):
        rls.set_group(session, user.username, role)
    _audit(session, "user_role", user, by, role=role, area=area.name if area else None)


def authenticate(session: Session, name: str, password: str) -> User:
    """The user, when the password matches the stored argon2 hash (SQLite); the hash is renewed when the hasher's
    parameters have changed since it was made. The same message for an unknown name and a wrong password."""
    user = session.scalar(select(User).where(User.username == (name or "").strip()))
    wrong = LoginFailed("用户名或密码不正确")
    if user is None or not user.password_hash:
        _hasher.hash(password or "")  # as long as a real check: the answer's timing does not tell names apart
        raise wrong
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        raise wrong from None
    if not user.active:
        raise LoginFailed(f"用户“{user.username}”已停用，请联系县级管理员")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def current_user(session: Session, name: str) -> User | None:
    """The active user of that name (the PostgreSQL login, or the name logged in on SQLite)."""
    return session.scalar(select(User).where(User.username == name, User.active.is_(True)))


def scope_path(session: Session, user: User | None) -> str | None:
    """The areas a user may see: "" everything, None nothing (no user, disabled, or a clerk without an area), else
    the materialised path of their township or village (a subtree is `path LIKE scope || '%'`)."""
    if user is None or not user.active:
        return None
    if user.role in COUNTY_ROLES:
        return ""
    if user.role not in AREA_LEVEL or user.area_id is None:
        return None
    area = session.get(Area, user.area_id)
    return area.path if area is not None else None


def may_write(user: User | None) -> bool:
    return user is not None and user.active and user.role not in READ_ONLY_ROLES


def may_admin(user: User | None) -> bool:
    return user is not None and user.active and user.role == "county_admin"


def area_choices(session: Session, role: str) -> list[tuple[int, str]]:
    """The areas a user of this role may be given, as (id, "乡镇 村" label); none for the county roles."""
    level = AREA_LEVEL.get(role)
    if level is None:
        return []
    parent = aliased(Area)
    rows = session.execute(
        select(Area.id, Area.name, parent.name).outerjoin(parent, parent.id == Area.parent_id)
        .where(Area.level == level).order_by(Area.path)
    ).all()  # fmt: skip
    return [(area_id, name if level == "township" else f"{township or ''} {name}".strip())
            for area_id, name, township in rows]  # fmt: skip
