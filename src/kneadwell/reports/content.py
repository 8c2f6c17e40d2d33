"""Everything a progress report shows, collected into plain dataclasses that the printable page and the
PDF both render. Figures come from the areas' own selectors (care: plans, adherence, sessions, adverse
events; outcomes: growth summary, series, charts and trends; evidence: claims with certainty; library:
protocol names, doses, stop rules and sources), so a report never disagrees with the pages.

Two versions hold different things: `parent` (plain words, what was done, how the child responded, what
comes next, growth in words with the chart, what the evidence honestly says, when to call for help) and
`clinician` (the full record: consent, plan, dose, personalisation, adherence and fidelity, every session
with stops, adverse events, growth with SDS/centiles, velocity with method and source, outcome charts,
entries in error, evidence with GRADE, content versions, sources). The parent version does not collect
the clinician-only parts at all.

The facts are plain dataclasses (`reports.facts`); `reports.compose` words them into the one document
both the page and the PDF render. Growth, outcome measures and entries in error are collected in
`content_outcomes`, evidence, stop rules and sources in `content_evidence`. Every read goes through the
areas' selectors on the client `client_get` loaded (tenancy checked); no other app's model is queried
here.

Query count: fixed whatever the amount of data (plans, sessions, step logs, observations, notes and
measurements are each read in one query; per-instrument trends add one query per instrument in the
catalogue that the client has used, which does not grow with the number of measurements)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.care import selectors as care
from kneadwell.care.adherence import NO_REASON, Adherence
from kneadwell.clients import rules as client_rules
from kneadwell.clients.conditions import condition_labels
from kneadwell.clients.selectors import consent_list
from kneadwell.core.marking import gettext as _
from kneadwell.library import localise
from kneadwell.library import selectors as library_selectors
from kneadwell.library.catalog import Library
from kneadwell.library.selectors import intake_for
from kneadwell.outcomes.growth.ages import ages
from kneadwell.reports import content_evidence, content_outcomes, words
from kneadwell.reports.facts import (
    VERSION_TITLES,
    VERSIONS,
    AdverseEventLine,
    ClientFacts,
    ConsentLine,
    PlanPart,
    Report,
    ResponseLine,
    SessionLine,
    SlotLine,
    Version,
)

if TYPE_CHECKING:
    from kneadwell.care.models import Plan
    from kneadwell.clients.models import Client, Consent

__all__ = ["VERSIONS", "VERSION_TITLES", "Report", "Version", "collect", "dose_text"]

SESSION_LIMIT = 500  # sessions listed in the clinician version (most recent); adherence counts them all
PARENT_SESSIONS = 10  # recent sessions a parent's version lists
UPCOMING = 5  # coming sessions listed per plan
NOTE_RESPONSES = 8


def collect(
    *,
    actor: Actor,
    client: Client,
    version: Version,
    plan: Plan | None = None,
    now: dt.datetime | None = None,
    language: str | None = None,
    with_original: bool = True,
) -> Report:
    """The report for a client loaded through `clients.selectors.client_get` (tenancy checked, read
    audited), for all plans or one `plan` of that client.

    `language` ("es", "ar"; None: English) is the language the clinical content is shown in: the
    library's translated copy (`library.localise`: same ids, numbers and version, only the words differ)
    gives the protocols', stop rules' and claims' words; `with_original` puts the English beside an
    unreviewed safety text. Nothing collected here is stored (the audit row is written in English by
    `services.report_build`)."""
    now = now or timezone.now()
    parent = version == "parent"
    lib = (
        localise.library_in(language, with_original=with_original)
        if language
        else library_selectors.library()
    )
    plans = [plan] if plan is not None else list(care.plans_of(client=client))
    figures = care.plans_adherence(plans=plans, now=now) if plans else {}
    sessions, sessions_total, minutes_by_plan = _sessions(client=client, plan=plan, lib=lib, parent=parent)
    growth = content_outcomes.growth(client=client, parent=parent)
    claims_part = content_evidence.evidence_part(
        client=client, plans=plans, one_plan=plan is not None, lib=lib, parent=parent, language=language
    )
    in_error, in_error_total = ((), 0) if parent else content_outcomes.in_error(client=client)
    trends = () if parent else content_outcomes.trends(client=client)
    report = Report(
        version=version,
        generated_at=timezone.localtime(now),
        generated_by=actor.user.full_name or actor.user.email,
        organisation=actor.organisation.name,
        client=_client_facts(client=client, lib=lib, parent=parent, today=timezone.localdate(now)),
        plan_id=plan.pk if plan is not None else None,
        plans=tuple(
            _plan_part(
                p,
                lib=lib,
                adherence=_stop_reasons_shown(figures[p.pk], lib) if parent else figures[p.pk],
                upcoming=up,
                minutes=minutes_by_plan[p.pk],
                parent=parent,
            )
            for p, up in zip(plans, _upcoming(plans, now), strict=True)
        ),
        sessions=sessions,
        sessions_total=sessions_total,
        responses=_responses(client=client, plan=plan),
        adverse_events=_adverse_events(client=client, plan=plan, now=now),
        growth=growth,
        trends=trends,
        in_error=in_error,
        in_error_total=in_error_total,
        evidence=claims_part,
        stop_signs=content_evidence.stop_signs(plans, lib=lib, parent=parent),
        content_versions=content_evidence.content_versions(plans, lib=lib),
    )
    return report if parent else content_evidence.with_sources(report, lib=lib)


def _stop_reasons_shown(adherence: Adherence, lib: Library) -> Adherence:
    """The stop reasons' labels (an in-session check's label, as the session stored it) in the library's
    language; a reason a person typed stays as written."""
    english = library_selectors.library()
    by_label = {check.label: check.id for check in english.session_checks.values()}

    def shown(reason: str) -> str:
        if reason == NO_REASON:
            return _("no reason given")
        check = lib.session_checks.get(by_label.get(reason, ""))
        return str(check.label) if check is not None else reason

    return dataclasses.replace(
        adherence, stop_reasons=tuple((shown(reason), count) for reason, count in adherence.stop_reasons)
    )


def _client_facts(*, client: Client, lib: Library, parent: bool, today: dt.date) -> ClientFacts:
    now_ages = ages(client.birth_date, today, client.gestation_weeks, client.gestation_days)
    corrected = ""
    if client.is_preterm and now_ages.corrected_days != now_ages.chronological_days:
        corrected = (
            f"{now_ages.postmenstrual} weeks postmenstrual age"
            if now_ages.before_due_date
            else words.age(now_ages.due_date, today) + " corrected for early birth"
        )
    intake = intake_for(client=client)
    population = ""
    if intake is not None and intake.population in lib.populations:
        population = lib.populations[intake.population].label
    labels = condition_labels()
    consents: tuple[ConsentLine, ...] = ()
    care_ok = measurements_ok = sharing_ok = False
    if not parent:
        rows = list(consent_list(client=client))
        consents = tuple(_consent_line(c) for c in rows)
        facts = [c.facts() for c in rows]
        care_ok, measurements_ok, sharing_ok = (
            client_rules.has_active_consent(facts, scope=scope, birth_date=client.birth_date, today=today)
            for scope in (
                client_rules.Scope.CARE,
                client_rules.Scope.MEASUREMENTS,
                client_rules.Scope.SHARING,
            )
        )
    return ClientFacts(
        client_id=client.pk,
        name=client.display_name,
        given_name=client.given_name,
        birth_date=client.birth_date,
        sex=client.sex,
        sex_label=client.get_sex_display(),
        identifier=client.identifier,
        gestation_label=client.gestation_label,
        preterm=client.is_preterm,
        birth_weight_g=client.birth_weight_g,
        today=now_ages,
        age_text=words.age(client.birth_date, today),
        corrected_age_text=corrected,
        conditions=tuple(labels.get(c, c) for c in client.conditions or ()),
        population=population,
        consents=consents,
        consent_care=care_ok,
        consent_measurements=measurements_ok,
        consent_sharing=sharing_ok,
    )


def _consent_line(consent: Consent) -> ConsentLine:
    return ConsentLine(
        kind=consent.get_kind_display(),
        scopes=tuple(consent.scope_labels),
        signed_on=consent.signed_on,
        signed_by=consent.signed_by_name,
        method=consent.get_method_display(),
        active=consent.is_active,
        withdrawn_on=timezone.localtime(consent.withdrawn_at).date() if consent.withdrawn_at else None,
        withdrawal_reason=consent.withdrawal_reason,
    )


def dose_text(lib: Library, protocol_id: str) -> str:
    """The protocol's dose as a clinician reads it: "3 sessions a day of 15 min, for 10 days. At the
    start of three consecutive hours." """
    protocol = lib.protocols.get(protocol_id)
    if protocol is None:
        return ""
    dose = protocol.dose
    parts = []
    if dose.sessions_per_day:
        parts.append(words.plural(dose.sessions_per_day, "session") + " a day")
    if dose.sessions_per_week:
        parts.append(words.plural(dose.sessions_per_week, "session") + " a week")
    text = ", ".join(parts)
    if dose.session_minutes:
        text += f"{' of ' if text else ''}{dose.session_minutes:g} min" + ("" if text else " a session")
    if dose.days:
        text += f", for {words.plural(dose.days, 'day')}"
    if dose.weeks:
        text += f", for {words.plural(dose.weeks, 'week')}"
    if dose.phases:
        text += (". " if text else "") + "; ".join(
            f"{p.label}: {words.plural(p.sessions, 'session')} over {words.plural(p.weeks, 'week')}"
            for p in dose.phases
        )
    text = text.lstrip(", ")
    if dose.timing:
        text += f". {dose.timing}"
    return text.strip() + ("" if text.endswith(".") else ".")


