"""The entry, detail, list and trend pages of the instruments added for the protocols' outcomes: context
inputs on the form and beside the result, a stay from its dates, MRC grades per side, the PSFS's named
activities."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.outcomes import instruments
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db
NEW = (
    "bilirubin", "nasal_congestion", "peak_flow", "childrens_fear_scale", "touch_aversion_observation",
    "parent_infant_observation", "muscle_strength_mrc", "patient_specific_function", "length_of_stay",
    "running_economy",
)  # fmt: skip


def baby(clinic: Clinic) -> Client:
    assert clinic.client is not None
    return clinic.client


def http(client: HttpClient, clinic: Clinic) -> HttpClient:
    client.force_login(clinic.user(Role.THERAPIST))
    return client


def now_field() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def text(response: object) -> str:
    page = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_every_new_instrument_is_listed_and_has_its_form_with_its_licence(
    client: HttpClient, clinic: Clinic
) -> None:
    h = http(client, clinic)
    choose = text(h.get(reverse("outcomes:choose", args=[baby(clinic).pk])))
    for group in (
        "Breathing",
        "Feelings and behaviour",
        "Hospital and laboratory",
        "Strength, function and fitness",
    ):
        assert group in choose
    for iid in NEW:
        inst = instruments.get_instrument(iid)
        assert inst.name in choose, iid
        page = h.get(reverse("outcomes:create", args=[baby(clinic).pk, iid]))
        assert page.status_code == 200, iid
        assert inst.licence.split(":")[0] in text(page), iid


def test_bilirubin_is_entered_in_mg_per_dl_with_the_age_and_shown_with_it(
    client: HttpClient, clinic: Clinic
) -> None:
    h = http(client, clinic)
    url = reverse("outcomes:create", args=[baby(clinic).pk, "bilirubin"])
    form = text(h.get(url))
    assert "Baby's age when the blood was taken (hours)" in form
    assert "No treatment bands" in form
    data = {
        "taken_at": now_field(),
        "context": "routine",
        "value": "12.5",
        "unit": "mg/dL",
        "ctx__age_hours": "60",
    }
    assert h.post(url, data).status_code == 302
    m = Measurement.objects.get(instrument_id="bilirubin")
    assert m.value == pytest.approx(213.75)
    assert m.unit == "µmol/L"
    assert m.details["context_inputs"] == {"age_hours": 60}
    detail = text(h.get(reverse("outcomes:detail", args=[baby(clinic).pk, m.pk])))
    assert "12.5 mg/dL (at 60 hours old)" in detail
    assert "Baby's age when the blood was taken 60 hours" in detail
    listing = text(h.get(reverse("outcomes:list", args=[baby(clinic).pk])))
    assert "12.5 mg/dL (at 60 hours old)" in listing


def test_a_bad_context_input_is_shown_on_its_field_and_nothing_is_saved(
    client: HttpClient, clinic: Clinic
) -> None:
    h = http(client, clinic)
    url = reverse("outcomes:create", args=[baby(clinic).pk, "bilirubin"])
    data = {
        "taken_at": now_field(),
        "context": "routine",
        "value": "200",
        "unit": "µmol/L",
        "ctx__age_hours": "-2",
    }
    response = h.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["ctx__age_hours"]
    assert not Measurement.objects.filter(instrument_id="bilirubin").exists()


def test_a_stay_is_saved_from_its_dates_and_half_the_dates_is_refused(
    client: HttpClient, clinic: Clinic
) -> None:
    h = http(client, clinic)
    url = reverse("outcomes:create", args=[baby(clinic).pk, "length_of_stay"])
    admitted = timezone.localdate() - dt.timedelta(days=12)
    base = {"taken_at": now_field(), "context": "end", "unit": "days", "ctx__admitted": admitted.isoformat()}
    refused = h.post(url, base)
    assert refused.status_code == 200
    assert "Date of discharge: missing" in refused.context["form"].errors["ctx__discharged"][0]
    saved = h.post(url, {**base, "ctx__discharged": timezone.localdate().isoformat()})
    assert saved.status_code == 302
    assert Measurement.objects.get(instrument_id="length_of_stay").value == 12


def test_mrc_grades_are_taken_per_side_and_trended_as_grades(client: HttpClient, clinic: Clinic) -> None:
    h = http(client, clinic)
    url = reverse("outcomes:create", args=[baby(clinic).pk, "muscle_strength_mrc"])
    form = text(h.get(url))
    assert "Moves against gravity, but not against resistance" in form
    data = {"taken_at": now_field(), "context": "baseline", "mas__knee_extensors__left": "3"}
    assert h.post(url, data).status_code == 302
    m = Measurement.objects.get(instrument_id="muscle_strength_mrc")
    assert (m.site, m.side, m.details["grades"]) == ("knee_extensors", "left", {"knee_extensors.left": "3"})
    trend = text(h.get(reverse("outcomes:trend", args=[baby(clinic).pk, "muscle_strength_mrc"])))
    assert "MRC grades 0-5 per muscle group and side" in trend
    assert "Knee extensors (quadriceps), left" in trend


def test_the_psfs_takes_each_activity_with_its_name(client: HttpClient, clinic: Clinic) -> None:
    h = http(client, clinic)
    url = reverse("outcomes:create", args=[baby(clinic).pk, "patient_specific_function"])
    data = {"taken_at": now_field(), "context": "baseline", "ctx__activity_1": "climbing stairs",
            "rating_1": "4", "rating_2": "6"}  # fmt: skip
    refused = h.post(url, data)
    assert refused.status_code == 200
    assert "name the activity that was rated" in refused.context["form"].errors["ctx__activity_2"][0]
    assert h.post(url, {**data, "ctx__activity_2": "kneeling"}).status_code == 302
    m = Measurement.objects.get(instrument_id="patient_specific_function")
    assert m.total == 5
    trend = text(h.get(reverse("outcomes:trend", args=[baby(clinic).pk, "patient_specific_function"])))
    assert "climbing stairs (of 10)" in trend
    assert "Mean of the activities rated (of 10)" in trend


def test_the_fear_rating_keeps_who_chose_the_face(client: HttpClient, clinic: Clinic) -> None:
    h = http(client, clinic)
    url = reverse("outcomes:create", args=[baby(clinic).pk, "childrens_fear_scale"])
    data = {"taken_at": now_field(), "context": "baseline", "fear": "2", "ctx__rated_by": "parent"}
    assert h.post(url, data).status_code == 302
    m = Measurement.objects.get(instrument_id="childrens_fear_scale")
    detail = text(h.get(reverse("outcomes:detail", args=[baby(clinic).pk, m.pk])))
    assert "2 of 4 (rated by a parent, for the child)" in detail
