"""The growth page's choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from kneadwell.outcomes.measures import (
    growth_instruments,
    growth_method,
    method_choices,
    reference_choices,
    velocity_instrument,
)


class GrowthOptionsForm(forms.Form):
    """The growth page's choices (GET): measurement, reference, velocity method and window."""

    measure = forms.ChoiceField(
        label=gettext_lazy("Measurement"),
        choices=lambda: [(i.id, gettext(i.short_name)) for i in growth_instruments()],
        required=False,
    )
    # The tables' names are English (measures.py marks them); translated when the form is drawn.
    reference = forms.ChoiceField(
        label=gettext_lazy("Growth reference"),
        choices=lambda: [(r, gettext(title)) for r, title in reference_choices()],
        required=False,
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Velocity method"),
        choices=lambda: [(m, gettext(label)) for m, label in method_choices()],
        required=False,
    )
    window = forms.TypedChoiceField(
        label=gettext_lazy("Velocity over"),
        choices=[
            ("7", gettext_lazy("the last 7 days")),
            ("14", gettext_lazy("the last 14 days")),
            ("28", gettext_lazy("the last 28 days")),
            ("0", gettext_lazy("all weights")),
        ],
        coerce=int,
        required=False,
    )
    after_regain = forms.BooleanField(
        label=gettext_lazy("Start after birth weight is regained"), required=False
    )

    def choices(self) -> dict[str, Any]:
        """Valid choices with defaults for anything missing or wrong (a bookmark never breaks the page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        default = velocity_instrument().id  # weight: the growth page opens on it
        measure = data.get("measure") or default
        return {
            "measure": measure if growth_method(measure) is not None else default,
            "reference": data.get("reference") or "uk-who",
            "method": data.get("method") or "exponential",
            "window": data.get("window") if isinstance(data.get("window"), int) else 7,
            "after_regain": bool(data.get("after_regain")),
        }
