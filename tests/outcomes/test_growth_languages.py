"""The growth figures in the page's language (docs/languages.md, "Numbers" and "Growth"): why a value has
no SDS, rcpchgrowth's advisories and the velocity's errors worded from codes and figures; one decimal mark
per language on the growth page, the baby's page and the parent's report (page and PDF); the CLI, the API
and stored words keep their English and the point."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import math
import re
import unicodedata
from pathlib import Path

import numpy as np
import pypdf
import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone, translation

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.core.marking import decimal_mark, local_decimals
from kneadwell.outcomes import growth_words
from kneadwell.outcomes import selectors as growth_selectors
from kneadwell.outcomes import services as outcome_services
from kneadwell.outcomes.growth import batch_sds, measurement_sds
from kneadwell.outcomes.growth.errors import ErrorCode
from kneadwell.outcomes.growth.references import AGE_LIMITS
from kneadwell.outcomes.growth.velocity import VelocityError, WeightPoint, velocity
from kneadwell.outcomes.growth.zscores import NoSds
from kneadwell.reports import services as report_services
from kwtest.people import Clinic, make_client

D = dt.date
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# One row per error code that a code and its figures word (value, gestation, sex, reference, dates).
ROWS = [
    # (sex, birth, observed, weeks, days, method, value, reference, expected code)
    ("other", D(2026, 1, 1), D(2026, 2, 1), 40, 0, "weight", 3.5, "uk-who", ErrorCode.UNKNOWN_SEX),
    ("female", D(2026, 1, 1), D(2026, 2, 1), 40, 0, "mass", 3.5, "uk-who", ErrorCode.UNKNOWN_METHOD),
    (
        "female",
        D(2026, 1, 1),
        D(2026, 2, 1),
        20,
        0,
        "weight",
        3.5,
        "uk-who",
        ErrorCode.GESTATION_WEEKS_OUT_OF_RANGE,
    ),
    (
        "female",
        D(2026, 1, 1),
        D(2026, 2, 1),
        40,
        9,
        "weight",
        3.5,
        "uk-who",
        ErrorCode.GESTATION_DAYS_OUT_OF_RANGE,
    ),
    (
        "female",
        D(2026, 1, 10),
        D(2026, 1, 1),
        40,
        0,
        "weight",
        3.5,
        "uk-who",
        ErrorCode.OBSERVATION_BEFORE_BIRTH,
    ),
    ("female", D(2026, 1, 1), D(2026, 2, 1), 40, 0, "weight", math.inf, "uk-who", ErrorCode.VALUE_NOT_FINITE),
    ("female", D(2026, 1, 1), D(2026, 2, 1), 40, 0, "weight", -1.5, "uk-who", ErrorCode.VALUE_NOT_POSITIVE),
    ("male", D(2026, 1, 1), D(2027, 6, 1), 40, 0, "height", 80.5, "turners", ErrorCode.NO_REFERENCE_DATA),
    ("female", D(2026, 1, 1), D(2027, 6, 1), 40, 0, "weight", 10.5, "turners", ErrorCode.NO_REFERENCE_DATA),
    ("female", D(2026, 1, 1), D(2026, 1, 20), 30, 2, "weight", 1.5, "cdc", ErrorCode.CDC_BEFORE_DUE_DATE),
    (
        "female",
        D(2026, 1, 1),
        D(2026, 1, 5),
        23,
        0,
        "height",
        30.5,
        "uk-who",
        ErrorCode.CORRECTED_AGE_BELOW_REFERENCE,
    ),
    (
        "female",
        D(2026, 1, 1),
        D(2026, 3, 1),
        40,
        0,
        "bmi",
        14.5,
        "uk-who",
        ErrorCode.CORRECTED_AGE_BELOW_REFERENCE,
    ),
    (
        "female",
        D(2026, 1, 1),
        D(2026, 1, 6),
        44,
        0,
        "bmi",
        14.5,
        "uk-who",
        ErrorCode.CHRONOLOGICAL_AGE_BELOW_REFERENCE,
    ),
    (
        "female",
        D(2000, 1, 1),
        D(2026, 6, 1),
        40,
        0,
        "weight",
        60.5,
        "uk-who",
        ErrorCode.CORRECTED_AGE_ABOVE_REFERENCE,
    ),
    (
        "female",
        D(2000, 1, 1),
        D(2020, 2, 20),
        24,
        0,
        "weight",
        60.5,
        "uk-who",
        ErrorCode.CHRONOLOGICAL_AGE_ABOVE_REFERENCE,
    ),
    ("female", D(2026, 1, 1), D(2026, 2, 1), 40, 0, "bmi", 1e9, "cdc", None),
]


def _rows() -> list[tuple[NoSds, str]]:
    found = []
    for sex, born, seen, weeks, days, method, value, reference, _code in ROWS:
        result = batch_sds(
            np.array([sex]),
            np.array([born], dtype="datetime64[D]"),
            np.array([seen], dtype="datetime64[D]"),
            np.array([weeks]),
            np.array([days]),
            np.array([method]),
            np.array([value], dtype=np.float64),
            reference,
        )
        why = result.why(0)
        if why is not None:
            found.append((why, result.message(0) or ""))
    return found


def test_the_rows_reach_the_codes_they_are_meant_to() -> None:
    codes = {why.code for why, _ in _rows()}
    wanted = {code for *_, code in ROWS if code is not None}
    assert wanted <= codes


def test_why_there_is_no_sds_reads_in_english_as_the_cli_writes_it() -> None:
    rows = _rows()
    assert len(rows) >= len(ROWS) - 1
    with translation.override("en-gb"):
        for why, english in rows:
            assert growth_words.sds_error(why) == english, why.code


@pytest.mark.parametrize("language", ["es", "ar"])
def test_why_there_is_no_sds_is_translated(language: str) -> None:
    with translation.override(language):
        for why, english in _rows():
            translated = growth_words.sds_error(why)
            assert translated != english, (why.code, english)
            assert not re.search(r"\d\.\d", translated) or language == "ar", translated


def test_every_age_limit_has_its_words() -> None:
    texts = {t for limit in AGE_LIMITS.values() for t in (limit.low_text, limit.high_text)}
    with translation.override("es"):
        untranslated = [t for t in texts if growth_words.age_limit_words(t) == t]
    assert not untranslated
    with translation.override("es"):
        assert growth_words.age_limit_words("18.82 years") == "18,82 años"


def _advisory_result(method: str, value: float):  # type: ignore[no-untyped-def]
    return measurement_sds("female", D(2026, 1, 1), D(2026, 3, 1), 40, 0, method, value, "uk-who")


@pytest.mark.parametrize(
    ("method", "value"),
    [("weight", 40.0), ("weight", 0.3), ("height", 1.5), ("ofc", 80.5), ("height", 120.0)],
)
def test_rcpchgrowths_advisories_are_worded_in_the_pages_language(method: str, value: float) -> None:
    result = _advisory_result(method, value)
    assert result.advisory, "rcpchgrowth gave no advisory for this value"
    with translation.override("en-gb"):
        assert growth_words.sds_advisory(result) == result.advisory
    for language in ("es", "ar"):
        with translation.override(language):
            translated = growth_words.sds_advisory(result)
            assert translated, language
            assert translated != result.advisory, (language, result.advisory)
    assert "considered to be an error" in result.advisory or "metres" in result.advisory  # stays English


def test_an_advisory_not_known_here_is_shown_as_rcpchgrowth_wrote_it() -> None:
    result = _advisory_result("weight", 40.0)
    changed = type(result)(**{**result.__dict__, "advisory": "Some newer rcpchgrowth wording."})
    with translation.override("es"):
        assert growth_words.sds_advisory(changed) == "Some newer rcpchgrowth wording."


@pytest.mark.parametrize(
    ("points", "kwargs", "code", "page"),
    [
        (
            [WeightPoint(D(2026, 1, 2), -5.0)],
            {},
            "weight_not_positive",
            "The weight on 2 Jan 2026 must be a positive number of grams.",
        ),
        (
            [WeightPoint(D(2026, 1, 2), 1500.0)],
            {"start_after_regain": True, "birth_weight_g": -1.0},
            "birth_weight_not_positive",
            "The birth weight must be a positive number of grams.",
        ),
        ([], {"start_after_regain": True}, "no_weights", "No weights recorded yet."),
    ],
)
def test_velocity_errors_a_parent_can_meet_are_translated(
    points: list[WeightPoint], kwargs: dict[str, object], code: str, page: str
) -> None:
    with pytest.raises(VelocityError) as caught:
        velocity(points, "exponential", **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code
    english = str(caught.value)  # what the CLI writes: unchanged
    assert english in (
        "weight on 2026-01-02 must be a positive number of grams",
        "birth weight must be a positive number of grams",
        "no weights given",
    )
    with translation.override("en-gb"):
        assert growth_words.velocity_error(caught.value) == page
    with translation.override("es"):
        spanish = growth_words.velocity_error(caught.value)
    with translation.override("ar"):
        arabic = growth_words.velocity_error(caught.value)
    assert spanish != page
    assert arabic != page
    assert not re.search("[A-Za-z]{4}", arabic)


# --- the decimal mark -----------------------------------------------------------------------------------


def test_one_decimal_mark_per_language() -> None:
    marks = {}
    for language in ("en-gb", "es", "ar"):
        with translation.override(language):
            marks[language] = decimal_mark()
            assert (
                local_decimals("2.70 kg on 2026-03-01. Next.")
                == f"2{marks[language]}70 kg on 2026-03-01. Next."
            )
    assert marks == {"en-gb": ".", "es": ",", "ar": "."}
    with translation.override(None):  # the clinician's report and the exports: translation off
        assert decimal_mark() == "."


# --- the pages --------------------------------------------------------------------------------------

SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>|<style\b[^>]*>.*?</style>", re.S)
TAG = re.compile(r"<[^>]+>")
DOT_DECIMAL = re.compile(r"\d\.\d")
COMMA_DECIMAL = re.compile(r"\d,\d")


def _shown(content: bytes) -> str:
    """What a reader sees: the text between tags (no scripts, styles or attributes), entities decoded."""
    return html.unescape(TAG.sub(" ", SCRIPT.sub("", content.decode())))


def _around(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [text[max(0, m.start() - 40) : m.end() + 20] for m in pattern.finditer(text)]


@pytest.fixture
def parent_and_baby(clinic: Clinic) -> tuple[HttpClient, Client]:
    """A baby born at 32+0, 20 days ago, with a week of weights, a length and a head circumference (figures
    with decimals: 42.5 cm, a velocity, SDS), whose parent is signed in."""
    parent = clinic.user(Role.CAREGIVER)
    baby = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=parent,
        born_days_ago=20,
        weeks=32,
        days=0,
        given_name="Mo",
    )
    today = timezone.localdate()
    grams = [1600, 1580, 1620, 1690, 1750]
    days = [today - dt.timedelta(days=2 * (len(grams) - 1 - i)) for i in range(len(grams))]
    therapist = clinic.actor(Role.THERAPIST)
    outcome_services.weights_record_series(
        actor=therapist, client=baby, weights=list(zip(days, grams, strict=True))
    )
    for instrument_id, value in (("length_height", "42.5"), ("head_circumference", "30.3")):
        outcome_services.measurement_record(
            actor=therapist,
            client=baby,
            instrument_id=instrument_id,
            answers={"value": value},
            taken_at=today,
        )
    http = HttpClient()
    http.force_login(parent)
    return http, baby


def _page(http: HttpClient, url: str, language: str) -> str:
    response = http.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return _shown(response.content)


@pytest.mark.django_db
def test_the_growth_pages_figures_take_the_languages_decimal_mark(
    parent_and_baby: tuple[HttpClient, Client],
) -> None:
    http, baby = parent_and_baby
    urls = {
        "growth": reverse("outcomes:growth", args=[baby.pk]),
        "growth, length": reverse("outcomes:growth", args=[baby.pk]) + "?measure=length_height",
        "baby": reverse("clients:detail", args=[baby.pk]),
        "report": reverse("reports:page", args=[baby.pk]),
    }
    for name, url in urls.items():
        english = _page(http, url, "en-GB")
        spanish = _page(http, url, "es")
        arabic = _page(http, url, "ar")
        assert not _around(spanish, DOT_DECIMAL), (name, _around(spanish, DOT_DECIMAL))
        assert not _around(arabic, COMMA_DECIMAL), (name, _around(arabic, COMMA_DECIMAL))
        assert not _around(english, COMMA_DECIMAL), (name, _around(english, COMMA_DECIMAL))
        # not vacuous: each page shows decimals (42.5 cm, a velocity, SDS), with a point in English
        assert _around(english, DOT_DECIMAL), name
        assert _around(spanish, COMMA_DECIMAL), name
        assert _around(arabic, DOT_DECIMAL), name


def _pdf_text(body: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(body))
    # Arabic is stored as shaped glyphs (presentation forms); NFKC gives the letters back
    return unicodedata.normalize("NFKC", " ".join(" ".join(p.extract_text().split()) for p in reader.pages))


@pytest.mark.django_db
def test_the_parent_reports_pdf_draws_the_chart_in_the_readers_words_and_decimals(
    clinic: Clinic, parent_and_baby: tuple[HttpClient, Client]
) -> None:
    _http, baby = parent_and_baby
    texts = {}
    for language in ("en-gb", "es", "ar"):
        with translation.override(language):
            _report, body = report_services.report_pdf(
                actor=clinic.actor(Role.CAREGIVER), client_id=baby.pk, version="parent"
            )
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"report-growth-{language}.pdf").write_bytes(body)
        texts[language] = _pdf_text(body)
    english, spanish, arabic = texts["en-gb"], texts["es"], texts["ar"]
    # the chart's title and axes (drawn inside the SVG) and the weights
    for words in ("Weight (UK-WHO, girls)", "Weight (kg)", "Postmenstrual age (weeks; 40 = due date)"):
        assert words in english
        assert words not in spanish, words
        assert words not in arabic, words
    assert "Peso (UK-WHO, niñas)" in spanish
    assert "Peso (kg)" in spanish
    assert DOT_DECIMAL.search(english)
    assert not _around(spanish, DOT_DECIMAL), _around(spanish, DOT_DECIMAL)
    assert COMMA_DECIMAL.search(spanish)
    assert not _around(arabic, COMMA_DECIMAL), _around(arabic, COMMA_DECIMAL)


@pytest.mark.django_db
def test_the_chart_datas_centile_labels_take_the_decimal_mark(
    parent_and_baby: tuple[HttpClient, Client],
) -> None:
    http, baby = parent_and_baby
    url = reverse("outcomes:growth_chart", args=[baby.pk])
    labels = {}
    for language in ("en-GB", "es", "ar"):
        data = json.loads(http.get(url, HTTP_ACCEPT_LANGUAGE=language).content)
        labels[language] = [line["label"] for line in data["centiles"]]
    assert "0.4" in labels["en-GB"]
    assert "0,4" in labels["es"]
    assert "0.4" in labels["ar"]
    assert [label.replace(",", ".") for label in labels["es"]] == labels["en-GB"]


@pytest.mark.django_db
def test_the_growth_page_says_why_there_is_no_sds_in_its_language(
    parent_and_baby: tuple[HttpClient, Client],
) -> None:
    """CDC has no data before the due date: the latest values and the table say so in the page's language
    (the API keeps the English)."""
    http, baby = parent_and_baby
    url = reverse("outcomes:growth", args=[baby.pk]) + "?reference=cdc"
    english = _page(http, url, "en-GB")
    assert "No SDS: CDC has no data before the due date" in english
    spanish = _page(http, url, "es")
    assert "CDC has no data" not in spanish
    assert "los CDC no tienen datos antes de la fecha prevista de parto" in spanish
    arabic = _page(http, url, "ar")
    assert "CDC has no data" not in arabic
    assert "لا تتوفر بيانات CDC قبل موعد الولادة المتوقع" in arabic
    with translation.override("es"):
        summary = growth_selectors.growth_summary(client=baby, reference="cdc")
    latest = summary.latest_for("weight")
    assert latest is not None
    # what the API returns (the SDS result's own words) stays English; the page's words are Spanish
    assert latest.sds.error is not None
    assert latest.sds.error.startswith("CDC has no data before the due date")
    assert latest.error_text.startswith("los CDC no tienen datos")


# --- one decimal mark across the app (Django's formats, the measurement pages, the charts' data) ------


def test_djangos_number_formats_follow_the_same_rule() -> None:
    """floatformat, a float in a template and `localize` write each language's mark: Spanish's comma is
    Django's own `es` format; Arabic's point comes from the project's format module (formats/ar), where
    Django's `ar` says comma. Arabic's dates are still Django's."""
    from django.template import Context, Template
    from django.utils import formats

    template = Template("{{ x|floatformat:1 }} {{ x }} {{ x|floatformat:'-2' }}")
    expected = {"en-gb": "14.8 14.8 14.80", "es": "14,8 14,8 14,80", "ar": "14.8 14.8 14.80"}
    for language, written in expected.items():
        with translation.override(language):
            assert formats.get_format("DECIMAL_SEPARATOR") == decimal_mark(), language
            assert template.render(Context({"x": 14.8})) == written, language
    with translation.override("ar"):
        assert formats.get_format("DATE_FORMAT") == "j F، Y"  # Django's ar, left alone
        assert formats.get_format("THOUSAND_SEPARATOR") == ","


