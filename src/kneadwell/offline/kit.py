"""What a device keeps to run a session with no network: per client, the steps of each programme the
person uses as a session would start them after a check that found nothing (the plan's personalisation,
focus areas and a class's home routine applied, trained-only steps left out for a parent), each step's
words in the page's language, the cues and states the player offers, and where the rules bundle is.

A check on the device that finds areas to leave out or a change ("avoid-areas", "modify") narrows those
steps there (`KneadwellRules.todaysSteps` in static/js/rules.js): each protocol also carries, per step, what
`library.adaptation.adapt_routine` reads (the technique's pressures, whether it moves joints, the step's
own pressure and minutes, its regions after the focus areas and before anything is left out) and the
plan's limits, so the device applies the verdict exactly as the server's `todays_session_steps` would
(tests/library/test_todays_steps_js_parity.py). A wait, a release or a stop never starts a session there;
the sync checks the steps the device sent against the server's (records.apply_session_start)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.models import Organisation
from kneadwell.care.models import Plan, Session
from kneadwell.care.routine import _WHY, TREATMENT_KINDS, verdict_for_today
from kneadwell.care.selectors.sessions import todays_session_steps
from kneadwell.care.services.sessions import TRAINED_ROLES
from kneadwell.care.templatetags.care_tags import position_label, pressure_label
from kneadwell.clients.models import Client
from kneadwell.core.errors import DomainError
from kneadwell.library import selectors as library_selectors
from kneadwell.library.adaptation import PlannedStep, adapt_routine
from kneadwell.library.catalog import Library
from kneadwell.library.display import display_library, display_step
from kneadwell.library.models import ReadinessCheck

# The in-session checks that read vital signs: a programme that watches them runs online only (the device
# has no monitor feed, and a session without its readings would lose those stop rules).
VITAL_CHECKS = frozenset({"bradycardia", "desaturation", "tachycardia", "temperature_low", "heart_rate_rise"})
# 2: each protocol carries `narrow` (what the device needs to apply a non-blocking verdict to its steps)
# and the kit its content version, the pressure words and the words for a session left without massage.
KIT_FORMAT = 2
API_ROOT = "/api/v1/"


def monitors_vitals(library: Library, protocol_id: str) -> bool:
    protocol = library.protocols.get(protocol_id)
    return bool(protocol and set(protocol.session_checks) & VITAL_CHECKS)


def shown_step(step: Mapping[str, Any], *, organisation: Organisation, parent: bool) -> dict[str, Any]:
    """A stored step with the words the player shows (the page's language): where, how, position and
    pressure, as the server-rendered player says them."""
    lib = display_library(organisation)
    shown = display_step(step, organisation) or dict(step)

    def region(rid: str) -> str:
        return _region_word(lib, rid)

    return {
        **dict(step),
        "shown": {
            "name": shown.get("name", ""),
            "section": shown.get("section", ""),
            "phase": shown.get("phase", ""),
            "where": ", ".join(region(r) for r in step.get("regions", [])),
            "left_out": ", ".join(region(r) for r in step.get("left_out_regions", [])),
            "how": shown.get("how_parent" if parent else "how_clinician", ""),
            "position": position_label(step.get("position"), parent) if step.get("position") else "",
            "pressure": pressure_label(step.get("pressure")) if step.get("pressure") else "",
            "note": shown.get("note", ""),
        },
    }


def _region_word(lib: Library, rid: str) -> str:
    item = lib.regions.get(rid)
    return (item.label if item else rid.replace("_", " ")).lower()


def _same_step(step: Mapping[str, Any], routine_id: str, planned: PlannedStep, section: str) -> bool:
    return (
        step.get("routine") == routine_id
        and step.get("technique") == planned.technique.id
        and list(step.get("regions") or ()) == list(planned.regions)
        and list(step.get("left_out_regions") or ()) == list(planned.left_out_regions)
        and step.get("pressure") == planned.pressure
        and step.get("minutes") == planned.minutes
        and str(step.get("section") or "") == section
    )


def narrowing(
    lib: Library,
    protocol_id: str,
    steps: Sequence[Mapping[str, Any]],
    *,
    avoid_regions: Sequence[str] = (),
    max_pressure: str = "",
    minutes_factor: float | None = None,
    focus: Sequence[str] = (),
    trained: bool,
    words: Library | None = None,
) -> dict[str, Any] | None:
    """What the device needs to apply a non-blocking verdict to `steps` (today's steps after a clear check,
    as `todays_session_steps` gave them: the plan's limits and focus areas applied, a class's home routine
    kept to the strokes taught) exactly as `adapt_routine` would: per step, the technique's pressures,
    whether it moves joints, the step's own pressure and minutes in the content, and its regions after the
    focus areas and before anything is left out, in order; and the plan's limits, merged with the verdict's
    the way `verdict_for_today` merges them. A verdict only takes away (Modifications.merge keeps the
    stricter of each limit, avoided areas are a union), and a class's limit is an intersection of steps, so
    narrowing these steps = the server's steps for that verdict (the parity test holds it).

    None when a step cannot be traced back to its routine step (the device then keeps the cautious
    fallback: the session waits for the connection)."""
    go = verdict_for_today(
        {"action": "go", "protocol_id": protocol_id},
        avoid_regions=avoid_regions,
        max_pressure=max_pressure,
        minutes_factor=minutes_factor,
    )
    candidates: list[tuple[str, PlannedStep, str]] = []
    for routine_id in lib.protocols[protocol_id].routines:
        routine = lib.routines[routine_id]
        sections = {s.id: s.label for s in routine.sections}
        adapted = adapt_routine(lib, routine_id, go, focus_regions=tuple(focus), trained=trained)
        candidates += [(routine_id, p, sections.get(p.step.section or "", "")) for p in adapted.steps]
    out: list[dict[str, Any]] = []
    labels: dict[str, str] = {}
    at = 0
    for step in steps:  # a subsequence of the candidates, in order (a class keeps fewer, never others)
        while at < len(candidates) and not _same_step(step, *candidates[at]):
            at += 1
        if at == len(candidates):
            return None
        _routine_id, planned, _section = candidates[at]
        at += 1
        regions = [r for rid in planned.step.regions for r in (focus if rid == "focus_area" else (rid,))]
        technique = planned.technique
        out.append(
            {
                "technique": technique.id,
                "pressures": list(technique.pressure),
                "moves_joints": technique.moves_joints,
                "step_pressure": planned.step.pressure,
                "minutes": planned.step.minutes,
                "regions": regions,
            }
        )
        for rid in regions:
            labels[rid] = _region_word(words or lib, rid)
    return {
        "limits": {
            "avoid_regions": sorted(set(avoid_regions)),
            "max_pressure": max_pressure or None,
            "minutes_factor": minutes_factor,
        },
        "steps": out,
        "labels": labels,
    }


def device_words() -> dict[str, Any]:
    """The words the device shows when it narrows today's steps (the page's language)."""
    return {
        "pressures": {p: str(pressure_label(p)) for p in ("light", "moderate", "firm")},
        "changed": _("Today's steps, changed by today's check"),
        "changed_note": _(
            "Put together on this device from the safety rules, as the server does. The server checks them "
            "again when the connection is back."
        ),
        "left_out": _("Left out today: %(areas)s.") % {"areas": "{areas}"},
        "steps_left_out": _("Steps left out today: %(count)s") % {"count": "{count}"},
        "no_treatment": _(
            "With what today's check found, no massage step is left today (%(why)s). Leave the massage for "
            "today, and do today's check again another day."
        )
        % {"why": "{why}"},
        "why": {
            **{cause.value: _(_WHY[cause]) for cause in _WHY},
            "none_in_routine": _("the routine has no massage step"),
        },
        "permission_online": _(
            "Today's check asks for permission before each step: such a session runs with a connection only. "
            "When it is back, do today's check again and start from there."
        ),
    }


def cue_groups(
    library: Library, *, population: str, parent: bool, conditions: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The cue buttons the player offers, grouped as on the page (a parent reads what the baby says)."""
    preterm = population == "preterm_infant"
    cues = [c for c in library.cues.values() if c.context == "any" or (c.context == "nicu" and preterm)]
    words = (
        (_("Saying “stop”"), _("Saying “not so much”"), _("Signs of stress"), _("Enjoying it"))
        if parent
        else (_("Disengagement — strong"), _("Disengagement — subtle"), _("Stress signs"), _("Engagement"))
    )
    groups = [
        (words[0], [c for c in cues if c.kind == "disengagement" and c.strength == "potent"]),
        (words[1], [c for c in cues if c.kind == "disengagement" and c.strength == "subtle"]),
        (words[2], [c for c in cues if c.kind == "stress"]),
        (words[3], [c for c in cues if c.kind in ("engagement", "comfort", "readiness")]),
    ]
    if "diabetes" in conditions:
        hypo = [c for c in library.cues.values() if c.context == "diabetes"]
        groups.insert(0, (_("Signs of a low blood sugar"), hypo))
    return [
        {"label": str(label), "cues": [{"id": c.id, "label": c.label} for c in items]}
        for label, items in groups
        if items
    ]


