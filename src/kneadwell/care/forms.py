from __future__ import annotations

from typing import Any

from django import forms

from kneadwell.care.models import AdverseEvent, Plan
from kneadwell.library.catalog import Library
from kneadwell.library.forms import DateTimeInput


def _region_choices(library: Library) -> list[tuple[str, str]]:
    return [(r.id, r.label) for r in library.regions.values() if r.kind in ("area", "group")]


class PlanForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="First session",
        widget=DateTimeInput,
        help_text="Later sessions follow the protocol's schedule from this date and time.",
    )
    open_weeks = forms.IntegerField(
        label="Length for daily home practice (weeks)",
        min_value=1,
        max_value=52,
        initial=4,
        help_text="Used only where the protocol gives no number of days.",
    )
    avoid_regions = forms.MultipleChoiceField(
        label="Always leave out these areas", required=False, widget=forms.CheckboxSelectMultiple
    )
    focus_regions = forms.MultipleChoiceField(
        label="Focus areas (the injured or operated area, or the stiff muscles after a stroke)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_pressure = forms.ChoiceField(label="Pressure", choices=Plan.Pressure.choices, required=False)
    minutes_factor = forms.TypedChoiceField(
        label="Session length",
        required=False,
        coerce=float,
        empty_value=None,
        choices=[("", "As the protocol says"), ("0.75", "Three quarters"), ("0.5", "Half")],
    )
    goals = forms.CharField(
        label="Goals, in the client's or family's words",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reminders = forms.BooleanField(label="Email me a reminder before each session", required=False)

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _region_choices(library)
        self.fields["avoid_regions"].choices = choices  # type: ignore[attr-defined]
        self.fields["focus_regions"].choices = choices  # type: ignore[attr-defined]


class PlanEndForm(forms.Form):
    reason = forms.CharField(label="Why does the plan end?", widget=forms.Textarea(attrs={"rows": 2}))


class StopForm(forms.Form):
    reason = forms.CharField(label="Why stop?", widget=forms.Textarea(attrs={"rows": 2}))


class SoapForm(forms.Form):
    subjective = forms.CharField(
        label="S — what the client or parent reports",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    objective = forms.CharField(
        label="O — what you observed and measured", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    assessment = forms.CharField(
        label="A — your assessment", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    plan_text = forms.CharField(
        label="P — plan and home advice", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    techniques = forms.MultipleChoiceField(
        label="Techniques used", required=False, widget=forms.CheckboxSelectMultiple
    )
    regions = forms.MultipleChoiceField(
        label="Body areas worked", required=False, widget=forms.CheckboxSelectMultiple
    )
    pressure = forms.ChoiceField(
        label="Pressure",
        required=False,
        choices=[("", "—"), ("light", "Light"), ("moderate", "Moderate"), ("firm", "Firm")],
    )
    minutes = forms.FloatField(label="Minutes", required=False, min_value=0, max_value=600)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["techniques"].choices = sorted(  # type: ignore[attr-defined]
            ((t.id, t.name) for t in library.techniques.values()), key=lambda c: c[1].lower()
        )
        self.fields["regions"].choices = _region_choices(library)  # type: ignore[attr-defined]


class DiaryForm(forms.Form):
    response = forms.CharField(
        label="How did your baby respond?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sleep_after = forms.ChoiceField(
        label="Sleep afterwards",
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("longer", "Slept longer than usual"),
            ("as_usual", "As usual"),
            ("shorter", "Shorter than usual"),
            ("did_not_sleep", "Did not sleep"),
        ],
    )
    stools = forms.ChoiceField(
        label="A dirty nappy during or soon after?",
        required=False,
        widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No")],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AmendForm(forms.Form):
    text = forms.CharField(label="Amendment", widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="Why is it amended?", max_length=500)


class AdverseEventForm(forms.Form):
    occurred_at = forms.DateTimeField(label="When", widget=DateTimeInput)
    what = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(
        label="How serious", choices=AdverseEvent.Severity.choices, widget=forms.RadioSelect
    )
    action_taken = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label="Follow-up", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label="Follow-up", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
