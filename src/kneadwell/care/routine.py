"""Today's steps for a session: the protocol's routines after today's verdict and the plan's
personalisation. Pure (the stored verdict comes in as the dict the readiness check saved)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kneadwell.core.marking import gettext as _
from kneadwell.core.marking import gettext_noop
from kneadwell.library.adaptation import Cause, adapt_routine
from kneadwell.library.catalog import Library
from kneadwell.library.screening import Action, Modifications, Verdict


def verdict_for_today(
    stored: Mapping[str, Any],
    *,
    avoid_regions: Iterable[str] = (),
    max_pressure: str = "",
    minutes_factor: float | None = None,
    also: Mapping[str, Any] | None = None,
) -> Verdict:
    """The readiness verdict as saved, tightened by the plan's own limits (regions the plan always
    leaves out, a pressure cap, shorter sessions). Reasons are not rebuilt: only the limits matter here."""
    mods = _modifications(stored.get("modifications") or {}).merge(
        Modifications(max_pressure=max_pressure or None, minutes_factor=minutes_factor)
    )
    if also:  # another saved verdict's limits (the check the person saw), merged to the strictest
        mods = mods.merge(_modifications(also))
    return Verdict(
        action=Action(stored["action"]),
        protocol_id=str(stored.get("protocol_id", "")),
        population=str(stored.get("population", "")),
        content_version=str(stored.get("content_version", "")),
        avoided_regions=tuple(sorted({*stored.get("avoided_regions", ()), *avoid_regions})),
        modifications=mods,
    )


def _modifications(saved: Mapping[str, Any]) -> Modifications:
    return Modifications(
        max_pressure=saved.get("max_pressure"),
        minutes_factor=saved.get("minutes_factor"),
        exclude_techniques=tuple(saved.get("exclude_techniques") or ()),
        no_joint_movement_at=tuple(saved.get("no_joint_movement_at") or ()),
        no_oil=bool(saved.get("no_oil")),
        ask_permission=bool(saved.get("ask_permission")),
    )


def todays_steps(
    library: Library,
    protocol_id: str,
    verdict: Verdict,
    *,
    focus_regions: Iterable[str] = (),
    trained: bool = True,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(steps, dropped) as JSON-ready dicts, numbered across all the protocol's routines. `trained` is
    False when a parent or caregiver gives the session (trained-only steps are left out)."""
    protocol = library.protocols[protocol_id]
    steps: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    focus = tuple(focus_regions)
    for routine_id in protocol.routines:
        routine = library.routines[routine_id]
        sections = {s.id: s.label for s in routine.sections}
        adapted = adapt_routine(library, routine_id, verdict, focus_regions=focus, trained=trained)
        for planned in adapted.steps:
            step, technique = planned.step, planned.technique
            steps.append(
                {
                    "index": len(steps),
                    "routine": routine_id,
                    "technique": technique.id,
                    "name": technique.name,
                    "kind": technique.kind,
                    "regions": list(planned.regions),
                    "left_out_regions": list(planned.left_out_regions),
                    "pressure": planned.pressure,
                    "minutes": planned.minutes,
                    "repetitions": step.repetitions,
                    "phase": step.phase or sections.get(step.section or "", ""),
                    "section": sections.get(step.section or "", ""),
                    "position": step.position or "",
                    "optional": step.optional,
                    "note": step.note or "",
                    "how_parent": technique.description_parent,
                    "how_clinician": technique.description_clinician,
                    "sources": list(technique.sources),
                    # Trauma-informed care (the verdict's ask_permission): the player asks "may I?" before
                    # every step but the rituals (the check-in and the closing are where the client agrees).
                    "ask_permission": verdict.modifications.ask_permission and technique.kind != "ritual",
                }
            )
        for gone in adapted.dropped:
            dropped.append(
                {
                    "routine": routine_id,
                    "technique": gone.step.technique,
                    "name": library.techniques[gone.step.technique].name,
                    "kind": library.techniques[gone.step.technique].kind,
                    "why": gone.why,
                    "cause": gone.cause.value,
                    "rules": list(gone.rule_ids),
                }
            )
    return steps, dropped


def planned_phase_minutes(library: Library, protocol_id: str) -> dict[str, float]:
    """Minutes the protocol gives each timed phase of one session (TKS: 5 tactile, 5 kinesthetic, 5
    tactile). A step's phase is its `phase`, or else its routine section's label."""
    out: dict[str, float] = {}
    for routine_id in library.protocols[protocol_id].routines:
        routine = library.routines[routine_id]
        sections = {s.id: s.label for s in routine.sections}
        for step in routine.steps:
            phase = step.phase or sections.get(step.section or "", "")
            if step.minutes and phase:
                out[phase] = out.get(phase, 0.0) + step.minutes
    return out


# --- a session worth starting ----------------------------------------------------------------------

# Technique kinds that are the massage (or the movement) itself. Rituals (asking permission, the check-in,
# the closing) and assessments (palpation, the range-of-motion check) frame a session but are not one: a
# routine left with only those would start a "session" of a check-in and nothing else. Our design choice.
TREATMENT_KINDS = frozenset({"stroke", "manoeuvre", "movement"})

# Intake questions whose answer becomes the plan's focus areas (their help text in intake.yaml says so):
# the injured or operated area after an injury or operation, the stiff muscles after a stroke.
FOCUS_QUESTIONS = ("focus_regions", "spasticity_regions")


