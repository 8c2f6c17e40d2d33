"""Forms of the evaluation pages: input to clean values; the services validate the study's rules."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kneadwell.evaluation.methods import allocation as alloc
from kneadwell.evaluation.methods.eligibility import FACTS
from kneadwell.evaluation.methods.outcomes import MEASURES
from kneadwell.evaluation.models import Participant, Study
from kneadwell.outcomes import instruments

NUMBERS = re.compile(r"^\s*\d+(\s*,\s*\d+)*\s*$")


def _numbers(value: str, field: str) -> list[int]:
    if not value.strip():
        return []
    if not NUMBERS.match(value):
        raise forms.ValidationError(
            _("Whole numbers separated by commas, e.g. %(field)s.") % {"field": field}
        )
    return [int(v) for v in value.split(",")]


class StudyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Short code"),
        max_length=12,
        help_text=gettext_lazy("Numbers the participants: TKS-001."),
    )
    title = forms.CharField(max_length=200)
    question = forms.CharField(
        label=gettext_lazy("Question"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Population, programme, comparison and outcome, in one sentence."),
    )
    population = forms.CharField(
        label=gettext_lazy("Population, in words"), widget=forms.Textarea(attrs={"rows": 2})
    )
    eligibility = forms.CharField(
        label=gettext_lazy("Eligibility criteria read from the record"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
        help_text=mark_safe(  # noqa: S308 - our own fixed text; the codes are what the person types
            format_lazy(
                gettext_lazy(
                    "One per line, e.g. <code>gestation_weeks &lt; 32</code>, "
                    "<code>postmenstrual_age_weeks &gt;= 34</code>, <code>condition preterm</code>, "
                    "<code>no condition sepsis</code>. Facts: {facts}."
                ),
                facts=", ".join(f"<code>{f}</code>" for f in FACTS),
            )
        ),
    )
    screener_checks = forms.CharField(
        label=gettext_lazy("Criteria the screener confirms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "One per line: what the record cannot say (e.g. clinically stable, on full feeds)."
        ),
    )
    target_size = forms.IntegerField(
        label=gettext_lazy("Target number randomised"), min_value=2, max_value=10_000
    )
    registration = forms.CharField(
        label=gettext_lazy("Trial registration (optional)"), max_length=80, required=False
    )
    strata = forms.MultipleChoiceField(
        label=gettext_lazy("Stratify the allocation by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(f, gettext_lazy(alloc.FACTOR_LABELS[f])) for f in alloc.FACTORS],
    )
    sites = forms.CharField(
        label=gettext_lazy("Sites"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line."),
    )
    gestation_cuts = forms.CharField(
        label=gettext_lazy("Gestation band cut points (weeks)"),
        required=False,
        help_text=gettext_lazy("e.g. 28, 32"),
    )
    block_sizes = forms.CharField(
        label=gettext_lazy("Block sizes"),
        initial="2, 4, 6",
        help_text=gettext_lazy(
            "Multiples of the arms' ratios added up (2, 4, 6 for two arms 1:1); one is drawn at random "
            "for each block."
        ),
    )

    def clean_gestation_cuts(self) -> list[int]:
        return _numbers(self.cleaned_data["gestation_cuts"], "28, 32")

    def clean_block_sizes(self) -> list[int]:
        return _numbers(self.cleaned_data["block_sizes"], "2, 4, 6")


class ArmForm(forms.Form):
    code = forms.SlugField(
        max_length=20, help_text=gettext_lazy("Its code in the dataset, e.g. massage or control.")
    )
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    protocol_id = forms.ChoiceField(label=gettext_lazy("Library protocol delivered"), required=False)
    ratio = forms.IntegerField(label=gettext_lazy("Allocation ratio"), min_value=1, max_value=10, initial=1)
    is_control = forms.BooleanField(label=gettext_lazy("This is the control arm"), required=False)

    def __init__(self, *args: Any, protocols: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocol_id"].choices = [("", _("None (e.g. routine care)")), *protocols]  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    code = forms.SlugField(
        max_length=30,
        label=gettext_lazy("Variable name"),
        help_text=mark_safe(  # noqa: S308 - our own fixed text
            gettext_lazy("Its column in the dataset, e.g. <code>weight_gain</code>.")
        ),
    )
    name = forms.CharField(max_length=150)
    instrument_id = forms.ChoiceField(label=gettext_lazy("Instrument"))
    measure = forms.ChoiceField(choices=[(key, gettext_lazy(label)) for key, label in MEASURES.items()])
    days = forms.CharField(label=gettext_lazy("Time points (days after randomisation)"), initial="0, 5")
    baseline_day = forms.IntegerField(
        label=gettext_lazy("Baseline time point"), required=False, min_value=0, initial=0
    )
    analysis_day = forms.IntegerField(label=gettext_lazy("Analysed time point"), min_value=0)
    window_days = forms.IntegerField(
        label=gettext_lazy("Window (± days)"), min_value=0, max_value=30, initial=1
    )
    primary = forms.BooleanField(label=gettext_lazy("Primary outcome"), required=False)
    threshold = forms.FloatField(label=gettext_lazy("Event threshold (events only)"), required=False)
    direction = forms.ChoiceField(
        label=gettext_lazy("An event is a value"),
        choices=[("ge", gettext_lazy("at or above the threshold")), ("le", gettext_lazy("at or below it"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument_id"].choices = [  # type: ignore[attr-defined]
            (i.id, i.name) for i in sorted(instruments.list_instruments(), key=lambda i: i.name)
        ]

    def clean_days(self) -> list[int]:
        return _numbers(self.cleaned_data["days"], "0, 5")


class ScreenForm(forms.Form):
    client = forms.TypedChoiceField(label=gettext_lazy("Client"), coerce=int)
    site = forms.ChoiceField(required=False)
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        widget=forms.RadioSelect,
        initial="enrol",
        choices=[
            ("enrol", gettext_lazy("Enrol if eligible (to be randomised next)")),
            ("declined", gettext_lazy("The family declined")),
            ("excluded", gettext_lazy("Excluded for another reason")),
        ],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (declined or excluded)"), required=False, max_length=1000
    )

    def __init__(self, *args: Any, study: Study, clients: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = clients  # type: ignore[attr-defined]
        if study.sites:
            self.fields["site"].choices = [("", "Choose…"), *((s, s) for s in study.sites)]  # type: ignore[attr-defined]
            self.fields["site"].required = True
        else:
            del self.fields["site"]
        for i, check in enumerate(study.screener_checks):
            self.fields[f"check_{i}"] = forms.BooleanField(label=check, required=False)

    def checks(self) -> list[bool]:
        return [bool(self.cleaned_data.get(name)) for name in self.fields if name.startswith("check_")]


class WithdrawForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Why"), choices=Participant.Withdrawal.choices)
    reason = forms.CharField(
        label=gettext_lazy("In words"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    data_kept = forms.BooleanField(
        label=gettext_lazy("The data collected so far may still be used in the analysis"),
        required=False,
        initial=True,
    )


class ReceivedForm(forms.Form):
    received = forms.TypedChoiceField(
        coerce=lambda v: v == "yes",
        choices=[("yes", gettext_lazy("Received")), ("no", gettext_lazy("Did not receive"))],
    )
    note = forms.CharField(required=False, max_length=1000)


class GenerateForm(forms.Form):
    seed = forms.CharField(
        required=False,
        max_length=128,
        help_text=gettext_lazy(
            "Leave empty for a new random seed; give one only to reproduce a list made with it."
        ),
    )


class UploadForm(forms.Form):
    table = forms.FileField(label=gettext_lazy("Allocation table (CSV)"))
