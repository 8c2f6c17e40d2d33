"""The offline app's words in a parent's language (issue 14): the records' kinds shown on the conflicts
page and the errors a device is sent are translated; the audit summary and the codes a device matches on
(a refusal's status, an error's field) stay English."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import timezone, translation

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import DomainError, NotFound
from kneadwell.offline import services
from kneadwell.offline.models import SyncRecord
from kneadwell.offline.selectors import conflict_get
from kneadwell.offline.services import sync
from kwtest.people import Clinic

from .test_sync import baby, offline_session  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
ENGLISH_KINDS = {str(label).lower() for label in SyncRecord.Kind.labels}


def test_the_kinds_are_translated_for_display_and_english_in_the_audit() -> None:
    with translation.override("es"):
        assert str(SyncRecord.Kind.NOTE.label) == "Diario o nota"
        assert str(SyncRecord.Status.CONFLICT.label) == "Guardado, con un conflicto"
        assert sync._english_kind("note") == "diary or note"
    with translation.override("ar"):
        assert str(SyncRecord.Kind.NOTE.label) == "يوميات أو ملاحظة"
        assert sync._english_kind("session_end") == "session ended"


def test_a_sync_in_spanish_writes_english_audit_summaries(clinic: Clinic, baby: Any) -> None:  # noqa: F811
    device = offline_session(clinic, baby)
    with translation.override("es"):
        _at, outcomes = services.sync_records(actor=clinic.actor(Role.CAREGIVER), records=device.records)
    assert {o.status for o in outcomes} == {"stored"}
    summaries = list(AuditEvent.objects.filter(entity="sync_record").values_list("summary", flat=True))
    assert len(summaries) == len(device.records)
    for summary in summaries:
        assert summary.startswith("synced from the device: ")
        assert "(recorded on the device at" in summary
    spanish = {"sesión", "paso", "diario", "comprobación", "señal"}
    assert not [s for s in summaries if any(word in s.lower() for word in spanish)]


def test_too_many_records_keep_the_field_and_translate_the_sentence(clinic: Clinic, baby: Any) -> None:  # noqa: F811
    record = services.DeviceRecord(
        key="k", kind="note", client_id=baby.pk, device_time=timezone.now(), data={}
    )
    with translation.override("es"), pytest.raises(DomainError) as refused:
        services.sync_records(actor=clinic.actor(Role.CAREGIVER), records=[record] * (sync.MAX_RECORDS + 1))
    assert refused.value.field == "records"
    assert refused.value.message == f"Envía como máximo {sync.MAX_RECORDS} registros a la vez."


def test_a_refusal_sent_to_the_device_is_in_its_language(clinic: Clinic, baby: Any) -> None:  # noqa: F811
    step = services.DeviceRecord(
        key=str(uuid.uuid4()),
        kind="step",
        client_id=baby.pk,
        device_time=timezone.now(),
        data={"index": 0, "outcome": "done", "seconds": 30.0},
        session_id=987654321,
    )
    with translation.override("es"):
        _at, [outcome] = services.sync_records(actor=clinic.actor(Role.CAREGIVER), records=[step])
    assert outcome.status == "refused"  # the code the device matches on
    assert outcome.message == "No existe esa sesión para esta persona."
    with translation.override("ar"), pytest.raises(NotFound) as missing:
        conflict_get(actor=clinic.actor(Role.CAREGIVER), record_id=987654321)
    assert missing.value.message == "لا يوجد هذا التعارض."
    assert "No such conflict." not in missing.value.message
    assert ENGLISH_KINDS  # the labels read in English outside a request's language


def test_an_appliers_refusal_and_wait_reach_the_device_in_spanish_and_nothing_is_stored_in_it(
    clinic: Clinic,
    baby: Any,  # noqa: F811
) -> None:
    """The per-field refusals (`_invalid`) and waits (`Waiting`) of records.py and observed.py are said in
    the request's language; a refused or waiting record writes no row, and what the stored ones keep (the
    result, the conflict, the audit summary) holds none of those Spanish words."""
    device = offline_session(clinic, baby)
    start = next(r for r in device.records if r.kind == "session_start")
    early = device.add("step", {"index": 0, "outcome": "done", "seconds": 30.0}, session_key=start.key)
    bad_step = device.add("step", {"index": 0, "outcome": "maybe", "seconds": 30.0}, session_key=start.key)
    bad_cue = device.add(
        "observation",
        {"kind": "cue", "code": "no-such-cue", "device_decision": "continue"},
        session_key=start.key,
    )
    parent = clinic.actor(Role.CAREGIVER)
    with translation.override("es"):
        _at, [waiting] = services.sync_records(actor=parent, records=[early])
        _at, outcomes = services.sync_records(actor=parent, records=[*device.records[:-3], bad_step, bad_cue])
    assert waiting.status == "waiting"  # the code the device matches on stays English
    assert waiting.message == (
        "Su sesión todavía no se ha guardado; se enviará de nuevo después del inicio de la sesión."
    )
    *stored, step_refused, cue_refused = outcomes
    assert {o.status for o in stored} == {"stored"}, [o.message for o in stored]
    assert (step_refused.status, step_refused.message) == ("refused", "Elige hecho u omitido.")
    assert (cue_refused.status, cue_refused.message) == ("refused", "Señal desconocida.")

    rows = SyncRecord.objects.filter(client=baby)
    assert sorted(rows.values_list("key", flat=True)) == sorted(r.key for r in device.records[:-3])
    kept = " ".join(f"{row.result} {row.conflict}" for row in rows)
    kept += " ".join(AuditEvent.objects.filter(entity="sync_record").values_list("summary", flat=True))
    for spanish in ("Su sesión", "Elige", "Señal", "guardado"):
        assert spanish not in kept
    with translation.override("en"):  # the same refusal in English, the source
        _at, [again] = services.sync_records(actor=parent, records=[bad_step])
    assert again.message == "Choose done or skipped."
