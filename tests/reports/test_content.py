"""What a report collects: the same figures as the care and outcomes selectors, the parent version
without the clinician-only parts, one plan's report holding that plan only, an audit row per
generation, and a query count that does not grow with the number of sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.care import selectors as care
from kneadwell.care.models import StepLog
from kneadwell.core.errors import NotFound
from kneadwell.evidence import selectors as evidence
from kneadwell.outcomes import selectors as outcomes
from kneadwell.outcomes.models import Measurement
from kneadwell.reports import services
from kneadwell.reports.content import Report
from kwtest.people import Clinic, make_client
from kwtest.screening import passing_check

from .programme import Programme, add_sessions, make_programme

pytestmark = pytest.mark.django_db


def build(clinic: Clinic, programme: Programme, version: str = "clinician", **kwargs: object) -> Report:
    return services.report_build(
        actor=clinic.actor(Role.THERAPIST),
        client_id=programme.client.pk,
        version=version,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def test_adherence_and_sessions_are_the_care_selectors_figures(clinic: Clinic, programme: Programme) -> None:
    now = timezone.now()
    report = build(clinic, programme, now=now)
    [plan] = report.plans
    assert plan.adherence == care.plan_adherence(plan=programme.plan, now=now)
    assert plan.adherence.stopped_sessions == 1
    assert report.sessions_total == care.sessions_of(client=programme.client).count() == 9
    assert [s.session_id for s in report.sessions] == list(
        care.sessions_of(client=programme.client).values_list("pk", flat=True)
    )
    stopped = next(s for s in report.sessions if s.session_id == programme.stopped.pk)
    assert (stopped.status, stopped.stop_check) == ("stopped", "bradycardia")
    assert stopped.stop_reason == programme.stopped.stop_reason
    assert stopped.steps_planned == len(programme.stopped.steps)
    assert stopped.decisions == (("stop", 1),)
    logged = sum(StepLog.objects.filter(session=programme.stopped).values_list("seconds", flat=True))
    assert stopped.minutes == pytest.approx(logged / 60)
    assert plan.minutes_done == pytest.approx(
        sum(StepLog.objects.filter(session__plan=programme.plan).values_list("seconds", flat=True)) / 60
    )
    assert [e.event_id for e in report.adverse_events] == [
        e.pk for e in care.adverse_events_of(client=programme.client)
    ]
    assert report.responses[0].text == "She calmed at once and held my finger"


def test_growth_is_the_outcomes_selectors_figures_without_the_entry_in_error(
    clinic: Clinic, programme: Programme
) -> None:
    client = programme.client
    report = build(clinic, programme)
    growth = report.growth
    assert growth is not None
    summary = outcomes.growth_summary(client=client)
    assert [(g.label, g.display, g.corrected_sds, g.chronological_centile) for g in growth.latest] == [
        (g.label, g.display, g.sds.corrected_sds, g.sds.chronological_centile) for g in summary.latest
    ]
    seven = growth.velocities[0]
    assert seven.method == "Exponential model (Patel)"
    assert seven.source.startswith("Patel AL")
    result = summary.velocity.result
    assert result is not None
    assert result.velocity_g_kg_day is not None
    assert seven.value == f"{result.velocity_g_kg_day:.1f} g/kg/day"
    assert [v.window for v in growth.velocities] == ["last 7 days", "last 28 days"]
    series = outcomes.growth_series(client=client, instrument_id="weight")
    weights = next(t for t in growth.tables if t.label == "Weight")
    assert weights.total == len(series) == 13  # 14 entered, one in error
    wrong = Measurement.objects.get(client=client, entered_in_error_at__isnull=False)
    assert wrong.pk not in {p.measurement_id for p in series}
    assert [m.reason for m in report.in_error] == ["Weighed with the blanket"]
    chart = next(c for c in growth.charts if c.key == "growth-weight")
    assert chart.svg == outcomes.growth_chart(client=client, instrument_id="weight", points=series)
    assert chart.description  # the SVG's own text alternative
    assert growth.reference_title == "UK-WHO"
    assert [t.name for t in report.trends] == ["Neonatal Infant Pain Scale (NIPS)"]


def test_every_claim_shows_the_certainty_the_evidence_library_gives_it(
    clinic: Clinic, programme: Programme
) -> None:
    library = evidence.library()
    for version in ("parent", "clinician"):
        report = build(clinic, programme, version)
        claims = [*report.evidence.supported, *report.evidence.unsupported]
        assert claims
        wording = "parent_text" if version == "parent" else "clinician_text"
        for line in claims:
            claim = library.claims[line.claim_id]
            assert line.certainty == claim.certainty
            assert line.certainty_words == evidence.certainty_label(claim.certainty)
            assert line.text == getattr(claim, wording)
        assert all(
            library.claims[line.claim_id].evidence == "no_evidence_found"
            for line in report.evidence.unsupported
        )
        expected = {
            c.id
            for c in evidence.claims_for_protocol(
                protocol_id="preterm_tks_10d", populations=("preterm_infant",)
            ).all
        }
        assert expected <= {line.claim_id for line in claims}


def test_the_parent_version_leaves_out_the_clinician_only_parts(clinic: Clinic, programme: Programme) -> None:
    parent = build(clinic, programme, "parent")
    clinician = build(clinic, programme, "clinician")
    assert parent.client.consents == ()
    assert clinician.client.consents
    assert parent.in_error == ()
    assert clinician.in_error
    assert parent.trends == ()
    assert clinician.trends
    assert parent.sources == ()
    assert clinician.sources
    assert parent.growth is not None
    assert clinician.growth is not None
    assert parent.growth.tables == ()
    assert clinician.growth.tables
    assert [c.key for c in parent.growth.charts] == ["growth-weight"]
    assert len(clinician.growth.charts) == 3
    assert parent.plans[0].dose == ""
    assert clinician.plans[0].dose.startswith("3 sessions a day of 15 min")
    assert parent.plans[0].personalisation == ()
    assert clinician.plans[0].personalisation
    assert all(s.decisions == () and s.note == "" for s in parent.sessions)
    assert [s.check_id for s in parent.stop_signs][:2] == ["crying", "cue_stop"]


def test_a_plan_report_holds_that_plan_only(clinic: Clinic, programme: Programme) -> None:
    therapist = clinic.actor(Role.THERAPIST)
    client = programme.client
    check = passing_check(therapist, client, "neonatal_practice", "preterm_infant")
    from kneadwell.care import services as care_services

    other = care_services.plan_create(
        actor=therapist, client=client, check=check, starts_at=timezone.now() + dt.timedelta(minutes=5)
    )
    whole = build(clinic, programme)
    assert {p.plan_id for p in whole.plans} == {programme.plan.pk, other.pk}
    one = build(clinic, programme, plan_id=programme.plan.pk)
    assert [p.plan_id for p in one.plans] == [programme.plan.pk]
    assert {s.plan_id for s in one.sessions} == {programme.plan.pk}
    assert [e.session_id for e in one.adverse_events] == [programme.stopped.pk]
    only_other = build(clinic, programme, plan_id=other.pk)
    assert only_other.sessions == ()
    assert only_other.adverse_events == ()
    assert only_other.subtitle.endswith("plan")


def test_each_generation_is_audited_as_an_export_with_version_plan_and_format(
    clinic: Clinic, programme: Programme
) -> None:
    before = AuditEvent.objects.count()
    build(clinic, programme, "parent", plan_id=programme.plan.pk, fmt="html")
    services.report_pdf(
        actor=clinic.actor(Role.THERAPIST), client_id=programme.client.pk, version="clinician"
    )
    rows = list(AuditEvent.objects.filter(entity="report").order_by("id"))
    assert [(r.action, r.changes) for r in rows] == [
        ("export", {"version": "parent", "plan": programme.plan.pk, "format": "html"}),
        ("export", {"version": "clinician", "plan": None, "format": "pdf"}),
    ]
    assert all(r.client_id == programme.client.pk for r in rows)
    # ... and the read of the client record itself, through client_get.
    assert AuditEvent.objects.filter(entity="client", action="read", pk__gt=0).count() >= 2
    assert AuditEvent.objects.count() - before == 4


def test_a_client_with_nothing_recorded_still_gets_a_report(clinic: Clinic) -> None:
    adult = make_client(
        clinic.actor(Role.THERAPIST), born_days_ago=40 * 365, weeks=None, days=None, given_name="Ama"
    )
    report = services.report_build(
        actor=clinic.actor(Role.THERAPIST), client_id=adult.pk, version="clinician"
    )
    assert (report.plans, report.sessions, report.growth, report.trends) == ((), (), None, ())
    assert report.client.age_text == "39 years"  # 14 600 days: a few days short of 40 years


@pytest.mark.parametrize("version", ["clinician", "parent"])
def test_the_query_count_does_not_grow_with_the_number_of_sessions(clinic: Clinic, version: str) -> None:
    def queries(sessions: int) -> int:
        client = make_client(clinic.actor(Role.THERAPIST), given_name="Zoë", born_days_ago=45)
        programme = make_programme(clinic, client, sessions=10)
        add_sessions(clinic, client, programme.plan, sessions - 10, stopped_every=7)
        with CaptureQueriesContext(connection) as captured:
            services.report_pdf(actor=clinic.actor(Role.THERAPIST), client_id=client.pk, version=version)  # type: ignore[arg-type]
        return len(captured)

    few, many = queries(10), queries(200)
    assert few == many
    assert many <= 40


def test_each_plan_lists_its_own_next_sessions(clinic: Clinic, programme: Programme) -> None:
    now = timezone.now()
    [plan] = build(clinic, programme, now=now).plans
    due = [s for s in care.upcoming_slots(plan=programme.plan, limit=50) if s.due_at >= now][:5]
    assert [s.due_at for s in plan.upcoming] == [timezone.localtime(s.due_at) for s in due]
    assert len(plan.upcoming) == 5


def test_another_organisations_client_is_not_found_and_nothing_is_generated(
    clinic: Clinic, outsider: Clinic
) -> None:
    assert outsider.client is not None
    make_programme(outsider, outsider.client, sessions=2, weights=3)
    before = AuditEvent.objects.filter(entity="report").count()
    for role in (Role.ADMIN, Role.THERAPIST, Role.CAREGIVER):
        for version in ("parent", "clinician"):
            if role == Role.CAREGIVER and version == "clinician":
                continue
            with pytest.raises(NotFound):
                services.report_build(
                    actor=clinic.actor(role),
                    client_id=outsider.client.pk,
                    version=version,
                )
            with pytest.raises(NotFound):
                services.report_pdf(
                    actor=clinic.actor(role),
                    client_id=outsider.client.pk,
                    version=version,
                )
    assert AuditEvent.objects.filter(entity="report").count() == before
