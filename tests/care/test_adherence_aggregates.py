"""Each plan's stored figures (care.models.PlanFigures) against the figures counted from scratch
(selectors.plans_adherence, the way every page counted before): equal after a random mix of sessions
completed, stopped by hand or by a stop rule, left running, given outside the schedule, recorded after the
fact, and plans ended, across clients and two organisations; moved by each write that changes them and
by no other; filled for existing plans by the migration that made the table; read by the unit page in a
number of queries that does not grow with the sessions."""

from __future__ import annotations

import datetime as dt
import importlib
import random
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import selectors, services
from kneadwell.care.adherence import Adherence
from kneadwell.care.models import Plan, PlanFigures, ScheduledSession, Session
from kneadwell.care.services import PastStep
from kneadwell.care.services.figures import plan_figures_rebuild
from kneadwell.cli import main
from kneadwell.core.errors import ValidationFailed
from kwtest.people import Clinic, make_client
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db
PROTOCOL, POPULATION = "preterm_tks_10d", "preterm_infant"
BODY = ("head", "neck", "back", "left_arm", "right_arm", "left_leg", "right_leg")
REASONS = ("Baby unsettled", "Parent asked to stop: feeding time", "")


def baby(clinic: Clinic, name: str) -> Any:
    return make_client(
        clinic.actor(Role.THERAPIST), born_days_ago=40, weeks=30, days=2, given_name=name, family_name=name
    )


def enrol(clinic: Clinic, client: Any, *, hours_ago: float = 20) -> Plan:
    """A TKS plan (30 sessions, three a day) that started `hours_ago`, so its first day is due."""
    actor = clinic.actor(Role.THERAPIST)
    check = passing_check(actor, client, PROTOCOL, POPULATION)
    return services.plan_create(
        actor=actor, client=client, check=check, starts_at=timezone.now() - dt.timedelta(hours=hours_ago)
    )


def start(clinic: Clinic, client: Any, slot: ScheduledSession | None) -> Session:
    actor = clinic.actor(Role.THERAPIST)
    check = passing_check(actor, client, PROTOCOL, POPULATION)
    return services.session_start(actor=actor, client=client, check=check, slot=slot)


def finish(clinic: Clinic, session: Session, *, skip_one: bool = False) -> Session:
    actor = clinic.actor(Role.THERAPIST)
    for index in range(len(session.steps)):
        skipped = skip_one and index == 1
        session = services.session_step(
            actor=actor,
            session=session,
            index=index,
            outcome="skipped" if skipped else "done",
            skip_reason="baby asleep" if skipped else "",
        )
    return services.session_complete(actor=actor, session=session)


def stop_by_rule(clinic: Clinic, session: Session) -> None:
    actor = clinic.actor(Role.THERAPIST)
    services.session_observe(
        actor=actor, session=session, key="v1", kind="vitals", vitals={"heart_rate": 150}, moment="before"
    )
    services.session_observe(actor=actor, session=session, key="v2", kind="vitals", vitals={"heart_rate": 85})


def import_past(clinic: Clinic, client: Any, *, status: str = "completed") -> Session:
    at = timezone.now() - dt.timedelta(days=2)
    return services.session_import(
        actor=clinic.actor(Role.ADMIN),
        client=client,
        protocol_id=PROTOCOL,
        status=status,
        started_at=at,
        ended_at=at + dt.timedelta(minutes=20),
        steps=[PastStep("long_stroking", BODY, "done", 300.0, phase="Tactile")],
        stop_reason="Baby unsettled" if status == "stopped" else "",
        source="a paper record",
    )


def open_slot(plan: Plan, rng: random.Random) -> ScheduledSession | None:
    free = list(
        plan.slots.filter(status=ScheduledSession.Status.DUE, session__isnull=True).order_by("due_at")[:6]
    )
    return rng.choice(free) if free else None


def assert_same(fast: Adherence, scratch: Adherence) -> None:
    assert (
        fast.planned_total,
        fast.due_so_far,
        fast.done,
        fast.completed_sessions,
        fast.stopped_sessions,
        fast.stop_reasons,
    ) == (
        scratch.planned_total,
        scratch.due_so_far,
        scratch.done,
        scratch.completed_sessions,
        scratch.stopped_sessions,
        scratch.stop_reasons,
    )
    assert [(p.phase, p.planned_minutes) for p in fast.phases] == [
        (p.phase, p.planned_minutes) for p in scratch.phases
    ]
    for a, b in zip(fast.phases, scratch.phases, strict=True):
        assert (a.actual_minutes is None) == (b.actual_minutes is None)
        if a.actual_minutes is not None:
            assert a.actual_minutes == pytest.approx(b.actual_minutes, rel=1e-9, abs=1e-12)


