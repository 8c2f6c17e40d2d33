"""Issue 10: two people saving the same note version at the same moment, from two threads with their own
database connections (not one after the other): exactly one is saved, the other is a 409 with the current
version, and the saved text is the winner's."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kneadwell.care.models import Note, Session
from kwtest.people import Clinic

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The SQLite test database lives in memory with a shared cache, where a second writer fails at once
    # ("table is locked") instead of waiting as on a real SQLite file (BEGIN IMMEDIATE with a busy timeout).
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs two real connections: run on PostgreSQL"),
]


def test_two_saves_at_the_same_moment_give_one_200_and_one_409(
    clinic: Clinic, preterm: Any, tks_check: Any
) -> None:
    actor = clinic.actor(Role.THERAPIST)
    started = services.session_start(actor=actor, client=preterm, check=tks_check)
    session: Session = services.session_stop(actor=actor, session=started, reason="Asleep")
    headers = {"Authorization": f"Bearer {clinic.token(Role.THERAPIST)}"}
    path = f"/api/v1/sessions/{session.pk}/note"
    created = HttpClient().put(
        path, {"subjective": "Settled"}, content_type="application/json", headers=headers
    )
    assert created.status_code == 200, created.content
    version = created.json()["version"]

    start = threading.Barrier(2)
    answers: dict[str, Any] = {}

    def save(text: str) -> None:
        try:
            start.wait(timeout=10)
            answers[text] = HttpClient().put(
                path,
                {"version": version, "subjective": text},
                content_type="application/json",
                headers=headers,
            )
        finally:
            connection.close()  # each thread has its own connection; close it before the test ends

    threads = [threading.Thread(target=save, args=(text,)) for text in ("Fed after", "Unsettled")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [200, 409], {t: (r.status_code, r.content[:200]) for t, r in answers.items()}
    winner = next(t for t, r in answers.items() if r.status_code == 200)
    loser = next(r for r in answers.values() if r.status_code == 409)
    assert loser.json()["current_version"] == version + 1
    assert Note.objects.get(session=session).subjective == winner
