"""Measurement pages: the generated entry forms, the confirm-unusual step, quick daily weights, growth and
trend pages with their sources, entered-in-error, and a query count that does not grow with the data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.outcomes import services
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def baby(clinic: Clinic) -> Client:
    assert clinic.client is not None
    return clinic.client


def as_role(client: HttpClient, clinic: Clinic, role: Role = Role.THERAPIST) -> HttpClient:
    client.force_login(clinic.user(role))
    return client


def weights(clinic: Clinic, grams: list[int], *, end: dt.date | None = None) -> list[Measurement]:
    end = end or TODAY()
    days = [end - dt.timedelta(days=len(grams) - 1 - i) for i in range(len(grams))]
    return services.weights_record_series(
        actor=clinic.actor(Role.THERAPIST), client=baby(clinic), weights=list(zip(days, grams, strict=True))
    )


def now_field() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def test_the_client_page_shows_the_measurements_section(client: HttpClient, clinic: Clinic) -> None:
    weights(clinic, [1500, 1520])
    page = as_role(client, clinic).get(reverse("clients:detail", args=[baby(clinic).pk]))
    text = page.content.decode()
    assert "Measurements and growth" in text
    assert "1 520 g" in text
    assert reverse("outcomes:weights", args=[baby(clinic).pk]) in text


def test_an_instructor_sees_the_section_without_entry_buttons(client: HttpClient, clinic: Clinic) -> None:
    from kwtest.courses import instructor_family

    instructor_family(clinic, baby(clinic))  # an instructor reaches their own courses' families (issue 12)
    page = as_role(client, clinic, Role.INSTRUCTOR).get(reverse("clients:detail", args=[baby(clinic).pk]))
    text = page.content.decode()
    assert "Measurements and growth" in text
    assert reverse("outcomes:weights", args=[baby(clinic).pk]) not in text


def test_every_instrument_has_an_entry_form(client: HttpClient, clinic: Clinic) -> None:
    http = as_role(client, clinic)
    for instrument_id in [
        "weight",
        "length_height",
        "head_circumference",
        "nips",
        "pipp",
        "flacc",
        "nrs",
        "modified_ashworth",
        "fugl_meyer",
        "range_of_motion",
        "infant_day_diary",
        "bristol_stool",
        "amsterdam_stool",
        "fat_mass",
    ]:
        page = http.get(reverse("outcomes:create", args=[baby(clinic).pk, instrument_id]))
        assert page.status_code == 200, instrument_id
        assert "Sources of this instrument" in page.content.decode(), instrument_id


def test_an_unknown_instrument_is_404(client: HttpClient, clinic: Clinic) -> None:
    page = as_role(client, clinic).get(reverse("outcomes:create", args=[baby(clinic).pk, "mood_ring"]))
    assert page.status_code == 404


def test_the_nips_form_saves_a_scored_measurement(client: HttpClient, clinic: Clinic) -> None:
    url = reverse("outcomes:create", args=[baby(clinic).pk, "nips"])
    data = {
        "taken_at": now_field(),
        "context": "session",
        "face": "1",
        "cry": "1",
        "breathing": "0",
        "arms": "0",
        "legs": "0",
        "arousal": "0",
    }
    response = as_role(client, clinic).post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:trend", args=[baby(clinic).pk, "nips"])
    m = Measurement.objects.get(instrument_id="nips")
    assert m.total == 2
    assert m.context == "session"


def test_a_goal_level_is_saved_with_the_goal_in_the_notes(client: HttpClient, clinic: Clinic) -> None:
    url = reverse("outcomes:create", args=[baby(clinic).pk, "goal_attainment"])
    page = as_role(client, clinic).get(url).content.decode()
    # Signed levels read as written, not "1 — +1: ...".
    assert "+1: somewhat more than expected" in page
    assert "1 — +1" not in page
    data = {"taken_at": now_field(), "context": "baseline", "level": "-1", "notes": "Goal: sit up unaided."}
    assert client.post(url, data).status_code == 302
    m = Measurement.objects.get(instrument_id="goal_attainment")
    assert (m.total, m.band, m.notes) == (-1.0, "below", "Goal: sit up unaided.")


def test_a_missing_item_is_shown_on_that_item_and_nothing_is_saved(
    client: HttpClient, clinic: Clinic
) -> None:
    url = reverse("outcomes:create", args=[baby(clinic).pk, "nips"])
    response = as_role(client, clinic).post(url, {"taken_at": now_field(), "context": "session", "face": "1"})
    assert response.status_code == 200
    assert "breathing" in response.context["form"].errors
    assert not Measurement.objects.exists()


def test_an_unusual_weight_needs_the_confirm_box_then_saves_flagged(
    client: HttpClient, clinic: Clinic
) -> None:
    weights(clinic, [1600])
    url = reverse("outcomes:create", args=[baby(clinic).pk, "weight"])
    data = {"taken_at": now_field(), "context": "routine", "value": "1700", "unit": "g"}  # +6% in a day
    http = as_role(client, clinic)
    first = http.post(url, data)
    assert first.status_code == 200
    text = first.content.decode()
    assert "Check and confirm" in text
    assert "I have checked this value" in text
    assert Measurement.objects.count() == 1
    second = http.post(url, {**data, "confirm_unusual": "on"})
    assert second.status_code == 302
    m = Measurement.objects.latest("id")
    assert m.confirmed_unusual
    assert m.confirmed_warnings


def test_an_impossible_weight_shows_a_clear_message(client: HttpClient, clinic: Clinic) -> None:
    url = reverse("outcomes:create", args=[baby(clinic).pk, "weight"])
    response = as_role(client, clinic).post(
        url, {"taken_at": now_field(), "context": "routine", "value": "50", "unit": "kg"}
    )
    assert response.status_code == 200
    assert "not possible" in " ".join(response.context["form"].errors["value"])
    assert "Check and confirm" not in response.content.decode()


def test_the_mas_form_takes_grades_per_side(client: HttpClient, clinic: Clinic) -> None:
    url = reverse("outcomes:create", args=[baby(clinic).pk, "modified_ashworth"])
    response = as_role(client, clinic).post(
        url,
        {
            "taken_at": now_field(),
            "context": "baseline",
            "mas__elbow_flexors__left": "1+",
            "mas__elbow_flexors__right": "0",
        },
    )
    assert response.status_code == 302
    m = Measurement.objects.get()
    assert m.details["grades"] == {"elbow_flexors.left": "1+", "elbow_flexors.right": "0"}


def test_a_bad_rom_value_is_shown_on_its_side(client: HttpClient, clinic: Clinic) -> None:
    url = reverse("outcomes:create", args=[baby(clinic).pk, "range_of_motion"])
    response = as_role(client, clinic).post(
        url, {"taken_at": now_field(), "context": "baseline", "rom__knee_flexion__left": "900"}
    )
    assert response.status_code == 200
    assert "rom__knee_flexion__left" in response.context["form"].errors


def test_a_diary_day_is_saved_from_its_rows(client: HttpClient, clinic: Clinic) -> None:
    url = reverse("outcomes:create", args=[baby(clinic).pk, "infant_day_diary"])
    day = (TODAY() - dt.timedelta(days=1)).isoformat()
    rows = [("sleep", "00:00", "08:00"), ("crying", "08:00", "11:30"), ("awake_alert", "11:30", "00:00")]
    data: dict[str, str] = {"diary_day": day, "context": "routine"}
    for i, (category, start, end) in enumerate(rows):
        data |= {f"entry_{i}_category": category, f"entry_{i}_start": start, f"entry_{i}_end": end}
    response = as_role(client, clinic).post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    m = Measurement.objects.get()
    assert m.total == pytest.approx(210.0)  # 3.5 h of crying on a complete day


def test_quick_entry_saves_a_week_of_weights(client: HttpClient, clinic: Clinic) -> None:
    url = reverse("outcomes:weights", args=[baby(clinic).pk])
    http = as_role(client, clinic)
    form = http.get(url).context["form"]
    data = {"unit": "g", "time": "00:00", "context": "routine"}
    grams = [1450, 1470, 1492, 1510, 1531, 1553, 1575]
    for i, g in enumerate(grams):
        data[f"date_{i}"] = form.initial[f"date_{i}"].isoformat()
        data[f"weight_{i}"] = str(g)
    response = http.post(url, data)
    assert response.status_code == 302
    assert Measurement.objects.filter(instrument_id="weight").count() == 7


def test_quick_entry_puts_a_bad_weight_on_its_row_and_saves_none(client: HttpClient, clinic: Clinic) -> None:
    url = reverse("outcomes:weights", args=[baby(clinic).pk])
    d1, d2 = TODAY() - dt.timedelta(days=1), TODAY()
    data = {
        "unit": "g",
        "time": "00:00",
        "context": "routine",
        "date_0": d1,
        "weight_0": "1450",
        "date_3": d2,
        "weight_3": "1.46",
    }
    response = as_role(client, clinic).post(url, data)
    assert response.status_code == 200
    assert "weight_3" in response.context["form"].errors
    assert not Measurement.objects.exists()


def test_the_growth_page_names_the_velocity_method_and_its_source(client: HttpClient, clinic: Clinic) -> None:
    weights(clinic, [1450, 1470, 1492, 1510, 1531, 1553, 1575])
    page = as_role(client, clinic).get(reverse("outcomes:growth", args=[baby(clinic).pk]))
    text = page.content.decode()
    assert "Exponential model (Patel)" in text
    assert "PMC2767524" in text
    assert "g/kg/day" in text
    velocity = page.context["summary"].velocity.result
    assert velocity.velocity_g_kg_day == pytest.approx(1000 * __import__("math").log(1575 / 1450) / 6)
    assert "UK-WHO" in text
    assert "rcpchgrowth" in text
    assert "specialist low-birth-weight chart" in text  # born at 30+2 [S66]


def test_the_growth_page_takes_another_method_and_reference(client: HttpClient, clinic: Clinic) -> None:
    weights(clinic, [1450, 1470, 1492])
    page = as_role(client, clinic).get(
        reverse("outcomes:growth", args=[baby(clinic).pk]), {"method": "linear", "reference": "who"}
    )
    text = page.content.decode()
    assert "Linear gain" in text
    assert page.context["summary"].reference == "who"


def test_nonsense_growth_choices_fall_back_to_the_defaults(client: HttpClient, clinic: Clinic) -> None:
    page = as_role(client, clinic).get(
        reverse("outcomes:growth", args=[baby(clinic).pk]),
        {"method": "magic", "reference": "x", "window": "5"},
    )
    assert page.status_code == 200
    assert page.context["summary"].velocity.method == "exponential"


def test_the_growth_page_holds_the_charts_slot_caption_and_text_alternative(
    client: HttpClient, clinic: Clinic
) -> None:
    weights(clinic, [1450, 1470, 1492])
    page = as_role(client, clinic).get(reverse("outcomes:growth", args=[baby(clinic).pk]))
    text = page.content.decode()
    # The script draws the chart from the chart-data URL; the page itself draws nothing.
    assert f'data-chart="{reverse("outcomes:growth_chart", args=[baby(clinic).pk])}"' in text
    assert "<svg" not in text
    assert "js/charts.js" in text
    assert "vendor/uplot/uPlot.iife.min.js" in text
    # Its caption and its text alternative, listing every weight, are in the page (no JavaScript needed).
    assert "Filled circles: weight at corrected age" in text
    assert "The chart in words" in text
    assert "Weight-for-age chart for a girl, UK-WHO reference" in text
    assert "1.492 kg at" in text


def test_the_trend_page_shows_mas_grades_in_their_own_words(client: HttpClient, clinic: Clinic) -> None:
    for days_ago, grade in ((14, "2"), (7, "1+"), (1, "1")):
        services.measurement_record(
            actor=clinic.actor(Role.THERAPIST),
            client=baby(clinic),
            instrument_id="modified_ashworth",
            answers={"elbow_flexors.left": grade},
            taken_at=TODAY() - dt.timedelta(days=days_ago),
        )
    http = as_role(client, clinic)
    page = http.get(reverse("outcomes:trend", args=[baby(clinic).pk, "modified_ashworth"]))
    text = page.content.decode()
    assert "Higher is worse." in text
    assert ">1+<" in text
    chart = http.get(reverse("outcomes:trend_chart", args=[baby(clinic).pk, "modified_ashworth"])).json()
    assert "1+" in [t["label"] for t in chart["y_ticks"]]  # the y axis is labelled with the grades, never 2.0
    assert "1+" in page.context["chart_description"]  # and so is the chart in words


def test_the_trend_page_shows_rom_as_percent_of_normal_with_its_source(
    client: HttpClient, clinic: Clinic
) -> None:
    services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=baby(clinic),
        instrument_id="range_of_motion",
        answers={"knee_flexion.left": 110},
        taken_at=TODAY(),
    )
    text = (
        as_role(client, clinic)
        .get(reverse("outcomes:trend", args=[baby(clinic).pk, "range_of_motion"]))
        .content.decode()
    )
    assert "% of" in text
    assert re.search(r"Normal values from the .+\(S59: ", text)


def test_a_weight_trend_goes_to_the_growth_page(client: HttpClient, clinic: Clinic) -> None:
    page = as_role(client, clinic).get(reverse("outcomes:trend", args=[baby(clinic).pk, "weight"]))
    assert page.status_code == 302
    assert reverse("outcomes:growth", args=[baby(clinic).pk]) in page["Location"]


def test_marking_in_error_from_the_page_strikes_it_out_of_the_chart(
    client: HttpClient, clinic: Clinic
) -> None:
    first, second = weights(clinic, [1450, 1470])
    http = as_role(client, clinic)
    url = reverse("outcomes:in_error", args=[baby(clinic).pk, first.pk])
    assert http.get(url).status_code == 200
    response = http.post(url, {"reason": "wrong baby", "version": "1"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.in_error
    listing = http.get(reverse("outcomes:list", args=[baby(clinic).pk])).content.decode()
    assert "entered in error" in listing
    growth = http.get(reverse("outcomes:growth", args=[baby(clinic).pk]))
    assert [p.measurement_id for p in growth.context["points"]] == [second.pk]


def test_a_stale_mark_in_error_form_is_refused(client: HttpClient, clinic: Clinic) -> None:
    (m,) = weights(clinic, [1450])
    http = as_role(client, clinic)
    response = http.post(
        reverse("outcomes:in_error", args=[baby(clinic).pk, m.pk]), {"reason": "x", "version": "5"}
    )
    assert response.status_code == 200
    assert "Someone else saved a change" in response.content.decode()


def test_another_clients_measurement_is_404_under_this_client(client: HttpClient, clinic: Clinic) -> None:
    other = services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=clinic.other_client,  # type: ignore[arg-type]
        instrument_id="weight",
        answers={"value": "1500", "unit": "g"},
        taken_at=TODAY(),
    )
    page = as_role(client, clinic).get(reverse("outcomes:detail", args=[baby(clinic).pk, other.pk]))
    assert page.status_code == 404


def _queries(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["outcomes:list", "outcomes:growth", "clients:detail"])
def test_query_count_does_not_grow_with_the_data(client: HttpClient, clinic: Clinic, name: str) -> None:
    http = as_role(client, clinic)
    url = reverse(name, args=[baby(clinic).pk])
    weights(clinic, [1450, 1470], end=TODAY() - dt.timedelta(days=30))
    # The first page view of a login also pushes the session forward (at most once a minute); count after.
    http.get(url)
    few = _queries(http, url)
    weights(clinic, [1480 + 20 * i for i in range(20)])
    for days_ago in (3, 2, 1):
        services.measurement_record(
            actor=clinic.actor(Role.THERAPIST),
            client=baby(clinic),
            instrument_id="nips",
            answers={"face": 1, "cry": 1, "breathing": 0, "arms": 0, "legs": 0, "arousal": 0},
            taken_at=TODAY() - dt.timedelta(days=days_ago),
        )
    assert _queries(http, url) == few


def test_long_tables_show_the_latest_rows_with_a_link_to_all(client: HttpClient, clinic: Clinic) -> None:
    from kneadwell.outcomes.views import TABLE_ROWS

    older = make_client(clinic.actor(Role.THERAPIST), born_days_ago=120, weeks=None, days=None)
    n = TABLE_ROWS + 5
    days = [TODAY() - dt.timedelta(days=n - 1 - i) for i in range(n)]
    grams = [4000 + 25 * i for i in range(n)]
    for start in (0, 40):
        services.weights_record_series(
            actor=clinic.actor(Role.THERAPIST),
            client=older,
            weights=list(zip(days[start : start + 40], grams[start : start + 40], strict=True)),
        )
    http = as_role(client, clinic)
    url = reverse("outcomes:growth", args=[older.pk])
    page = http.get(url)
    assert len(page.context["points"]) == TABLE_ROWS
    assert f"Show all {n} values" in page.content.decode()
    assert len(http.get(url, {"all": "1"}).context["points"]) == n
