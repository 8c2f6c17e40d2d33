"""Upload forms: a FHIR Bundle file, and the CSV files. Size limits are checked before reading."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kneadwell.interop import csv_io, fhir_import

MB = 1_000_000


def _read_text(upload: Any, *, limit: int, what: str) -> str:
    if upload.size > limit:
        raise forms.ValidationError(
            _("The %(what)s is larger than %(mb)s MB; split it into parts.")
            % {"what": what, "mb": limit // MB}
        )
    raw = upload.read(limit + 1)
    try:
        return str(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise forms.ValidationError(
            _("The %(what)s is not UTF-8 text; save it as UTF-8.") % {"what": what}
        ) from None


class BundleUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("FHIR Bundle (JSON file)"),
        help_text=gettext_lazy(
            "A Bundle with one Patient and their weight, length and head circumference Observations."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json,application/fhir+json"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > fhir_import.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(value)s MB.") % {"value": fhir_import.MAX_BYTES // MB}
            )
        return bytes(upload.read(fhir_import.MAX_BYTES + 1))


class BundleConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm_unusual = forms.BooleanField(
        label=gettext_lazy(
            "I have checked the unusual values listed above; keep them (they will be flagged)"
        ),
        required=False,
    )


class CsvImportForm(forms.Form):
    clients = forms.FileField(label=gettext_lazy("Clients file (clients.csv)"))
    measurements = forms.FileField(
        label=gettext_lazy("Measurements file (measurements.csv), optional"), required=False
    )
    sessions = forms.FileField(label=gettext_lazy("Sessions file (sessions.csv), optional"), required=False)

    def clean_clients(self) -> str:
        return _read_text(self.cleaned_data["clients"], limit=csv_io.MAX_BYTES, what=_("clients file"))

    def clean_measurements(self) -> str:
        upload = self.cleaned_data.get("measurements")
        if not upload:
            return ""
        return _read_text(upload, limit=csv_io.MAX_BYTES, what=_("measurements file"))

    def clean_sessions(self) -> str:
        upload = self.cleaned_data.get("sessions")
        if not upload:
            return ""
        return _read_text(upload, limit=csv_io.MAX_BYTES, what=_("sessions file"))
