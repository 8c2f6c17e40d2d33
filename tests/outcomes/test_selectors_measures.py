"""Reads of an organisation's own measures, and everything downstream that treats them like a catalogue
instrument: the resolver (another organisation's measure is unknown), the trend across versions, the
clinician report, the measurements CSV and the FHIR export, and the plan's measurement rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.core.tenancy import organisation_scope
from kneadwell.interop.services.export_csv import csv_export
from kneadwell.interop.services.fhir import fhir_export
from kneadwell.outcomes import instruments, selectors, services
from kneadwell.outcomes.instruments import InstrumentValidationError
from kneadwell.outcomes.models import Measurement, OrganisationMeasure
from kneadwell.reports.services import report_build
from kwtest.measures import day_check, define
from kwtest.people import Clinic, make_client
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db

ANSWERS = {"q1": 3, "q2": 2, "q3": 1, "q4": 4}  # total 12: q3 is reversed


def iid(measure: OrganisationMeasure) -> str:
    return f"org-{measure.organisation_id}-{measure.slug}"


def record(
    clinic: Clinic, instrument_id: str, answers: Mapping[str, object], days_ago: int = 1
) -> Measurement:
    assert clinic.client is not None
    return services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=clinic.client,
        instrument_id=instrument_id,
        answers=answers,
        taken_at=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def test_the_resolver_finds_a_published_measure_for_its_own_organisation_only(
    clinic: Clinic, outsider: Clinic
) -> None:
    ours, theirs = define(clinic), define(outsider)
    draft = define(clinic, day_check(short_name="Draft only"), publish=False)
    with organisation_scope(clinic.org.pk):
        assert instruments.get_instrument(iid(ours)).name == "Day-to-day check (made up for tests)"
        with pytest.raises(InstrumentValidationError):
            instruments.get_instrument(iid(theirs))
        with pytest.raises(InstrumentValidationError):
            instruments.get_instrument(iid(draft))  # nothing published yet
        listed = [i.id for i in instruments.list_instruments()]
        assert iid(ours) in listed
        assert iid(theirs) not in listed
        groups = dict(instruments.listed_groups())
        assert [i.id for i in groups["Your organisation's own measures"]] == [iid(ours)]
    # Outside a request (command line, a report job) the id itself names the organisation.
    assert instruments.get_instrument(iid(theirs)).id == iid(theirs)
    assert iid(ours) not in [i.id for i in instruments.list_instruments()]


def test_a_page_reads_the_organisations_measures_once_however_often_it_asks(clinic: Clinic) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    measure = define(clinic)
    with organisation_scope(clinic.org.pk), CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            instruments.get_instrument(iid(measure))
            instruments.list_instruments()
    assert len(queries) == 1


def test_the_trend_keeps_each_entry_as_scored_and_says_when_versions_differ(clinic: Clinic) -> None:
    lead = clinic.actor(Role.ADMIN)
    measure = define(clinic)
    record(clinic, iid(measure), ANSWERS, days_ago=3)
    services.organisation_measure_revise(
        actor=lead,
        measure=measure,
        definition=day_check(name="Day check, second edition"),
        expected_version=measure.version,
    )
    measure.refresh_from_db()
    services.organisation_measure_publish(actor=lead, measure=measure, expected_version=measure.version)
    record(clinic, iid(measure), {"q1": 4, "q2": 4, "q3": 0, "q4": 4}, days_ago=1)
    assert clinic.client is not None
    trend = selectors.instrument_trend(client=clinic.client, instrument_id=iid(measure))
    assert [r.cells["Total"] for r in reversed(trend.rows)] == [
        "12 of 16 (Going well)",
        "16 of 16 (Going well)",
    ]
    assert trend.y_range == (0.0, 16.0)
    assert any("versions 1, 2" in n for n in trend.notes)
    assert "8 to 16: Going well" in trend.notes
    first = Measurement.objects.filter(instrument_id=iid(measure)).order_by("taken_at").first()
    assert first is not None
    # Its page reads its answers with version 1's labels.
    as_scored = selectors.instrument_as_scored(
        instruments.get_instrument(iid(measure)), first.instrument_version
    )
    assert (as_scored.version, as_scored.name) == ("1", "Day-to-day check (made up for tests)")


def test_the_clinician_report_has_its_trend(clinic: Clinic) -> None:
    measure = define(clinic)
    record(clinic, iid(measure), ANSWERS)
    assert clinic.client is not None
    report = report_build(actor=clinic.actor(Role.THERAPIST), client_id=clinic.client.pk, version="clinician")
    titles = [t.chart.title for t in report.trends if t.chart is not None]
    assert "Day-to-day check (made up for tests)" in titles


def test_the_measurements_csv_and_the_fhir_export_carry_it(clinic: Clinic) -> None:
    measure = define(clinic)
    record(clinic, iid(measure), ANSWERS)
    assert clinic.client is not None
    files = csv_export(actor=clinic.actor(Role.ADMIN), files=["measurements"])
    rows = list(csv.DictReader(io.StringIO(files.files["measurements"])))
    [row] = [r for r in rows if r["instrument"] == iid(measure)]
    assert row["instrument_version"] == "1"
    assert row["scoring_version"] == "1"
    bundle = fhir_export(actor=clinic.actor(Role.THERAPIST), client_id=clinic.client.pk).bundle
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    [ours] = [o for o in observations if o["code"]["text"] == "Day-to-day check (made up for tests)"]
    assert ours["valueQuantity"]["value"] == 12
    assert ours["category"][0]["coding"][0]["code"] == "survey"


def test_the_plan_asks_to_define_pedsql_until_the_organisation_links_a_measure(clinic: Clinic) -> None:
    from kneadwell.care import selectors as care_selectors
    from kneadwell.care import services as care_services

    nurse = clinic.actor(Role.THERAPIST)
    child = make_client(
        nurse, born_days_ago=365 * 8, weeks=None, days=None, given_name="Sam", conditions=["asthma"]
    )
    check = passing_check(nurse, child, "child_asthma", "child")
    plan = care_services.plan_create(actor=nurse, client=child, check=check, starts_at=timezone.now())
    rows = {r.key: r for r in care_selectors.plan_measurements(client=child, plan=plan)}
    assert rows["pedsql"].how == "define"
    assert "Define it under your organisation's own measures (licence needed)" in rows["pedsql"].note
    measure = define(clinic, day_check(short_name="QoL", protocol_measure="pedsql"))
    rows = {r.key: r for r in care_selectors.plan_measurements(client=child, plan=plan)}
    row = rows[iid(measure)]
    assert row.how == "record"
    assert row.record_with == ((iid(measure), "Day-to-day check (made up for tests)"),)
    assert row.feeds == ("PedsQL quality of life",)