def assert_figures_match_scratch(plans: list[Plan]) -> None:
    """Stored figures equal those counted from scratch, now and at later moments (sessions falling due)."""
    for later in (dt.timedelta(0), dt.timedelta(hours=5), dt.timedelta(days=3), dt.timedelta(days=40)):
        now = timezone.now() + later
        for with_phases in (True, False):
            fast = selectors.plans_figures(plans=plans, now=now, with_phases=with_phases)
            scratch = selectors.plans_adherence(plans=plans, now=now, with_phases=with_phases)
            assert set(fast) == set(scratch) == {p.pk for p in plans}
            for pk in scratch:
                assert_same(fast[pk], scratch[pk])
    for plan in plans:
        stored = PlanFigures.objects.get(plan=plan)
        assert stored.organisation_id == plan.organisation_id
        ended = plan.sessions.filter(status__in=["completed", "stopped"])
        last = ended.aggregate(at=Max("started_at"))["at"]
        assert stored.last_session_at == last


def random_history(rng: random.Random, clinic: Clinic, tag: str) -> list[Plan]:
    """Two or three babies, each with a plan (some also an earlier, ended one) and a random run of
    sessions: completed (some with a step skipped), stopped by hand or by the bradycardia rule, left
    running, given outside the schedule, recorded after the fact; some plans end part-way."""
    plans = []
    for n in range(rng.randint(2, 3)):
        client = baby(clinic, f"{tag}{n}")
        if rng.random() < 0.4:
            earlier = enrol(clinic, client)
            finish(clinic, start(clinic, client, open_slot(earlier, rng)))
            services.plan_end(actor=clinic.actor(Role.THERAPIST), plan=earlier, reason="Moved elsewhere")
            plans.append(earlier)
        plan = enrol(clinic, client, hours_ago=rng.uniform(1, 23))
        plans.append(plan)
        running = False
        for _ in range(rng.randint(2, 6)):
            kind = rng.choice(("complete", "complete", "skip", "stop", "rule", "unscheduled", "import"))
            if kind == "import":
                import_past(clinic, client, status=rng.choice(("completed", "stopped")))
                continue
            if running:
                continue  # one session at a time on a plan (the last one may be left running)
            slot = None if kind == "unscheduled" else open_slot(plan, rng)
            session = start(clinic, client, slot)
            if kind in ("complete", "unscheduled"):
                finish(clinic, session)
            elif kind == "skip":
                finish(clinic, session, skip_one=True)
            elif kind == "stop":
                services.session_stop(
                    actor=clinic.actor(Role.THERAPIST), session=session, reason=rng.choice(REASONS) or "x"
                )
            elif kind == "rule":
                stop_by_rule(clinic, session)
            if rng.random() < 0.15:
                running = True
                start(clinic, client, open_slot(plan, rng))  # left in progress
        if rng.random() < 0.3:
            services.plan_end(actor=clinic.actor(Role.THERAPIST), plan=plan, reason="Discharged home")
    return plans


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_figures_equal_those_counted_from_scratch_after_a_random_mix(
    clinic: Clinic, outsider: Clinic, seed: int
) -> None:
    rng = random.Random(seed)
    plans = random_history(rng, clinic, "Ana") + random_history(rng, outsider, "Bo")
    plans = [Plan.objects.get(pk=p.pk) for p in plans]
    assert Session.objects.filter(status="completed").exists()
    assert_figures_match_scratch(plans)
    # Recounting everything (what the migration does for existing plans) changes nothing.
    before = {f.pk: (f.planned_total, f.done, f.completed_sessions, f.stopped_sessions, f.stop_reasons)
              for f in PlanFigures.objects.all()}
    plan_figures_rebuild()
    after = {f.pk: (f.planned_total, f.done, f.completed_sessions, f.stopped_sessions, f.stop_reasons)
             for f in PlanFigures.objects.all()}
    assert after == before


# --- each write path -------------------------------------------------------------------------------


def figures(plan: Plan) -> PlanFigures:
    return PlanFigures.objects.get(plan=plan)


def test_enrolment_stores_the_schedule(clinic: Clinic) -> None:
    plan = enrol(clinic, baby(clinic, "Ida"))
    stored = figures(plan)
    counts = (stored.planned_total, stored.done, stored.completed_sessions, stored.stopped_sessions)
    assert counts == (30, 0, 0, 0)
    assert stored.organisation_id == clinic.org.pk


