"""PovDesk core: the domain model, database, rules and reports. Never imports Qt."""

__version__ = "0.1.0"
APP_NAME = "PovDesk"
