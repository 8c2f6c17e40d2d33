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


# --- the sync's own refusals and the conflicts' stored words (issue 14) ----------------------------------
def test_the_syncs_own_refusals_reach_the_device_in_its_language(clinic: Clinic, baby: Any) -> None:  # noqa: F811
    """sync.py's refusals (an unknown kind, a NUL, a time with no offset, a key reused) are said in the
    request's language; the status a device matches on stays the English code, and nothing is stored."""
    parent = clinic.actor(Role.CAREGIVER)
    now = timezone.now()

    def record(kind: str = "note", data: dict[str, Any] | None = None, **extra: Any) -> services.DeviceRecord:
        return services.DeviceRecord(
            key=str(uuid.uuid4()),
            kind=kind,
            client_id=baby.pk,
            device_time=extra.pop("device_time", now),
            data=data or {},
            **extra,
        )

    refused = [
        record("teleport"),
        record(data={"response": "a\x00b"}),
        record(device_time=now.replace(tzinfo=None)),
    ]
    expected = {
        "en": [
            "Unknown kind of record 'teleport'.",
            "The record holds a NUL character.",
            "The device time needs its UTC offset.",
        ],
        "es": [
            "Tipo de registro desconocido: «teleport».",
            "El registro contiene un carácter NUL.",
            "La hora del dispositivo necesita su diferencia con UTC.",
        ],
        "ar": [
            "نوع سجل غير معروف: «teleport».",
            "يحتوي السجل على محرف NUL.",
            "يحتاج وقت الجهاز إلى فرقه عن التوقيت العالمي المنسق (UTC).",
        ],
    }
    for language, messages in expected.items():
        with translation.override(language):
            _at, outcomes = services.sync_records(actor=parent, records=refused)
        assert [o.status for o in outcomes] == ["refused"] * 3  # the code, never translated
        assert [o.message for o in outcomes] == messages
    assert not SyncRecord.objects.filter(key__in=[r.key for r in refused]).exists()

    # a key already used: by another person, and with other content
    device = offline_session(clinic, baby)
    check = device.records[0]
    services.sync_records(actor=parent, records=[check])
    other = services.DeviceRecord(
        key=check.key, kind=check.kind, client_id=baby.pk, device_time=now, data={"x": 1}
    )
    with translation.override("es"):
        _at, [theirs] = services.sync_records(actor=clinic.actor(Role.THERAPIST), records=[check])
        _at, [changed] = services.sync_records(actor=parent, records=[other])
    assert (theirs.status, theirs.message) == (
        "refused",
        "Otra persona ya usó la clave de este registro; no se ha guardado de nuevo.",
    )
    assert (changed.status, changed.message) == (
        "refused",
        "Ya se guardó otro registro con esta clave; este no se ha guardado.",
    )
    with translation.override("ar"):
        _at, [changed_ar] = services.sync_records(actor=parent, records=[other])
    assert changed_ar.message == "حُفظ سجل آخر بهذا المفتاح من قبل؛ لم يُحفظ هذا السجل."


def _conflicts_for(clinic: Clinic, language: str) -> dict[str, dict[str, Any]]:
    """The same offline work synced in `language`, for a baby of its own (same name, same record): a check
    of an unknown programme, a check with a question today's check does not ask, a check without consent,
    and a diary also written on the server. Returns each stored conflict by what it was."""
    from kneadwell.care import services as care_services
    from kneadwell.care.models import Session
    from kneadwell.library.services import intake_save
    from kwtest.people import make_client
    from kwtest.screening import clear_answers

    from .test_sync import PROTOCOL, Device, as_json

    parent = clinic.actor(Role.CAREGIVER)
    child = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=70,
        weeks=39,
        days=3,
        given_name="Ivy",
        family_name="Okafor",
    )
    intake_save(
        actor=parent,
        client=child,
        population="infant",
        answers=clear_answers("infant", "intake"),
        expected_version=None,
    )
    unconsented = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        consent=False,
        born_days_ago=70,
        weeks=39,
        days=3,
        given_name="Ivy",
        family_name="Okafor",
    )
    device = offline_session(clinic, child)
    *before, note = device.records
    odd = Device(child.pk)
    unknown = odd.add("check", {"protocol_id": "no_such_programme", "answers": {}, "device_action": "go"})
    stray_answers = {**as_json(clear_answers("infant", "today")), "no_such_question": 30}
    stray = odd.add("check", {"protocol_id": PROTOCOL, "answers": stray_answers, "device_action": "go"})
    no_consent = Device(unconsented.pk).add(
        "check", {"protocol_id": PROTOCOL, "answers": {}, "device_action": "go"}
    )
    with translation.override(language):
        services.sync_records(actor=parent, records=before)
        session = Session.objects.get(client=child)
        care_services.note_save(
            actor=parent, session=session, expected_version=None, response="On the tablet."
        )
        _at, outcomes = services.sync_records(actor=parent, records=[note, unknown, stray, no_consent])
    assert [o.status for o in outcomes] == ["stored"] * 4, [o.message for o in outcomes]
    rows = {row.key: row for row in SyncRecord.objects.filter(key__in=[o.key for o in outcomes])}
    names = ("note", "unknown", "stray", "no_consent")
    return {name: rows[o.key].conflict for name, o in zip(names, outcomes, strict=True)}


