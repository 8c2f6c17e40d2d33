from typing import Any

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.care import services
from kneadwell.care.models import AdverseEvent, Note, Session
from kneadwell.core.errors import Conflict, ValidationFailed
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(clinic: Clinic, preterm: Any, tks_check: Any) -> Session:
    actor = clinic.actor(Role.THERAPIST)
    session = services.session_start(actor=actor, client=preterm, check=tks_check)
    return services.session_stop(actor=actor, session=session, reason="Baby fell asleep")


def test_a_note_cannot_be_written_while_the_session_runs(
    clinic: Clinic, preterm: Any, tks_check: Any
) -> None:
    session = services.session_start(actor=clinic.actor(Role.THERAPIST), client=preterm, check=tks_check)
    with pytest.raises(ValidationFailed):
        services.note_save(
            actor=clinic.actor(Role.THERAPIST), session=session, expected_version=None, subjective="x"
        )


def test_a_therapist_writes_signs_and_amends_a_soap_note(clinic: Clinic, finished: Session) -> None:
    actor = clinic.actor(Role.THERAPIST)
    note = services.note_save(
        actor=actor,
        session=finished,
        expected_version=None,
        subjective="Settled",
        techniques=["long_stroking"],
        regions=["back"],
        minutes=6.5,
        pressure="moderate",
    )
    assert note.kind == Note.Kind.SOAP
    signed = services.note_sign(actor=actor, note=note, expected_version=note.version)
    assert signed.locked
    with pytest.raises(Conflict):
        services.note_save(
            actor=actor, session=finished, expected_version=signed.version, subjective="changed"
        )
    amendment = services.note_amend(
        actor=actor, note=signed, text="Pressure was light, not moderate.", reason="Recorded wrongly"
    )
    signed.refresh_from_db()
    assert signed.subjective == "Settled"
    assert signed.pressure == "moderate"
    assert amendment.author == actor.user
    assert AuditEvent.objects.filter(entity="note_amendment", action="create").exists()


def test_a_parent_writes_a_diary_instead(clinic: Clinic, finished: Session) -> None:
    note = services.note_save(
        actor=clinic.actor(Role.CAREGIVER),
        session=finished,
        expected_version=None,
        response="Calm, smiled",
        sleep_after="longer",
        stools="yes",
    )
    assert note.kind == Note.Kind.DIARY


def test_two_people_editing_one_note_the_second_gets_a_conflict_not_an_overwrite(
    clinic: Clinic, finished: Session
) -> None:
    first = clinic.actor(Role.THERAPIST)
    second = clinic.actor(Role.ADMIN)
    note = services.note_save(actor=first, session=finished, expected_version=None, subjective="draft")
    loaded_by_both = note.version
    services.note_save(
        actor=first, session=finished, expected_version=loaded_by_both, subjective="first's edit"
    )
    with pytest.raises(Conflict) as caught:
        services.note_save(
            actor=second, session=finished, expected_version=loaded_by_both, subjective="second's"
        )
    assert "Someone else saved a change" in caught.value.message
    note.refresh_from_db()
    assert note.subjective == "first's edit"


def test_signing_an_empty_soap_note_is_refused(clinic: Clinic, finished: Session) -> None:
    actor = clinic.actor(Role.THERAPIST)
    note = services.note_save(actor=actor, session=finished, expected_version=None)
    with pytest.raises(ValidationFailed):
        services.note_sign(actor=actor, note=note, expected_version=note.version)


def test_an_adverse_event_needs_what_severity_and_action(
    clinic: Clinic, preterm: Any, finished: Session
) -> None:
    from django.utils import timezone

    actor = clinic.actor(Role.THERAPIST)
    with pytest.raises(ValidationFailed) as caught:
        services.adverse_event_record(
            actor=actor,
            client=preterm,
            occurred_at=timezone.now(),
            what="",
            severity="awful",
            action_taken="",
        )
    assert {"what", "severity", "action_taken"} <= set(caught.value.errors)
    event = services.adverse_event_record(
        actor=actor,
        client=preterm,
        session=finished,
        occurred_at=timezone.now(),
        what="Brief desaturation to 85%",
        severity="mild",
        action_taken="Hands off; recovered in 20 s",
    )
    assert AdverseEvent.objects.get(pk=event.pk).session == finished
