from __future__ import annotations

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
    from kneadwell.library.loader import default_library

    lib = default_library()
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