@pytest.mark.django_db
def test_a_measurements_page_and_list_take_the_languages_decimal_mark(
    parent_and_baby: tuple[HttpClient, Client],
) -> None:
    http, baby = parent_and_baby
    length = baby.measurements.get(instrument_id="length_height")
    urls = {
        "list": reverse("outcomes:list", args=[baby.pk]),
        "measurement": reverse("outcomes:detail", args=[baby.pk, length.pk]),
    }
    for name, url in urls.items():
        english = _page(http, url, "en-GB")
        spanish = _page(http, url, "es")
        arabic = _page(http, url, "ar")
        assert "42.5 cm" in english, name
        assert "42,5 cm" in spanish, name
        assert "42.5 cm" in arabic, name
        assert not _around(spanish, DOT_DECIMAL), (name, _around(spanish, DOT_DECIMAL))
        assert not _around(arabic, COMMA_DECIMAL), (name, _around(arabic, COMMA_DECIMAL))
        assert not _around(english, COMMA_DECIMAL), (name, _around(english, COMMA_DECIMAL))
    # what the API, the CSV and the clinician's report write (display_value) keeps the point
    with translation.override("es"):
        assert growth_selectors.display_value(length) == "42.5 cm"


@pytest.mark.django_db
def test_the_charts_data_carry_the_pages_decimal_mark_and_stay_numbers(
    parent_and_baby: tuple[HttpClient, Client],
) -> None:
    http, baby = parent_and_baby
    urls = [
        reverse("outcomes:growth_chart", args=[baby.pk]),
        reverse("outcomes:trend_chart", args=[baby.pk, "nips"]),
    ]
    for url in urls:
        data = {}
        for language in ("en-GB", "es", "ar"):
            response = http.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            data[language] = json.loads(response.content)
        assert [d["decimal_mark"] for d in data.values()] == [".", ",", "."], url
        if data["es"]["kind"] == "growth":
            assert [p["y"] for p in data["es"]["points"]] == [p["y"] for p in data["en-GB"]["points"]]
            assert all(isinstance(p["y"], float) for p in data["es"]["points"])