def _plan_part(
    plan: Plan,
    *,
    lib: Library,
    adherence: Adherence,
    upcoming: tuple[SlotLine, ...],
    minutes: float,
    parent: bool,
) -> PlanPart:
    protocol = lib.protocols.get(plan.protocol_id)
    rows: list[tuple[str, str]] = []
    if not parent:

        def regions(ids: Iterable[str]) -> str:
            return ", ".join(lib.regions[r].label if r in lib.regions else r for r in ids)

        if plan.avoid_regions:
            rows.append(("Areas always left out", regions(plan.avoid_regions)))
        if plan.focus_regions:
            rows.append(("Focus areas", regions(plan.focus_regions)))
        rows.append(("Pressure", plan.get_max_pressure_display()))
        rows.append(
            (
                "Session length",
                f"{plan.minutes_factor:.0%} of the protocol's time"
                if plan.minutes_factor
                else "as the protocol says",
            )
        )
        rows.append(
            ("Schedule", f"open for {words.plural(plan.open_weeks, 'week')} where the protocol sets no end")
        )
    return PlanPart(
        plan_id=plan.pk,
        protocol_id=plan.protocol_id,
        protocol_name=protocol.name if protocol else plan.protocol_id,
        status=plan.status,
        status_label=plan.get_status_display(),
        starts_at=timezone.localtime(plan.starts_at),
        ended_at=timezone.localtime(plan.ended_at) if plan.ended_at else None,
        end_reason=plan.end_reason,
        summary=(protocol.summary_parent if parent else protocol.summary_clinician) if protocol else "",
        dose="" if parent else dose_text(lib, plan.protocol_id),
        dose_sources=tuple(protocol.dose.sources) if protocol and not parent else (),
        personalisation=tuple(rows),
        goals=plan.goals,
        content_version=plan.content_version,
        adherence=adherence,
        upcoming=upcoming,
        minutes_done=minutes,
    )


