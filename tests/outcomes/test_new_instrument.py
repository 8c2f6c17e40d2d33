"""A new instrument is added by data alone: three made-up instruments, put into the catalogue for these
tests only, are recorded, scored, listed, charted, shown and exported without a line of code naming them.

- calm_scale: a scale of two items summed to a total, with bands (scored by the plain item sum);
- grip_strength: a measurement with a unit, coded in FHIR as an exam;
- body_mass_index: a growth measure (the growth references' `bmi` method), so it gets SDS and centiles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.content.loader import Document
from kneadwell.interop import fhir_export
from kneadwell.outcomes import instruments, measures, selectors, services
from kneadwell.outcomes.instruments import Chart, ashworth, loader, rom
from kwtest.people import Clinic

AGES_ALL = {"min_days": None, "max_days": None}


def _scale() -> dict[str, Any]:
    levels = [{"value": n, "label": label} for n, label in enumerate(("settled", "a little", "a lot"))]
    return {
        "id": "calm_scale",
        "name": "Calm scale (made up for a test)",
        "kind": "item_sum",
        "measures": "How unsettled a client looks.",
        "population": "Anyone.",
        "age_range": AGES_ALL,
        "direction": "higher_worse",
        "licence": "Made up.",
        "sources": ["KW-BOUNDS"],
        "score_range": [0, 4],
        "items": [
            {"id": "face", "label": "Face", "options": levels},
            {"id": "body", "label": "Body", "options": levels},
        ],
        "bands": [
            {"id": "calm", "label": "0-1: calm", "min": 0, "max": 1, "sources": ["KW-BOUNDS"]},
            {"id": "upset", "label": "2-4: upset", "min": 2, "max": 4, "sources": ["KW-BOUNDS"]},
        ],
        "listing": {"group": "Pain and comfort", "order": 24},
    }


def _measurement(
    iid: str, name: str, unit: str, possible: tuple[float, float], **more: Any
) -> dict[str, Any]:
    return {
        "id": iid,
        "name": name,
        "kind": "measurement",
        "measures": name + ".",
        "population": "Anyone.",
        "age_range": AGES_ALL,
        "direction": "neither",
        "licence": "Made up.",
        "sources": ["KW-BOUNDS"],
        "canonical_unit": unit,
        "units": [{"unit": unit, "factor": 1, "decimals": 1}],
        "possible": {"min": possible[0], "max": possible[1]},
        **more,
    }


MADE_UP = {
    "instruments": [
        _scale(),
        _measurement(
            "grip_strength",
            "Grip strength (made up for a test)",
            "kg",
            (0, 100),
            short_name="Grip",
            listing={"group": "Tone, movement and range", "order": 33},
            fhir={"category": "exam"},
        ),
        _measurement(
            "body_mass_index",
            "Body mass index (made up for a test)",
            "kg/m²",
            (5, 80),
            short_name="BMI",
            growth={"method": "bmi", "order": 4},
            listing={"group": "Growth and body", "order": 16},
        ),
    ]
}


def _clear_caches() -> None:
    for module in (loader, ashworth, rom):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


@pytest.fixture
def made_up(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real catalogue plus the made-up file, handed over as the content loader hands over a file."""
    original = loader._catalogue_files

    def files() -> Iterator[Document]:
        yield from original()
        yield Document(path=Path("zz_made_up.yaml"), data=MADE_UP)

    monkeypatch.setattr(loader, "_catalogue_files", files)
    _clear_caches()
    yield
    monkeypatch.undo()
    _clear_caches()


def baby(clinic: Clinic) -> Client:
    assert clinic.client is not None
    return clinic.client  # born 40 days ago at 30+2, consent for care and measurements


