"""The programme the client page offers next (`suggested_protocol`): the one last checked for in the
client's group, else the group's first; given the newest check the page has read already, the same answer
without a query of its own when that check is of the group (or there is none)."""

from __future__ import annotations

from typing import Any

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.library.models import ReadinessCheck
from kneadwell.library.selectors import FIRST_PROTOCOL, readiness_check_list, suggested_protocol
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db


def _check(clinic: Clinic, client: Any, protocol: str, population: str) -> ReadinessCheck:
    return ReadinessCheck.objects.create(
        organisation=clinic.org,
        client=client,
        protocol_id=protocol,
        population=population,
        action="go",
        content_version="test",
        checked_by=clinic.user(Role.THERAPIST),
    )


def test_the_newest_check_of_the_group_gives_the_same_answer_without_a_query(
    clinic: Clinic, django_assert_num_queries: Any
) -> None:
    child = make_client(clinic.actor(Role.THERAPIST))
    _check(clinic, child, "colic_relief", "infant")
    _check(clinic, child, "iaim_parent_routine", "infant")
    newest = readiness_check_list(client=child).first()
    asked = suggested_protocol(client=child, population="infant")
    with django_assert_num_queries(0):
        given = suggested_protocol(client=child, population="infant", newest=newest)
    assert given == asked == "iaim_parent_routine"


def test_a_newest_check_of_another_group_is_looked_past(clinic: Clinic) -> None:
    child = make_client(clinic.actor(Role.THERAPIST))
    _check(clinic, child, "colic_relief", "infant")
    _check(clinic, child, "preterm_tks_10d", "preterm_infant")
    newest = readiness_check_list(client=child).first()
    assert newest is not None
    assert newest.population == "preterm_infant"
    assert suggested_protocol(client=child, population="infant", newest=newest) == "colic_relief"


def test_without_any_check_the_groups_first_programme_is_offered_without_a_query(
    clinic: Clinic, django_assert_num_queries: Any
) -> None:
    child = make_client(clinic.actor(Role.THERAPIST))
    with django_assert_num_queries(0):
        offered = suggested_protocol(client=child, population="infant", newest=None)
    assert offered == FIRST_PROTOCOL["infant"] == suggested_protocol(client=child, population="infant")
