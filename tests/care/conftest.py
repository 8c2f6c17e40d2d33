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
