"""The home page's "Due today" list (care.selectors.slots_due): the sessions still due up to a time, for the
clients the person can see, earliest first, at most `limit`; never another organisation's, an ended plan's,
an archived client's or a session already done. (Its organisation condition is the indexed one since
issue 11: PostgreSQL's plan for the other way cost 87 ms on the seeded clinic. The rows must not change.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import selectors, services
from kneadwell.care.models import Plan, ScheduledSession
from kneadwell.clients.models import Client
from kwtest.people import Clinic, make_client
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db

FAR = dt.timedelta(days=400)


def plan_for(clinic: Clinic, client: Any) -> Plan:
    actor = clinic.actor(Role.THERAPIST)
    check = passing_check(actor, client, "preterm_tks_10d", "preterm_infant")
    return services.plan_create(
        actor=actor, client=client, check=check, starts_at=timezone.now() + dt.timedelta(minutes=5)
    )


def expected(clinic: Clinic, until: dt.datetime) -> list[int]:
    """The same list worked out the plain way, from every slot."""
    rows = [
        s
        for s in ScheduledSession.objects.select_related("plan__client").order_by("due_at", "sequence", "pk")
        if s.plan.organisation_id == clinic.org.pk
        and s.plan.status == Plan.Status.ACTIVE
        and s.plan.client.archived_at is None
        and s.status == ScheduledSession.Status.DUE
        and s.due_at <= until
    ]
    return [s.pk for s in rows]


def test_only_this_organisations_active_due_slots_earliest_first(
    clinic: Clinic, outsider: Clinic, preterm: Any
) -> None:
    mine = plan_for(clinic, preterm)
    other_child = make_client(outsider.actor(Role.THERAPIST), given_name="Ola")
    theirs = plan_for(outsider, other_child)
    until = timezone.now() + FAR
    shown = [s.pk for s in selectors.slots_due(actor=clinic.actor(Role.ADMIN), until=until, limit=500)]
    assert shown == expected(clinic, until)
    assert set(shown) == set(mine.slots.values_list("pk", flat=True))
    assert not set(shown) & set(theirs.slots.values_list("pk", flat=True))
    # `limit` keeps the earliest; `until` stops at the time asked.
    first_three = selectors.slots_due(actor=clinic.actor(Role.ADMIN), until=until, limit=3)
    assert [s.pk for s in first_three] == shown[:3]
    first_due = mine.slots.order_by("due_at").first()
    assert first_due is not None
    just_first = selectors.slots_due(actor=clinic.actor(Role.ADMIN), until=first_due.due_at)
    assert [s.pk for s in just_first] == [first_due.pk]


def test_ended_plans_archived_clients_and_done_slots_leave_the_list(clinic: Clinic, preterm: Any) -> None:
    therapist = clinic.actor(Role.THERAPIST)
    plan = plan_for(clinic, preterm)
    second = make_client(therapist, given_name="Noor")
    ended = plan_for(clinic, second)
    services.plan_end(actor=therapist, plan=ended, reason="Programme completed")
    third = make_client(therapist, given_name="Ivo")
    archived = plan_for(clinic, third)
    Client.objects.filter(pk=third.pk).update(archived_at=timezone.now())  # archived (retention, erasure)
    slot = plan.slots.order_by("due_at").first()
    check = passing_check(therapist, preterm, "preterm_tks_10d", "preterm_infant")
    session = services.session_start(actor=therapist, client=preterm, check=check, slot=slot)
    for index in range(len(session.steps)):
        session = services.session_step(actor=therapist, session=session, index=index, outcome="done")
    services.session_complete(actor=therapist, session=session)

    until = timezone.now() + FAR
    shown = [s.pk for s in selectors.slots_due(actor=clinic.actor(Role.ADMIN), until=until, limit=500)]
    assert shown == expected(clinic, until)
    assert slot is not None
    assert slot.pk not in shown
    assert not set(shown) & set(ended.slots.values_list("pk", flat=True))
    assert not set(shown) & set(archived.slots.values_list("pk", flat=True))
    assert len(shown) == plan.slots.count() - 1


def test_a_parent_sees_only_their_own_childs_sessions_on_the_home_page(
    client: HttpClient, clinic: Clinic, preterm: Any
) -> None:
    mine = plan_for(clinic, preterm)
    someone_else = make_client(clinic.actor(Role.THERAPIST), given_name="Zed")
    theirs = plan_for(clinic, someone_else)
    until = timezone.now() + FAR
    caregiver = clinic.actor(Role.CAREGIVER)
    shown = {s.pk for s in selectors.slots_due(actor=caregiver, until=until, limit=500)}
    assert shown == set(mine.slots.values_list("pk", flat=True))
    assert not shown & set(theirs.slots.values_list("pk", flat=True))

    client.force_login(clinic.user(Role.ADMIN))
    page = client.get(reverse("dashboard")).content.decode()
    # Nothing is due before the end of today (the plans start in five minutes' time, one a day) beyond
    # the first slots, which the page links to.
    for plan in (mine, theirs):
        first = plan.slots.order_by("due_at").first()
        assert first is not None
        today_end = timezone.localtime().replace(hour=23, minute=59, second=59)
        assert (f"slot={first.pk}" in page) == (first.due_at <= today_end)
