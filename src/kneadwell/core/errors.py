"""Domain errors raised by services; pages turn them into form messages and the API into JSON 4xx."""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be carried out as asked. `field` names the input at fault, where one is."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """One or more inputs are wrong; `errors` maps each field to its messages."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)
        self.errors = errors


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    """Also what another organisation's object looks like, so its existence is not revealed."""

    status = 404


class Conflict(DomainError):
    """Someone else changed the record since it was loaded. `current_version`, when known, is the version
    now saved, so a client can reload it (or show both texts) without another request."""

    status = 409

    def __init__(self, message: str, *, field: str | None = None, current_version: int | None = None) -> None:
        super().__init__(message, field=field)
        self.current_version = current_version


class ConsentRequired(DomainError):
    """No active consent covers what is being recorded."""

    status = 409
