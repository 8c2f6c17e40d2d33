"""measurement_import: an imported client's earlier measurements, checked like new ones, saved all or
none without consent, and audited as imported."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.clients.models import Client
from kneadwell.core.errors import NotFound, PermissionDenied
from kneadwell.outcomes import services
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.services import ImportedMeasurement, MeasurementsRefused
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def no_consent(clinic: Clinic) -> Client:
    return make_client(clinic.actor(Role.THERAPIST), consent=False)


def weight(grams: float, day: int, **kw: object) -> ImportedMeasurement:
    return ImportedMeasurement("weight", {"value": grams, "unit": "g"}, days_ago(day), **kw)  # type: ignore[arg-type]


def test_it_saves_an_earlier_record_for_a_client_without_consent_and_audits_it_as_imported(
    clinic: Clinic,
) -> None:
    client = no_consent(clinic)
    saved = services.measurement_import(
        actor=clinic.actor(Role.THERAPIST),
        client=client,
        measurements=[weight(1450, 20), weight(1600, 10)],
        source="a FHIR Bundle",
    )
    assert [m.value for m in saved] == [pytest.approx(1.45), pytest.approx(1.6)]
    assert all(m.recorded_by == clinic.user(Role.THERAPIST) for m in saved)
    events = AuditEvent.objects.filter(entity="measurement", client_id=client.pk)
    assert events.count() == 2
    assert all("imported from a FHIR Bundle" in e.summary for e in events)
    assert all(e.changes["imported_from"] == "a FHIR Bundle" for e in events)


def test_an_impossible_value_saves_none_and_is_named_by_its_position(clinic: Clinic) -> None:
    client = no_consent(clinic)
    with pytest.raises(MeasurementsRefused) as caught:
        services.measurement_import(
            actor=clinic.actor(Role.THERAPIST),
            client=client,
            measurements=[weight(1450, 20), weight(50_000, 10)],
            source="a CSV file",
        )
    problems = caught.value.problems
    assert {(p.index, p.field, p.unusual) for p in problems} == {(1, "value", False)}
    assert "rows.1.value" in caught.value.errors
    assert not Measurement.objects.filter(client=client).exists()


def test_an_unusual_value_needs_its_confirmation_and_is_then_kept_and_flagged(clinic: Clinic) -> None:
    client = no_consent(clinic)
    heads = [
        ImportedMeasurement("head_circumference", {"value": 29.0}, days_ago(16)),
        ImportedMeasurement("head_circumference", {"value": 26.0}, days_ago(8)),
    ]
    with pytest.raises(MeasurementsRefused) as caught:
        services.measurement_import(
            actor=clinic.actor(Role.THERAPIST), client=client, measurements=heads, source="a CSV file"
        )
    assert [(p.index, p.unusual) for p in caught.value.problems] == [(1, True)]
    assert not Measurement.objects.filter(client=client).exists()
    heads[1] = ImportedMeasurement("head_circumference", {"value": 26.0}, days_ago(8), confirmed=True)
    saved = services.measurement_import(
        actor=clinic.actor(Role.THERAPIST), client=client, measurements=heads, source="a CSV file"
    )
    assert [m.confirmed_unusual for m in saved] == [False, True]
    assert any("went down" in w for w in saved[1].confirmed_warnings)


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.ASSESSOR, Role.INSTRUCTOR])
def test_only_roles_that_may_import_a_record_may_use_it(clinic: Clinic, role: Role) -> None:
    assert clinic.client is not None
    with pytest.raises(PermissionDenied):
        services.measurement_import(
            actor=clinic.actor(role), client=clinic.client, measurements=[weight(1450, 5)], source="x"
        )


def test_another_organisations_client_is_not_found(clinic: Clinic, outsider: Clinic) -> None:
    assert outsider.client is not None
    with pytest.raises(NotFound):
        services.measurement_import(
            actor=clinic.actor(Role.ADMIN), client=outsider.client, measurements=[weight(1450, 5)], source="x"
        )
