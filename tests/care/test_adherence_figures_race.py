"""A session completed at the same moment as its plan is ended, from two threads with their own database
connections: both touch the session's slot, the audit chain (a lock held to commit on PostgreSQL) and the
plan's stored figures. Both writes succeed (they take those locks in the same order, so neither waits for
the other in a circle), and the stored figures equal those counted from scratch afterwards."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import selectors, services
from kneadwell.care.models import Plan
from kwtest.people import Clinic, make_client
from kwtest.screening import passing_check

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # See test_note_race.py: the in-memory SQLite test database cannot hold two waiting writers.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs two real connections: run on PostgreSQL"),
]
PROTOCOL, POPULATION = "preterm_tks_10d", "preterm_infant"


def test_completing_a_session_while_its_plan_ends_does_not_deadlock(clinic: Clinic) -> None:
    actor = clinic.actor(Role.THERAPIST)
    for round_ in range(4):
        client = make_client(actor, born_days_ago=40, weeks=30, days=2, given_name=f"Race{round_}")
        check = passing_check(actor, client, PROTOCOL, POPULATION)
        plan = services.plan_create(
            actor=actor, client=client, check=check, starts_at=timezone.now() - dt.timedelta(hours=2)
        )
        today = passing_check(actor, client, PROTOCOL, POPULATION)
        session = services.session_start(
            actor=actor, client=client, check=today, slot=plan.slots.order_by("due_at").first()
        )
        for index in range(len(session.steps)):
            session = services.session_step(actor=actor, session=session, index=index, outcome="done")
        start = threading.Barrier(2)
        failures: list[BaseException] = []

        def complete(session: Any = session) -> None:
            services.session_complete(actor=actor, session=session)

        def end(plan: Plan = plan) -> None:
            services.plan_end(actor=actor, plan=plan, reason="Discharged home")

        def run(
            write: Any, start: threading.Barrier = start, failures: list[BaseException] = failures
        ) -> None:
            try:
                start.wait(timeout=10)
                write()
            except BaseException as exc:
                failures.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(write,)) for write in (complete, end)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == [], [str(f) for f in failures]
        fresh = Plan.objects.get(pk=plan.pk)
        assert fresh.status == Plan.Status.ENDED
        fast = selectors.plans_figures(plans=[fresh])[fresh.pk]
        scratch = selectors.plans_adherence(plans=[fresh])[fresh.pk]
        assert (fast.planned_total, fast.due_so_far, fast.done, fast.completed_sessions) == (
            scratch.planned_total,
            scratch.due_so_far,
            scratch.done,
            scratch.completed_sessions,
        )
        assert fast.completed_sessions == 1
