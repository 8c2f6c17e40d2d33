"""How a measurement and an age read on a page, in a report or in the API (text only, no queries)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kneadwell.outcomes import instruments
from kneadwell.outcomes.growth import Ages
from kneadwell.outcomes.instruments import Chart, Instrument, InstrumentValidationError
from kneadwell.outcomes.instruments.context import DETAILS_KEY as CONTEXT_KEY
from kneadwell.outcomes.instruments.context import shown_context
from kneadwell.outcomes.measures import format_number
from kneadwell.outcomes.models import Measurement


def display_value(m: Measurement, *, instrument: Instrument | None = None) -> str:
    """A measurement's main figure as a person reads it: the value in the unit that was entered, a total
    with its range, MAS grades, or ROM degrees. `instrument`: the instrument's words to use (a page's
    translated copy, outcomes/instrument_display.py); by default the catalogue's English."""
    try:
        inst: Instrument | None = instrument or instruments.get_instrument(m.instrument_id)
    except InstrumentValidationError:
        inst = None  # an instrument no longer in the catalogue: show what the row holds
    chart = inst.chart if inst is not None else None
    if m.value is not None:
        entered = m.details.get("entered_value")
        unit = str(m.details.get("entered_unit") or m.unit)
        units = inst.extra.get("units", ()) if inst is not None else ()
        decimals = {str(u["unit"]): int(u["decimals"]) for u in units}
        number = float(entered) if isinstance(entered, int | float) else m.value
        return f"{format_number(number, decimals.get(unit, 2))} {unit}" + _context(inst, m)
    if chart is Chart.GRADES:
        grades = m.details.get("grades", {})
        return "; ".join(f"{m.subscores.get(k, {}).get('label', k)}: {g}" for k, g in grades.items())
    if chart is Chart.PERCENT_OF_NORMAL:
        percent = m.details.get("percent_of_normal", {})
        return "; ".join(
            f"{s.get('label', k)}: {s.get('score'):g}° ({percent.get(k, 0):.0f}% of normal)"
            for k, s in m.subscores.items()
        )
    if chart is Chart.GOALS and m.total is not None and m.details.get("goal"):
        return f"{m.total:+g} ({m.details['goal']})" if m.total else f"0 ({m.details['goal']})"
    if inst is not None and chart is Chart.DOMAINS and m.total is None:
        # Domains may be assessed alone: show each complete one rather than "no total".
        domains = inst.domains
        parts = [
            _("%(label)s: %(score)g of %(max)g")
            % {
                "label": m.subscores[d]["label"],
                "score": m.subscores[d]["score"],
                "max": m.subscores[d]["max"],
            }
            for d in domains
            if d in m.subscores and m.subscores[d].get("score") is not None
        ]
        if parts:
            return "; ".join(parts)
    if m.total is not None:
        top = m.details.get("max_for_this_gestation")
        if top is None and inst is not None:
            top = inst.score_max
        if inst is not None and inst.total_display is not None:
            shown = inst.total_display
            return f"{m.total:.{shown.decimals}f} {shown.suffix}" + _context(inst, m)
        return (
            f"{m.total:g}"
            + (_(" of %(top)g") % {"top": top} if isinstance(top, int | float) else "")
            + _context(inst, m)
        )
    labels = m.details.get("labels")
    if isinstance(labels, dict) and labels:
        return "; ".join(str(v) for v in labels.values())
    return _("recorded (incomplete: no total)")


def _context(inst: Instrument | None, m: Measurement) -> str:
    """The context inputs stored with a result, as they read beside it: " (at 60 hours old)". An activity
    named for a sub-score is shown with that sub-score, not here."""
    given = m.details.get(CONTEXT_KEY)
    if inst is None or not isinstance(given, dict) or not given:
        return ""
    sections = {s.id for s in inst.sections}
    shown = shown_context(inst, {k: v for k, v in given.items() if k not in sections})
    return f" ({'; '.join(shown)})" if shown else ""


def age_text(a: Ages) -> str:
    """Postmenstrual age before the due date (AAP 2004), corrected age after it."""
    if a.before_due_date:
        return _("%(postmenstrual)s wk PMA (day %(chronological_days)s)") % {
            "postmenstrual": a.postmenstrual,
            "chronological_days": a.chronological_days,
        }
    if a.corrected_days == a.chronological_days:
        return _("%(chronological_days)s days") % {"chronological_days": a.chronological_days}
    return _("%(corrected_days)s days corrected (%(chronological_days)s days old)") % {
        "corrected_days": a.corrected_days,
        "chronological_days": a.chronological_days,
    }
