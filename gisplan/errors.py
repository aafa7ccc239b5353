"""The gisplan exception hierarchy.

Every error is a :class:`GisplanError` and also subclasses the matching built-in,
so callers may catch either ``GisplanError`` or, say, ``FileNotFoundError``.
Messages say what was wrong, where, and what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class GisplanError(Exception):
    """Base class of every error raised on purpose by gisplan."""


@dataclass(frozen=True)
class Problem:
    """One problem found by a validator: where it is and what is wrong."""

    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        return f"{where}: {self.message}"


class ConfigError(GisplanError, ValueError):
    """A settings value, catalogue or profile file is invalid.

    ``problems`` lists every problem found, not just the first one.
    """

    def __init__(self, msg: str, problems: list[Problem] | None = None) -> None:
        self.problems: list[Problem] = list(problems or [])
        if self.problems:
            msg = msg + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(msg)


class SourceNotFoundError(GisplanError, FileNotFoundError):
    """A data source (file, folder, layer) does not exist."""


class UnreadableSourceError(GisplanError, ValueError):
    """A data source exists but cannot be read as the expected format."""


class MissingCRSError(UnreadableSourceError):
    """A data source declares no coordinate reference system."""


class InvalidDataError(UnreadableSourceError):
    """A data source was read, but rows or fields break its format's rules.

    ``problems`` lists every bad row and field, not just the first one.
    """

    def __init__(self, msg: str, problems: list[Problem] | None = None) -> None:
        self.problems: list[Problem] = list(problems or [])
        if self.problems:
            msg = msg + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(msg)


class OfflineError(GisplanError, ConnectionError):
    """A network source was asked for while ``GISPLAN_OFFLINE`` forbids network access."""


class CRSError(GisplanError, ValueError):
    """A coordinate reference system is invalid or does not fit the data."""


class InputError(GisplanError, ValueError):
    """User input (form field, upload, CLI argument) is invalid."""


class PermissionDeniedError(GisplanError, PermissionError):
    """The acting user may not do this."""


class AuthenticationError(GisplanError, PermissionError):
    """A login was refused: wrong name or password (``reason="failed"``), or too many failed attempts (``"throttled"``).

    ``retry_after_s`` is how long the client must wait before the next attempt [s]; 0 when it may retry now.
    """

    def __init__(self, msg: str, *, reason: str = "failed", retry_after_s: float = 0.0) -> None:
        super().__init__(msg)
        self.reason = reason
        self.retry_after_s = retry_after_s


class LastAdminError(GisplanError, ValueError):
    """A change would leave the store without an active admin (demoting or disabling the last one)."""


class NotFoundError(GisplanError, LookupError):
    """A record (site, user, submission...) asked for by id does not exist in the store."""


class ConflictError(GisplanError, RuntimeError):
    """A save was based on a stale version; nothing was overwritten.

    ``mine`` holds the values the caller tried to save, ``theirs`` the values
    that are stored now.
    """

    def __init__(self, msg: str, *, mine: Any = None, theirs: Any = None) -> None:
        super().__init__(msg)
        self.mine = mine
        self.theirs = theirs


class PartitionError(GisplanError, RuntimeError):
    """Some partitions of a partitioned run failed; the others are written and a rerun resumes.

    ``failed`` maps each failed partition's number to its error message.
    """

    def __init__(self, msg: str, *, failed: dict[int, str] | None = None) -> None:
        super().__init__(msg)
        self.failed = dict(failed or {})


class UploadRejectedError(InputError):
    """An upload or a drawn shape was refused by the intake checks; nothing was stored.

    ``reason`` is a stable code (``too_large``, ``vrt``, ``zip_bomb``, ``crs_missing``…) that the
    app translates, ``problems`` lists every problem found, and ``choices`` holds the options the
    user may pick from to go on (CRS codes when the CRS is missing, layer names of a multi-layer file).
    """

    def __init__(
        self, msg: str, *, reason: str, problems: list[Problem] | None = None, choices: tuple[str, ...] = ()
    ) -> None:
        self.reason = reason
        self.problems: list[Problem] = list(problems or [])
        self.choices = tuple(choices)
        if self.problems:
            msg = msg + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(msg)


class RefusedError(InputError):
    """A resident's proposal or a voter's ballot was refused; nothing was stored.

    ``reason`` is a stable code the app translates (``rate_limited``, ``honeypot``, ``code_used``,
    ``over_budget``, ``photo_too_large``, ``photo_not_image``…); ``retry_after_s`` is how long to
    wait before trying again [s], 0 when waiting does not help.
    """

    def __init__(self, msg: str, *, reason: str, retry_after_s: float = 0.0) -> None:
        super().__init__(msg)
        self.reason = reason
        self.retry_after_s = retry_after_s


__all__ = [
    "AuthenticationError",
    "CRSError",
    "ConfigError",
    "ConflictError",
    "GisplanError",
    "InputError",
    "InvalidDataError",
    "LastAdminError",
    "MissingCRSError",
    "NotFoundError",
    "OfflineError",
    "PartitionError",
    "PermissionDeniedError",
    "Problem",
    "RefusedError",
    "SourceNotFoundError",
    "UnreadableSourceError",
    "UploadRejectedError",
]
