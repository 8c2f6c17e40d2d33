"""The sentences a report prints (`reports.compose` puts them into the one document the page and the
PDF render). Pure functions of the facts dataclasses (no database access).

The parent's sentences are marked for translation and come in the language in force (`reports.marking`;
a parent's report is built in the reader's language); the clinician's stay English (docs/reports.md,
"Languages"), with placeholders named so that a translation can move them."""

from __future__ import annotations

from kneadwell.reports import words
from kneadwell.reports.facts import ClientFacts, ConsentLine, PlanPart, Report, SessionLine
from kneadwell.reports.marking import gettext as _
from kneadwell.reports.marking import gettext_noop, ngettext

INTRO_PARENT = gettext_noop(
    "This report sums up %(name)s’s massage programme with %(organisation)s: what was done, how %(name)s "
    "responded, what comes next, how %(name)s is growing, and what studies can and cannot tell us. Bring "
    "it to your next appointment if that helps, and ask us about anything in it."
)
INTRO_CLINICIAN = (
    "Progress report for the referring clinician. Figures are those of the record at the time of "
    "generation; adherence counts every session, entries marked in error are left out of every figure, "
    "and each benefit carries its GRADE certainty."
)
# General safety advice in our words; the stop signs above it come with their sources from the content
# library's in-session checks (e.g. cue_stop: "get help from the nurse if breathing or colour is a
# worry" [CHOC, S23, S24]).
CALL_FOR_HELP = gettext_noop(
    "Call %(organisation)s, or %(name)s’s nurse, midwife, health visitor or doctor, if anything during or "
    "after a massage worries you, or if %(name)s seems unwell or in pain."
)
EMERGENCY = gettext_noop(
    "If you are ever worried about %(name)s’s breathing or colour, stop at once and get help: in an "
    "emergency, call the emergency services."
)


def intro_parent(name: str, organisation: str) -> str:
    return _(INTRO_PARENT) % {"name": name, "organisation": organisation}


def centile_explained(given_name: str) -> str:
    return _(
        "How to read the chart: the dots are %(name)s’s measurements; the grey lines are centile lines, "
        "showing how children of the same age and sex grow. The darker middle line is the 50th centile: "
        "half of children measure less. Ask us what the chart means for %(name)s."
    ) % {"name": given_name}


def time_spent(minutes: float) -> str:
    """Massage time in hours and minutes: "2 hours 5 minutes"."""
    hours, mins = divmod(round(minutes), 60)
    parts = [
        ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours} if hours else "",
        ngettext("%(count)s minute", "%(count)s minutes", mins) % {"count": mins} if mins else "",
    ]
    return " ".join(part for part in parts if part) or ngettext(
        "%(count)s minute", "%(count)s minutes", 0
    ) % {"count": 0}


def parent_plan_facts(p: PlanPart) -> list[tuple[str, str]]:
    a = p.adherence
    if a.planned_total:
        done = _("%(done)s of %(planned)s planned") % {"done": a.done, "planned": a.planned_total}
    else:
        done = str(a.done)
    if a.due_so_far and a.due_so_far < a.planned_total:
        done += " " + ngettext(
            "(%(count)s was due by today)", "(%(count)s were due by today)", a.due_so_far
        ) % {"count": a.due_so_far}
    if p.status == "active":
        status = _("going on since %(date)s") % {"date": words.day(p.starts_at.date())}
    else:
        status = _("ended on %(date)s") % {"date": words.day(p.ended_at.date()) if p.ended_at else ""}
        status += f": {p.end_reason}" if p.end_reason else ""
    return [
        (_("Sessions done"), done),
        (_("Massage time"), _("%(time)s in all") % {"time": time_spent(p.minutes_done)}),
        (_("The plan"), status),
        (_("Goals"), p.goals),
    ]


def adherence_facts(p: PlanPart) -> list[tuple[str, str]]:
    a = p.adherence
    return [
        (
            "Sessions done",
            f"{a.done} of {a.planned_total} scheduled ({words.percent(a.percent_of_plan)} of the plan)",
        ),
        ("Due so far", f"{a.due_so_far} ({words.percent(a.percent_of_due)} of those due were done)"),
        ("Completed / stopped", f"{a.completed_sessions} completed, {a.stopped_sessions} stopped"),
        ("Minutes logged", f"{p.minutes_done:.0f} min of steps in this plan's sessions"),
    ]


