"""Django forms generated from the library's question sets (intake and today's check).

Every question must be answered deliberately: yes/no questions have no default, and body-region and
multiple-choice questions have an explicit "nowhere" / "none of these" box, so an untouched form never
reads as "all clear"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.core.forms import DateInput
from kneadwell.library.catalog import Library
from kneadwell.library.schema import Question

NOWHERE = "none"
CHECKLIST = "checklist"  # the one field a question set's checklist is shown as
YES_NO = [("yes", "Yes"), ("no", "No")]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _region_choices(library: Library) -> list[tuple[str, str]]:
    drawable = [r for r in library.regions.values() if r.kind in ("area", "group")]
    return [(NOWHERE, _("Nowhere"))] + [(r.id, r.label) for r in drawable]


def _choices(library: Library, question: Question) -> list[tuple[str, str]]:
    if question.choices_from == "conditions":
        return [(c.id, c.label) for c in library.conditions.values()]
    if question.choices_from == "states":
        return [
            (s.id, f"{s.number}. {s.label}") for s in sorted(library.states.values(), key=lambda s: s.number)
        ]
    return [(c.id, c.label) for c in question.choices]


def field_for(library: Library, question: Question) -> forms.Field:
    label = question.label
    common: dict[str, Any] = {"label": label, "help_text": question.help, "required": False}
    if question.type == "yes_no":
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if question.type == "number":
        assert question.min is not None  # the schema requires min and max for number questions
        assert question.max is not None
        common["label"] = f"{label} ({question.unit})"
        return forms.FloatField(min_value=question.min, max_value=question.max, **common)
    if question.type == "date":
        return forms.DateField(widget=DateInput, **common)
    if question.type == "datetime":
        return forms.DateTimeField(widget=DateTimeInput, **common)
    if question.type == "choice":
        return forms.ChoiceField(choices=_choices(library, question), widget=forms.RadioSelect, **common)
    if question.type == "multi_choice":
        return forms.MultipleChoiceField(
            choices=[(NOWHERE, _("None of these")), *_choices(library, question)],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if question.type == "region_multi_choice":
        regions = forms.MultipleChoiceField(
            choices=_region_choices(library), widget=forms.CheckboxSelectMultiple, **common
        )
        regions.kind = "regions"  # type: ignore[attr-defined]  # the template folds the areas away
        return regions
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, **common)


def stored_to_initial(question: Question, value: Any) -> Any:
    """A stored (JSON) answer as the form shows it."""
    if value is None:
        return None
    if question.type == "yes_no":
        return "yes" if value else "no"
    if question.type in ("region_multi_choice", "multi_choice") and value == []:
        return [NOWHERE]
    if question.type == "datetime" and isinstance(value, str):
        # Stored as ISO with its offset; the field shows the local wall-clock time.
        return timezone.localtime(dt.datetime.fromisoformat(value)).replace(tzinfo=None)
    return value


def to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    return value


class QuestionForm(forms.Form):
    """Fields for `questions`, named after the question ids; `answers()` gives the raw answers the
    library's `clean_answers` expects (a blank optional answer is None)."""

    def __init__(
        self,
        *args: Any,
        library: Library,
        questions: Iterable[Question],
        stored: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        checklist: Iterable[str] = (),
        checklist_label: str = "",
        subject: str = "",
        setting_values: Mapping[str, float] | None = None,
        **kwargs: Any,
    ) -> None:
        """`context` holds stored answers of another scope (the intake, for today's check): a follow-up
        whose question was answered there is asked, plainly, only when that answer calls for it."""
        self.library = library
        given = list(questions)
        own = {q.id for q in given}
        context = context or {}
        self.resolved: set[str] = set()  # follow-ups whose gate is in the context and says "ask"
        self.questions = []
        for q in given:
            if q.ask_if is not None and q.ask_if.question not in own:
                if context.get(q.ask_if.question) != q.ask_if.equals:
                    continue  # the other scope's answer says this does not apply: not asked at all
                self.resolved.add(q.id)
            self.questions.append(q)
        stored = stored or {}
        asked = {q.id for q in self.questions}
        self.checklist = [self.library.questions[q] for q in checklist if q in asked]
        self.listed = listed = {q.id for q in self.checklist}
        initial = {
            q.id: stored_to_initial(q, stored.get(q.id))
            for q in self.questions
            if q.id not in listed and not (q.ask_if and q.ask_if.otherwise_none and stored.get(q.id) == [])
        }
        if self.checklist and any(q.id in stored for q in self.checklist):
            # Lines ticked before are ticked again for confirmation. "None of these" is filled in only
            # when every line was carried: a line about this very moment is never answered for the person.
            ticked = [line for line, q, choice in self._lines() if _ticked(stored.get(q.id), choice)]
            if ticked or all(q.id in stored for q in self.checklist):
                initial[CHECKLIST] = ticked or [NOWHERE]
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        # Lines quoting a setting show the organisation's value (the library default when none is given).
        values = {sid: d.default for sid, d in library.settings.items()} | dict(setting_values or {})
        for question in self.questions:
            if question.id in listed:
                if CHECKLIST not in self.fields:
                    self.fields[CHECKLIST] = forms.MultipleChoiceField(
                        label=checklist_label,
                        help_text=_("Tick any that apply. If none do, tick “None of these”."),
                        choices=[(NOWHERE, _("None of these")), *self._line_choices(values)],
                        widget=forms.CheckboxSelectMultiple,
                        required=False,
                    )
                continue
            field = field_for(library, question)
            if "{" in question.help:  # help quoting a setting shows the organisation's value
                field.help_text = fill_settings(question.help, values)
            if subject and field.label:
                # "Has the client had an operation?" reads "Has Noah had an operation?" on the page.
                for said in ("the client", "The client", "the baby", "The baby"):
                    field.label = str(field.label).replace(said, subject)
            gate = question.ask_if
            if gate is not None and question.id not in self.resolved:
                if gate.question in listed:
                    # Asked when its line of the checklist is ticked.
                    field.widget.attrs["data-ask-if"] = CHECKLIST
                    field.widget.attrs["data-ask-if-equals"] = gate.question
                else:
                    field.widget.attrs["data-ask-if"] = gate.question
                    field.widget.attrs["data-ask-if-equals"] = _ask_if_value(gate.equals)
                if gate.otherwise_none and isinstance(field, forms.MultipleChoiceField):
                    # Asked only after a yes: "nowhere" is not an answer here.
                    field.choices = (
                        _region_choices(library)[1:]
                        if question.type == "region_multi_choice"
                        else _choices(library, question)
                    )
                    field.kind = "list"  # type: ignore[attr-defined]  # shown open: the tick asked for it
            self.fields[question.id] = field

    def _lines(self) -> list[tuple[str, Question, str | None]]:
        """The checklist's lines: (field value, question, choice id for a multiple-choice question)."""
        lines: list[tuple[str, Question, str | None]] = []
        for q in self.checklist:
            if q.type == "multi_choice":
                lines += [(f"{q.id}.{c.id}", q, c.id) for c in q.choices]
            else:
                lines.append((q.id, q, None))
        return lines

    def _line_choices(self, values: Mapping[str, float]) -> list[tuple[str, str]]:
        def words(q: Question, choice: str | None) -> str:
            if choice is not None:
                return next(c.label for c in q.choices if c.id == choice)
            return fill_settings(q.item_label or q.label, values)

        return [(line, words(q, choice)) for line, q, choice in self._lines()]

    def _asked(self, question: Question, data: Any) -> bool:
        gate = question.ask_if
        if gate is None or question.id in self.resolved:
            return True
        if gate.question in self.listed:
            ticked = data.getlist(CHECKLIST) if hasattr(data, "getlist") else data.get(CHECKLIST) or []
            return (gate.question in ticked) == (gate.equals is True)
        return data.get(gate.question) == _ask_if_value(gate.equals)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.checklist:
            ticked = data.get(CHECKLIST) or []
            if not ticked:
                self.add_error(CHECKLIST, _("Tick any that apply, or “None of these”."))
            elif NOWHERE in ticked and len(ticked) > 1:
                self.add_error(CHECKLIST, _("Tick either “None of these” or the ones that apply, not both."))
        for question in self.questions:
            if question.id in self.listed:
                continue
            value = data.get(question.id)
            asked = self._asked(question, self.data if self.is_bound else {})
            if not asked:
                data[question.id] = None
                continue
            if (
                question.type in ("region_multi_choice", "multi_choice")
                and value
                and NOWHERE in value
                and len(value) > 1
            ):
                self.add_error(question.id, _("Tick either “none” or the ones that apply, not both."))
            blank = value in (None, "", [])
            if question.required and blank and question.id not in self.errors:
                after_yes = question.ask_if is not None and question.ask_if.otherwise_none
                message = {
                    "region_multi_choice": _("Tick the areas concerned.")
                    if after_yes
                    else _("Tick “Nowhere” or the areas concerned."),
                    "multi_choice": _("Tick the ones that apply.")
                    if after_yes
                    else _("Tick “None of these” or the ones that apply."),
                }.get(question.type, _("Please answer this question."))
                self.add_error(question.id, message)
        return data

    def answers(self) -> dict[str, Any]:
        """Raw answers for clean_answers: booleans for yes/no, [] for "nowhere", None for blank."""
        out: dict[str, Any] = {}
        ticked = set(self.cleaned_data.get(CHECKLIST) or ())
        for line, question, choice in self._lines():
            if not ticked:
                out[question.id] = None
            elif choice is None:
                out[question.id] = line in ticked
            else:
                out.setdefault(question.id, [])
                if line in ticked:
                    out[question.id].append(choice)
        for question in self.questions:
            if question.id in self.listed:
                continue
            value = self.cleaned_data.get(question.id)
            if value in ("", [], None):
                out[question.id] = None
            elif question.type == "yes_no":
                out[question.id] = value == "yes"
            elif question.type in ("region_multi_choice", "multi_choice"):
                out[question.id] = [] if value == [NOWHERE] else list(value)
            else:
                out[question.id] = value
        return out


def _ticked(stored: Any, choice: str | None) -> bool:
    if choice is None:
        return stored is True
    return isinstance(stored, list | tuple) and choice in stored


SETTING_QUOTE = re.compile(r"\{(\w+)(?:\*(\d+(?:\.\d+)?))?\}")


def fill_settings(text: str, values: Mapping[str, float]) -> str:
    """A checklist line or help text quoting a setting ("less than {feeding_wait_minutes} minutes ago") with
    the organisation's value; "{glucose_min_mmol_l*18}" quotes it converted and rounded to a whole number,
    as the rules compare it (predicates.SettingRef). The content check makes sure every name is a setting."""

    def value(m: re.Match[str]) -> str:
        number = values[m.group(1)]
        return f"{number:g}" if m.group(2) is None else f"{round(number * float(m.group(2))):g}"

    return SETTING_QUOTE.sub(value, text)


def _ask_if_value(equals: bool | str) -> str:
    if isinstance(equals, bool):
        return "yes" if equals else "no"
    return equals
