"""Input types shared by API schemas: bounded text without control characters (PostgreSQL refuses NUL
bytes, and no name or note needs them), and ids within the database's integer range."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

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
