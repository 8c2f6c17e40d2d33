"""The benchmark seeder writes its sessions with SQL, around the services that keep each plan's figures, and
counts the figures once at the end: on its tiny clinic (plans ended with cancelled sessions, sessions
missed, stopped, still running, given outside the schedule and recorded after the fact) the stored
figures equal those counted from scratch, for both organisations."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from kneadwell.care import selectors
from kneadwell.care.models import Plan, PlanFigures, ScheduledSession, Session

SEED_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "seed.py"
SCALE = 0.002

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_seeded_clinic_has_figures_equal_to_those_counted_from_scratch() -> None:
    spec = importlib.util.spec_from_file_location("benchmark_seed_figures", SEED_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    seed = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = seed
    spec.loader.exec_module(seed)
    seed.seed(scale=SCALE, progress=lambda _line: None)
    plans = list(Plan.objects.all())
    assert PlanFigures.objects.count() == len(plans) > 0
    # The mix the comparison is worth making on.
    assert ScheduledSession.objects.filter(status="cancelled").exists()
    assert Session.objects.filter(status="stopped", plan__isnull=False).exists()
    assert Session.objects.filter(slot__isnull=True, plan__isnull=False).exists()
    for later in (dt.timedelta(0), dt.timedelta(days=20)):
        now = timezone.now() + later
        fast = selectors.plans_figures(plans=plans, now=now)
        scratch = selectors.plans_adherence(plans=plans, now=now)
        for plan in plans:
            a, b = fast[plan.pk], scratch[plan.pk]
            assert (a.planned_total, a.due_so_far, a.done, a.completed_sessions, a.stopped_sessions) == (
                b.planned_total,
                b.due_so_far,
                b.done,
                b.completed_sessions,
                b.stopped_sessions,
            )
            assert a.stop_reasons == b.stop_reasons
            assert [p.actual_minutes for p in a.phases] == pytest.approx([p.actual_minutes for p in b.phases])
