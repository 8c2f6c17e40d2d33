import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.models import Membership, User
from kneadwell.accounts.roles import Role
from kneadwell.accounts.services import invitation_create
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import ValidationFailed
from kwtest.people import Clinic, actor_for

pytestmark = pytest.mark.django_db


def invite(http: HttpClient, clinic: Clinic, **data: object):  # type: ignore[no-untyped-def]
    http.force_login(clinic.user(Role.ADMIN))
    return http.post(reverse("accounts:team"), data)


def test_an_admin_invites_a_caregiver_for_a_client_by_email(
    client: HttpClient, clinic: Clinic, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    assert clinic.other_client is not None
    # The email goes out only once the invitation is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(
            client, clinic, email="dad@example.test", role="caregiver", client=clinic.other_client.pk
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"http://testserver(/invitations/[^/\s]+/)", mailoutbox[0].body)
    assert link is not None

    client.logout()
    page = client.get(link.group(1))
    assert page.status_code == 200
    response = client.post(
        link.group(1),
        {
            "full_name": "Dev Dad",
            "password": "a-long-safe-passphrase",
            "password_again": "a-long-safe-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="dad@example.test")
    membership = Membership.objects.get(user=user, organisation=clinic.org)
    assert membership.role == Role.CAREGIVER
    assert list(client_queryset(actor=actor_for(membership))) == [clinic.other_client]
    # The link works once.
    client.logout()
    assert client.get(link.group(1)).status_code == 404


def test_an_invitation_with_a_bad_email_is_refused_on_the_form(
    client: HttpClient, clinic: Clinic, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    response = invite(client, clinic, email="not-an-email", role="therapist")
    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert mailoutbox == []


def test_an_existing_member_cannot_be_invited_again(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as caught:
        invitation_create(
            actor=clinic.actor(Role.ADMIN),
            email=clinic.user(Role.THERAPIST).email,
            role="therapist",
            base_url="http://x/",
        )
    assert "email" in caught.value.errors


def test_a_revoked_invitation_cannot_be_used(client: HttpClient, clinic: Clinic) -> None:
    invitation, link = invitation_create(
        actor=clinic.actor(Role.ADMIN),
        email="late@example.test",
        role="assessor",
        base_url="http://testserver/",
    )
    client.force_login(clinic.user(Role.ADMIN))
    client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    client.logout()
    assert client.get(link.replace("http://testserver", "")).status_code == 404


def test_an_admin_cannot_remove_their_own_admin_role(client: HttpClient, clinic: Clinic) -> None:
    admin = clinic.members[Role.ADMIN]
    client.force_login(admin.user)
    client.post(reverse("accounts:member_update", args=[admin.pk]), {"role": "therapist", "is_active": "on"})
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_a_deactivated_member_loses_access(client: HttpClient, clinic: Clinic) -> None:
    therapist = clinic.members[Role.THERAPIST]
    client.force_login(clinic.user(Role.ADMIN))
    client.post(reverse("accounts:member_update", args=[therapist.pk]), {"role": "therapist"})
    therapist.refresh_from_db()
    assert therapist.is_active is False
    client.force_login(therapist.user)
    assert client.get(reverse("clients:list")).status_code == 403
