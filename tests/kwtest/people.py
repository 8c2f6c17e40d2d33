"""Named people for tests, Healthchecks-style: an organisation with one member per role, and an
outsider organisation whose data must stay invisible."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.utils import timezone

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import Membership, Organisation, User
from kneadwell.accounts.roles import Role
from kneadwell.accounts.services import api_token_create
from kneadwell.clients import services as client_services
from kneadwell.clients.models import Client, Guardian

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def make_user(email: str | None = None, name: str = "Test Person") -> User:
    email = email or f"person{next(_counter)}@example.test"
    return User.objects.create_user(email=email, password=PASSWORD, full_name=name)


def make_member(org: Organisation, role: Role, email: str | None = None) -> Membership:
    # Named by the role's id, not its label: a label in a person's name would read as untranslated text
    # on a page checked for English left in Spanish or Arabic.
    user = make_user(email, name=f"{role.value.capitalize()} {next(_counter)}")
    return Membership.objects.create(user=user, organisation=org, role=role)


def actor_for(membership: Membership, channel: Channel = Channel.PAGE) -> Actor:
    return Actor(user=membership.user, membership=membership, channel=channel)


def make_client(
    actor: Actor,
    *,
    consent: bool = True,
    guardian_user: User | None = None,
    born_days_ago: int = 40,
    weeks: int | None = 30,
    days: int | None = 2,
    **extra: object,
) -> Client:
    today = timezone.localdate()
    values: dict[str, object] = {
        "given_name": "Maya",
        "family_name": f"Okafor{next(_counter)}",
        "birth_date": today - dt.timedelta(days=born_days_ago),
        "sex": "female",
        "gestation_weeks": weeks,
        "gestation_days": days,
        "birth_weight_g": 1400,
    }
    values.update(extra)
    client = client_services.client_create(actor=actor, **values)  # type: ignore[arg-type]
    guardian = client_services.guardian_create(
        actor=actor,
        client=client,
        name="Pat Parent",
        relationship=Guardian.Relationship.MOTHER,
        email=guardian_user.email if guardian_user else "",
        user=guardian_user,
    )
    if consent:
        client_services.consent_record(
            actor=actor,
            client=client,
            kind="guardian",
            scopes=["care", "measurements", "sharing"],
            signed_by_name="Pat Parent",
            signed_on=today,
            method="paper",
            attestation=True,
            guardian=guardian,
        )
    return client


@dataclass
class Clinic:
    """One organisation with a member of every role, a client the caregiver guards, and a client they
    do not."""

    org: Organisation
    members: dict[Role, Membership] = field(default_factory=dict)
    client: Client | None = None
    other_client: Client | None = None

    def actor(self, role: Role, channel: Channel = Channel.PAGE) -> Actor:
        return actor_for(self.members[role], channel)

    def user(self, role: Role) -> User:
        return self.members[role].user

    def token(self, role: Role) -> str:
        _, raw = api_token_create(actor=self.actor(role, Channel.API), name="tests")
        return raw


def make_clinic(name: str = "Test clinic") -> Clinic:
    org = Organisation.objects.create(name=name, kind=Organisation.Kind.CLINIC)
    clinic = Clinic(org=org)
    for role in Role:
        clinic.members[role] = make_member(org, role)
    therapist = clinic.actor(Role.THERAPIST)
    clinic.client = make_client(therapist, guardian_user=clinic.user(Role.CAREGIVER))
    clinic.other_client = make_client(therapist, given_name="Leo")
    return clinic
