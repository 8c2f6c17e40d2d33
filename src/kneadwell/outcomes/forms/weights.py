"""Quick entry of a week of daily weights."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kneadwell.clients.models import Client
from kneadwell.core.errors import ValidationFailed
from kneadwell.core.forms import DateInput
from kneadwell.outcomes.forms.inputs import ConfirmField, TimeInput, _number_input, now_minute
from kneadwell.outcomes.models import Measurement

WEEK_ROWS = 7


class WeightsWeekForm(forms.Form):
    """Quick entry of daily weights: one row per day (dates filled in, the last `WEEK_ROWS` days), one
    weight per row; empty rows are skipped."""

    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"), choices=[("g", "g"), ("kg", "kg")], widget=forms.RadioSelect, initial="g"
    )
    time = forms.TimeField(
        label=gettext_lazy("Time of weighing"),
        widget=TimeInput,
        help_text=gettext_lazy("The same time is used for every day below."),
    )
    context = forms.ChoiceField(
        label=gettext_lazy("When in the programme"),
        choices=Measurement.Context.choices,
        initial=Measurement.Context.ROUTINE,
    )
    confirm_unusual = ConfirmField()

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        today = timezone.localdate()
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("time", now_minute().time())
        super().__init__(*args, **kwargs)
        first = max(client.birth_date, today - dt.timedelta(days=WEEK_ROWS - 1))
        self.row_names: list[tuple[str, str]] = []
        for i in range(WEEK_ROWS):
            day = first + dt.timedelta(days=i)
            date_name, weight_name = f"date_{i}", f"weight_{i}"
            self.fields[date_name] = forms.DateField(
                label=_("Day %(i)s: date") % {"i": i + 1}, widget=DateInput, required=False
            )
            self.fields[weight_name] = forms.CharField(
                label=_("Day %(i)s: weight") % {"i": i + 1}, required=False, widget=_number_input()
            )
            if day <= today:
                self.initial.setdefault(date_name, day)
            self.row_names.append((date_name, weight_name))
        self.used_rows: list[int] = []

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[d], self[w]) for d, w in self.row_names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.used_rows = []
        for i, (date_name, weight_name) in enumerate(self.row_names):
            weight = (data.get(weight_name) or "").strip()
            if not weight:
                continue
            if data.get(date_name) is None and date_name not in self.errors:
                self.add_error(date_name, _("Enter the date of this weight."))
            self.used_rows.append(i)
        if not self.used_rows and not self.errors:
            raise forms.ValidationError(_("Enter at least one weight."))
        return data

    def weights(self) -> list[tuple[dt.datetime, str]]:
        data = self.cleaned_data
        at: dt.time = data["time"]
        out = []
        for i in self.used_rows:
            date_name, weight_name = self.row_names[i]
            when = timezone.make_aware(dt.datetime.combine(data[date_name], at))
            out.append((when, data[weight_name].strip()))
        return out

    def apply(self, exc: ValidationFailed) -> None:
        for key, messages in exc.errors.items():
            found = re.fullmatch(r"rows\.(\d+)\.(value|taken_at)", key)
            target: str | None = key if key in self.fields else None
            if found and int(found.group(1)) < len(self.used_rows):
                date_name, weight_name = self.row_names[self.used_rows[int(found.group(1))]]
                target = weight_name if found.group(2) == "value" else date_name
            for message in messages:
                self.add_error(target, message)
