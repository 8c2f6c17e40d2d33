"""Fixtures: Zoë, a preterm baby guarded by the clinic's caregiver, and her programme (see programme.py)."""

from __future__ import annotations

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kwtest.people import Clinic, make_client

from .programme import Programme, make_programme


@pytest.fixture
def zoe(clinic: Clinic) -> Client:
    """A girl born at 30+2, 45 days ago, guarded by the clinic's caregiver; her name has a diaeresis."""
    return make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=45,
        weeks=30,
        days=2,
        given_name="Zoë",
        family_name="Ødegård",
        birth_weight_g=1400,
    )


@pytest.fixture
def programme(clinic: Clinic, zoe: Client) -> Programme:
    return make_programme(clinic, zoe)
