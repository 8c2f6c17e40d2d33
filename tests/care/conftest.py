from __future__ import annotations

from typing import Any

import pytest

from kneadwell.accounts.roles import Role
from kwtest.people import Clinic, make_client
from kwtest.screening import passing_check


@pytest.fixture
def preterm(clinic: Clinic) -> Any:
    """A baby born at 30+2, 40 days old (35+6 weeks postmenstrual), guarded by the clinic's caregiver."""
    return make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=40,
        weeks=30,
        days=2,
        given_name="Maya",
    )


@pytest.fixture
def tks_check(clinic: Clinic, preterm: Any) -> Any:
    return passing_check(clinic.actor(Role.THERAPIST), preterm, "preterm_tks_10d", "preterm_infant")


@pytest.fixture
def term_baby(clinic: Clinic) -> Any:
    return make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=70,
        weeks=39,
        days=3,
        given_name="Noah",
    )


@pytest.fixture
def adult(clinic: Clinic) -> Any:
    """`adult(population, **intake)`: an adult after an injury or operation ("rehab") or a stroke
    ("stroke") with an all-clear intake, changed by `intake` (e.g. focus_regions=["left_ankle"])."""
    from kneadwell.library.services import intake_save
    from kwtest.screening import clear_answers

    def make(population: str, **intake: Any) -> Any:
        therapist = clinic.actor(Role.THERAPIST)
        person = make_client(
            therapist,
            born_days_ago=365 * 58,
            weeks=None,
            days=None,
            birth_weight_g=None,
            given_name="Ravi",
            conditions=["stroke"] if population == "stroke" else ["post_operative"],
        )
        intake_save(
            actor=therapist,
            client=person,
            population=population,
            answers=clear_answers(population, "intake", **intake),
            expected_version=None,
        )
        return person

    return make
