"""Errors raised when answers to an instrument cannot be scored.

Every error names the field (item id, raw input or measurement) so a form or an API can attach the message
to the right input. One exception may carry several problems: `errors` holds all of them, `field` and
`message` the first, so `str(exc)` stays readable and a form can show every problem at once.
"""

from __future__ import annotations

from collections.abc import Iterable


class InstrumentValidationError(ValueError):
    """Answers that break an instrument's rules (missing, unknown or out-of-range items)."""

    def __init__(self, field: str, message: str, *, more: Iterable[tuple[str, str]] = ()) -> None:
        self.field = field
        self.message = message
        self.errors: tuple[tuple[str, str], ...] = ((field, message), *tuple(more))
        super().__init__(f"{field}: {message}")

    @classmethod
    def from_problems(cls, problems: list[tuple[str, str]]) -> InstrumentValidationError:
        first, *rest = problems
        return cls(first[0], first[1], more=rest)


class ConfirmationRequired(InstrumentValidationError):
    """A value that is possible but unusual: the person entering it must confirm it before it is kept."""


class Problems:
    """Collects problems from several checks. Errors win over confirmation requests: only when every
    problem is a request to confirm is ConfirmationRequired raised, so a form can offer the confirm box."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []
        self.confirmations: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append((field, message))

    def absorb(self, exc: InstrumentValidationError) -> None:
        target = self.confirmations if isinstance(exc, ConfirmationRequired) else self.errors
        target.extend(exc.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InstrumentValidationError.from_problems(self.errors + self.confirmations)
        if self.confirmations:
            raise ConfirmationRequired.from_problems(self.confirmations)