def states(library: Library) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "label": f"{s.number}. {s.label}"}
        for s in sorted(library.states.values(), key=lambda s: s.number)
    ]


def _infant(population: str) -> bool:
    return population in ("infant", "preterm_infant")


def kit_protocols(*, client: Client) -> list[str]:
    """The programmes a device keeps for a client: the one today's check offers, then active plans'."""
    lib = library_selectors.library()
    intake = library_selectors.intake_for(client=client)
    ids: list[str] = []
    if intake is not None:
        suggested = library_selectors.suggested_protocol(client=client, population=intake.population)
        if suggested:
            ids.append(suggested)
    plans = (
        Plan.objects.of_client(client).filter(status=Plan.Status.ACTIVE).values_list("protocol_id", flat=True)
    )
    ids += [p for p in plans if p in lib.protocols and p not in ids]
    return ids


def offline_kit(*, actor: Actor, client: Client, protocol_ids: Sequence[str] = ()) -> dict[str, Any]:
    """The kit for `client` (loaded through `client_get`, so the read is checked and audited)."""
    lib = library_selectors.library()
    shown_lib = display_library(actor.organisation)
    parent = actor.is_caregiver
    intake = library_selectors.intake_for(client=client)
    population = intake.population if intake else ""
    wanted = [p for p in protocol_ids if p in lib.protocols] or kit_protocols(client=client)
    protocols = []
    for protocol_id in wanted:
        protocol = lib.protocols[protocol_id]
        plan = (
            Plan.objects.of_client(client).filter(protocol_id=protocol_id, status=Plan.Status.ACTIVE).first()
        )
        refusal = ""
        steps: list[dict[str, Any]] = []
        narrow: dict[str, Any] | None = None
        trained = actor.role in TRAINED_ROLES
        if monitors_vitals(lib, protocol_id):
            refusal = _("This programme watches vital signs: its sessions run online only.")
        else:
            clear = {"action": ReadinessCheck.Action.GO.value, "protocol_id": protocol_id}
            try:
                todays = todays_session_steps(
                    client=client,
                    check=ReadinessCheck(client=client, protocol_id=protocol_id, verdict=clear),
                    plan=plan,
                    verdict=clear,
                    trained=trained,
                )
            except DomainError as exc:  # a class's home routine before the first class
                refusal = exc.message
            else:
                refusal = todays.refusal
                steps = [shown_step(s, organisation=actor.organisation, parent=parent) for s in todays.steps]
                narrow = narrowing(
                    lib,
                    protocol_id,
                    todays.steps,
                    avoid_regions=plan.avoid_regions if plan else (),
                    max_pressure=plan.max_pressure if plan else "",
                    minutes_factor=plan.minutes_factor if plan else None,
                    focus=todays.focus,
                    trained=trained,
                    words=shown_lib,
                )
        protocols.append(
            {
                "id": protocol_id,
                "name": shown_lib.protocols[protocol_id].name,
                "population": protocol.population,
                "steps": [] if refusal else steps,
                "refusal": refusal,
                "narrow": None if refusal else narrow,
                "planned_seconds": sum((s.get("minutes") or 0) * 60 for s in steps),
            }
        )
    return {
        "format": KIT_FORMAT,
        "content_version": str(lib.version),
        "treatment_kinds": sorted(TREATMENT_KINDS),
        "words": device_words(),
        "issued_at": timezone.now().isoformat(),
        "user_id": actor.user.pk,
        "client": {"id": client.pk, "given_name": client.given_name, "display_name": client.display_name},
        "population": population,
        "parent": parent,
        "protocols": protocols,
        "cue_groups": cue_groups(
            shown_lib, population=population, parent=parent, conditions=client.conditions or ()
        )
        if _infant(population) or "diabetes" in (client.conditions or ())
        else [],
        "states": states(shown_lib) if _infant(population) else [],
        "urls": {
            "client": reverse("clients:detail", args=[client.pk]),
            "check": reverse("library:check", args=[client.pk]),
            "bundle": bundle_url(client.pk),
        },
    }


