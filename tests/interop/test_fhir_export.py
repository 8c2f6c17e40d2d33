"""The FHIR export: parsed back by fhir.resources R4B, checked for codes, units, statuses and references
(the measurements, and plans, sessions and adverse events); tenancy, permissions and the audit row."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from kneadwell.accounts.actor import Channel
from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import NotFound, PermissionDenied
from kneadwell.interop import fhir_codes as codes
from kneadwell.interop import services
from kneadwell.outcomes import services as outcomes
from kwtest.people import Clinic

from .conftest import CareRecord, Record, make_care_record

pytestmark = pytest.mark.django_db


def _export(clinic: Clinic, record: Record, role: Role = Role.THERAPIST) -> dict[str, Any]:
    return services.fhir_export(actor=clinic.actor(role), client_id=record.client.pk).bundle


def _by_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _coded(resource: dict[str, Any], system: str, code: str) -> bool:
    return any(c.get("system") == system and c.get("code") == code for c in resource["code"]["coding"])


def test_the_export_parses_back_as_an_r4b_bundle_with_every_part_of_the_record(
    clinic: Clinic, full_record: Record
) -> None:
    bundle = _export(clinic, full_record)
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    assert parsed.entry is not None
    kinds = [e.resource.get_resource_type() for e in parsed.entry if e.resource is not None]
    assert kinds.count("Patient") == 1
    assert kinds.count("RelatedPerson") == 1
    assert kinds.count("Consent") == 1
    assert kinds.count("QuestionnaireResponse") == 1
    assert kinds.count("Organization") == 1
    # 6 measurements + gestational age + birth weight
    assert kinds.count("Observation") == 8


def test_growth_observations_carry_loinc_codes_and_ucum_units(clinic: Clinic, full_record: Record) -> None:
    observations = _by_type(_export(clinic, full_record), "Observation")
    weights = [o for o in observations if _coded(o, codes.LOINC, "29463-7")]
    assert len(weights) == 3  # two weights and the one entered in error
    by_value = {w["valueQuantity"]["value"]: w for w in weights}
    assert by_value[1650]["valueQuantity"] | {} == {
        "value": 1650,
        "unit": "g",
        "system": codes.UCUM,
        "code": "g",
    }
    assert by_value[1.702]["valueQuantity"]["code"] == "kg"
    assert by_value[1690]["status"] == "entered-in-error"
    assert by_value[1650]["status"] == "final"
    assert by_value[1650]["category"][0]["coding"][0]["code"] == "vital-signs"
    (length,) = [o for o in observations if _coded(o, codes.LOINC, "8306-3")]
    assert length["valueQuantity"]["code"] == "cm"
    assert length["valueQuantity"]["value"] == 42.5
    (head,) = [o for o in observations if _coded(o, codes.LOINC, "9843-4")]
    assert head["valueQuantity"]["value"] == 30.5
    (gestation,) = [o for o in observations if _coded(o, codes.LOINC, "76516-4")]
    assert round(gestation["valueQuantity"]["value"] * 7) == 30 * 7 + 2
    assert gestation["valueQuantity"]["code"] == "wk"
    (birth_weight,) = [o for o in observations if _coded(o, codes.LOINC, "8339-4")]
    assert birth_weight["valueQuantity"]["value"] == 1400
    assert all(o["effectiveDateTime"] for o in observations)


def test_a_score_is_a_survey_observation_with_its_total_and_items(
    clinic: Clinic, full_record: Record
) -> None:
    observations = _by_type(_export(clinic, full_record), "Observation")
    (nips,) = [o for o in observations if _coded(o, codes.LOCAL_INSTRUMENT, "nips")]
    assert nips["category"][0]["coding"][0]["code"] == "survey"
    assert nips["valueQuantity"] == {"value": 2.0, "unit": "score", "system": codes.UCUM, "code": "{score}"}
    assert nips["component"], "the item scores travel as components"


def test_a_laboratory_value_is_a_laboratory_observation_with_its_context_in_its_own_unit(
    clinic: Clinic, full_record: Record
) -> None:
    outcomes.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=full_record.client,
        instrument_id="bilirubin",
        answers={"value": "12.5", "unit": "mg/dL", "age_hours": "60"},  # as the form sends them
        taken_at=timezone.localdate(),
    )
    observations = _by_type(_export(clinic, full_record), "Observation")
    (bilirubin,) = [o for o in observations if _coded(o, codes.LOCAL_INSTRUMENT, "bilirubin")]
    assert bilirubin["category"][0]["coding"][0]["code"] == "laboratory"
    assert bilirubin["valueQuantity"] == {
        "value": 12.5,
        "unit": "mg/dL",
        "system": codes.UCUM,
        "code": "mg/dL",
    }
    (age,) = bilirubin["component"]
    assert age["valueQuantity"] == {"value": 60, "unit": "hours", "system": codes.UCUM, "code": "h"}


def test_patient_guardian_and_consent_are_coded_and_linked(clinic: Clinic, full_record: Record) -> None:
    bundle = _export(clinic, full_record)
    (patient,) = _by_type(bundle, "Patient")
    client = full_record.client
    assert patient["gender"] == "female"
    assert patient["birthDate"] == client.birth_date.isoformat()
    assert patient["name"][0]["family"] == client.family_name
    (guardian,) = _by_type(bundle, "RelatedPerson")
    assert guardian["relationship"][0]["coding"][0] == {
        "system": codes.V3_ROLE_CODE,
        "code": "MTH",
        "display": "mother",
    }
    (consent,) = _by_type(bundle, "Consent")
    assert consent["status"] == "active"
    assert consent["scope"]["coding"][0]["code"] == "treatment"
    assert consent["category"][0]["coding"][0]["code"] == "59284-0"
    assert consent["dateTime"]
    urls = {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle["entry"]}
    assert consent["performer"][0]["reference"] == urls["RelatedPerson"]
    assert guardian["patient"]["reference"] == urls["Patient"]


def test_a_withdrawn_consent_is_inactive(clinic: Clinic, full_record: Record) -> None:
    from kneadwell.clients.services import consent_withdraw

    consent = full_record.client.consents.get()
    consent_withdraw(actor=clinic.actor(Role.THERAPIST), consent=consent, reason="parent asked to stop")
    (exported,) = _by_type(_export(clinic, full_record), "Consent")
    assert exported["status"] == "inactive"
    assert "end" in exported["provision"]["period"]


def test_the_intake_is_a_questionnaire_response_to_our_question_set(
    clinic: Clinic, full_record: Record
) -> None:
    (response,) = _by_type(_export(clinic, full_record), "QuestionnaireResponse")
    assert response["questionnaire"] == f"{codes.QUESTIONNAIRE_BASE}/preterm_intake|2025.1+test"
    assert response["status"] == "completed"
    answers = {item["linkId"]: item["answer"] for item in response["item"]}
    assert answers["under_medical_care"] == [{"valueBoolean": True}]
    assert answers["fracture_regions"][0]["valueCoding"]["code"] == "none"
    assert "platelet_count" not in answers  # not answered


def test_every_reference_resolves_to_an_entry_and_ids_match_full_urls(
    clinic: Clinic, full_record: Record
) -> None:
    bundle = _export(clinic, full_record)
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert len(urls) == len(bundle["entry"])
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"

    def references(value: Any) -> list[str]:
        if isinstance(value, dict):
            found = [value["reference"]] if isinstance(value.get("reference"), str) else []
            return found + [r for v in value.values() for r in references(v)]
        if isinstance(value, list):
            return [r for v in value for r in references(v)]
        return []

    refs = references([e["resource"] for e in bundle["entry"]])
    assert refs
    assert set(refs) <= urls


def test_exporting_twice_gives_the_same_resources(clinic: Clinic, full_record: Record) -> None:
    first, second = _export(clinic, full_record), _export(clinic, full_record)
    assert first["entry"] == second["entry"]


def test_the_export_is_audited_with_its_channel(clinic: Clinic, full_record: Record) -> None:
    services.fhir_export(actor=clinic.actor(Role.ADMIN, Channel.API), client_id=full_record.client.pk)
    event = AuditEvent.objects.filter(action="export", client_id=full_record.client.pk).get()
    assert event.channel == "api"
    assert event.changes["resources"]["Observation"] == 8


def test_another_organisations_client_is_not_found(clinic: Clinic, outsider: Clinic) -> None:
    assert outsider.client is not None
    with pytest.raises(NotFound):
        services.fhir_export(actor=clinic.actor(Role.ADMIN), client_id=outsider.client.pk)


def test_a_caregiver_exports_their_own_child_but_not_another(clinic: Clinic) -> None:
    assert clinic.client is not None
    assert clinic.other_client is not None
    bundle = services.fhir_export(actor=clinic.actor(Role.CAREGIVER), client_id=clinic.client.pk).bundle
    assert _by_type(bundle, "Patient")
    with pytest.raises(NotFound):
        services.fhir_export(actor=clinic.actor(Role.CAREGIVER), client_id=clinic.other_client.pk)


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.ASSESSOR, Role.RESEARCHER])
def test_roles_without_the_permission_are_refused(clinic: Clinic, role: Role) -> None:
    assert clinic.client is not None
    with pytest.raises(PermissionDenied):
        services.fhir_export(actor=clinic.actor(role), client_id=clinic.client.pk)


def test_a_length_without_a_method_is_coded_lying_for_an_infant(clinic: Clinic) -> None:
    from kneadwell.outcomes import services as outcome_services

    from .conftest import days_ago

    assert clinic.client is not None
    outcome_services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=clinic.client,
        instrument_id="length_height",
        answers={"value": 42.0, "unit": "cm"},
        taken_at=days_ago(1),
    )
    bundle = services.fhir_export(actor=clinic.actor(Role.THERAPIST), client_id=clinic.client.pk).bundle
    (length,) = [
        o for o in _by_type(bundle, "Observation") if _coded(o, codes.LOCAL_INSTRUMENT, "length_height")
    ]
    assert _coded(length, codes.LOINC, "8306-3")


# --- plans, sessions and adverse events --------------------------------------------------------------


def _care_bundle(clinic: Clinic, record: CareRecord) -> dict[str, Any]:
    bundle = services.fhir_export(actor=clinic.actor(Role.THERAPIST), client_id=record.client.pk).bundle
    Bundle.model_validate(bundle)  # parsed back by fhir.resources R4B
    return bundle


def _url(bundle: dict[str, Any], kind: str, identifier: str) -> str:
    wanted = {"system": codes.SID_RECORD, "value": identifier}

    def identifiers(resource: dict[str, Any]) -> list[Any]:
        found = resource.get("identifier", [])
        return found if isinstance(found, list) else [found]  # AdverseEvent has one, not a list

    (url,) = [
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == kind and wanted in identifiers(e["resource"])
    ]
    return url


def _resource(bundle: dict[str, Any], kind: str, identifier: str) -> dict[str, Any]:
    url = _url(bundle, kind, identifier)
    (resource,) = [e["resource"] for e in bundle["entry"] if e["fullUrl"] == url]
    return resource


def test_a_plan_is_a_careplan_with_its_schedule_goals_and_personalisation(
    clinic: Clinic, care_record: CareRecord
) -> None:
    bundle = _care_bundle(clinic, care_record)
    (plan,) = _by_type(bundle, "CarePlan")
    assert plan["status"] == "active"
    assert plan["intent"] == "plan"
    assert plan["description"] == "Tactile-kinesthetic stimulation, 10 days (Field)"
    assert plan["category"][0]["coding"][0] | {} == {
        "system": codes.LOCAL_PROTOCOL,
        "code": "preterm_tks_10d",
        "display": plan["description"],
    }
    assert plan["subject"]["reference"] == care_record_patient_url(bundle)
    assert plan["period"]["start"]
    assert "end" not in plan["period"]
    (activity,) = plan["activity"]
    assert activity["detail"]["status"] == "in-progress"
    assert activity["detail"]["description"] == (
        "3 sessions a day for 10 days, 15 minutes each; 30 sessions scheduled"
    )
    assert _coded(activity["detail"], codes.SNOMED, "387854002")
    notes = [n["text"] for n in plan["note"]]
    assert "Goals: Steady weight gain; calmer after feeds" in notes
    assert "Personalised: pressure light at most." in notes


def test_an_ended_plan_is_completed_with_its_end_and_reason(clinic: Clinic, care_record: CareRecord) -> None:
    from kneadwell.care import services as care_services

    care_services.plan_end(
        actor=clinic.actor(Role.THERAPIST), plan=care_record.plan, reason="Discharged home"
    )
    (plan,) = _by_type(_care_bundle(clinic, care_record), "CarePlan")
    assert plan["status"] == "completed"
    assert plan["activity"][0]["detail"]["status"] == "completed"
    assert plan["period"]["end"]
    assert "Ended: Discharged home" in [n["text"] for n in plan["note"]]


def test_a_completed_session_is_a_procedure_with_codes_period_body_sites_plan_and_signed_note(
    clinic: Clinic, care_record: CareRecord
) -> None:
    bundle = _care_bundle(clinic, care_record)
    procedure = _resource(bundle, "Procedure", f"session/{care_record.completed.pk}")
    assert procedure["status"] == "completed"
    assert _coded(procedure, codes.SNOMED, "387854002")
    assert _coded(procedure, codes.LOCAL_PROCEDURE, "massage-session")
    assert procedure["subject"]["reference"] == care_record_patient_url(bundle)
    assert procedure["basedOn"] == [{"reference": _url(bundle, "CarePlan", f"plan/{care_record.plan.pk}")}]
    session = care_record.completed
    assert session.ended_at is not None
    assert procedure["performedPeriod"] == {
        "start": timezone.localtime(session.started_at).isoformat(),
        "end": timezone.localtime(session.ended_at).isoformat(),
    }
    sites = [c["coding"][0] for c in procedure["bodySite"]]
    assert all(s["system"] == codes.LOCAL_BODY_REGION for s in sites)
    done_regions = {r for s in session.step_logs.filter(outcome="done") for r in s.regions}
    assert {s["code"] for s in sites} == done_regions
    assert {"code": "head", "display": "Head", "system": codes.LOCAL_BODY_REGION} in sites
    texts = [n["text"] for n in procedure["note"]]
    assert texts[0].startswith("2 steps done, 1 skipped (fell asleep)")
    assert texts[1].splitlines() == [
        "Signed SOAP note",
        "Subjective: Mother says feeds went well",
        "Objective: HR 150-160 throughout",
        "Assessment: Tolerated well",
        "Plan: Continue three a day",
    ]
    assert texts[2] == "Amendment to the signed note: HR 148-160 (reason: misread monitor)"


def care_record_patient_url(bundle: dict[str, Any]) -> str:
    (url,) = [e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    return url


def test_stopped_and_open_sessions_carry_their_status_and_reason(
    clinic: Clinic, care_record: CareRecord
) -> None:
    bundle = _care_bundle(clinic, care_record)
    stopped = _resource(bundle, "Procedure", f"session/{care_record.stopped.pk}")
    assert stopped["status"] == "stopped"
    assert stopped["statusReason"] == {"text": "Crying and arching"}
    assert "end" in stopped["performedPeriod"]
    assert "bodySite" not in stopped  # stopped before the first step was done
    assert len(stopped["note"]) == 1  # no signed note
    running = _resource(bundle, "Procedure", f"session/{care_record.open_session.pk}")
    assert running["status"] == "in-progress"
    assert "end" not in running["performedPeriod"]
    assert "statusReason" not in running


def test_a_draft_note_is_not_exported(clinic: Clinic, care_record: CareRecord) -> None:
    from kneadwell.care import services as care_services

    care_services.note_save(
        actor=clinic.actor(Role.THERAPIST),
        session=care_record.stopped,
        expected_version=None,
        subjective="draft",
    )
    stopped = _resource(_care_bundle(clinic, care_record), "Procedure", f"session/{care_record.stopped.pk}")
    assert not any("draft" in n["text"] for n in stopped["note"])


def test_adverse_events_carry_seriousness_severity_the_session_and_what_was_done(
    clinic: Clinic, care_record: CareRecord
) -> None:
    bundle = _care_bundle(clinic, care_record)
    mild = _resource(bundle, "AdverseEvent", f"adverse-event/{care_record.mild.pk}")
    assert mild["actuality"] == "actual"
    assert mild["event"]["text"] == "Red skin on the back <oil?>"
    assert mild["seriousness"]["coding"][0] == {
        "system": codes.AE_SERIOUSNESS,
        "code": "Non-serious",
        "display": "Non-serious",
    }
    assert mild["severity"]["coding"][0]["code"] == "mild"
    assert mild["suspectEntity"] == [
        {"instance": {"reference": _url(bundle, "Procedure", f"session/{care_record.stopped.pk}")}}
    ]
    assert "Oil wiped off" in mild["text"]["div"]
    assert "&lt;oil?&gt;" in mild["text"]["div"]  # escaped in the XHTML narrative
    severe = _resource(bundle, "AdverseEvent", f"adverse-event/{care_record.severe.pk}")
    assert "coding" not in severe["seriousness"]  # not asserted either way (docs/interop.md)
    assert severe["severity"]["coding"][0]["code"] == "severe"
    assert "suspectEntity" not in severe
    assert "neonatologist" in severe["text"]["div"]


def test_a_serious_adverse_event_is_coded_serious_and_severe(clinic: Clinic, care_record: CareRecord) -> None:
    from kneadwell.care import services as care_services

    event = care_services.adverse_event_record(
        actor=clinic.actor(Role.THERAPIST),
        client=care_record.client,
        occurred_at=timezone.now(),
        what="Admitted with a fracture found after the session",
        severity="serious",
        action_taken="Sent to hospital",
    )
    exported = _resource(_care_bundle(clinic, care_record), "AdverseEvent", f"adverse-event/{event.pk}")
    assert exported["seriousness"]["coding"][0]["code"] == "Serious"
    assert [c["code"] for c in exported["severity"]["coding"]] == ["severe", "serious"]


def test_care_references_resolve_and_ids_are_stable(clinic: Clinic, care_record: CareRecord) -> None:
    first, second = _care_bundle(clinic, care_record), _care_bundle(clinic, care_record)
    assert first["entry"] == second["entry"]
    urls = {e["fullUrl"] for e in first["entry"]}
    kinds = [e["resource"]["resourceType"] for e in first["entry"]]
    assert (kinds.count("CarePlan"), kinds.count("Procedure"), kinds.count("AdverseEvent")) == (1, 3, 2)
    for resource in _by_type(first, "Procedure"):
        assert {r["reference"] for r in resource.get("basedOn", [])} <= urls
    for resource in _by_type(first, "AdverseEvent"):
        assert {s["instance"]["reference"] for s in resource.get("suspectEntity", [])} <= urls


def test_care_sections_use_a_fixed_number_of_queries(clinic: Clinic, care_record: CareRecord) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kneadwell.interop.fhir_export_base import ExportContext
    from kneadwell.interop.fhir_export_care import (
        adverse_event_section,
        careplan_section,
        procedure_section,
    )

    def count() -> tuple[int, dict[str, int]]:
        ctx = ExportContext(client=care_record.client)
        with CaptureQueriesContext(connection) as queries:
            for section in (careplan_section, procedure_section, adverse_event_section):
                section(ctx)
        return len(queries), ctx.counts

    before, rows_before = count()
    from kneadwell.care import services as care_services

    care_services.plan_end(actor=clinic.actor(Role.THERAPIST), plan=care_record.plan, reason="restarted")
    make_care_record(clinic, care_record.client)  # another plan's worth: sessions, notes, events
    after, rows_after = count()
    assert rows_after == {"CarePlan": 2, "Procedure": 6, "AdverseEvent": 4}
    assert rows_before == {"CarePlan": 1, "Procedure": 3, "AdverseEvent": 2}
    assert after == before


def test_a_session_recorded_after_the_fact_says_so_and_has_no_plan(clinic: Clinic) -> None:
    import datetime as dt

    from kneadwell.care import services as care_services

    assert clinic.client is not None
    started = timezone.now() - dt.timedelta(days=2)
    session = care_services.session_import(
        actor=clinic.actor(Role.THERAPIST),
        client=clinic.client,
        protocol_id="preterm_tks_10d",
        status="completed",
        started_at=started,
        ended_at=started + dt.timedelta(minutes=16),
        steps=[care_services.PastStep("long_stroking", ("back",), "done", 600.0)],
        source="a paper record",
    )
    bundle = services.fhir_export(actor=clinic.actor(Role.THERAPIST), client_id=clinic.client.pk).bundle
    procedure = _resource(bundle, "Procedure", f"session/{session.pk}")
    assert "basedOn" not in procedure
    assert procedure["note"][0]["text"].startswith("Recorded after the fact")
    assert [c["coding"][0]["code"] for c in procedure["bodySite"]] == ["back"]
