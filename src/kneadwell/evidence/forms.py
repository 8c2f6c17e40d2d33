"""Forms for a researcher's meta-analysis: the details, and the study rows pasted or uploaded as CSV or
typed into a table. Row cells are plain text on purpose: the CLI's reader checks them, so the page
gives exactly its messages (naming the row and column)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from kneadwell.evidence.analysis_rows import LAYOUTS, MAX_CSV_CHARS
from kneadwell.evidence.models import MetaAnalysis
from kneadwell.evidence.selectors import library

MAX_UPLOAD_BYTES = 1_000_000
ENTRY_MODES = ("csv", *LAYOUTS)  # csv, binary, continuous, generic

COLUMN_LABELS: dict[str, StrOrPromise] = {
    "study": gettext_lazy("Study"),
    "events_treatment": gettext_lazy("Events, massage"),
    "n_treatment": "n, massage",
    "events_control": gettext_lazy("Events, control"),
    "n_control": "n, control",
    "mean_treatment": gettext_lazy("Mean, massage"),
    "sd_treatment": gettext_lazy("SD, massage"),
    "mean_control": gettext_lazy("Mean, control"),
    "sd_control": gettext_lazy("SD, control"),
    "yi": gettext_lazy("Effect (yi)"),
    "vi": gettext_lazy("Variance (vi)"),
}
ENTRY_LABELS: dict[str, StrOrPromise] = {
    "csv": gettext_lazy("Paste or upload a CSV table"),
    "binary": gettext_lazy("Type counts (RR, OR, RD)"),
    "continuous": gettext_lazy("Type means and SDs (MD, SMD)"),
    "generic": gettext_lazy("Type effect sizes (yi, vi)"),
}


def outcome_choices() -> list[tuple[str, str]]:
    lib = library()
    labels: dict[str, str] = {}
    for f in sorted(lib.findings.values(), key=lambda f: f.id):
        labels.setdefault(f.outcome_code, f.outcome_code.replace("_", " "))
    return [("", _("None of these")), *sorted(labels.items(), key=lambda kv: kv[1])]


class MetaAnalysisForm(forms.Form):
    title = forms.CharField(
        max_length=150, help_text=gettext_lazy("A name you will recognise, e.g. “Weight gain, RCTs to 2024”.")
    )
    outcome = forms.CharField(
        label=gettext_lazy("Outcome measured"),
        max_length=150,
        help_text=gettext_lazy("What was measured, with its unit, e.g. “daily weight gain (g/day)”."),
    )
    outcome_code = forms.ChoiceField(
        label=gettext_lazy("Same outcome as in the evidence library"),
        required=False,
        help_text=gettext_lazy(
            "If it is one of ours, the result page shows how certain our claims about it are."
        ),
    )
    measure = forms.ChoiceField(choices=MetaAnalysis.Measure.choices, label=gettext_lazy("Effect measure"))
    method = forms.ChoiceField(
        choices=MetaAnalysis.Method.choices,
        initial=MetaAnalysis.Method.REML,
        label=gettext_lazy("τ² method"),
        help_text=(
            gettext_lazy(
                "REML is the default (as in R's metafor); DL and PM estimate the between-study variance "
                "in other ways."
            )
        ),
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=gettext_lazy("Where the numbers come from (search, inclusion rules, who extracted them)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome_code"].choices = outcome_choices()  # type: ignore[attr-defined]


class CsvRowsForm(forms.Form):
    csv_text = forms.CharField(
        label=gettext_lazy("Study table (CSV)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
        required=False,
        max_length=MAX_CSV_CHARS,
        strip=False,
        help_text=gettext_lazy(
            "A header row, then one row per study: the same columns as the kneadwell meta command."
        ),
    )
    csv_file = forms.FileField(
        label=gettext_lazy("Or upload a CSV file"),
        required=False,
        help_text=gettext_lazy("UTF-8 CSV, up to 1 MB."),
    )

    def clean_csv_file(self) -> Any:
        upload = self.cleaned_data.get("csv_file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(value)s kB; at most 1,000 kB.") % {"value": upload.size // 1000}
            )
        return upload

    def table_text(self) -> str:
        """The uploaded file's text if there is one, else the pasted text. Call after is_valid()."""
        upload = self.cleaned_data.get("csv_file")
        if upload:
            try:
                return str(upload.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                self.add_error("csv_file", _("This file is not UTF-8 text; save the table as CSV (UTF-8)."))
                return ""
        text = str(self.cleaned_data.get("csv_text") or "")
        if not text.strip():
            self.add_error("csv_text", _("Paste the study table here, or upload a CSV file."))
        return text


def row_form_class(layout: str) -> type[forms.Form]:
    """A form for one typed row of `layout`: the study label and that layout's columns, as text."""
    fields: dict[str, forms.Field] = {
        "study": forms.CharField(label=COLUMN_LABELS["study"], required=False, max_length=100),
    }
    for column in LAYOUTS[layout]:
        fields[column] = forms.CharField(
            label=COLUMN_LABELS[column],
            required=False,
            max_length=40,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
    return type(f"{layout.title()}RowForm", (forms.Form,), fields)


def row_formset(layout: str, *, data: Any = None, initial: list[dict[str, Any]] | None = None) -> Any:
    formset_class = forms.formset_factory(row_form_class(layout), extra=0, max_num=200, absolute_max=400)
    return formset_class(data=data, initial=initial, prefix="row")
