"""The outcome assessor is blind to the arm: over every page and every API operation of the permission
grid (tests/test_permission_grid.py), with a study whose participant is randomised, has a plan, a session
and an outcome entered, the assessor either is refused or gets an answer that names no arm, shows no
allocation, and, where it names the participant, shows nothing of the programme they receive."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

import test_permission_grid as grid
from kneadwell.accounts.roles import Perm, Role, role_has
from kneadwell.evaluation.blinding import ARM_REVEALING, role_is_blinded
from kneadwell.evaluation.models import AllocationList, Participant
from kneadwell.library.selectors import library
from kwtest.evaluation import CONTROL_ARM, MASSAGE_ARM, enter_weight, grid_objects
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db
ASSESSOR = Role.ASSESSOR


def _world(clinic: Clinic) -> dict[str, Any]:
    """The grid's objects, the study with clinic.client randomised (plan, session, a therapist's weight),
    and what must never reach the assessor."""
    objects = grid._objects(clinic)
    objects.update(grid_objects(clinic))
    participant = Participant.objects.select_related("arm", "client", "study").get(pk=objects["participant"])
    enter_weight(clinic, participant, 0, 1410, role=Role.THERAPIST)
    assert participant.arm is not None
    protocol = library().protocols[participant.arm.protocol_id or "preterm_tks_5d"]
    return {
        "participant": participant,
        "never": [
            MASSAGE_ARM,
            CONTROL_ARM,
            AllocationList.objects.get(study=participant.study).seed,
            "Allocated to",
        ],
        "about_the_child": [protocol.id, protocol.name, "preterm_tks_10d"],
        "names_the_child": [participant.client.family_name, participant.code],
    }


def _check_body(body: str, world: dict[str, Any], what: str) -> None:
    for secret in world["never"]:
        assert secret not in body, f"{what} shows {secret!r} to the assessor"
    if any(mark in body for mark in world["names_the_child"]):
        for secret in world["about_the_child"]:
            assert secret not in body, f"{what} names the participant and shows {secret!r}"


def test_the_assessor_holds_no_permission_that_reveals_the_arm() -> None:
    assert role_is_blinded(ASSESSOR)
    assert [p for p in ARM_REVEALING if role_has(ASSESSOR, p)] == []
    assert role_has(ASSESSOR, Perm.OUTCOME_ASSESS)


@pytest.mark.parametrize("page", grid.PAGES, ids=lambda p: p.name)
def test_no_page_shows_the_assessor_the_arm(client: HttpClient, clinic: Clinic, page: grid.Page) -> None:
    world = _world(clinic)
    client.force_login(clinic.user(ASSESSOR))
    response = getattr(client, page.method)(grid._url(page, clinic, ASSESSOR), dict(page.data))
    expected = grid._expected(page, ASSESSOR)
    if page.need == grid.PUBLIC and page.name in {"accounts:login", "accounts:signup"}:
        expected = 302
    assert response.status_code == expected, page.name
    if page.need in ARM_REVEALING:
        assert response.status_code == 403, page.name
    if response.status_code == 302:
        response = client.get(response["Location"])
    if response.status_code == 200 and not getattr(response, "streaming", False):
        _check_body(response.content.decode(errors="replace"), world, page.name)


@pytest.mark.parametrize("op", grid.API, ids=lambda o: f"{o.method} {o.path}")
def test_no_api_operation_shows_the_assessor_the_arm(
    client: HttpClient, clinic: Clinic, op: grid.Operation
) -> None:
    world = _world(clinic)
    headers = {"Authorization": f"Bearer {clinic.token(ASSESSOR)}"}
    path = grid._api_path(op, clinic, ASSESSOR)
    response = getattr(client, op.method)(path, op.body, content_type="application/json", headers=headers)
    if op.need in ARM_REVEALING:
        assert response.status_code == 403, f"{op.method} {op.path}"
    if response.status_code < 400:
        _check_body(response.content.decode(errors="replace"), world, f"{op.method} {op.path}")


def test_the_grid_really_opened_the_assessors_pages(client: HttpClient, clinic: Clinic) -> None:
    """The checks above are not empty: the assessor's own pages answer, and name the child."""
    world = _world(clinic)
    client.force_login(clinic.user(ASSESSOR))
    page = next(p for p in grid.PAGES if p.name == "evaluation:assess_entry")
    body = client.get(grid._url(page, clinic, ASSESSOR)).content.decode()
    assert world["participant"].client.family_name in body
    _check_body(body, world, page.name)
