"""Typed errors with a French message meant for the user, raised by the data layer."""


class SusError(Exception):
    """Base error: `message` is French, shown as is to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigurationError(SusError):
    """The configuration file is missing or wrong."""


class ReferentielError(SusError):
    """The referential files are inconsistent."""


class StoreError(SusError):
    """The database could not be opened, read or written."""


class StoreBusyError(StoreError):
    """Another process holds the database for too long."""


class StoreCorruptError(StoreError):
    """The database file is damaged or is not a DuckDB file."""


class ImportRejected(SusError):
    """A file failed validation: nothing was written. `report` lists every problem."""

    def __init__(self, message: str, report):
        super().__init__(message)
        self.report = report


class RollbackRefused(SusError):
    """An import cannot be undone (already undone, or later imports changed the same values)."""


class AccessDenied(SusError):
    """The user lacks the role needed for this action."""
