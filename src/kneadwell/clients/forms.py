"""Page forms for clients, guardians and consent. They parse what was typed; the services decide
whether it is acceptable, so the pages and the API give the same messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from kneadwell.clients.conditions import condition_choices
from kneadwell.clients.models import Client, Consent, Guardian
from kneadwell.clients.rules import CONSENT_KIND_LABELS, SCOPE_LABELS, Scope
from kneadwell.core.forms import DateInput


class ClientForm(forms.Form):
    given_name = forms.CharField(label=gettext_lazy("First name"), max_length=100)
    family_name = forms.CharField(label=gettext_lazy("Family name"), max_length=100)
    birth_date = forms.DateField(label=gettext_lazy("Date of birth"), widget=DateInput)
    sex = forms.ChoiceField(
        label=gettext_lazy("Sex"),
        choices=Client.Sex.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("As recorded at birth; growth references are sex-specific."),
    )
    gestation_weeks = forms.IntegerField(
        label=gettext_lazy("Gestation at birth: weeks"),
        required=False,
        help_text=gettext_lazy(
            "Completed weeks, e.g. 30 for a baby born at 30+2. Leave empty for a term birth or adult."
        ),
    )
    gestation_days = forms.IntegerField(
        label=gettext_lazy("and days"), required=False, help_text=gettext_lazy("0 to 6.")
    )
    birth_weight_g = forms.IntegerField(
        label=gettext_lazy("Birth weight (grams)"),
        required=False,
        help_text=gettext_lazy("In grams, e.g. 1450."),
    )
    conditions = forms.MultipleChoiceField(
        label=gettext_lazy("Health conditions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    identifier = forms.CharField(
        label=gettext_lazy("Hospital or clinic number"), required=False, max_length=64
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = condition_choices()  # type: ignore[attr-defined]

    @classmethod
    def for_client(cls, client: Client) -> ClientForm:
        return cls(
            initial={
                "given_name": client.given_name,
                "family_name": client.family_name,
                "birth_date": client.birth_date,
                "sex": client.sex,
                "gestation_weeks": client.gestation_weeks,
                "gestation_days": client.gestation_days,
                "birth_weight_g": client.birth_weight_g,
                "conditions": client.conditions,
                "identifier": client.identifier,
                "notes": client.notes,
                "version": client.version,
            }
        )


class GuardianForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    relationship = forms.ChoiceField(choices=Guardian.Relationship.choices)
    has_parental_responsibility = forms.BooleanField(
        label=gettext_lazy("Has parental responsibility"), required=False, initial=True
    )
    email = forms.EmailField(required=False)
    phone = forms.CharField(required=False, max_length=40)


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"),
        choices=[(k.value, gettext_lazy(v)) for k, v in CONSENT_KIND_LABELS.items()],
        widget=forms.RadioSelect,
    )
    guardian = forms.TypedChoiceField(
        label=gettext_lazy("Given by (guardian)"), required=False, coerce=int, empty_value=None
    )
    signed_by_name = forms.CharField(
        label=gettext_lazy("Name of the person giving consent or assent"), max_length=150
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What it covers"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(s.value, gettext_lazy(SCOPE_LABELS[s])) for s in Scope],
        initial=[Scope.CARE.value, Scope.MEASUREMENTS.value],
    )
    signed_on = forms.DateField(label=gettext_lazy("Date given"), widget=DateInput)
    method = forms.ChoiceField(label=gettext_lazy("How it was given"), choices=Consent.Method.choices)
    attestation = forms.BooleanField(
        label=gettext_lazy(
            "I confirm that this person gave consent (or assent) as recorded, after the purpose, what "
            "massage involves, and the right to stop at any time were explained."
        ),
        required=False,
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, guardians: list[Guardian], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guardian"].choices = [("", "— choose —")] + [(g.pk, str(g)) for g in guardians]  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is consent withdrawn?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search by name or number"), required=False, max_length=100)
