"""Form widgets shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """A native date picker; it only understands ISO dates, whatever the site's display format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