def test_a_completed_session_on_a_slot_counts_as_done_with_its_minutes(clinic: Clinic) -> None:
    client = baby(clinic, "Ida")
    plan = enrol(clinic, client)
    session = start(clinic, client, plan.slots.order_by("due_at").first())
    assert figures(plan).completed_sessions == 0  # a running session counts for nothing yet
    finish(clinic, session)
    stored = figures(plan)
    assert (stored.done, stored.completed_sessions) == (1, 1)
    assert set(stored.phase_seconds) == {s["phase"] for s in session.steps}
    assert stored.last_session_at == session.started_at


def test_a_session_outside_the_schedule_counts_as_completed_not_as_a_dose_done(clinic: Clinic) -> None:
    client = baby(clinic, "Ida")
    plan = enrol(clinic, client)
    finish(clinic, start(clinic, client, None))
    assert (figures(plan).done, figures(plan).completed_sessions) == (0, 1)


def test_a_session_stopped_by_hand_counts_with_its_reason(clinic: Clinic) -> None:
    client = baby(clinic, "Ida")
    plan = enrol(clinic, client)
    session = start(clinic, client, plan.slots.order_by("due_at").first())
    services.session_stop(actor=clinic.actor(Role.THERAPIST), session=session, reason="Feeding time: hungry")
    stored = figures(plan)
    assert (stored.stopped_sessions, stored.stop_reasons, stored.done) == (1, {"Feeding time": 1}, 0)


def test_a_session_stopped_by_a_stop_rule_counts_with_the_rule(clinic: Clinic) -> None:
    client = baby(clinic, "Ida")
    plan = enrol(clinic, client)
    stop_by_rule(clinic, start(clinic, client, plan.slots.order_by("due_at").first()))
    stored = figures(plan)
    assert stored.stopped_sessions == 1
    [(reason, count)] = stored.stop_reasons.items()
    assert count == 1
    assert reason == Session.objects.get(plan=plan).stop_reason.split(":")[0]


def test_ending_a_plan_takes_its_cancelled_sessions_out_of_the_plan(clinic: Clinic) -> None:
    client = baby(clinic, "Ida")
    plan = enrol(clinic, client)
    finish(clinic, start(clinic, client, plan.slots.order_by("due_at").first()))
    services.plan_end(actor=clinic.actor(Role.THERAPIST), plan=plan, reason="Discharged home")
    assert (figures(plan).planned_total, figures(plan).done) == (1, 1)


def test_a_session_recorded_after_the_fact_moves_no_plan(clinic: Clinic) -> None:
    client = baby(clinic, "Ida")
    plan = enrol(clinic, client)
    before = figures(plan).updated_at
    session = import_past(clinic, client, status="stopped")
    assert session.plan_id is None
    stored = figures(plan)
    assert (stored.stopped_sessions, stored.completed_sessions, stored.updated_at) == (0, 0, before)
    assert_figures_match_scratch([plan])


def test_a_refused_write_leaves_the_figures_as_they_were(clinic: Clinic) -> None:
    client = baby(clinic, "Ida")
    plan = enrol(clinic, client)
    session = start(clinic, client, plan.slots.order_by("due_at").first())
    with pytest.raises(ValidationFailed):  # steps not done yet
        services.session_complete(actor=clinic.actor(Role.THERAPIST), session=session)
    assert figures(plan).completed_sessions == 0


# --- existing databases: the migration fills the table ------------------------------------------------


@pytest.mark.parametrize("historical", [False, True])
def test_the_migration_fills_figures_for_plans_made_before_it(clinic: Clinic, historical: bool) -> None:
    client = baby(clinic, "Ida")
    plan = enrol(clinic, client)
    finish(clinic, start(clinic, client, plan.slots.order_by("due_at").first()))
    services.session_stop(
        actor=clinic.actor(Role.THERAPIST), session=start(clinic, client, None), reason="Baby unsettled"
    )
    PlanFigures.objects.all().delete()  # as before the upgrade
    migration = importlib.import_module("kneadwell.care.migrations.0004_plan_figures")
    registry = (
        MigrationExecutor(connection).loader.project_state(("care", "0004_plan_figures")).apps
        if historical
        else current_apps
    )
    migration.fill(registry, None)
    stored = figures(plan)
    assert (stored.done, stored.completed_sessions, stored.stopped_sessions) == (1, 1, 1)
    assert_figures_match_scratch([Plan.objects.get(pk=plan.pk)])