def record(clinic: Clinic, instrument_id: str, answers: dict[str, object], days_ago: int = 1) -> Any:
    return services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=baby(clinic),
        instrument_id=instrument_id,
        answers=answers,
        taken_at=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def test_the_made_up_instruments_load_with_what_their_data_says(made_up: None) -> None:
    scale = instruments.get_instrument("calm_scale")
    assert (scale.scoring, scale.chart) == ("item_sum", Chart.TOTAL)
    groups = {title: [i.id for i in members] for title, members in instruments.listed_groups()}
    assert groups["Pain and comfort"][-1] == "calm_scale"
    assert groups["Tone, movement and range"][-1] == "grip_strength"
    assert [i.id for i in measures.growth_instruments()][-1] == "body_mass_index"
    assert instruments.score("calm_scale", {"face": 2, "body": 1}).total == 3


@pytest.mark.django_db
def test_a_made_up_scale_is_recorded_scored_charted_and_listed(
    made_up: None, clinic: Clinic, client: HttpClient
) -> None:
    record(clinic, "calm_scale", {"face": 0, "body": 1}, days_ago=2)
    m = record(clinic, "calm_scale", {"face": 1, "body": 2})
    assert (m.total, m.band) == (3, "upset")
    assert selectors.display_value(m) == "3 of 4"
    trend = selectors.instrument_trend(client=baby(clinic), instrument_id="calm_scale")
    assert [p[1] for p in trend.series[0].points] == [1.0, 3.0]
    assert trend.y_range == (0.0, 4.0)
    client.force_login(clinic.user(Role.THERAPIST))
    choose = client.get(reverse("outcomes:choose", args=[baby(clinic).pk])).content.decode()
    assert "Calm scale (made up for a test)" in choose
    page = client.get(reverse("outcomes:trend", args=[baby(clinic).pk, "calm_scale"]))
    assert page.status_code == 200
    assert "2-4: upset" in page.content.decode()
    form = client.get(reverse("outcomes:create", args=[baby(clinic).pk, "calm_scale"]))
    assert form.status_code == 200
    assert "a little" in form.content.decode()


@pytest.mark.django_db
def test_a_made_up_measurement_is_recorded_shown_and_exported_as_its_data_says(
    made_up: None, clinic: Clinic
) -> None:
    m = record(clinic, "grip_strength", {"value": "21.5", "unit": "kg"})
    assert (m.value, m.unit) == (21.5, "kg")
    assert selectors.display_value(m) == "21.5 kg"
    trend = selectors.instrument_trend(client=baby(clinic), instrument_id="grip_strength")
    assert trend.y_label == "Grip (kg)"  # the short name its data gives
    bundle = fhir_export.export_client(baby(clinic)).bundle
    grip = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and any(c.get("code") == "grip_strength" for c in e["resource"]["code"]["coding"])
    ]
    assert len(grip) == 1
    assert grip[0]["category"][0]["coding"][0]["code"] == "exam"


@pytest.mark.django_db
def test_a_made_up_growth_measure_gets_centiles_on_the_growth_page(
    made_up: None, clinic: Clinic, client: HttpClient
) -> None:
    record(clinic, "body_mass_index", {"value": "12.5", "unit": "kg/m²"})
    summary = selectors.growth_summary(client=baby(clinic))
    bmi = summary.latest_for("body_mass_index")
    assert bmi is not None
    assert bmi.label == "BMI"
    assert bmi.display == "12.5 kg/m²"
    series = selectors.growth_series(client=baby(clinic), instrument_id="body_mass_index")
    assert len(series) == 1
    assert series[0].corrected_sds is not None or series[0].note  # a figure, or the reason there is none
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("outcomes:growth", args=[baby(clinic).pk]) + "?measure=body_mass_index")
    assert page.status_code == 200
    assert "BMI" in page.content.decode()
    # A growth measure is shown on the growth page, not as a trend of its own.
    trend = client.get(reverse("outcomes:trend", args=[baby(clinic).pk, "body_mass_index"]))
    assert trend.status_code == 302
    assert "measure=body_mass_index" in trend["Location"]
