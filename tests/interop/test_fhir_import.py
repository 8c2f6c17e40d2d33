"""FHIR import: a good Bundle creates the client and its measurements through the services; every kind of
bad Bundle is refused with its reason and saves nothing (rows counted before and after)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.clients.models import Client, Consent, Guardian
from kneadwell.core.errors import PermissionDenied, ValidationFailed
from kneadwell.interop import services
from kneadwell.interop.fhir_import import ImportPlan
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic

from . import bundles
from .bundles import bundle, observation, patient

pytestmark = pytest.mark.django_db


def _import(
    clinic: Clinic, raw: bytes | str, role: Role = Role.THERAPIST, **kw: Any
) -> services.FhirImportResult:
    plan = services.fhir_plan(raw)
    return services.fhir_import(actor=clinic.actor(role), plan=plan, **kw)


def _counts() -> tuple[int, int, int, int]:
    return (
        Client.objects.count(),
        Measurement.objects.count(),
        Guardian.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_good_bundle_creates_the_client_and_its_measurements(clinic: Clinic) -> None:
    result = _import(clinic, bundles.text(bundle()))
    client = result.client
    assert client is not None
    assert (client.given_name, client.family_name, client.sex) == ("Tobi", "Adeyemi", "male")
    assert (client.gestation_weeks, client.gestation_days, client.birth_weight_g) == (32, 3, 1600)
    assert client.identifier == "NICU-0042"
    assert client.organisation_id == clinic.org.pk
    rows = {(m.instrument_id, round(m.value, 3), m.unit) for m in client.measurements.all()}
    assert rows == {
        ("weight", 1.85, "kg"),
        ("weight", 1.88, "kg"),
        ("length_height", 43.0, "cm"),
        ("head_circumference", 30.5, "cm"),
    }
    length = client.measurements.get(instrument_id="length_height")
    assert length.details["method"] == "length"
    assert result.measurements == 4


def test_the_imported_client_has_no_consent_and_the_result_says_so(clinic: Clinic) -> None:
    result = _import(clinic, bundles.text(bundle()))
    assert result.client is not None
    assert not Consent.objects.filter(client=result.client).exists()
    assert "no consent recorded" in result.consent_note


def test_the_import_is_audited(clinic: Clinic) -> None:
    result = _import(clinic, bundles.text(bundle()))
    assert result.client is not None
    events = AuditEvent.objects.filter(client_id=result.client.pk)
    assert events.filter(entity="fhir_import", action="create").count() == 1
    assert events.filter(entity="measurement", action="create").count() == 4
    assert events.filter(entity="client", action="create").count() == 1


def test_a_dry_run_checks_everything_and_saves_nothing(clinic: Clinic) -> None:
    before = _counts()
    result = _import(clinic, bundles.text(bundle()), dry_run=True)
    assert result.dry_run
    assert result.client is None
    assert result.measurements == 4
    assert _counts() == before


def test_the_plan_survives_a_trip_through_json(clinic: Clinic) -> None:
    plan = services.fhir_plan(bundles.text(bundle()))
    again = ImportPlan.from_json(json.loads(json.dumps(plan.to_json())))
    assert again == plan


def _replace(n: int, entry: dict[str, Any]) -> Callable[[], str]:
    def make() -> str:
        entries = bundles.good_entries()
        entries[n] = entry
        return bundles.text(bundle(entries))

    return make


def _with(*extra: dict[str, Any]) -> Callable[[], str]:
    return lambda: bundles.text(bundle([*bundles.good_entries(), *extra]))


BAD: list[tuple[str, Callable[[], str | bytes], str]] = [
    ("empty file", lambda: "", "empty"),
    ("not json", lambda: "{this is not json", "not valid JSON"),
    ("not utf-8", lambda: b"\xff\xfe{}", "not UTF-8"),
    ("json array", lambda: "[1, 2]", "not a FHIR resource"),
    ("a patient, not a bundle", lambda: json.dumps(patient()["resource"]), "a Patient, not a Bundle"),
    ("nan", lambda: '{"resourceType": "Bundle", "type": "collection", "total": NaN}', "not valid JSON"),
    (
        "nul character",
        _replace(0, patient(name=[{"family": "Ade\u0000yemi", "given": ["Tobi"]}])),
        "control characters",
    ),
    ("no bundle type", lambda: json.dumps({"resourceType": "Bundle", "entry": []}), "not valid FHIR R4B"),
    (
        "observation without status",
        _replace(3, observation("29463-7", 1850, "g", status=None)),
        "not valid FHIR R4B",
    ),
    ("wrong element type", _replace(0, patient(birthDate=12)), "not valid FHIR R4B"),
    ("no patient", lambda: bundles.text(bundle(bundles.good_entries()[1:])), "no Patient"),
    ("two patients", _with(patient(id="p2")), "2 Patients"),
    ("unknown code", _replace(3, observation("8867-4", 150, "/min")), "unknown code"),
    ("unknown unit", _replace(3, observation("29463-7", 4.1, "[lb_av]")), "is not accepted"),
    (
        "not ucum",
        _replace(
            3,
            observation(
                "29463-7",
                1850,
                "g",
                valueQuantity={"value": 1850, "unit": "g", "system": "http://example.org/units", "code": "g"},
            ),
        ),
        "UCUM",
    ),
    ("implausible weight", _replace(3, observation("29463-7", 25, "kg")), "Weight 25 kg"),
    ("impossible head", _replace(6, observation("9843-4", 3, "cm")), "Head circumference"),
    ("gender unknown", _replace(0, patient(gender="unknown")), "need male or female"),
    ("gender missing", _replace(0, patient(gender=None)), "need male or female"),
    ("partial birth date", _replace(0, patient(birthDate="2024-05")), "full birth date"),
    ("no family name", _replace(0, patient(name=[{"given": ["Tobi"]}])), "family name"),
    ("measured before birth", _replace(3, observation("29463-7", 1850, "g", days_ago=40)), "before"),
    ("preliminary", _replace(3, observation("29463-7", 1850, "g", status="preliminary")), "only final"),
    ("no date", _replace(3, observation("29463-7", 1850, "g", effectiveDateTime=None)), "effectiveDateTime"),
    (
        "partial date",
        _replace(3, observation("29463-7", 1850, "g", effectiveDateTime="2025-03")),
        "not a full date",
    ),
    (
        "someone else",
        _replace(3, observation("29463-7", 1850, "g", subject={"reference": "Patient/other"})),
        "subject",
    ),
    ("negative", _replace(3, observation("29463-7", -1850, "g")), "positive number"),
    ("gestation out of range", _replace(1, observation("76516-4", 50, "wk")), "Patient gestation weeks"),
    ("two gestations", _with(observation("76516-4", 31, "wk")), "different values"),
    ("in the future", _replace(3, observation("29463-7", 1850, "g", days_ago=-3)), "future"),
]


@pytest.mark.parametrize(("make", "reason"), [(m, r) for _, m, r in BAD], ids=[n for n, _, _ in BAD])
def test_a_bad_bundle_is_refused_with_its_reason_and_saves_nothing(
    clinic: Clinic, make: Callable[[], str | bytes], reason: str
) -> None:
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        _import(clinic, make())
    messages = " | ".join(m for ms in caught.value.errors.values() for m in ms)
    assert reason in messages
    assert _counts() == before


def test_an_unusual_value_needs_confirmation_then_is_kept_and_flagged(clinic: Clinic) -> None:
    # 1850 g then 2000 g a day later: an 8% gain in a day is possible but unusual.
    entries = [*bundles.good_entries(), observation("29463-7", 2000, "g", days_ago=2)]
    raw = bundles.text(bundle(entries))
    before = _counts()
    with pytest.raises(services.NeedsConfirmation) as caught:
        _import(clinic, raw)
    assert caught.value.warnings
    assert _counts() == before
    result = _import(clinic, raw, confirm_unusual=True)
    assert result.client is not None
    assert result.client.measurements.filter(confirmed_unusual=True).exists()


def test_other_resources_entered_in_error_and_scores_are_listed_as_not_imported(clinic: Clinic) -> None:
    entries = [
        *bundles.good_entries(),
        observation("29463-7", 1.9, "kg", status="entered-in-error"),
        observation("72514-3", 3, "{score}"),
        {"resource": {"resourceType": "RelatedPerson", "patient": {"reference": bundles.PATIENT_URL}}},
    ]
    plan = services.fhir_plan(bundles.text(bundle(entries)))
    assert len(plan.measurements) == 4
    skipped = " ".join(plan.skipped)
    assert "entered in error" in skipped
    assert "score" in skipped
    assert "RelatedPerson" in skipped


def test_a_kneadwell_export_imports_into_another_organisation(clinic: Clinic, outsider: Clinic) -> None:
    from .conftest import make_record

    record = make_record(clinic)
    exported = services.fhir_export(actor=clinic.actor(Role.ADMIN), client_id=record.client.pk).bundle
    result = _import(outsider, json.dumps(exported), role=Role.ADMIN)
    client = result.client
    assert client is not None
    assert client.organisation_id == outsider.org.pk
    original = record.client
    assert (client.given_name, client.family_name, client.birth_date, client.sex) == (
        original.given_name,
        original.family_name,
        original.birth_date,
        original.sex,
    )
    assert (client.gestation_weeks, client.gestation_days, client.birth_weight_g) == (30, 2, 1400)
    mine = sorted((m.instrument_id, m.value, m.taken_at) for m in client.measurements.all())
    theirs = sorted(
        (m.instrument_id, m.value, m.taken_at)
        for m in original.measurements.filter(entered_in_error_at__isnull=True)
        if m.instrument_id != "nips"
    )
    assert mine == theirs


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.INSTRUCTOR, Role.ASSESSOR, Role.RESEARCHER])
def test_roles_without_the_permission_cannot_import(clinic: Clinic, role: Role) -> None:
    plan = services.fhir_plan(bundles.text(bundle()))
    with pytest.raises(PermissionDenied):
        services.fhir_import(actor=clinic.actor(role), plan=plan)


def test_plans_sessions_and_adverse_events_in_our_own_export_are_listed_as_not_imported(
    clinic: Clinic, outsider: Clinic
) -> None:
    from kneadwell.care.models import Session

    from .conftest import make_care_record

    record = make_care_record(clinic)
    exported = services.fhir_export(actor=clinic.actor(Role.THERAPIST), client_id=record.client.pk).bundle
    plan = services.fhir_plan(json.dumps(exported))
    assert "1 CarePlan resource: not imported." in plan.skipped
    assert "3 Procedure resources: not imported." in plan.skipped
    assert "2 AdverseEvent resources: not imported." in plan.skipped
    result = services.fhir_import(actor=outsider.actor(Role.THERAPIST), plan=plan)
    assert result.client is not None
    assert not Session.objects.filter(client=result.client).exists()
