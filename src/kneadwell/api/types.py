"""Input types shared by API schemas: bounded text without control characters (PostgreSQL refuses NUL
bytes, and no name or note needs them), and ids within the database's integer range."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1


def _printable(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise ValueError("must not contain control characters")
    return value


SearchText = Annotated[str, Field(max_length=100), AfterValidator(_printable)]
Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_printable)]
ShortText = Annotated[str, Field(max_length=150), AfterValidator(_printable)]
LongText = Annotated[str, Field(max_length=5000), AfterValidator(_printable)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# The error types ("datetime_offset") are codes and stay English; the messages are read by people and are
# translated when raised (a request's language).
OFFSET_MESSAGE = gettext_noop(
    "needs a UTC offset, e.g. 2026-12-04T13:44:31+00:00 or 2026-12-04T13:44:31Z; "
    "a time without one is ambiguous"
)


def _with_offset(value: dt.datetime) -> dt.datetime:
    # A time without an offset could be the server's zone, the clinic's or the sender's: refusing it is
    # the only reading that never records a clinical event an hour off (and never compares a naive time
    # with an aware one, which raised a TypeError and a 500).
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError("datetime_offset", _(OFFSET_MESSAGE))
    return value


def _text_or_datetime(value: object) -> object:
    # pydantic would read a JSON number as seconds since 1970; no client means that.
    if not isinstance(value, (str, dt.datetime)):
        raise PydanticCustomError("datetime_type", _("must be a date-time string with its UTC offset"))
    return value


DateTime = Annotated[
    dt.datetime,
    Strict(False),  # in a strict BodyIn the string still has to be parsed; _text_or_datetime keeps it strict
    BeforeValidator(_text_or_datetime),
    AfterValidator(_with_offset),
    Field(description="An RFC 3339 date-time with its UTC offset; one without an offset is a 422"),
]


_DATE = TypeAdapter(dt.date)
_DATETIME = TypeAdapter(DateTime)


def _date_or_datetime(value: object) -> dt.date | dt.datetime:
    # Decided by shape, not by trying one type then the other: a union would quietly read a naive
    # "…T00:00" as a date and report a naive "…T08:00" as two errors with internal locations.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    adapter = _DATE if isinstance(value, str) and len(value) == 10 else _DATETIME
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise PydanticCustomError("date_or_datetime", exc.errors()[0]["msg"]) from None


DateOrDateTime = Annotated[
    dt.date | dt.datetime,
    PlainValidator(_date_or_datetime),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
            "description": "A date (YYYY-MM-DD) or an RFC 3339 date-time with its UTC offset",
        }
    ),
]


def _text_or_date(value: object) -> object:
    if not isinstance(value, (str, dt.date)):
        raise PydanticCustomError("date_type", _("must be a date string (YYYY-MM-DD)"))
    return value


Date = Annotated[dt.date, Strict(False), BeforeValidator(_text_or_date)]


class BodyIn(Schema):
    """A request body, validated strictly: JSON `true` is not the number 1, `"5"` is not 5, and null or a
    list is not text (issue 10: `gestation_days: false` was saved as 0). Dates and date-times are still
    read from their strings (see Date, DateTime). Query and path parameters stay lax: they arrive as
    text."""

    model_config = ConfigDict(strict=True)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja's Schema reads attributes from any object (it serves ORM rows too), so a body of
        # `[null, null]` became a note with every field at its default; a body must be a JSON object.
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, (dict, BaseModel)):
            raise PydanticCustomError("object_type", _("the body must be a JSON object"))
        return data
