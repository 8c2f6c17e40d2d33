import datetime as dt

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.clients import selectors, services
from kneadwell.clients.models import Client, Consent
from kneadwell.clients.rules import Scope
from kneadwell.core.errors import Conflict, ConsentRequired, NotFound, PermissionDenied, ValidationFailed
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def new_baby(clinic: Clinic, role: Role = Role.THERAPIST, **overrides: object) -> Client:
    values: dict[str, object] = {
        "given_name": "Ada",
        "family_name": "Baby",
        "birth_date": TODAY() - dt.timedelta(days=10),
        "sex": "female",
        "gestation_weeks": 30,
        "gestation_days": 2,
        "birth_weight_g": 1450,
    }
    values.update(overrides)
    return services.client_create(actor=clinic.actor(role), **values)  # type: ignore[arg-type]


def test_it_creates_a_client_and_audits_it(clinic: Clinic) -> None:
    client = new_baby(clinic)
    assert client.organisation == clinic.org
    event = AuditEvent.objects.filter(entity="client", action="create", client_id=client.pk).get()
    assert event.user == clinic.user(Role.THERAPIST)
    assert event.channel == "page"
    assert event.changes["gestation_weeks"] == 30


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": dt.date(2999, 1, 1)}, "birth_date"),
        ({"gestation_weeks": 50}, "gestation_weeks"),
        ({"birth_weight_g": -100}, "birth_weight_g"),
        ({"conditions": ["made_up_condition"]}, "conditions"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    clinic: Clinic, overrides: dict[str, object], field: str
) -> None:
    before = Client.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        new_baby(clinic, **overrides)
    assert field in caught.value.errors
    assert Client.objects.count() == before


def test_a_researcher_cannot_add_clients(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        new_baby(clinic, Role.RESEARCHER)


def test_a_caregiver_who_adds_a_baby_becomes_its_guardian_and_sees_it(clinic: Clinic) -> None:
    client = new_baby(clinic, Role.CAREGIVER)
    assert client.guardians.get().user == clinic.user(Role.CAREGIVER)
    assert selectors.client_get(actor=clinic.actor(Role.CAREGIVER), client_id=client.pk) == client


def test_a_caregiver_does_not_see_other_families(clinic: Clinic) -> None:
    assert clinic.other_client is not None
    with pytest.raises(NotFound):
        selectors.client_get(actor=clinic.actor(Role.CAREGIVER), client_id=clinic.other_client.pk)
    visible = set(selectors.client_queryset(actor=clinic.actor(Role.CAREGIVER)))
    assert visible == {clinic.client}


def test_another_organisations_client_is_not_found(clinic: Clinic, outsider: Clinic) -> None:
    assert outsider.client is not None
    with pytest.raises(NotFound):
        selectors.client_get(actor=clinic.actor(Role.ADMIN), client_id=outsider.client.pk)


def test_reading_a_record_is_audited(clinic: Clinic) -> None:
    assert clinic.client is not None
    selectors.client_get(actor=clinic.actor(Role.ADMIN), client_id=clinic.client.pk)
    assert AuditEvent.objects.filter(
        action="read", client_id=clinic.client.pk, user=clinic.user(Role.ADMIN)
    ).exists()


def test_update_bumps_the_version_and_records_the_change(clinic: Clinic) -> None:
    client = new_baby(clinic)
    updated = services.client_update(
        actor=clinic.actor(Role.THERAPIST), client=client, expected_version=1, birth_weight_g=1500
    )
    assert updated.version == 2
    event = AuditEvent.objects.filter(action="update", client_id=client.pk).get()
    assert event.changes == {"birth_weight_g": [1450, 1500]}


def test_a_stale_edit_is_refused_not_silently_applied(clinic: Clinic) -> None:
    client = new_baby(clinic)
    actor = clinic.actor(Role.THERAPIST)
    services.client_update(actor=actor, client=client, expected_version=1, notes="first editor")
    with pytest.raises(Conflict):
        services.client_update(actor=actor, client=client, expected_version=1, notes="second editor")
    client.refresh_from_db()
    assert client.notes == "first editor"


def test_an_invalid_update_changes_nothing(clinic: Clinic) -> None:
    client = new_baby(clinic)
    with pytest.raises(ValidationFailed):
        services.client_update(
            actor=clinic.actor(Role.THERAPIST), client=client, expected_version=1, gestation_weeks=50
        )
    client.refresh_from_db()
    assert (client.gestation_weeks, client.version) == (30, 1)


def test_consent_needs_a_guardian_attestation_and_a_past_date(clinic: Clinic) -> None:
    client = new_baby(clinic)
    with pytest.raises(ValidationFailed) as caught:
        services.consent_record(
            actor=clinic.actor(Role.THERAPIST),
            client=client,
            kind="guardian",
            scopes=["care"],
            signed_by_name="Pat",
            signed_on=TODAY() + dt.timedelta(days=2),
            method="paper",
            attestation=False,
        )
    assert {"guardian", "signed_on", "attestation"} <= set(caught.value.errors)
    assert not Consent.objects.filter(client=client).exists()


def test_consent_cannot_name_another_clients_guardian(clinic: Clinic) -> None:
    assert clinic.client is not None
    client = new_baby(clinic)
    foreign_guardian = clinic.client.guardians.first()
    with pytest.raises(ValidationFailed) as caught:
        services.consent_record(
            actor=clinic.actor(Role.THERAPIST),
            client=client,
            kind="guardian",
            scopes=["care"],
            signed_by_name="Pat",
            signed_on=TODAY(),
            method="paper",
            attestation=True,
            guardian=foreign_guardian,
        )
    assert "guardian" in caught.value.errors


def test_a_child_cannot_give_their_own_consent(clinic: Clinic) -> None:
    client = new_baby(clinic)
    with pytest.raises(ValidationFailed) as caught:
        services.consent_record(
            actor=clinic.actor(Role.THERAPIST),
            client=client,
            kind="self",
            scopes=["care"],
            signed_by_name="Ada",
            signed_on=TODAY(),
            method="verbal",
            attestation=True,
        )
    assert "kind" in caught.value.errors


def test_withdrawing_consent_blocks_new_records_and_keeps_history(clinic: Clinic) -> None:
    assert clinic.client is not None
    services.consent_require(client=clinic.client, scope=Scope.CARE, what="massage sessions")
    consent = clinic.client.consents.get()
    services.consent_withdraw(
        actor=clinic.actor(Role.THERAPIST), consent=consent, reason="Parent asked to stop"
    )
    with pytest.raises(ConsentRequired):
        services.consent_require(client=clinic.client, scope=Scope.CARE, what="massage sessions")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawal_reason == "Parent asked to stop"
    assert Consent.objects.filter(pk=consent.pk).exists()


def test_withdrawal_needs_a_reason(clinic: Clinic) -> None:
    assert clinic.client is not None
    consent = clinic.client.consents.get()
    with pytest.raises(ValidationFailed):
        services.consent_withdraw(actor=clinic.actor(Role.THERAPIST), consent=consent, reason=" ")
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_search_ignores_control_characters_instead_of_failing(clinic: Clinic) -> None:
    assert clinic.client is not None
    found = selectors.client_search(actor=clinic.actor(Role.THERAPIST), query="Maya\x00\x0b")
    assert clinic.client in found
