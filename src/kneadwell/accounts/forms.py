from __future__ import annotations

from typing import Any

from django import forms

from kneadwell.accounts.models import ROLE_CHOICES


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    client = forms.TypedChoiceField(
        label="Guardian of (caregivers only)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="A caregiver sees only the clients they are a guardian of.",
    )

    def __init__(self, *args: Any, client_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "— none —"), *client_choices]  # type: ignore[attr-defined]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
    password = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput,
        min_length=10,
        help_text="At least 10 characters; not a common password.",
    )
    password_again = forms.CharField(label="The same password again", widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label="What is the token for?", max_length=100)
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        required=False,
        min_value=1,
        max_value=366,
        help_text="Leave empty for no expiry.",
    )


class MemberForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    is_active = forms.BooleanField(label="Active", required=False)
