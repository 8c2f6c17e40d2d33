"""The client page's plans section and the API's list of plans run as many SQL queries for a client with
four plans (three ended, each with a session done) as for a client with one (ARCHITECTURE.md: the number
of queries per request does not grow with the data); and the unit adherence page's lighter figures
(without minutes per phase) keep every dose and stop it shows."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import selectors, services
from kneadwell.care.models import Plan, ScheduledSession
from kwtest.people import Clinic
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db


def add_plan(clinic: Clinic, client: Any, *, end: bool) -> Plan:
    """A TKS plan with its first session done; ended when `end`."""
    actor = clinic.actor(Role.THERAPIST)
    check = passing_check(actor, client, "preterm_tks_10d", "preterm_infant")
    plan = services.plan_create(
        actor=actor, client=client, check=check, starts_at=timezone.now() + dt.timedelta(minutes=5)
    )
    slot = plan.slots.order_by("due_at").first()
    today = passing_check(actor, client, "preterm_tks_10d", "preterm_infant")
    session = services.session_start(actor=actor, client=client, check=today, slot=slot)
    for index in range(len(session.steps)):
        session = services.session_step(actor=actor, session=session, index=index, outcome="done")
    services.session_complete(actor=actor, session=session)
    if end:
        services.plan_end(actor=actor, plan=plan, reason="Programme completed")
    return plan


def count(http: HttpClient, url: str, **headers: str) -> int:
    http.get(url, **headers)  # warm: one-time loads (the content library)
    with CaptureQueriesContext(connection) as queries:
        answer = http.get(url, **headers)
    assert answer.status_code == 200
    return len(queries.captured_queries)


def test_the_client_page_runs_no_more_queries_for_more_plans(
    client: HttpClient, clinic: Clinic, preterm: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    url = reverse("clients:detail", args=[preterm.pk])
    first = add_plan(clinic, preterm, end=False)
    one = count(client, url)
    services.plan_end(actor=clinic.actor(Role.THERAPIST), plan=first, reason="Programme completed")
    for _ in range(3):
        add_plan(clinic, preterm, end=True)
    add_plan(clinic, preterm, end=False)
    assert Plan.objects.filter(client=preterm).count() == 5
    with django_assert_max_num_queries(one):
        page = client.get(url)
    # The active plan's next session is still offered (it came from the subquery, not a query per plan).
    next_slot = (
        ScheduledSession.objects.filter(plan__client=preterm, plan__status="active", status="due")
        .order_by("due_at")
        .first()
    )
    assert next_slot is not None
    assert f"slot={next_slot.pk}" in page.content.decode()


def test_the_api_lists_plans_with_adherence_in_a_fixed_number_of_queries(
    client: HttpClient, clinic: Clinic, preterm: Any, django_assert_max_num_queries: Any
) -> None:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {clinic.token(Role.THERAPIST)}"}
    url = f"/api/v1/clients/{preterm.pk}/plans"
    add_plan(clinic, preterm, end=True)
    one = count(client, url, **headers)
    for _ in range(3):
        add_plan(clinic, preterm, end=True)
    with django_assert_max_num_queries(one):
        answer = client.get(url, **headers)
    plans = answer.json()
    assert len(plans) == 4
    # Each plan still carries its own figures: one session done.
    assert all(p["adherence"]["done"] == 1 and p["adherence"]["completed_sessions"] == 1 for p in plans)


def test_figures_without_phases_keep_the_doses_and_stops(clinic: Clinic, preterm: Any) -> None:
    plan = add_plan(clinic, preterm, end=False)
    full = selectors.plans_adherence(plans=[plan])[plan.pk]
    lean = selectors.plans_adherence(plans=[plan], with_phases=False)[plan.pk]
    assert full.phases  # the TKS protocol has phases, with minutes from the session done
    assert lean.phases == ()
    assert (lean.planned_total, lean.due_so_far, lean.done) == (
        full.planned_total,
        full.due_so_far,
        full.done,
    )
    assert (lean.completed_sessions, lean.stopped_sessions, lean.stop_reasons) == (
        full.completed_sessions,
        full.stopped_sessions,
        full.stop_reasons,
    )


def test_the_unit_page_lists_each_active_plan_with_its_doses(
    client: HttpClient, clinic: Clinic, preterm: Any
) -> None:
    add_plan(clinic, preterm, end=False)
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("care:adherence")).content.decode()
    assert preterm.display_name in page
    assert "1 / 30" in page  # one session done of the thirty planned