def client_rows(c: ClientFacts) -> list[tuple[str, str]]:
    age = c.age_text + (f" ({c.corrected_age_text})" if c.corrected_age_text else "")
    return [
        ("Name", c.name),
        ("Date of birth", words.day(c.birth_date)),
        ("Sex", c.sex_label),
        ("Clinic number", c.identifier),
        ("Gestation at birth", c.gestation_label + (" (preterm)" if c.preterm else "")),
        ("Birth weight", f"{c.birth_weight_g} g" if c.birth_weight_g else ""),
        ("Age today", age),
        ("Population", c.population),
        ("Conditions", ", ".join(c.conditions) or "none recorded"),
        (
            "Consent in force",
            ", ".join(
                label
                for label, ok in (
                    ("sessions", c.consent_care),
                    ("measurements", c.consent_measurements),
                    ("sharing reports with the referring clinician", c.consent_sharing),
                )
                if ok
            )
            or "none",
        ),
    ]


def signed_words(k: ConsentLine) -> str:
    return f"{words.day(k.signed_on)} by {k.signed_by}"


def consent_state(k: ConsentLine) -> str:
    if k.active:
        return "active"
    when = words.day(k.withdrawn_on) if k.withdrawn_on else ""
    return f"withdrawn {when}: {k.withdrawal_reason}".strip()


def consent_caution(report: Report) -> str:
    if report.is_parent or report.client.consent_sharing:
        return ""
    return (
        "No active consent to share reports with the referring clinician is recorded for "
        f"{report.client.name}. Record it before this report leaves {report.organisation}."
    )


def session_stop_words(s: SessionLine) -> str:
    """One session in a parent's words."""
    if s.status == "completed":
        return _("finished, %(minutes)s") % {"minutes": words.minutes(s.minutes)}
    if s.status == "stopped":
        return _("stopped early: %(reason)s") % {"reason": s.stop_plain or s.stop_reason}
    return s.status_label.lower()


def plan_rows(p: PlanPart) -> list[tuple[str, str]]:
    """The plan as a clinician reads it: protocol, status, dose with its sources, personalisation."""
    status = p.status_label + (f" since {words.day(p.starts_at.date())}" if p.status == "active" else "")
    return [
        ("Protocol", p.protocol_name),  # its name: the library id is a code, not for people
        ("Status", status),
        ("Started", words.moment(p.starts_at)),
        ("Ended", f"{words.moment(p.ended_at)}: {p.end_reason}" if p.ended_at else ""),
        ("Protocol summary", p.summary),
        ("Dose (protocol)", p.dose + (f" [{', '.join(p.dose_sources)}]" if p.dose_sources else "")),
        *p.personalisation,
        ("Goals", p.goals),
        ("Content version", p.content_version),
    ]


def session_groups(report: Report) -> list[tuple[str, list[SessionLine]]]:
    """The listed sessions by plan, in the order of the plans (a title only when there are several)."""
    groups: dict[int | None, list[SessionLine]] = {}
    for s in report.sessions:
        groups.setdefault(s.plan_id, []).append(s)
    names = {p.plan_id: p.protocol_name for p in report.plans}
    order: list[int | None] = [p.plan_id for p in report.plans if p.plan_id in groups]
    order += [k for k in groups if k not in order]
    several = len(order) > 1
    return [
        (
            (f"{names[k]} (plan {k})" if k in names else "Sessions outside a plan") if several else "",
            groups[k],
        )
        for k in order
    ]


def sessions_note(report: Report) -> str:
    listed = len(report.sessions)
    more = f"; the latest {listed} are listed" if listed < report.sessions_total else ""
    return (
        f"{words.plural(report.sessions_total, 'session')}{more}. Minutes are the logged step times; steps "
        "are done / skipped of planned."
    )


def call_for_help(report: Report) -> str:
    name = report.client.given_name
    return (
        _(CALL_FOR_HELP) % {"name": name, "organisation": report.organisation}
        + " "
        + _(EMERGENCY) % {"name": name}
    )


def sentence(text: str) -> str:
    """Free text ending in a full stop, so sentences joined after it read right."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


def rows_note(shown: int, total: int) -> str:
    if shown >= total:
        return f"Every value ({total})."
    return f"The latest {shown} of {total} values; every value is on the client's pages."