def test_stored_conflicts_are_english_whatever_the_syncs_language(clinic: Clinic) -> None:
    """The same sync sent in English, Spanish and Arabic stores byte-identical conflicts, in English."""
    import json

    stored = {language: _conflicts_for(clinic, language) for language in ("en", "es", "ar")}
    as_bytes = {
        language: json.dumps(conflicts, sort_keys=True, ensure_ascii=False).encode()
        for language, conflicts in stored.items()
    }
    assert as_bytes["es"] == as_bytes["en"]
    assert as_bytes["ar"] == as_bytes["en"]
    english = stored["en"]
    assert english["note"]["code"] == "note_two_devices"
    assert english["note"]["detail"].startswith(
        "Send the version you loaded (the record is now at version 1)"
    )
    assert english["unknown"]["code"] == "check_not_screened"
    assert english["unknown"]["details"] == ["Unknown protocol 'no_such_programme'."]
    assert english["stray"]["details"] == ["This question is not part of today's check."]
    assert english["no_consent"]["details"][0].startswith(
        "There is no active consent for massage sessions for Ivy Okafor."
    )
    assert english["unknown"]["detail"] == "Unknown protocol 'no_such_programme'."


def test_the_conflicts_page_shows_the_stored_english_in_the_pages_language(
    client: Any, clinic: Clinic
) -> None:
    from django.urls import reverse

    _conflicts_for(clinic, "es")
    client.force_login(clinic.user(Role.CAREGIVER))
    url = reverse("offline:conflicts")
    english = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "Unknown protocol &#x27;no_such_programme&#x27;." in english
    assert "Send the version you loaded (the record is now at version 1)" in english
    pages = {
        "es": (
            "Protocolo desconocido «no_such_programme».",
            "Esta pregunta no forma parte de la comprobación de hoy.",
            "No hay consentimiento en vigor para las sesiones de masaje de Ivy Okafor.",
            "Envía la versión que cargaste (el registro está ahora en la versión 1)",
            "Este diario también se escribió en otro dispositivo",
        ),
        "ar": (
            "بروتوكول غير معروف «no_such_programme».",
            "هذا السؤال ليس جزءًا من فحص اليوم.",
            "لا توجد موافقة سارية على جلسات التدليك لـIvy Okafor.",
            "أرسل النسخة التي حمّلتها (السجل الآن في النسخة 1)",
            "كُتبت هذه اليوميات على جهاز آخر أيضًا",
        ),
    }
    for language, shown in pages.items():
        page = client.get(url, headers={"accept-language": language}).content.decode()
        for text in shown:
            assert text in page, (language, text)
        for source in ("Unknown protocol", "not part of today", "no active consent", "Send the version"):
            assert source not in page, (language, source)


def test_a_steps_differ_conflict_is_shown_in_the_pages_language() -> None:
    """The code "session_steps_differ" (stored English by the session's start) shows its title and advice
    translated; its English stays the English."""
    from kneadwell.offline.words import shown_conflict

    stored = {
        "code": "session_steps_differ",
        "title": "This session's steps differ from the server's for this check",
        "todo": "Tell your therapist or nurse; the session is kept as it was done and flagged for them "
        "to see.",
        "detail": "",
    }
    with translation.override("en"):
        assert shown_conflict(stored) == stored
    shown: dict[str, Any] = {}
    for language in ("es", "ar"):
        with translation.override(language):
            shown[language] = shown_conflict(stored)
    assert shown["es"] == {
        **stored,
        "title": "Los pasos de esta sesión no coinciden con los del servidor para esta comprobación",
        "todo": "Díselo a tu terapeuta o enfermera; la sesión se guarda tal como se hizo y queda marcada "
        "para que la vean.",
    }
    assert shown["ar"] == {
        **stored,
        "title": "خطوات هذه الجلسة تختلف عن خطوات الخادم لهذا الفحص",
        "todo": "أخبر معالجك أو ممرضتك؛ تُحفظ الجلسة كما أُجريت، وتُعلَّم ليطّلعا عليها.",
    }


def test_a_stored_message_is_translated_only_while_it_is_the_english_source() -> None:
    from kneadwell.clients.services import ERR_NO_CONSENT
    from kneadwell.core.concurrency import ERR_NO_VERSION
    from kneadwell.offline.words import english_message, shown_message

    templates = (ERR_NO_VERSION, ERR_NO_CONSENT)
    with translation.override("es"):
        said = translation.gettext(ERR_NO_VERSION) % {"current": 7}
        assert english_message(said, templates) == ERR_NO_VERSION % {"current": 7}
        assert english_message("Algo que no es ninguna de ellas.", templates) is None
        english = ERR_NO_CONSENT.format(what="massage sessions", name="Ana Ruiz")
        assert shown_message(english, templates) == (
            "No hay consentimiento en vigor para las sesiones de masaje de Ana Ruiz. Registra primero el "
            "consentimiento de la madre, el padre o el tutor (o el de la propia persona, si es adulta)."
        )
        # the English changed (or a text of another kind): shown as stored
        changed = english.replace("first.", "now.")
        assert shown_message(changed, templates) == changed
        assert shown_message("The history's own words", templates) == "The history's own words"
        assert shown_message("", templates) == ""
