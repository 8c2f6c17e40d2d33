from __future__ import annotations

from collections.abc import Iterable

from django import template

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
    "heart_rate": ("Heart rate", "bpm"),
    "spo2": ("SpO₂", "%"),
    "respiratory_rate": ("Breathing", "/min"),
    "temperature_c": ("Temperature", "°C"),
    "heart_rate_seconds": ("for", "s"),
    "spo2_seconds": ("for", "s"),
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
        return f"State {state.number}: {state.label}" if state else code
    vitals: dict[str, float] = getattr(observation, "vitals", {}) or {}
    parts = []
    for key, value in vitals.items():
        label, unit = VITAL_LABELS.get(key, (key, ""))
        parts.append(f"{label} {value:g} {unit}".strip())
    return ", ".join(parts)


# Words for the codes the player and the notes store. A code never reaches the page: an unknown one is
# shown with its underscores as spaces (a person can still read it), never run together.
POSITION_LABELS = {
    "supine": ("on the back", "supine"),
    "prone": ("on the tummy", "prone"),
    "side_lying": ("lying on the side", "side-lying"),
    "sitting": ("sitting", "sitting"),
    "held": ("held in your arms", "held"),
    "standing": ("standing", "standing"),
    "as_tolerated": ("whichever way your baby is comfortable", "as tolerated"),
}
PRESSURE_LABELS = {"light": "light", "moderate": "moderate (not feather-light)", "firm": "firm"}
SLEEP_AFTER_LABELS = {
    "longer": "Slept longer than usual",
    "as_usual": "As usual",
    "shorter": "Shorter than usual",
    "did_not_sleep": "Did not sleep",
}
STOOLS_LABELS = {"yes": "Yes", "no": "No"}
DECISION_LABELS = {"continue": "carry on", "slow": "slow down", "pause": "paused", "stop": "stopped"}
MOMENT_LABELS = {"before": "before", "during": "during", "after": "after"}


def _words(code: str) -> str:
    return code.replace("_", " ")


@register.filter
def position_label(code: str | None, parent: bool = False) -> str:
    """A step's position in words (plain for a parent, the clinical term for staff)."""
    if not code:
        return ""
    parent_words, clinical = POSITION_LABELS.get(code, (_words(code), _words(code)))
    return parent_words if parent else clinical


@register.filter
def pressure_label(code: str | None) -> str:
    return PRESSURE_LABELS.get(code or "", _words(code or ""))


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
    return SLEEP_AFTER_LABELS.get(code or "", _words(code or ""))


@register.filter
def stools_label(code: str | None) -> str:
    return STOOLS_LABELS.get(code or "", _words(code or ""))


@register.filter
def decision_label(code: str | None) -> str:
    return DECISION_LABELS.get(code or "", _words(code or ""))


@register.filter
def moment_label(code: str | None) -> str:
    return MOMENT_LABELS.get(code or "", _words(code or ""))
