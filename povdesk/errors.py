"""Typed errors of the core; each message is meant for a clerk and written in Chinese."""


class PovDeskError(Exception):
    """Base of every error the core raises on purpose; `str(err)` is shown to the user as is."""


class DatabaseError(PovDeskError):
    """The database cannot be opened or used."""


class NetworkShareError(DatabaseError):
    """A SQLite file on a network share: refused because file locking there corrupts databases."""


class DatabaseTooNew(DatabaseError):
    """The database was written by a newer PovDesk."""


class MigrationFailed(DatabaseError):
    """An upgrade failed and was rolled back."""


class NotFound(PovDeskError):
    """An area, household or other record named by the user does not exist."""


class RuleViolation(PovDeskError):
    """An action the procedures forbid (for example starting a notice stage out of order)."""