def treatment_steps(steps: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The steps that are massage or movement (see TREATMENT_KINDS)."""
    return [s for s in steps if s.get("kind") in TREATMENT_KINDS]


def intake_focus_regions(
    answers: Mapping[str, Any], known: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(regions, question ids) an intake's answers give for the plan's focus areas: the answers to
    FOCUS_QUESTIONS in that order, each region once, keeping only ids in `known` (a region the content no
    longer has is left out rather than refused). An unanswered question or "nowhere" gives nothing."""
    allowed = set(known)
    regions: list[str] = []
    asked: list[str] = []
    for qid in FOCUS_QUESTIONS:
        value = answers.get(qid)
        if not isinstance(value, list | tuple):
            continue
        found = [str(r) for r in value if str(r) in allowed]
        if found:
            asked.append(qid)
            regions.extend(r for r in found if r not in regions)
    return tuple(regions), tuple(asked)


@dataclass(frozen=True)
class NoTreatment:
    """Why a routine has no massage step left. `cause` is the adaptation's code for the left-out
    massage steps (the one a person can act on first, see `_CAUSE_ORDER`); `rules` the rules responsible."""

    cause: str
    why: str
    rules: tuple[str, ...] = ()


# When several causes empty a routine, name the one to act on first: focus areas are the therapist's to
# choose now; today's findings and limits pass; who gives the session is last.
_CAUSE_ORDER = (
    Cause.NO_FOCUS,
    Cause.AREAS_LEFT_OUT,
    Cause.TECHNIQUE_EXCLUDED,
    Cause.PRESSURE,
    Cause.TRAINED_ONLY,
    Cause.BLOCKED,
)
_WHY = {
    Cause.NO_FOCUS: gettext_noop("its massage steps work on the focus areas, and none is chosen"),
    Cause.AREAS_LEFT_OUT: gettext_noop("every area its massage steps work on is left out"),
    Cause.TECHNIQUE_EXCLUDED: gettext_noop("every massage technique in it is left out today"),
    Cause.PRESSURE: gettext_noop("every massage technique in it needs more pressure than the limit allows"),
    Cause.TRAINED_ONLY: gettext_noop("its massage techniques are given by a trained therapist only"),
    Cause.BLOCKED: gettext_noop("today's check does not allow a session"),
}


def no_treatment(
    steps: Sequence[Mapping[str, Any]], dropped: Sequence[Mapping[str, Any]]
) -> NoTreatment | None:
    """None when today's steps hold at least one massage step; otherwise why not, from the left-out
    massage steps (a routine with no massage step in the content at all says so)."""
    if treatment_steps(steps):
        return None
    gone = [d for d in dropped if d.get("kind") in TREATMENT_KINDS]
    causes = {str(d.get("cause", "")) for d in gone}
    for cause in _CAUSE_ORDER:
        if cause.value in causes:
            rules = sorted(
                {str(r) for d in gone if d.get("cause") == cause.value for r in d.get("rules", ())}
            )
            return NoTreatment(cause.value, _WHY[cause], tuple(rules))
    return NoTreatment("none_in_routine", gettext_noop("the routine has no massage step"))


def no_treatment_sentence(
    nt: NoTreatment,
    *,
    library: Library,
    steps: Sequence[Mapping[str, Any]],
    protocol_name: str,
    when: str,
    verdicts: Sequence[Mapping[str, Any]] = (),
    focus: Iterable[str] = (),
) -> str:
    """The sentence saying why a routine holds no massage step: when, the programme, what is left, why, and
    the rules responsible by their titles. Steps built from a saved verdict carry no rule ids, so for areas
    left out the rules are read from the saved `verdicts`: those taking out any focus area (any area at
    all when there is no focus area)."""
    kept = list(dict.fromkeys(str(s["name"]) for s in steps))
    only = _("only %(steps)s") % {"steps": "“" + "”, “".join(kept) + "”"} if kept else _("no step at all")
    rule_ids = list(nt.rules)
    if nt.cause == Cause.AREAS_LEFT_OUT.value and not rule_ids:
        wanted = library.areas_of(focus)
        for verdict in verdicts:
            for reason in verdict.get("reasons") or ():
                regions = set(reason.get("regions") or ())
                if (
                    reason.get("action") == Action.AVOID_AREAS.value
                    and not reason.get("released")
                    and regions
                    and (not wanted or regions & wanted)
                    and reason.get("rule_id") not in rule_ids
                ):
                    rule_ids.append(str(reason.get("rule_id")))
    titles = [library.rules[r].title if r in library.rules else r for r in rule_ids]
    because = f" ({'; '.join(titles)})" if titles else ""
    return _("%(when)s “%(programme)s” would have no massage step, %(only)s: %(why)s%(because)s.") % {
        "when": when,
        "programme": protocol_name,
        "only": only,
        "why": _(nt.why),
        "because": because,
    }


def session_what_to_do(nt: NoTreatment, *, has_plan: bool, given_name: str) -> str:
    """What would let a session start, for a routine left without massage today."""
    if nt.cause == Cause.NO_FOCUS.value:
        if has_plan:
            return _(
                "The plan has no focus areas: end it and enrol %(name)s again, choosing them (the form "
                "fills them in from the intake)."
            ) % {"name": given_name}
        return _(
            "Answer the intake's focus question (the injured or operated area, or the stiff muscles after a "
            "stroke), or enrol %(name)s on a plan with focus areas."
        ) % {"name": given_name}
    if nt.cause == Cause.TRAINED_ONLY.value:
        return _("A trained therapist gives this session.")
    return _(
        "No massage with this routine today: the check's reasons say what is left out and why. Do "
        "today's check again once they have cleared."
    )
