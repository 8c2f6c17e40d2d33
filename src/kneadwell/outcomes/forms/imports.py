"""Importing measurements from a CSV file or pasted CSV text."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kneadwell.outcomes.services import IMPORT_ALL_OR_NOTHING, IMPORT_GOOD_ROWS


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"), required=False)
    text = forms.CharField(
        label=gettext_lazy("…or paste the CSV text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("If some rows have problems"),
        choices=[
            (
                IMPORT_ALL_OR_NOTHING,
                gettext_lazy("Save nothing, so I can fix the file and import it whole (safer)"),
            ),
            (IMPORT_GOOD_ROWS, gettext_lazy("Save the good rows now and list the bad ones")),
        ],
        initial=IMPORT_ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    MAX_BYTES = 2_000_000

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError(_("The file is larger than 2 MB; split it into parts."))
            raw = upload.read()
            try:
                data["csv"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text; save it as “CSV UTF-8”.")
                ) from None
        elif (data.get("text") or "").strip():
            data["csv"] = data["text"]
        else:
            raise forms.ValidationError(_("Choose a CSV file or paste its text."))
        return data
