"""Users (povdesk.users), their area scope, the audit log and per-database settings."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from povdesk.model.base import Base


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    # argon2 on SQLite; NULL on PostgreSQL, where the user is a server login and the server checks the password
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # codes.USER_ROLE
    # the township (township_clerk) or village (village_clerk) they work in; None: the county roles see everything,
    # the others nothing (povdesk.users.scope_path, and on PostgreSQL the function povdesk_scope())
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


def utc_now() -> dt.datetime:
    """Naive UTC, written by Python on both databases: a server default is UTC on SQLite but local on PostgreSQL."""
    return dt.datetime.fromtimestamp(time.time(), dt.UTC).replace(tzinfo=None, microsecond=0)


class AuditLog(Base):
    """Who wrote what, when (UTC): one entry per ORM insert, update or delete (povdesk.audit), or per import."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utc_now, server_default=func.current_timestamp(), index=True
    )
    user: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(32))  # insert / update / delete, or a named action (roster_import…)
    entity: Mapped[str | None] = mapped_column(String(32))  # the table
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # the household a row belongs to, kept (no foreign key) when the household is deleted: its history stays readable
    household_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str | None] = mapped_column(Text)  # JSON


class Setting(Base):
    """Office-wide settings shared by every clerk of the database (hotline, notice templates…), JSON values."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
