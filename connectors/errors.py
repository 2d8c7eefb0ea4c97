"""Errors every connector raises, split by what the caller should do next.

- `TransientError`: try again later with backoff (timeouts, connection refused, 408/425/429, 5xx).
- `PermanentError`: retrying the same call cannot help (4xx, validation); raise an incident.
- `ConfigurationError` (`UnknownConnector`, `DemoNotAllowed`): the connector could not be built.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every connector error. `status` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class TransientError(ConnectorError):
    """The call may succeed if repeated later. `retry_after` (seconds) when the server said so."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class PermanentError(ConnectorError):
    """The call was refused and repeating it unchanged will be refused again."""


class ValidationError(PermanentError):
    """The request failed a check before or at the remote system (bad field, bad format)."""


class ConflictError(PermanentError):
    """The remote system holds a different object under the same identifier (HTTP 409, 422 on key reuse)."""


class InvalidSignature(PermanentError):
    """A webhook signature is missing, malformed, stale or wrong."""


def error_for_status(status: int, message: str, *, code: str | None = None,
                     retry_after: float | None = None) -> ConnectorError:
    """Map an HTTP status to the right error class."""
    if status in (408, 425, 429) or status >= 500:
        return TransientError(message, status=status, code=code, retry_after=retry_after)
    if status == 409:
        return ConflictError(message, status=status, code=code)
    if status in (400, 422):
        return ValidationError(message, status=status, code=code)
    return PermanentError(message, status=status, code=code)


class ConfigurationError(ValueError):
    """A connector cannot be built from the configuration it was given (a key missing, a bad value).

    Not a `ConnectorError`: nothing was called, and retrying cannot help until someone fixes the
    configuration."""


class UnknownConnector(ConfigurationError, LookupError):
    """No connector of that name in that family (or no such family)."""


class DemoNotAllowed(ConfigurationError):
    """A demo connector was asked for, but the configuration does not set `ALLOW_DEMO_CONNECTORS`."""