def test_a_plan_without_stored_figures_is_counted_from_scratch_until_recounted(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    client = baby(clinic, "Ida")
    plan = enrol(clinic, client)
    finish(clinic, start(clinic, client, plan.slots.order_by("due_at").first()))
    PlanFigures.objects.all().delete()  # written around the services (a restore of an older backup, SQL)
    plan = Plan.objects.get(pk=plan.pk)
    assert selectors.plans_figures(plans=[plan])[plan.pk].done == 1
    assert_figures_match_scratch_without_rows([plan])
    assert main(["figures"]) == 0
    assert "1 plan(s)" in capsys.readouterr().out
    assert figures(plan).done == 1
    assert_figures_match_scratch([plan])


def assert_figures_match_scratch_without_rows(plans: list[Plan]) -> None:
    fast = selectors.plans_figures(plans=plans)
    scratch = selectors.plans_adherence(plans=plans)
    for pk in scratch:
        assert_same(fast[pk], scratch[pk])


# --- the unit page ------------------------------------------------------------------------------------


def unit_page(http: HttpClient) -> tuple[str, int]:
    http.get(reverse("care:adherence"))  # warm: one-time loads (the content library)
    with CaptureQueriesContext(connection) as queries:
        answer = http.get(reverse("care:adherence"))
    assert answer.status_code == 200
    return answer.content.decode(), len(queries.captured_queries)


def test_the_unit_page_reads_the_stored_figures_in_queries_that_do_not_grow_with_sessions(
    client: HttpClient, clinic: Clinic, outsider: Clinic
) -> None:
    ida = baby(clinic, "Ida")
    plan = enrol(clinic, ida)
    other = enrol(outsider, baby(outsider, "Zed"))
    finish(clinic, start(clinic, ida, plan.slots.order_by("due_at").first()))
    client.force_login(clinic.user(Role.ADMIN))
    page, one = unit_page(client)
    assert "1 / 30" in page
    for _ in range(4):
        finish(clinic, start(clinic, ida, None))
    stop_by_rule(clinic, start(clinic, ida, None))
    page, more = unit_page(client)
    assert more == one
    assert f"/plans/{plan.pk}/" in page
    assert f"/plans/{other.pk}/" not in page  # another organisation's plan
    assert "Zed" not in page
    # What it shows is the stored tally (changed behind the services' back here, to tell them apart).
    PlanFigures.objects.filter(plan=plan).update(done=17)
    page, _ = unit_page(client)
    assert "17 / 30" in page


def test_the_unit_page_lists_clients_by_name_a_page_at_a_time(
    client: HttpClient, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "UNIT_PAGE_CLIENTS", 2)
    names = ["Cara", "Abel", "Dina", "Bea"]
    plans = {name: enrol(clinic, baby(clinic, name)) for name in names}
    ended = enrol(clinic, baby(clinic, "Aaron"))  # no active plan: not listed
    services.plan_end(actor=clinic.actor(Role.THERAPIST), plan=ended, reason="Discharged home")
    # A second active plan of Abel's (another protocol) is listed with his first.
    abel = plans["Abel"].client
    check = passing_check(clinic.actor(Role.THERAPIST), abel, "preterm_tks_5d", POPULATION)
    second = services.plan_create(
        actor=clinic.actor(Role.THERAPIST), client=abel, check=check, starts_at=timezone.now()
    )
    client.force_login(clinic.user(Role.THERAPIST))

    def listed(query: str) -> list[int]:
        page = client.get(reverse("care:adherence") + query).content.decode()
        every = [*plans.values(), second, ended]
        return sorted((page.index(f"/plans/{p.pk}/"), p.pk) for p in every if f"/plans/{p.pk}/" in page)

    first = [pk for _, pk in listed("")]
    assert sorted(first) == sorted([plans["Abel"].pk, second.pk, plans["Bea"].pk])
    assert first[-1] == plans["Bea"].pk
    assert [pk for _, pk in listed("?page=2")] == [plans["Cara"].pk, plans["Dina"].pk]
    assert listed("?page=3") == []
    for nonsense in ("nonsense", "0", "-1", "²", "9" * 5000):
        assert [pk for _, pk in listed(f"?page={nonsense}")] == first
    page_one = client.get(reverse("care:adherence")).content.decode()
    assert "?page=2" in page_one
    assert "?page=1" not in page_one
