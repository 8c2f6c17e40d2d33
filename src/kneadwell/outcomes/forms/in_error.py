"""Marking a measurement as entered in error."""

from __future__ import annotations

from django import forms


class MarkInErrorForm(forms.Form):
    reason = forms.CharField(
        label="What was wrong?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E.g. “weighed with the blanket”, “entered for the wrong baby”. The measurement stays in "
        "the record, marked as entered in error, and leaves the charts.",
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
