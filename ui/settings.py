"""User settings declared once with key, type and default (Picard's Option registry), stored in QSettings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import platformdirs

from PySide6.QtCore import QByteArray, QSettings

from povdesk import APP_NAME

T = TypeVar("T")
OPTIONS: dict[str, Option] = {}


@dataclass(frozen=True)
class Option(Generic[T]):
    """A setting; declaring one registers it. `kind` is the stored type (QSettings returns strings from INI files)."""

    key: str
    default: T
    kind: type = str

    def __post_init__(self) -> None:
        if self.key in OPTIONS:
            raise ValueError(f"option {self.key} declared twice")
        OPTIONS[self.key] = self


class AppSettings:
    """Typed access to one QSettings store; tests pass a QSettings over a temporary INI file."""

    def __init__(self, qsettings: QSettings) -> None:
        self.qsettings = qsettings

    @classmethod
    def default(cls) -> AppSettings:
        folder = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        return cls(QSettings(str(folder / "povdesk.ini"), QSettings.Format.IniFormat))

    def get(self, option: Option[T]) -> T:
        value: Any = self.qsettings.value(option.key, option.default)
        if value is None:
            return option.default
        if option.kind is bool and isinstance(value, str):
            return value.lower() in ("true", "1")  # type: ignore[return-value]
        if option.kind is list and not isinstance(value, list):
            return [value] if value else []  # type: ignore[return-value]
        if option.kind is QByteArray or isinstance(value, option.kind):
            return value
        try:
            return option.kind(value)
        except (TypeError, ValueError):
            return option.default

    def set(self, option: Option[T], value: T) -> None:
        self.qsettings.setValue(option.key, value)

    def get_raw(self, key: str, default: Any = None) -> Any:
        """For keys built at run time (per-dialog geometry, per-layout column maps)."""
        return self.qsettings.value(key, default)

    def set_raw(self, key: str, value: Any) -> None:
        self.qsettings.setValue(key, value)

    def sync(self) -> None:
        self.qsettings.sync()
