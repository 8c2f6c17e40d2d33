"""Marking a measurement as entered in error."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class MarkInErrorForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What was wrong?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "E.g. “weighed with the blanket”, “entered for the wrong baby”. The measurement stays in "
            "the record, marked as entered in error, and leaves the charts."
        ),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
