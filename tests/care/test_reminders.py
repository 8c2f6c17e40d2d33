import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kneadwell.care.reminders import send_due_reminders
from kneadwell.cli import main
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def test_a_reminder_goes_once_for_a_session_due_within_the_hour(
    clinic: Clinic, preterm: Any, tks_check: Any, mailoutbox: list[Any]
) -> None:
    start = timezone.now() + dt.timedelta(minutes=30)
    services.plan_create(
        actor=clinic.actor(Role.THERAPIST), client=preterm, check=tks_check, starts_at=start, reminders=True
    )
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0
    assert len(mailoutbox) == 1
    assert "today's check" in mailoutbox[0].body
    assert mailoutbox[0].to == [clinic.user(Role.THERAPIST).email]


def test_no_reminders_unless_asked(
    clinic: Clinic, preterm: Any, tks_check: Any, mailoutbox: list[Any]
) -> None:
    services.plan_create(
        actor=clinic.actor(Role.THERAPIST),
        client=preterm,
        check=tks_check,
        starts_at=timezone.now() + dt.timedelta(minutes=30),
    )
    assert send_due_reminders() == 0
    assert mailoutbox == []


def test_the_command_refuses_a_silly_window(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reminders", "--hours", "100"]) == 2
