"""`consent_facts_of`: the consent facts of many clients in one query (the API's client list), the same as
each client's own consents, and only the organisation in force's."""

from __future__ import annotations

from typing import Any

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Consent
from kneadwell.clients.selectors import consent_facts_of
from kneadwell.core.tenancy import organisation_scope
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db


def test_many_clients_facts_in_one_query_equal_each_clients_own(
    clinic: Clinic, django_assert_num_queries: Any
) -> None:
    actor = clinic.actor(Role.THERAPIST)
    with_consent = make_client(actor)
    without = make_client(actor, consent=False)
    with django_assert_num_queries(1):
        facts = consent_facts_of(clients=[with_consent, without])
    assert facts[with_consent.pk] == [c.facts() for c in Consent.objects.filter(client=with_consent)]
    assert facts[with_consent.pk]
    assert facts[without.pk] == []
    assert consent_facts_of(clients=[]) == {}


def test_another_organisations_clients_consents_are_not_found(clinic: Clinic, outsider: Clinic) -> None:
    theirs = make_client(outsider.actor(Role.THERAPIST))
    with organisation_scope(clinic.org.pk):
        assert consent_facts_of(clients=[theirs]) == {theirs.pk: []}
