"""The builder form of an organisation's own measure: the measure's fields, one block of fields per item
(added with a button: a little script copies an empty block; without script the button sends the form
back with one more block), answers typed one per line as "value = label", and bands as "low to high:
label". `definition()` is what the services check; `apply(exc)` puts each of their messages on the input
it belongs to."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kneadwell.core.errors import ValidationFailed

MAX_ROWS = 100
BLANK_ROWS = 1
OPTION_LINE = re.compile(r"^\s*([+-]?\d+)\s*[=:]\s*(.+?)\s*$")
NUMBER = r"([+-]?\d+(?:[.,]\d+)?)"
BAND_LINE = re.compile(rf"^\s*{NUMBER}\s*(?:to|–|—|-)\s*{NUMBER}\s*[:=]\s*(.+?)\s*$")
ITEM_PARTS = ("label", "kind", "options", "unit", "minimum", "maximum", "decimals", "reversed")
KIND_CHOICES = [
    ("options", gettext_lazy("Answers to choose from")),
    ("number", gettext_lazy("A number with a unit")),
]

OPTIONS_HELP = gettext_lazy('One answer per line, its value first: "0 = Never". Values are whole numbers.')
BANDS_HELP = gettext_lazy(
    'Optional. One band per line: "0 to 7: Needs a closer look". Bands must not overlap.'
)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def options_text(options: list[Mapping[str, Any]]) -> str:
    return "\n".join(f"{o['value']} = {o['label']}" for o in options)


def bands_text(bands: list[Mapping[str, Any]]) -> str:
    return "\n".join(f"{b['minimum']:g} to {b['maximum']:g}: {b['label']}" for b in bands)


class MeasureBuilderForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    short_name = forms.CharField(
        label=gettext_lazy("Short name"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("For lists and headings, e.g. “PedsQL”."),
    )
    measures = forms.CharField(
        label=gettext_lazy("What it measures"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )
    population = forms.CharField(
        label=gettext_lazy("Who it is for"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Ages, who answers (e.g. parent report)."),
    )
    shared_options = forms.CharField(
        label=gettext_lazy("Answers shared by the items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=format_lazy(
            "{} {}", OPTIONS_HELP, gettext_lazy("Used by every item of answers that has none of its own.")
        ),
    )
    scoring_method = forms.ChoiceField(
        label=gettext_lazy("Score"),
        choices=[
            ("sum", gettext_lazy("Sum of the items")),
            ("mean", gettext_lazy("Mean of the answered items")),
        ],
        widget=forms.RadioSelect,
        initial="sum",
        required=False,  # a sum unless a mean is chosen
    )
    min_answered = forms.IntegerField(
        label=gettext_lazy("For a mean: items that must be answered"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Leave empty to need every item."),
    )
    score_range = forms.CharField(
        label=gettext_lazy("Score range (check)"),
        required=False,
        help_text=gettext_lazy("Optional, e.g. “0 to 100”: checked against what the items give."),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("A higher score is"),
        choices=[("higher_better", gettext_lazy("Better")), ("higher_worse", gettext_lazy("Worse"))],
        widget=forms.RadioSelect,
    )
    bands = forms.CharField(
        label=gettext_lazy("Bands"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=BANDS_HELP,
    )
    licence = forms.CharField(
        label=gettext_lazy("Licence"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Who holds the licence to use it (or that it is your own measure and needs none)."
        ),
    )
    sources = forms.CharField(
        label=gettext_lazy("Sources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Citations, links."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    protocol_measure = forms.ChoiceField(
        label=gettext_lazy("Records the programmes' measure"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    item_count = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_ROWS)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        definition: Mapping[str, Any] | None = None,
        protocol_measures: Mapping[str, str] | None = None,
        version: int | None = None,
    ) -> None:
        initial: dict[str, Any] = {"version": version}
        rows: list[dict[str, Any]] = []
        if definition:
            initial.update(self._initial(definition))
            rows = initial.pop("rows")
        count = len(rows) + BLANK_ROWS
        if data is not None:
            try:
                count = max(0, min(MAX_ROWS, int(str(data.get("item_count", "0")))))
            except ValueError:
                count = BLANK_ROWS
            if "add_item" in data:
                count = min(MAX_ROWS, count + 1)
        initial["item_count"] = count
        super().__init__(data, initial=initial, label_suffix="")
        linked = sorted((protocol_measures or {}).items(), key=lambda kv: kv[1])
        cast(forms.ChoiceField, self.fields["protocol_measure"]).choices = [("", _("None")), *linked]
        self.row_count = count
        for i in range(count):
            self._add_row(i, rows[i] if i < len(rows) else {})
        if data is not None:
            # A form sent back for one more block: keep what was typed, and what the count says.
            self.data = data.copy() if hasattr(data, "copy") else dict(data)
            self.data["item_count"] = str(count)

    @staticmethod
    def _initial(definition: Mapping[str, Any]) -> dict[str, Any]:
        items = list(definition.get("items") or ())
        choice_sets = Counter(options_text(it["options"]) for it in items if it.get("options"))
        shared = choice_sets.most_common(1)[0][0] if choice_sets else ""
        rows = []
        for it in items:
            numeric = it.get("numeric") or {}
            own = options_text(it["options"]) if it.get("options") else ""
            rows.append(
                {
                    "label": it["label"],
                    "kind": "number" if numeric else "options",
                    "options": "" if own == shared else own,
                    "unit": numeric.get("unit", ""),
                    "minimum": f"{numeric['minimum']:g}" if numeric else "",
                    "maximum": f"{numeric['maximum']:g}" if numeric else "",
                    "decimals": numeric.get("decimals", 0),
                    "reversed": bool(it.get("reversed")),
                }
            )
        scoring = definition.get("scoring") or {}
        method = scoring.get("method", "sum")
        return {
            "name": definition.get("name", ""),
            "short_name": definition.get("short_name", ""),
            "measures": definition.get("measures", ""),
            "population": definition.get("population", ""),
            "shared_options": shared,
            "scoring_method": method,
            "min_answered": scoring.get("min_answered") if method == "mean" else None,
            "direction": definition.get("direction", ""),
            "bands": bands_text(definition.get("bands") or []),
            "licence": definition.get("licence", ""),
            "sources": definition.get("sources", ""),
            "notes": definition.get("notes", ""),
            "protocol_measure": definition.get("protocol_measure", ""),
            "rows": rows,
        }

    def _add_row(self, i: int, initial: Mapping[str, Any]) -> None:
        n = i + 1
        fields: dict[str, forms.Field] = {
            "label": forms.CharField(
                label=_("Item %(n)s: what is asked or observed") % {"n": n}, required=False, max_length=300
            ),
            "kind": forms.ChoiceField(
                label=_("Item %(n)s: answered with") % {"n": n},
                choices=KIND_CHOICES,
                initial="options",
                required=False,
                widget=forms.RadioSelect,
            ),
            "options": forms.CharField(
                label=_("Item %(n)s: its own answers") % {"n": n},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Leave empty to use the shared answers."),
            ),
            "unit": forms.CharField(label=_("Item %(n)s: unit") % {"n": n}, required=False, max_length=16),
            "minimum": forms.CharField(label=_("Item %(n)s: lowest") % {"n": n}, required=False),
            "maximum": forms.CharField(label=_("Item %(n)s: highest") % {"n": n}, required=False),
            "decimals": forms.IntegerField(
                label=_("Item %(n)s: decimals") % {"n": n},
                required=False,
                min_value=0,
                max_value=3,
                initial=0,
            ),
            "reversed": forms.BooleanField(label=_("Item %(n)s: reverse-scored") % {"n": n}, required=False),
        }
        for part, f in fields.items():
            if part in initial:
                f.initial = initial[part]
            self.fields[f"item-{i}-{part}"] = f

    def rows(self) -> list[list[forms.BoundField]]:
        """Each item's fields, in order, for the template."""
        return [[self[f"item-{i}-{part}"] for part in ITEM_PARTS] for i in range(self.row_count)]

    # --- what the services take -----------------------------------------------------------------------

    def definition(self) -> dict[str, Any]:
        """The definition as the services check it. Blocks without a label are left out (that is how an
        item is removed); `self.row_of` keeps which block each item came from, for the messages."""
        data = self.cleaned_data
        shared = self._options(data.get("shared_options") or "", "shared_options")
        items: list[dict[str, Any]] = []
        self.row_of: list[int] = []
        for i in range(self.row_count):
            label = (data.get(f"item-{i}-label") or "").strip()
            if not label:
                continue
            item: dict[str, Any] = {"label": label, "reversed": bool(data.get(f"item-{i}-reversed"))}
            if data.get(f"item-{i}-kind") == "number":
                item["numeric"] = {
                    "unit": data.get(f"item-{i}-unit") or "",
                    "minimum": data.get(f"item-{i}-minimum") or "",
                    "maximum": data.get(f"item-{i}-maximum") or "",
                    "decimals": data.get(f"item-{i}-decimals") or 0,
                }
            else:
                own = self._options(data.get(f"item-{i}-options") or "", f"item-{i}-options")
                item["options"] = own or shared
            items.append(item)
            self.row_of.append(i)
        method = data.get("scoring_method") or "sum"
        return {
            "name": data.get("name", ""),
            "short_name": data.get("short_name", ""),
            "measures": data.get("measures", ""),
            "population": data.get("population", ""),
            "items": items,
            "scoring": {"method": method, "min_answered": data.get("min_answered")},
            "score_range": self._range(data.get("score_range") or ""),
            "direction": data.get("direction", ""),
            "bands": self._bands(data.get("bands") or ""),
            "licence": data.get("licence", ""),
            "sources": data.get("sources", ""),
            "notes": data.get("notes", ""),
            "protocol_measure": data.get("protocol_measure") or "",
        }

    def _options(self, text: str, field: str) -> list[dict[str, Any]]:
        out = []
        for line in _lines(text):
            found = OPTION_LINE.match(line)
            if found is None:
                self.add_error(
                    field,
                    _("“%(line)s”: write each answer as “value = label”, e.g. “0 = Never”.")
                    % {"line": line.strip()},
                )
                continue
            out.append({"value": int(found.group(1)), "label": found.group(2)})
        return out

    def _bands(self, text: str) -> list[dict[str, Any]]:
        out = []
        for line in _lines(text):
            found = BAND_LINE.match(line)
            if found is None:
                self.add_error(
                    "bands", _("“%(line)s”: write each band as “0 to 7: label”.") % {"line": line.strip()}
                )
                continue
            low, high, label = found.groups()
            out.append({"label": label, "minimum": low.replace(",", "."), "maximum": high.replace(",", ".")})
        return out

    def _range(self, text: str) -> list[str] | None:
        if not text.strip():
            return None
        found = re.match(rf"^\s*{NUMBER}\s*(?:to|–|—|-)\s*{NUMBER}\s*$", text)
        if found is None:
            self.add_error("score_range", _("Write the range as “0 to 100”."))
            return None
        return [found.group(1).replace(",", "."), found.group(2).replace(",", ".")]

    # --- messages back onto the inputs ----------------------------------------------------------------

    def field_for(self, key: str) -> str | None:
        simple = {
            "scoring.method": "scoring_method",
            "scoring.min_answered": "min_answered",
            "slug": "short_name",
            "items": "item-0-label",
        }
        if key in simple:
            return simple[key]
        if key.startswith("bands"):
            return "bands"
        found = re.match(r"^items\.(\d+)(?:\.(\w+))?(?:\.(\w+))?", key)
        if found:
            index = int(found.group(1))
            row = self.row_of[index] if index < len(getattr(self, "row_of", [])) else index
            part = found.group(3) if found.group(2) == "numeric" else found.group(2)
            part = {"options": "options", "label": "label", "reversed": "reversed"}.get(
                part or "", part or "label"
            )
            name = f"item-{row}-{part}"
            if part == "options" and not (self.cleaned_data.get(f"item-{row}-options") or "").strip():
                return "shared_options"  # the item uses the shared answers
            return name if name in self.fields else f"item-{row}-label"
        return key if key in self.fields else None

    def apply(self, exc: ValidationFailed) -> None:
        for key, messages in exc.errors.items():
            target = self.field_for(key)
            for message in messages:
                prefix = ""
                if target == "shared_options" and key.startswith("items."):
                    prefix = f"Item {self.row_of[int(key.split('.')[1])] + 1}: "
                self.add_error(target, prefix + message)
