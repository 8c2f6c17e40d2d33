"""The plan page and API say which measurements the protocol wants and when, against what was recorded."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import selectors, services
from kneadwell.care.models import Plan
from kneadwell.outcomes import services as outcome_services
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic, make_client
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(clinic: Clinic, preterm: Any, tks_check: Any) -> Plan:
    return services.plan_create(
        actor=clinic.actor(Role.THERAPIST), client=preterm, check=tks_check, starts_at=timezone.now()
    )


def weigh(clinic: Clinic, client: Any, grams: str, context: str) -> Measurement:
    return outcome_services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=client,
        instrument_id="weight",
        answers={"value": grams, "unit": "g"},
        taken_at=timezone.now(),
        context=context,
    )


def states(plan: Plan, key: str) -> dict[str, str]:
    row = next(r for r in selectors.plan_measurements(client=plan.client, plan=plan) if r.key == key)
    return {s.occasion: s.state for s in row.statuses}


def test_the_tks_plan_asks_for_weights_daily_and_a_baseline_before_the_first_session(
    clinic: Clinic, preterm: Any, plan: Plan
) -> None:
    rows = {r.key: r for r in selectors.plan_measurements(client=plan.client, plan=plan)}
    assert list(rows) == [
        "weight",
        "length_height",
        "head_circumference",
        "length_of_stay",
        "behavioural_state",
    ]
    assert states(plan, "weight") == {"baseline": "due", "daily": "due", "weekly": "due", "end": "upcoming"}
    assert rows["weight"].feeds == (
        "Daily weight gain (g/day)",
        "Growth velocity (g/kg/day)",
        "Weight, length and head circumference z-scores",
    )
    # The length of stay is an instrument of its own since issue 15: recorded here, not kept elsewhere.
    assert rows["length_of_stay"].how == "record"
    assert rows["behavioural_state"].how == "in_session"

    weigh(clinic, preterm, "1650", "baseline")
    assert states(plan, "weight") == {
        "baseline": "done",
        "daily": "done",
        "weekly": "done",
        "end": "upcoming",
    }
    # Length is still wanted at baseline; the weight did not stand in for it.
    assert states(plan, "length_height")["baseline"] == "due"


def test_a_measurement_entered_in_error_does_not_count(clinic: Clinic, preterm: Any, plan: Plan) -> None:
    m = weigh(clinic, preterm, "1650", "routine")
    assert states(plan, "weight")["daily"] == "done"
    outcome_services.measurement_mark_in_error(
        actor=clinic.actor(Role.THERAPIST), measurement=m, reason="Wrong baby", expected_version=m.version
    )
    assert states(plan, "weight")["daily"] == "due"


def test_the_plan_page_shows_what_is_due_with_a_link_that_marks_the_occasion(
    client: HttpClient, clinic: Clinic, preterm: Any, plan: Plan
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    page = client.get(f"/clients/{preterm.pk}/plans/{plan.pk}/").content.decode()
    assert "Measurements for this plan" in page
    assert "Due before the first session" in page
    assert f'href="/clients/{preterm.pk}/measurements/new/weight/?context=baseline"' in page
    assert f'href="/clients/{preterm.pk}/trends/weight/"' in page
    assert "Not recorded in Kneadwell yet" not in page  # every measure of this plan is recordable
    assert f'href="/clients/{preterm.pk}/measurements/new/length_of_stay/' in page
    assert "Recorded in the session player" in page
    # The reason for the timing and its source are one click away.
    assert "Field 1986 reports weight gain per day" in page
    assert re.search(r'href="/library/sources/#S34"', page)

    entry = client.get(f"/clients/{preterm.pk}/measurements/new/weight/?context=baseline").content.decode()
    assert re.search(r'<option value="baseline" selected>', entry)
    ignored = client.get(f"/clients/{preterm.pk}/measurements/new/weight/?context=nonsense").content.decode()
    assert re.search(r'<option value="routine" selected>', ignored)


def test_an_instructor_sees_the_list_without_record_links(
    client: HttpClient, clinic: Clinic, preterm: Any, plan: Plan
) -> None:
    # Instructors may view their own courses' families (issue 12) but not record measurements.
    from kwtest.courses import instructor_family

    instructor_family(clinic, preterm)
    client.force_login(clinic.user(Role.INSTRUCTOR))
    response = client.get(f"/clients/{preterm.pk}/plans/{plan.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Measurements for this plan" in page
    assert "/measurements/new/weight/" not in page


def test_the_api_lists_the_same_rows_with_states_and_reasons(
    client: HttpClient, clinic: Clinic, preterm: Any, plan: Plan
) -> None:
    weigh(clinic, preterm, "1650", "baseline")
    headers = {"Authorization": f"Bearer {clinic.token(Role.THERAPIST)}"}
    response = client.get(f"/api/v1/clients/{preterm.pk}/plans/{plan.pk}/measurements", headers=headers)
    assert response.status_code == 200, response.content
    body = {row["key"]: row for row in response.json()}
    weight = body["weight"]
    assert weight["how"] == "record"
    assert weight["record_with"] == ["weight"]
    assert [(o["occasion"], o["state"]) for o in weight["occasions"]] == [
        ("baseline", "done"),
        ("daily", "done"),
        ("weekly", "done"),
        ("end", "upcoming"),
    ]
    daily = weight["occasions"][1]
    assert (daily["covered"], daily["out_of"], daily["context"]) == (1, 1, "routine")
    assert weight["headline"]["occasion"] == "end"
    # The end is only upcoming: a weight entered now is an ordinary one, not the end measure.
    assert weight["record_context"] == "routine"
    assert body["length_height"]["record_context"] == "baseline"
    assert weight["why"][0]["sources"] == ["S34", "S69"]
    assert not weight["why"][0]["design_choice"]
    # The two measures one content entry times share its reason, listed once.
    assert weight["why"][0]["measure"] == "Daily weight gain (g/day); Growth velocity (g/kg/day)"
    assert len(weight["why"]) == 2
    assert body["length_height"]["headline"]["state"] == "due"
    assert body["length_of_stay"]["how"] == "record"
    assert body["length_of_stay"]["record_with"] == ["length_of_stay"]


def test_another_organisations_plan_is_not_found(
    client: HttpClient, outsider: Any, preterm: Any, plan: Plan
) -> None:
    headers = {"Authorization": f"Bearer {outsider.token(Role.THERAPIST)}"}
    response = client.get(f"/api/v1/clients/{preterm.pk}/plans/{plan.pk}/measurements", headers=headers)
    assert response.status_code == 404


def test_a_baseline_marked_as_such_counts_even_weeks_before_the_start(
    clinic: Clinic, preterm: Any, plan: Plan
) -> None:
    outcome_services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=preterm,
        instrument_id="length_height",
        answers={"value": "41.5", "unit": "cm"},
        taken_at=timezone.now() - dt.timedelta(days=30),
        context="baseline",
    )
    assert states(plan, "length_height")["baseline"] == "done"


def test_a_stroke_plan_reviews_the_goal_at_each_session(clinic: Clinic) -> None:
    therapist = clinic.actor(Role.THERAPIST)
    adult = make_client(
        therapist, born_days_ago=365 * 64, weeks=None, days=None, birth_weight_g=None, given_name="Ruth",
        conditions=["stroke"],
    )
    check = passing_check(therapist, adult, "stroke_rehab", "stroke")
    plan = services.plan_create(actor=therapist, client=adult, check=check, starts_at=timezone.now())
    rows = {r.key: r for r in selectors.plan_measurements(client=adult, plan=plan)}
    assert set(rows) == {"modified_ashworth", "range_of_motion", "fugl_meyer", "goal_attainment"}
    assert states(plan, "goal_attainment") == {"baseline": "due", "each_session": "due", "end": "upcoming"}
    outcome_services.measurement_record(
        actor=therapist,
        client=adult,
        instrument_id="goal_attainment",
        answers={"level": -1},
        taken_at=timezone.now(),
        context="baseline",
        notes="Goal: walk to the corner shop with a stick.",
    )
    assert states(plan, "goal_attainment") == {"baseline": "done", "each_session": "done", "end": "upcoming"}
