from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kneadwell.care.models import AdverseEvent, Plan
from kneadwell.library.catalog import Library
from kneadwell.library.forms import DateTimeInput


def _region_choices(library: Library) -> list[tuple[str, str]]:
    return [(r.id, r.label) for r in library.regions.values() if r.kind in ("area", "group")]


class PlanForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("First session"),
        widget=DateTimeInput,
        help_text=_("Later sessions follow the protocol's schedule from this date and time."),
    )
    open_weeks = forms.IntegerField(
        label=_("Length for daily home practice (weeks)"),
        min_value=1,
        max_value=52,
        initial=4,
        help_text=_("Used only where the protocol gives no number of days."),
    )
    avoid_regions = forms.MultipleChoiceField(
        label=_("Always leave out these areas"), required=False, widget=forms.CheckboxSelectMultiple
    )
    focus_regions = forms.MultipleChoiceField(
        label=_("Focus areas (the injured or operated area, or the stiff muscles after a stroke)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_pressure = forms.ChoiceField(label=_("Pressure"), choices=Plan.Pressure.choices, required=False)
    minutes_factor = forms.TypedChoiceField(
        label=_("Session length"),
        required=False,
        coerce=float,
        empty_value=None,
        choices=[("", _("As the protocol says")), ("0.75", _("Three quarters")), ("0.5", _("Half"))],
    )
    goals = forms.CharField(
        label=_("Goals, in the client's or family's words"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reminders = forms.BooleanField(label=_("Email me a reminder before each session"), required=False)

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _region_choices(library)
        self.fields["avoid_regions"].choices = choices  # type: ignore[attr-defined]
        self.fields["focus_regions"].choices = choices  # type: ignore[attr-defined]


class PlanEndForm(forms.Form):
    reason = forms.CharField(label=_("Why does the plan end?"), widget=forms.Textarea(attrs={"rows": 2}))


class StopForm(forms.Form):
    reason = forms.CharField(label=_("Why stop?"), widget=forms.Textarea(attrs={"rows": 2}))


class SoapForm(forms.Form):
    subjective = forms.CharField(
        label=_("S — what the client or parent reports"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    objective = forms.CharField(
        label=_("O — what you observed and measured"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assessment = forms.CharField(
        label=_("A — your assessment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    plan_text = forms.CharField(
        label=_("P — plan and home advice"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    techniques = forms.MultipleChoiceField(
        label=_("Techniques used"), required=False, widget=forms.CheckboxSelectMultiple
    )
    regions = forms.MultipleChoiceField(
        label=_("Body areas worked"), required=False, widget=forms.CheckboxSelectMultiple
    )
    pressure = forms.ChoiceField(
        label=_("Pressure"),
        required=False,
        choices=[("", "—"), ("light", _("Light")), ("moderate", _("Moderate")), ("firm", _("Firm"))],
    )
    minutes = forms.FloatField(label=_("Minutes"), required=False, min_value=0, max_value=600)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["techniques"].choices = sorted(  # type: ignore[attr-defined]
            ((t.id, t.name) for t in library.techniques.values()), key=lambda c: c[1].lower()
        )
        self.fields["regions"].choices = _region_choices(library)  # type: ignore[attr-defined]


class DiaryForm(forms.Form):
    response = forms.CharField(
        label=_("How did your baby respond?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sleep_after = forms.ChoiceField(
        label=_("Sleep afterwards"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("longer", _("Slept longer than usual")),
            ("as_usual", _("As usual")),
            ("shorter", _("Shorter than usual")),
            ("did_not_sleep", _("Did not sleep")),
        ],
    )
    stools = forms.ChoiceField(
        label=_("A dirty nappy during or soon after?"),
        required=False,
        widget=forms.RadioSelect,
        choices=[("yes", _("Yes")), ("no", _("No"))],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AmendForm(forms.Form):
    text = forms.CharField(label=_("Amendment"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Why is it amended?"), max_length=500)


class AdverseEventForm(forms.Form):
    occurred_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput)
    what = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(
        label=_("How serious"), choices=AdverseEvent.Severity.choices, widget=forms.RadioSelect
    )
    action_taken = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(
        label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("Follow-up"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
