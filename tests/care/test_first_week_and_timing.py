"""Every infant step has a duration, the first-week routine follows the IAIM class order (legs and feet
first), a parent can start it straight after a clear check, and the player shows words for codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kneadwell.care.templatetags.care_tags import (
    position_label,
    sleep_after_label,
    technique_labels,
)
from kneadwell.library.loader import default_library
from kwtest.people import Clinic
from kwtest.screening import passing_check


def test_every_step_of_every_infant_routine_has_minutes() -> None:
    lib = default_library()
    for routine in lib.routines.values():
        if routine.population in ("infant", "preterm_infant"):
            missing = [i for i, s in enumerate(routine.steps) if not s.minutes]
            assert not missing, (routine.id, missing)


def test_the_first_week_is_legs_and_feet_from_the_full_routine_in_its_order() -> None:
    lib = default_library()
    first, full = lib.routines["iaim_first_week"], lib.routines["iaim_full_body"]
    assert next(s.section for s in first.steps) == "opening"
    assert [s.section for s in first.steps][-1] == "closing"
    middle = [s.technique for s in first.steps if s.section == "legs_and_feet"]
    full_legs = [s.technique for s in full.steps if s.section == "legs_and_feet"]
    assert middle[0] == "resting_hands"  # every area starts with resting hands
    assert len(middle) < len(full_legs)  # a few strokes at first, the rest in later weeks
    positions = [full_legs.index(t) for t in middle]
    assert positions == sorted(positions)  # in the full routine's order
    protocol = lib.protocols["iaim_first_week"]
    assert (protocol.population, protocol.dose.days, protocol.dose.sessions_per_day) == ("infant", 7, 1)
    assert protocol.basis == "design-choice"
    assert protocol.evidence_note
    assert protocol.dose.evidence_note
    assert "design choice" in protocol.dose.evidence_note
    assert "IAIM-2013" in protocol.sources
    assert 5 <= sum(s.minutes or 0 for s in first.steps) <= 8  # a short start


@pytest.mark.django_db
def test_a_parent_starts_the_first_week_and_each_step_carries_its_minutes(
    clinic: Clinic, term_baby: Any
) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    check = passing_check(parent, term_baby, "iaim_first_week", "infant")
    assert check.verdict["action"] == "go"
    session = services.session_start(actor=parent, client=term_baby, check=check)
    assert len(session.steps) == 10
    assert all(step["minutes"] for step in session.steps)


@pytest.mark.django_db
def test_the_player_shows_the_step_timer_the_session_clock_and_the_auto_advance_switch(
    client: HttpClient, clinic: Clinic, term_baby: Any
) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    check = passing_check(parent, term_baby, "iaim_first_week", "infant")
    session = services.session_start(actor=parent, client=term_baby, check=check)
    client.force_login(parent.user)
    page = client.get(reverse("care:player", args=[session.pk])).content.decode()
    assert "data-step-timer" in page
    assert "of about 6:30" in page
    assert "Move on by itself when the time is up" in page
    assert "data-open-stop" in page  # Stop is in the controls, not folded away
    services.session_step(actor=parent, session=session, index=0, outcome="done")
    page = client.get(reverse("care:player", args=[session.pk])).content.decode()
    assert "Position: on the back." in page  # a parent's words, not "supine"


def test_codes_have_labels() -> None:
    assert position_label("as_tolerated") == "as tolerated"
    assert position_label("as_tolerated", True) == "whichever way your baby is comfortable"
    assert sleep_after_label("as_usual") == "As usual"
    assert (
        technique_labels(["kinesthetic_limb_movements"])
        == default_library().techniques["kinesthetic_limb_movements"].name
    )
    assert position_label("new_code") == "new code"  # an unknown code still reads as words
