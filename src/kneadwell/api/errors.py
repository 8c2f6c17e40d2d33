"""One error shape for every API failure: which field, what was expected, in words a person reads."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Schema


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    field: str | None = None
    errors: list[FieldError] = Field(default_factory=list)
    current_version: int | None = Field(
        None, description="On a 409 for a stale or missing version: the version now saved"
    )


def error_body(
    detail: str,
    *,
    field: str | None = None,
    errors: list[dict[str, str]] | None = None,
    current_version: int | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": detail, "field": field, "errors": errors or []}
    if current_version is not None:
        body["current_version"] = current_version
    return body


def responses(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    """An operation's response map: its success schemas plus the error codes it may answer."""
    out: dict[int, Any] = dict(ok)
    for code in (400, 401, 422, *codes):
        out[code] = ErrorOut
    return out


def pydantic_errors(raw: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Turn pydantic's error list into field/message pairs. The location's first part (body, query,
    path) is dropped: the person wants the field name."""
    out = []
    for item in raw:
        loc = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        field = ".".join(loc) or "request"
        # pydantic's own messages come in English only; the ones written here are translated.
        message = str(item.get("msg", _("is not valid")))
        if item.get("type") == "missing":
            message = _("This field is required.")
        out.append({"field": field, "message": message})
    return out
