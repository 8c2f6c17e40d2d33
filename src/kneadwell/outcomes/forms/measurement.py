"""The entry form of one instrument, generated from its definition (items as radio groups, numbers with
their units and ranges, MAS grades and ROM degrees per side, diary rows), and how its fields are grouped."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kneadwell.clients.models import Client
from kneadwell.core.errors import ValidationFailed
from kneadwell.core.forms import DateInput
from kneadwell.outcomes import instruments
from kneadwell.outcomes.forms.inputs import ConfirmField, DateTimeInput, TimeInput, _number_input, now_minute
from kneadwell.outcomes.instruments import Instrument, Item, Kind
from kneadwell.outcomes.instruments.context import ContextInput, context_inputs
from kneadwell.outcomes.instruments.grades import instrument_grades
from kneadwell.outcomes.models import Measurement

DIARY_ROWS = 12


def _with_score(value: int | str, label: str) -> str:
    """'1 — Face tense…': clinicians read the score with its meaning (unless the label starts with it)."""
    if isinstance(value, int) and not label.startswith((str(value), f"{value:+d}")):
        return f"{value} — {label}"
    return label


@dataclass
class Group:
    """A set of fields shown together (a fieldset). `layout`: stack, sides (left/right columns) or diary."""

    title: str
    names: list[str]
    help: str = ""
    layout: str = "stack"
    domain: str = ""
    css: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)  # e.g. MAS grades and their meanings
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # sides/diary: (row label, field names)


class MeasurementForm(forms.Form):
    """Entry form for one instrument. `groups` say how to lay the fields out; `answers()` builds what the
    scorer takes; `apply(exc)` puts a service error on the input it names."""

    taken_at = forms.DateTimeField(label=gettext_lazy("Taken at"), widget=DateTimeInput)
    context = forms.ChoiceField(
        label=gettext_lazy("When in the programme"), choices=Measurement.Context.choices
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm_unusual = ConfirmField()

    def __init__(self, *args: Any, instrument: Instrument, client: Client, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("taken_at", now_minute())
        kwargs["initial"].setdefault("context", Measurement.Context.ROUTINE)
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.client = client
        self.keys: dict[str, str] = {}  # answer key -> form field name
        self.groups: list[Group] = []
        builder = {
            Kind.MEASUREMENT: self._measurement,
            Kind.GRADE: self._grades,
            Kind.RANGE_OF_MOTION: self._rom,
            Kind.DIARY: self._diary,
        }.get(instrument.kind, self._items)
        builder()
        self._context_inputs()
        if instrument.kind is Kind.DIARY:
            del self.fields["taken_at"]  # the diary's day is its date

    # --- builders --------------------------------------------------------------------------------

    def _add(self, key: str, name: str, f: forms.Field) -> str:
        self.fields[name] = f
        self.keys[key] = name
        return name

    def _choice_item(self, item: Item) -> forms.Field:
        help_text = item.help + (f" [{', '.join(item.source_ids)}]" if item.source_ids else "")
        return forms.ChoiceField(
            label=item.label,
            choices=[(str(v), _with_score(v, label)) for v, label in item.choices()],
            widget=forms.RadioSelect,
            required=False,
            help_text=help_text.strip(),
        )

    def _numeric_item(self, item: Item) -> forms.Field:
        spec = item.numeric
        assert spec is not None
        usual = ""
        if spec.usual_minimum is not None or spec.usual_maximum is not None:
            low = spec.usual_minimum if spec.usual_minimum is not None else spec.minimum
            high = spec.usual_maximum if spec.usual_maximum is not None else spec.maximum
            usual = _("; usually %(low)g-%(high)g") % {"low": low, "high": high}
        unit = f" {spec.unit}" if spec.unit else ""
        return forms.CharField(
            label=f"{item.label} ({spec.unit})" if spec.unit else item.label,
            required=False,
            widget=_number_input(),
            help_text=(
                _("%(help)s Possible %(minimum)g-%(maximum)g%(unit)s%(usual)s.")
                % {
                    "help": item.help,
                    "minimum": spec.minimum,
                    "maximum": spec.maximum,
                    "unit": unit,
                    "usual": usual,
                }
            ).strip(),
        )

    def _text_item(self, item: Item) -> forms.Field:
        """A raw input that is neither a choice nor a number: a short text (a goal's name)."""
        help_text = item.help + (f" [{', '.join(item.source_ids)}]" if item.source_ids else "")
        return forms.CharField(label=item.label, required=False, max_length=200, help_text=help_text.strip())

    def _items(self) -> None:
        inst = self.instrument
        sections = {s.id: s for s in inst.sections}
        current: Group | None = None
        for item in inst.items:
            title = sections[item.section].label if item.section in sections else ""
            if current is None or current.title != title:
                domain = ""
                sec = sections.get(item.section or "")
                while sec is not None and sec.parent:
                    sec = sections.get(sec.parent)
                if sec is not None and sec.id != item.section:
                    domain = sec.label
                # Short answers (Fugl-Meyer's 0/1/2) side by side, when the data asks for it.
                current = Group(
                    title=title,
                    names=[],
                    domain=domain,
                    css="inline-radio" if inst.inline_options else "",
                )
                self.groups.append(current)
            f = self._choice_item(item) if item.options else self._numeric_item(item)
            current.names.append(self._add(item.id, item.id, f))
        if inst.raw_inputs:
            # The catalogue may name the group and place it first (goal attainment: which goal is rated).
            own = inst.extra.get("raw_inputs_group") or {}
            extra = Group(
                title=str(own.get("title") or _("Observations (optional)")),
                names=[],
                help=str(
                    own.get("help")
                    or _(
                        "Give the raw observations instead of (or as well as) the item scores above; the "
                        "scores are then worked out from them, and must agree with any you ticked."
                    )
                ),
            )
            for raw in inst.raw_inputs:
                f = self._numeric_item(raw) if raw.numeric else self._text_item(raw)
                extra.names.append(self._add(raw.id, raw.id, f))
            if own.get("first"):
                self.groups.insert(0, extra)
            else:
                self.groups.append(extra)
        for item_id, fact in inst.prefill.items():
            if item_id in self.fields and fact == "age_years":
                age = (timezone.localdate() - self.client.birth_date).days // 365
                self.initial.setdefault(item_id, str(age))

    def _measurement(self) -> None:
        inst = self.instrument
        units = [str(u["unit"]) for u in inst.extra["units"]]
        canonical = str(inst.extra["canonical_unit"])
        item = inst.items[0]
        spec = item.numeric
        assert spec is not None
        # The unit the data gives for the client's age (grams for a baby's weight).
        age_days = (timezone.localdate() - self.client.birth_date).days
        default_unit = inst.unit_for_age(age_days)
        if default_unit not in units:
            default_unit = canonical
        names = [
            self._add(
                "value",
                "value",
                forms.CharField(
                    label=inst.name,
                    widget=_number_input(autofocus=True),
                    # Dates can stand in for the value (`value_optional`); the scorer names what is missing.
                    required=not inst.extra.get("value_optional"),
                    help_text=_("Possible %(minimum)g-%(maximum)g %(canonical)s [KW-BOUNDS]")
                    % {"minimum": spec.minimum, "maximum": spec.maximum, "canonical": canonical}
                    + (_("; checked against the growth reference for age and sex.") if inst.growth else "."),
                ),
            ),
            self._add(
                "unit",
                "unit",
                forms.ChoiceField(
                    label=_("Unit"),
                    choices=[(u, u) for u in units],
                    widget=forms.RadioSelect,
                    initial=default_unit,
                ),
            ),
        ]
        methods = inst.extra.get("methods", ())
        if methods:
            names.append(
                self._add(
                    "method",
                    "method",
                    forms.ChoiceField(
                        label=_("How it was measured"),
                        choices=[(str(m["id"]), str(m["label"])) for m in methods],
                        widget=forms.RadioSelect,
                        initial=inst.method_for_age(age_days) or None,
                    ),
                )
            )
        self.groups.append(Group(title="", names=names, css="inline-radio"))

    def _context_field(self, spec: ContextInput) -> forms.Field:
        help_text = spec.help + (f" [{', '.join(spec.source_ids)}]" if spec.source_ids else "")
        if spec.type == "number":
            n = spec.numeric
            assert n is not None
            usual = ""
            if n.usual_minimum is not None or n.usual_maximum is not None:
                low = n.usual_minimum if n.usual_minimum is not None else n.minimum
                high = n.usual_maximum if n.usual_maximum is not None else n.maximum
                usual = _("; usually %(low)g-%(high)g") % {"low": low, "high": high}
            return forms.CharField(
                label=f"{spec.label} ({n.unit})" if n.unit else spec.label,
                required=False,
                widget=_number_input(),
                help_text=(
                    _("%(help_text)s Possible %(minimum)g-%(maximum)g %(unit)s%(usual)s.")
                    % {
                        "help_text": help_text,
                        "minimum": n.minimum,
                        "maximum": n.maximum,
                        "unit": n.unit,
                        "usual": usual,
                    }
                ).strip(),
            )
        if spec.type == "choice":
            return forms.ChoiceField(
                label=spec.label,
                choices=[(str(o.value), o.label) for o in spec.options],
                widget=forms.RadioSelect,
                required=False,
                help_text=help_text.strip(),
            )
        if spec.type == "date":
            return forms.DateField(
                label=spec.label, widget=DateInput, required=False, help_text=help_text.strip()
            )
        return forms.CharField(
            label=spec.label, required=False, max_length=spec.max_length, help_text=help_text.strip()
        )

    def _context_inputs(self) -> None:
        """Context inputs (context.py: kept beside the result, never scored). One whose id is a section's
        (the name of an activity being rated) opens that section's group; the rest form a group of their
        own after the answers."""
        inst = self.instrument
        sections = {s.id: s.label for s in inst.sections}
        by_title = {g.title: g for g in self.groups if g.title}
        rest = Group(title=str(inst.extra.get("context_title") or _("About this measurement")), names=[])
        for spec in context_inputs(inst):
            name = self._add(spec.id, f"ctx__{spec.id}", self._context_field(spec))
            group = by_title.get(sections.get(spec.id, ""))
            if group is not None:
                group.names.insert(0, name)
            else:
                rest.names.append(name)
        if rest.names:
            self.groups.append(rest)

    def _grades(self) -> None:
        inst = self.instrument
        grades = instrument_grades(inst)
        choices = [("", "—")] + [(g.grade, g.grade) for g in grades]
        sides = [(str(s["id"]), str(s["label"])) for s in inst.extra["sides"]]
        group = Group(
            title=_("Grade each muscle group you assessed"),
            names=[],
            layout="sides",
            help=_("Grades [%(sources)s]; leave a side empty if it was not assessed.")
            % {"sources": ", ".join(inst.source_ids)},
            legend=[(g.grade, g.label) for g in grades],
        )
        for m in inst.extra["muscle_groups"]:
            row = []
            for side, side_label in sides:
                name = f"mas__{m['id']}__{side}"
                row.append(
                    self._add(
                        f"{m['id']}.{side}",
                        name,
                        forms.ChoiceField(
                            label=f"{m['label']}, {side_label.lower()}", choices=choices, required=False
                        ),
                    )
                )
            group.rows.append((str(m["label"]), row))
            group.names.extend(row)
        self.groups.append(group)

    def _rom(self) -> None:
        inst = self.instrument
        sides = [(str(s["id"]), str(s["label"])) for s in inst.extra["sides"]]
        norm_sets = inst.extra["norm_sets"]
        self._add(
            "norm",
            "norm",
            forms.ChoiceField(
                label=_("Compare with the normal values of"),
                required=False,
                choices=[("", _("Each movement's default (the largest normal value stored)"))]
                + [(k, f"{v['label']} [{', '.join(v['sources'])}]") for k, v in norm_sets.items()],
                help_text=_(
                    "Normal values differ by source and by age [S58-S61]; the default never flatters."
                ),
            ),
        )
        self.groups.append(Group(title="", names=["norm"]))
        by_joint: dict[str, Group] = {}
        for mv in instruments.movements().values():
            group = by_joint.get(mv.joint)
            if group is None:
                group = Group(title=mv.joint.capitalize(), names=[], layout="sides")
                by_joint[mv.joint] = group
                self.groups.append(group)
            row = []
            for side, side_label in sides:
                row.append(
                    self._add(
                        f"{mv.id}.{side}",
                        f"rom__{mv.id}__{side}",
                        forms.CharField(
                            label=_("%(mv_label)s, %(side_label)s (degrees)")
                            % {"mv_label": mv.label, "side_label": side_label.lower()},
                            required=False,
                            widget=_number_input(),
                        ),
                    )
                )
            norm = mv.norm()
            group.rows.append(
                (
                    _("%(mv_label)s (normal %(end_degrees)g° [%(source_ids)s])")
                    % {
                        "mv_label": mv.label,
                        "end_degrees": norm.end_degrees,
                        "source_ids": ", ".join(norm.source_ids),
                    },
                    row,
                )
            )
            group.names.extend(row)

    def _diary(self) -> None:
        inst = self.instrument
        categories = [
            (str(c["id"]), str(c["label"]))
            for kind in ("infant", "caregiver")
            for c in inst.extra["categories"][kind]
        ]
        self.fields["diary_day"] = forms.DateField(
            label=_("Day"), widget=DateInput, initial=timezone.localdate
        )
        self.keys["day"] = "diary_day"
        group = Group(
            title=_("What happened, from when to when"),
            names=["diary_day"],
            layout="diary",
            help=_(
                "One row per stretch of time, from midnight to midnight (end 00:00 means midnight at the "
                "end of the day). Holding may overlap the baby's states; the baby's states may not overlap "
                "each other. Categories: Baby's Day Diary [%(sources)s]."
            )
            % {"sources": ", ".join(inst.source_ids)},
        )
        for i in range(DIARY_ROWS):
            row = [
                f"entry_{i}_category",
                f"entry_{i}_start",
                f"entry_{i}_end",
            ]
            self.fields[row[0]] = forms.ChoiceField(
                label=_("Row %(i)s: what") % {"i": i + 1}, choices=[("", "—"), *categories], required=False
            )
            self.fields[row[1]] = forms.TimeField(
                label=_("Row %(i)s: from") % {"i": i + 1}, widget=TimeInput, required=False
            )
            self.fields[row[2]] = forms.TimeField(
                label=_("Row %(i)s: to") % {"i": i + 1}, widget=TimeInput, required=False
            )
            group.rows.append((str(i + 1), row))
            group.names.extend(row)
        self.groups.append(group)

    def sections(self) -> list[tuple[str, list[Group], bool]]:
        """Groups gathered under their domain (Fugl-Meyer), in order ("" for instruments without one),
        with whether something in the domain was entered or is wrong (its panel then opens)."""
        out: list[tuple[str, list[Group]]] = []
        for group in self.groups:
            if out and out[-1][0] == group.domain:
                out[-1][1].append(group)
            else:
                out.append((group.domain, [group]))
        return [
            (domain, groups, any(self.data.get(n) or n in self.errors for g in groups for n in g.names))
            for domain, groups in out
        ]

    # --- answers and errors ------------------------------------------------------------------------

    def taken(self) -> dt.datetime | dt.date:
        if self.instrument.kind is Kind.DIARY:
            day: dt.date = self.cleaned_data["diary_day"]
            return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))
        value: dt.datetime = self.cleaned_data["taken_at"]
        return value

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.instrument.kind is Kind.DIARY:
            return self._diary_answers()
        out: dict[str, Any] = {}
        for key, name in self.keys.items():
            value = data.get(name)
            if value not in (None, ""):
                out[key] = value.strip() if isinstance(value, str) else value
        return out

    def _diary_answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        day: dt.date = data["diary_day"]
        entries = []
        for i in range(DIARY_ROWS):
            category = data.get(f"entry_{i}_category")
            start, end = data.get(f"entry_{i}_start"), data.get(f"entry_{i}_end")
            if not (category or start or end):
                continue
            begin = dt.datetime.combine(day, start) if start else None
            finish = dt.datetime.combine(day, end) if end else None
            if begin and finish and end == dt.time(0, 0) and finish <= begin:
                finish += dt.timedelta(days=1)  # "to 00:00" is midnight at the end of the day
            entries.append(
                {
                    "category": category or None,
                    "start": begin.isoformat() if begin else None,
                    "end": finish.isoformat() if finish else None,
                }
            )
        return {
            "days": [{"day": day.isoformat(), "entries": entries}],
            "birth_date": self.client.birth_date.isoformat(),
        }

    def field_for(self, key: str) -> str | None:
        if key in self.fields:
            return key
        if key in self.keys:
            return self.keys[key]
        found = re.fullmatch(r"days\[\d+\]\.entries\[(\d+)\]\.(category|start|end)", key)
        if found:
            name = f"entry_{found.group(1)}_{found.group(2)}"
            return name if name in self.fields else None
        if key.startswith("days[") and "diary_day" in self.fields:
            return "diary_day"
        return None

    def apply(self, exc: ValidationFailed) -> None:
        for key, messages in exc.errors.items():
            target = self.field_for(key)
            for message in messages:
                self.add_error(target, message)