def _upcoming(plans: Sequence[Plan], now: dt.datetime) -> list[tuple[SlotLine, ...]]:
    """The next few due sessions of each plan (one query for all plans)."""
    found = care.upcoming_by_plan(plans=plans, now=now, limit=UPCOMING)
    return [tuple(SlotLine(timezone.localtime(due), phase) for due, phase in found[p.pk]) for p in plans]


def _stop_plain(lib: Library, check_id: str, reason: str, parent: bool) -> str:
    check = lib.session_checks.get(check_id)
    if check is not None:
        return check.text_parent if parent else check.text_clinician
    return reason


def _sessions(
    *, client: Client, plan: Plan | None, lib: Library, parent: bool
) -> tuple[tuple[SessionLine, ...], int, dict[int, float]]:
    """Session lines (newest first) with their step-log figures, observation decisions and note state:
    four queries whatever the number of sessions. Also the logged minutes per plan over all sessions."""
    limit = PARENT_SESSIONS if parent else SESSION_LIMIT
    rows, total = care.session_rows(client=client, plan=plan, limit=limit)
    ids = [r.session_id for r in rows]
    steps = care.step_totals(session_ids=ids)
    per_plan = care.logged_minutes_by_plan(client=client, plan=plan)
    decisions = {} if parent else care.session_decisions(session_ids=ids)
    notes = {} if parent else care.session_note_states(session_ids=ids)
    out = []
    for r in rows:
        logged = steps.get(r.session_id, {})
        done = logged.get("done", (0, 0.0))
        skipped = logged.get("skipped", (0, 0.0))
        protocol = lib.protocols.get(r.protocol_id)
        note = notes.get(r.session_id)
        out.append(
            SessionLine(
                session_id=r.session_id,
                plan_id=r.plan_id,
                protocol_name=protocol.name if protocol else r.protocol_id,
                started_at=timezone.localtime(r.started_at),
                status=r.status,
                status_label=r.status_label,
                minutes=(done[1] + skipped[1]) / 60,
                steps_planned=r.steps_planned,
                steps_done=done[0],
                steps_skipped=skipped[0],
                pauses=r.pauses,
                stop_check=r.stop_check,
                stop_reason=r.stop_reason,
                stop_plain=_stop_plain(lib, r.stop_check, r.stop_reason, parent=True)
                if r.status == "stopped"
                else "",
                decisions=tuple(sorted(decisions.get(r.session_id, {}).items())),
                note=f"{'SOAP note' if note[0] == 'soap' else 'diary'}, {'signed' if note[1] else 'draft'}"
                if note
                else "",
            )
        )
    return tuple(out), total, per_plan


