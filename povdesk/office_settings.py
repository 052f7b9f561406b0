"""Office-wide settings kept in the database (the Setting table), shared by every clerk: one place that reads,
writes and removes them; each feature keeps its own key and value format."""

from __future__ import annotations

from sqlalchemy.orm import Session

from povdesk.model import Setting


def read(session: Session, key: str) -> str | None:
    """The stored text of a setting, or None when the office never set it."""
    stored = session.get(Setting, key)
    return stored.value if stored is not None else None


def write(session: Session, key: str, value: str) -> None:
    stored = session.get(Setting, key)
    if stored is None:
        session.add(Setting(key=key, value=value))
    else:
        stored.value = value
    session.flush()


def remove(session: Session, key: str) -> None:
    """Back to the default: the setting is forgotten."""
    stored = session.get(Setting, key)
    if stored is not None:
        session.delete(stored)
        session.flush()
