"""The domain error tree. Services raise these; adapters map them.

Error                      anything anbao refuses, with a message for a person
├── ConfigurationError     the environment or data dir is wrong      (CLI exit 2)
├── ValidationError        input that breaks a rule                   (API 400, CLI exit 2)
├── NotFound               the named object does not exist            (API 404, CLI exit 2)
├── PermissionDenied       the actor's role may not do this           (API 403, CLI exit 2)
├── Conflict               the state forbids it (duplicate, locked)   (API 409, CLI exit 2)
└── IntegrityError         stored data failed a check (audit chain)   (CLI exit 1)
"""

from __future__ import annotations


class Error(Exception):
    """Base of every refusal anbao reports to a person."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class ConfigurationError(Error):
    code = "configuration_error"
    http_status = 500


class ValidationError(Error):
    code = "invalid"
    http_status = 400


class NotFound(Error):
    code = "not_found"
    http_status = 404


class PermissionDenied(Error):
    code = "permission_denied"
    http_status = 403


class Conflict(Error):
    code = "conflict"
    http_status = 409


class IntegrityError(Error):
    code = "integrity_error"
    http_status = 409
