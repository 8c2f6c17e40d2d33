"""The benchmark seeder (benchmarks/seed.py) at a tiny scale: the amounts it promises, records the app
reads and serves, consistent plans and sessions, the marker of the seed, and ids for rows added later."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import Membership, Organisation
from kneadwell.care.models import Plan, ScheduledSession, Session, StepLog
from kneadwell.clients import rules
from kneadwell.clients import services as client_services
from kneadwell.clients.models import Client
from kneadwell.outcomes.models import Measurement

SEED_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "seed.py"
SCALE = 0.002  # 10 clients, 200 sessions, 2,000 measurements in the main organisation

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def load_seed() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_seed", SEED_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def seeded() -> tuple[ModuleType, Any]:
    seed = load_seed()
    report = seed.seed(scale=SCALE, progress=lambda _line: None, marker=seed.fingerprint(SCALE))
    return seed, report


def test_it_seeds_the_amounts_the_scale_promises(seeded: tuple[ModuleType, Any]) -> None:
    seed, report = seeded
    clients, sessions, measurements = seed.counts(SCALE)
    org = Organisation.objects.get(name=seed.MAIN_ORG)
    assert Client.objects.filter(organisation=org).count() == clients
    assert Session.objects.filter(organisation=org).count() == sessions
    assert Measurement.objects.filter(organisation=org).count() == measurements
    # Every population, and infants' daily weights.
    populations = set(Session.objects.filter(organisation=org).values_list("population", flat=True))
    assert populations == set(seed.POPULATIONS)
    assert Measurement.objects.filter(organisation=org, instrument_id="weight").exists()
    assert Organisation.objects.filter(name=seed.NEIGHBOUR_ORG).exists()
    assert report.rows["care_session"] == Session.objects.count()
    assert seed.seeded_with() == seed.fingerprint(SCALE)


def test_clients_have_consent_and_members_every_role(seeded: tuple[ModuleType, Any]) -> None:
    seed, _ = seeded
    org = Organisation.objects.get(name=seed.MAIN_ORG)
    today = timezone.localdate()
    for client in Client.objects.filter(organisation=org).prefetch_related("consents"):
        facts = [c.facts() for c in client.consents.all()]
        assert rules.has_active_consent(
            facts, scope=rules.Scope.CARE, birth_date=client.birth_date, today=today
        )
    roles = set(Membership.objects.filter(organisation=org).values_list("role", flat=True))
    assert roles >= {"admin", "therapist", "instructor", "assessor", "researcher"}


def test_plans_slots_and_sessions_agree(seeded: tuple[ModuleType, Any]) -> None:
    now = timezone.now()
    for session in Session.objects.select_related("slot__plan", "plan"):
        assert session.started_at <= now
        assert session.started_at.date() >= session.client.birth_date - dt.timedelta(days=1)
        if session.slot is not None:
            assert session.slot.plan_id == session.plan_id
            expected = {"completed": "done", "stopped": "stopped", "in_progress": "done"}
            assert session.slot.status in (expected[session.status], "due")
        if session.status == "completed":
            assert session.current_step == len(session.steps)
    logged = dict(StepLog.objects.values_list("session_id").annotate(n=Count("id")))
    for session in Session.objects.filter(status="completed"):
        assert logged.get(session.pk, 0) == len(session.steps)
    # One active plan per client and protocol at most; ended plans have no open slot left.
    assert (
        not Plan.objects.values("client", "protocol_id")
        .filter(status="active")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not ScheduledSession.objects.filter(plan__status="ended", status="due").exists()


def test_the_app_serves_the_seeded_records(seeded: tuple[ModuleType, Any]) -> None:
    seed, _ = seeded
    http = HttpClient()
    login = http.post(
        "/accounts/login/", {"username": seed.login_email("admin"), "password": seed.BENCH_PASSWORD}
    )
    assert login.status_code == 302  # the seeded password works through the login page
    org = Organisation.objects.get(name=seed.MAIN_ORG)
    infant = Client.objects.filter(organisation=org, measurements__instrument_id="weight").first()
    assert infant is not None
    plan = Plan.objects.filter(client=infant).first()
    session = Session.objects.filter(client=infant).first()
    assert plan is not None
    assert session is not None
    for url in (
        "/",
        f"/clients/{infant.pk}/",
        f"/clients/{infant.pk}/plans/{plan.pk}/",
        f"/sessions/{session.pk}/",
        f"/clients/{infant.pk}/growth/",
        f"/api/v1/clients/{infant.pk}/plans",
        "/care/adherence/",
        "/audit/",
    ):
        assert http.get(url).status_code == 200, url


def test_rows_added_after_seeding_get_new_ids(seeded: tuple[ModuleType, Any]) -> None:
    seed, _ = seeded
    member = Membership.objects.select_related("user", "organisation").get(
        user__email=seed.login_email("therapist")
    )
    actor = Actor(user=member.user, membership=member, channel=Channel.SYSTEM)
    highest = Client.objects.order_by("-pk").values_list("pk", flat=True).first()
    client = client_services.client_create(
        actor=actor,
        given_name="New",
        family_name="Client",
        birth_date=timezone.localdate() - dt.timedelta(days=400),
        sex="male",
    )
    assert highest is not None
    assert client.pk > highest
