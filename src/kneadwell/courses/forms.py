"""Forms of the course pages. They read what was typed; the services say what is wrong (in the same words
as the API), and the views put those messages on these fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kneadwell.accounts.forms import SignupForm
from kneadwell.core.forms import DateInput
from kneadwell.courses import syllabus as syl
from kneadwell.courses.models import Attendance, Enrolment, PracticeEntry
from kneadwell.courses.services import COURSE_CONSENT_ATTESTATION
from kneadwell.library.catalog import Library


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def _optional(form: forms.Form) -> None:
    for field in form.fields.values():
        field.required = False


class CourseForm(forms.Form):
    title = forms.CharField(
        max_length=150, help_text=gettext_lazy("E.g. “Baby massage, Tuesday mornings”.")
    )
    venue = forms.CharField(
        max_length=200, help_text=gettext_lazy("Where the classes are; leave empty for online classes.")
    )
    online_link = forms.CharField(
        label=gettext_lazy("Online link"), max_length=500, help_text=gettext_lazy("For online classes.")
    )
    start_date = forms.DateField(label=gettext_lazy("First class"), widget=DateInput)
    class_time = forms.TimeField(label=gettext_lazy("Time"), widget=TimeInput)
    class_minutes = forms.IntegerField(label=gettext_lazy("Class length (minutes)"), initial=60)
    weeks = forms.IntegerField(
        label=gettext_lazy("Weeks"),
        initial=syl.DEFAULT_WEEKS,
        help_text=gettext_lazy("Baby massage courses usually run 4 or 5 weeks."),
    )
    capacity = forms.IntegerField(label=gettext_lazy("Places (babies)"), initial=8)
    language = forms.CharField(max_length=60, initial="English")
    min_age_weeks = forms.IntegerField(
        label=gettext_lazy("Youngest (weeks old at the first class)"), initial=0
    )
    max_age_weeks = forms.IntegerField(
        label=gettext_lazy("Oldest (weeks old at the first class)"), initial=52
    )
    reminders = forms.BooleanField(
        label=gettext_lazy("Email families a reminder the day before each class"), initial=True
    )
    instructor = forms.TypedChoiceField(label=gettext_lazy("Instructor"), coerce=int)

    def __init__(self, *args: Any, instructors: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _optional(self)
        if instructors:
            self.fields["instructor"].choices = list(instructors)  # type: ignore[attr-defined]
        else:
            del self.fields["instructor"]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("instructor", None)
        for name in ("title", "venue", "online_link", "language"):
            data[name] = data.get(name) or ""
        return data


def stroke_field(key: str) -> str:
    return "stroke__" + key.replace(".", "__")


class SyllabusForm(forms.Form):
    """One choice per stroke: the week it is introduced in, or not taught. The rituals are fixed."""

    def __init__(self, *args: Any, library: Library, protocol_id: str, weeks: int, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.strokes = syl.strokes_of(library, protocol_id)
        choices = [("0", _("Not taught"))] + [
            (str(w), _("Week %(w)s") % {"w": w}) for w in range(1, weeks + 1)
        ]
        for stroke in self.strokes:
            if stroke.ritual:
                continue
            self.fields[stroke_field(stroke.key)] = forms.TypedChoiceField(
                label=stroke.name, choices=choices, coerce=int, required=False
            )

    def groups(self) -> list[tuple[str, list[Any]]]:
        """(area, bound fields) in the routine's order, for the page."""
        out: dict[str, list[Any]] = {}
        for stroke in self.strokes:
            if not stroke.ritual:
                out.setdefault(stroke.section_label, []).append(self[stroke_field(stroke.key)])
        return list(out.items())

    def syllabus(self) -> dict[str, int]:
        return {
            s.key: int(self.cleaned_data.get(stroke_field(s.key)) or 0) for s in self.strokes if not s.ritual
        }


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=gettext_lazy("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One or more, separated by commas or new lines."),
    )
    message = forms.CharField(
        label=gettext_lazy("A few words of your own (optional)"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _optional(self)

    def addresses(self) -> list[str]:
        raw = self.cleaned_data.get("emails") or ""
        return [part for part in raw.replace(",", "\n").replace(";", "\n").split("\n") if part.strip()]


class ClassForm(forms.Form):
    """A class: per family, attendance (present / left early / absent), why they left, the baby's cues
    and a note; the strokes taught; the instructor's notes."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    strokes_taught = forms.MultipleChoiceField(
        label=gettext_lazy("Strokes taught"), widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=gettext_lazy("Your notes on the class"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        families: Sequence[Enrolment],
        strokes: Sequence[syl.Stroke],
        cues: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _optional(self)
        self.families = list(families)
        self.fields["strokes_taught"].choices = [  # type: ignore[attr-defined]
            (s.key, s.name if s.ritual else f"{s.section_label}: {s.name}") for s in strokes
        ]
        statuses = [
            (Attendance.Status.PRESENT, _("Present")),
            (Attendance.Status.LEFT_EARLY, _("Left early")),
            (Attendance.Status.ABSENT, _("Absent")),
        ]
        for e in self.families:
            self.fields[f"status_{e.pk}"] = forms.ChoiceField(
                label=f"{e.client.given_name}", choices=statuses, widget=forms.RadioSelect, required=False
            )
            self.fields[f"reason_{e.pk}"] = forms.CharField(
                label=_("Why did they leave early?"), required=False, max_length=5000
            )
            self.fields[f"cues_{e.pk}"] = forms.MultipleChoiceField(
                label=_("How the baby responded"),
                choices=list(cues),
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields[f"note_{e.pk}"] = forms.CharField(label=_("Note"), required=False, max_length=5000)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "enrolment": e,
                "status": self[f"status_{e.pk}"],
                "reason": self[f"reason_{e.pk}"],
                "cues": self[f"cues_{e.pk}"],
                "note": self[f"note_{e.pk}"],
            }
            for e in self.families
        ]

    def lines(self) -> list[Any]:
        from kneadwell.courses.services import FamilyInClass

        data = self.cleaned_data
        return [
            FamilyInClass(
                enrolment_id=e.pk,
                status=data.get(f"status_{e.pk}") or "",
                left_early_reason=data.get(f"reason_{e.pk}") or "",
                cues=list(data.get(f"cues_{e.pk}") or []),
                response_note=data.get(f"note_{e.pk}") or "",
            )
            for e in self.families
        ]

    def field_for(self, service_field: str) -> str | None:
        """The form field a service's `families.<n>.<field>` message belongs to."""
        parts = service_field.split(".")
        if (
            len(parts) == 3
            and parts[0] == "families"
            and parts[1].isdigit()
            and int(parts[1]) < len(self.families)
        ):
            pk = self.families[int(parts[1])].pk
            name = {
                "status": "status",
                "left_early_reason": "reason",
                "cues": "cues",
                "response_note": "note",
            }
            return f"{name.get(parts[2], 'status')}_{pk}"
        return service_field if service_field in self.fields else None


class PracticeForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=DateInput)
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    response = forms.ChoiceField(
        label=gettext_lazy("How did your baby respond?"),
        choices=PracticeEntry.Response.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Anything to note (optional)"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _optional(self)


class JoinForm(SignupForm):
    """A new family enrolling through a course's link: family sign-up's form, with the course's consent
    words, the family's sharing choice and another parent attending."""

    other_parent = forms.CharField(
        label=gettext_lazy("Another parent or carer coming to the classes (optional)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    share_with_instructor = forms.BooleanField(label="", required=False)

    def __init__(self, *args: Any, instructor: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = _(COURSE_CONSENT_ATTESTATION)
        self.fields["share_with_instructor"].label = share_label(instructor or _("the instructor"))
        self.fields["other_parent"].required = False


def share_label(instructor: str) -> str:
    return _(
        "Share our home practice (days, minutes, how my baby responded) and my baby’s massage record with "
        "%(instructor)s for this course. You can change this at any time."
    ) % {"instructor": instructor}


class EnrolForm(forms.Form):
    """A signed-in parent enrolling one of their babies."""

    client = forms.TypedChoiceField(label=gettext_lazy("Which baby?"), coerce=int, widget=forms.RadioSelect)
    other_parent = forms.CharField(
        label=gettext_lazy("Another parent or carer coming to the classes (optional)"),
        max_length=150,
        required=False,
    )
    share_with_instructor = forms.BooleanField(label="", required=False)

    def __init__(
        self, *args: Any, babies: Sequence[tuple[int, str]], instructor: str = "", **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = list(babies)  # type: ignore[attr-defined]
        if len(babies) == 1:
            self.fields["client"].initial = babies[0][0]
        self.fields["share_with_instructor"].label = share_label(instructor or _("the instructor"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why?"), max_length=1000, required=False)
