from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kneadwell.accounts import services
from kneadwell.accounts.models import ROLE_CHOICES
from kneadwell.accounts.services import CONSENT_ATTESTATION
from kneadwell.core.forms import DateInput
from kneadwell.library.display import display_library

NONE = "none"  # "None of these" in the sign-up's health history


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    client = forms.TypedChoiceField(
        label=_("Guardian of (caregivers only)"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A caregiver sees only the clients they are a guardian of."),
    )

    def __init__(self, *args: Any, client_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", _("— none —")), *client_choices]  # type: ignore[attr-defined]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput,
        min_length=10,
        help_text=_("At least 10 characters; not a common password."),
    )
    password_again = forms.CharField(label=_("The same password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What is the token for?"), max_length=100)
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=366,
        help_text=_("Leave empty for no expiry."),
    )


class MemberForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class SignupForm(forms.Form):
    """Family sign-up: the parent and their baby in one short form. A baby born on time needs no
    gestation taps ("on time" is chosen already); the weeks and days are asked only for one born early."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.CharField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send a link to confirm it; you can start before you open it."),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password and not like your name or email."),
    )
    baby_given_name = forms.CharField(
        label=_("Your baby’s first name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Their family name is taken from yours; you can change it on your baby’s page."),
    )
    baby_birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput)
    baby_sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("female", _("Girl")), ("male", _("Boy"))],
        widget=forms.RadioSelect,
        help_text=_("As recorded at birth: growth charts are different for girls and boys."),
    )
    gestation = forms.ChoiceField(
        label=_("Born"),
        choices=[("term", _("On time (37 weeks or more)")), ("early", _("Early (before 37 weeks)"))],
        widget=forms.RadioSelect,
        initial="term",
    )
    gestation_weeks = forms.IntegerField(
        label=_("Weeks at birth"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("E.g. 34 if born at 34+2."),
    )
    gestation_days = forms.IntegerField(
        label=_("and days"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("0 to 6, if you know."),
    )
    history = forms.MultipleChoiceField(
        label=_("Does any of these apply to your baby?"),
        help_text=_("Tick any that apply. If none do, tick “None of these”."),
        widget=forms.CheckboxSelectMultiple,
    )
    # The words the parent ticks, in their language (the consent record keeps them as shown: signup.py).
    consent = forms.BooleanField(label=_(CONSENT_ATTESTATION), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # The health history as one checklist (the baby intake's): nothing ticked is not "none".
        history = self.fields["history"]
        assert isinstance(history, forms.MultipleChoiceField)
        history.choices = [(NONE, _("None of these"))] + [
            (q.id, shown.item_label or shown.label)
            for q in services.signup_history_lines()
            # The lines in the page's language (the clinical content's translations: library/display.py).
            for shown in [display_library().questions[q.id]]
        ]
        # What is missing is said by the service (family_signup), with every other problem at once and
        # in the same words as the API; the form only reads what was typed.
        for name, field in self.fields.items():
            if name != "gestation":
                field.required = False

    def history_answer(self) -> list[str] | None:
        """The lines ticked ([] for "None of these"), or None when the list was left unanswered or both
        "None of these" and a line were ticked (the service then asks for an answer)."""
        ticked = list(self.cleaned_data.get("history") or [])
        if not ticked or (NONE in ticked and len(ticked) > 1):
            return None
        return [] if ticked == [NONE] else ticked