def _responses(*, client: Client, plan: Plan | None) -> tuple[ResponseLine, ...]:
    """How the child responded, in the words of the latest session notes and diaries (one query)."""
    return tuple(
        ResponseLine(timezone.localtime(started).date(), "Diary" if kind == "diary" else "Note", text)
        for started, kind, text in care.note_responses(client=client, plan=plan, limit=NOTE_RESPONSES)
    )


def _adverse_events(*, client: Client, plan: Plan | None, now: dt.datetime) -> tuple[AdverseEventLine, ...]:
    """A client's adverse events; for one plan, those in its sessions and those recorded without a
    session while the plan ran."""
    events = list(care.adverse_events_of(client=client))
    if plan is not None:
        end = plan.ended_at or now
        events = [
            e
            for e in events
            if (e.session is not None and e.session.plan_id == plan.pk)
            or (e.session is None and plan.starts_at <= e.occurred_at <= end)
        ]
    return tuple(
        AdverseEventLine(
            event_id=e.pk,
            occurred_at=timezone.localtime(e.occurred_at),
            severity=e.severity,
            severity_label=e.get_severity_display(),
            what=e.what,
            action_taken=e.action_taken,
            follow_up=e.follow_up,
            session_id=e.session_id,
            reported_by=e.reported_by.full_name or e.reported_by.email,
        )
        for e in events
    )