def bundle_url(client_id: int) -> str:
    """The rules bundle's address (docs/offline.md, "Rules on the device")."""
    return f"{API_ROOT}clients/{client_id}/rules-bundle"


def player_state(session: Session, *, actor: Actor, elapsed: float, logged_seconds: float) -> dict[str, Any]:
    """What the player page keeps for going on with a session when the network drops mid-way: the steps
    with their words, where the session is, and the seconds spent on the current step so far."""
    lib = library_selectors.library()
    shown_lib = display_library(actor.organisation)
    parent = actor.is_caregiver
    client = session.client
    protocol = shown_lib.protocols.get(session.protocol_id)
    return {
        "session_id": session.pk,
        "client_id": client.pk,
        "user_id": actor.user.pk,
        "client_name": client.display_name,
        "protocol_id": session.protocol_id,
        "protocol_name": protocol.name if protocol else "",
        "population": session.population,
        "status": session.status,
        "current_step": session.current_step,
        "step_elapsed": elapsed,
        "logged_seconds": logged_seconds,
        "pauses": session.pauses,
        "planned_seconds": sum((s.get("minutes") or 0) * 60 for s in session.steps),
        "steps": [shown_step(s, organisation=actor.organisation, parent=parent) for s in session.steps],
        "offline_ok": not monitors_vitals(lib, session.protocol_id)
        and not any(s.get("ask_permission") for s in session.steps),
        "parent": parent,
        "cue_groups": cue_groups(
            shown_lib, population=session.population, parent=parent, conditions=client.conditions or ()
        )
        if _infant(session.population) or "diabetes" in (client.conditions or ())
        else [],
        "states": states(shown_lib) if _infant(session.population) else [],
        "note_url": reverse("care:note", args=[session.pk]),
        "player_url": reverse("care:player", args=[session.pk]),
        "client_url": reverse("clients:detail", args=[client.pk]),
    }
