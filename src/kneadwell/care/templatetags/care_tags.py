from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()


@register.filter
def mmss(seconds: float | str | None) -> str:
    """Seconds as minutes:seconds (a countdown's first frame before the script takes over)."""
    try:
        total = max(0, round(float(seconds or 0)))
    except (TypeError, ValueError):
        return ""
    return f"{total // 60}:{total % 60:02d}"


VITAL_LABELS = {
    "heart_rate": (_("Heart rate"), _("bpm")),
    "spo2": ("SpO₂", "%"),
    "respiratory_rate": (_("Breathing"), _("/min")),
    "temperature_c": (_("Temperature"), "°C"),
    "heart_rate_seconds": (pgettext_lazy("for a duration", "for"), pgettext_lazy("seconds", "s")),
    "spo2_seconds": (pgettext_lazy("for a duration", "for"), pgettext_lazy("seconds", "s")),
}


@register.filter
def observation_text(observation: object) -> str:
    """An observation in words: the cue's or state's label, or the readings with their units."""
    from kneadwell.library.display import display_library

    lib = display_library()  # the page's language
    kind = getattr(observation, "kind", "")
    code = getattr(observation, "code", "")
    if kind == "cue":
        cue = lib.cues.get(code)
        return cue.label if cue else code
    if kind == "state":
        state = lib.states.get(code)
        return (
            str(_("State %(number)s: %(label)s") % {"number": state.number, "label": state.label})
            if state
            else code
        )
    vitals: dict[str, float] = getattr(observation, "vitals", {}) or {}
    parts = []
    for key, value in vitals.items():
        label, unit = VITAL_LABELS.get(key, (key, ""))
        parts.append(f"{label} {value:g} {unit}".strip())
    return ", ".join(parts)


# Words for the codes the player and the notes store. A code never reaches the page: an unknown one is
# shown with its underscores as spaces (a person can still read it), never run together.
POSITION_LABELS = {
    "supine": (_("on the back"), pgettext_lazy("position", "supine")),
    "prone": (_("on the tummy"), pgettext_lazy("position", "prone")),
    "side_lying": (_("lying on the side"), pgettext_lazy("position", "side-lying")),
    "sitting": (pgettext_lazy("position", "sitting"), pgettext_lazy("position", "sitting")),
    "held": (_("held in your arms"), pgettext_lazy("position", "held")),
    "standing": (pgettext_lazy("position", "standing"), pgettext_lazy("position", "standing")),
    "as_tolerated": (_("whichever way your baby is comfortable"), pgettext_lazy("position", "as tolerated")),
}
PRESSURE_LABELS = {
    "light": pgettext_lazy("pressure", "light"),
    "moderate": _("moderate (not feather-light)"),
    "firm": pgettext_lazy("pressure", "firm"),
}
SLEEP_AFTER_LABELS = {
    "longer": _("Slept longer than usual"),
    "as_usual": _("As usual"),
    "shorter": _("Shorter than usual"),
    "did_not_sleep": _("Did not sleep"),
}
STOOLS_LABELS = {"yes": _("Yes"), "no": _("No")}
DECISION_LABELS = {
    "continue": _("carry on"),
    "slow": _("slow down"),
    "pause": pgettext_lazy("decision", "paused"),
    "stop": pgettext_lazy("decision", "stopped"),
}
MOMENT_LABELS = {
    "before": pgettext_lazy("moment", "before"),
    "during": pgettext_lazy("moment", "during"),
    "after": pgettext_lazy("moment", "after"),
}


def _words(code: str) -> str:
    return code.replace("_", " ")


@register.filter
def position_label(code: str | None, parent: bool = False) -> str:
    """A step's position in words (plain for a parent, the clinical term for staff)."""
    if not code:
        return ""
    parent_words, clinical = POSITION_LABELS.get(code, (_words(code), _words(code)))
    return str(parent_words if parent else clinical)


@register.filter
def pressure_label(code: str | None) -> str:
    return str(PRESSURE_LABELS.get(code or "", _words(code or "")))


@register.filter
def technique_label(code: str | None) -> str:
    """A technique id as its name in the library."""
    from kneadwell.library.display import display_library

    technique = display_library().techniques.get(code or "")
    return technique.name if technique else _words(code or "")


@register.filter
def technique_labels(codes: Iterable[object] | None) -> str:
    """A list of technique ids as their names, joined with commas."""
    if not codes:
        return ""
    return ", ".join(technique_label(str(c)) for c in codes)


@register.filter
def sleep_after_label(code: str | None) -> str:
    return str(SLEEP_AFTER_LABELS.get(code or "", _words(code or "")))


@register.filter
def stools_label(code: str | None) -> str:
    return str(STOOLS_LABELS.get(code or "", _words(code or "")))


@register.filter
def decision_label(code: str | None) -> str:
    return str(DECISION_LABELS.get(code or "", _words(code or "")))


@register.filter
def moment_label(code: str | None) -> str:
    return str(MOMENT_LABELS.get(code or "", _words(code or "")))
