"""Inputs shared by the measurement forms: date-time and time pickers, a number box with a decimal keypad,
the current minute, and the box that confirms a possible-but-unusual value."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker (it only understands ISO local date-times)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def _number_input(**attrs: Any) -> forms.TextInput:
    # Text with a decimal keypad: type=number would silently drop "1,45" and cannot show our own message.
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs})


def now_minute() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class ConfirmField(forms.BooleanField):
    def __init__(self) -> None:
        super().__init__(
            label=_("I have checked this value and it is right: keep it, flagged as unusual"),
            required=False,
        )
