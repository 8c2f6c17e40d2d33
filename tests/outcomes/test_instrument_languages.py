"""The outcome instruments' words in the page's language (docs/languages.md, "Clinical content"): a parent
reads the name of what was recorded, the answers of the scales they fill in and the bands in Spanish or
Arabic on the baby's page, the list, the entry form, the measurement's page and the trend; what is stored
(the instrument's id, its English band label and answers' words), the API and the clinician's English stay
as they were, whatever the language of the page that recorded it."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import replace

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone, translation

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.library.localise import catalogue
from kneadwell.outcomes import instruments
from kneadwell.outcomes import services as outcome_services
from kneadwell.outcomes.instrument_display import shown_band, shown_instrument, shown_name, shown_value
from kneadwell.outcomes.instruments.loader import load_instruments
from kneadwell.outcomes.instruments.translations import (
    AREA,
    COLLECTION,
    instrument_texts,
    localised_instrument,
    stored_band_label,
)
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db
SHIPPED = ("es", "ar")


def _text(response: object) -> str:
    page = response.content.decode()  # type: ignore[attr-defined]
    page = re.sub(r"<script\b[^>]*>.*?</script>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _said(language: str, instrument_id: str, path: str) -> str:
    entry = catalogue(language).entry(AREA, COLLECTION, instrument_id, path)
    assert entry is not None, (language, instrument_id, path)
    return entry.text


def _baby(clinic: Clinic) -> Client:
    assert clinic.client is not None
    return clinic.client


def _record(clinic: Clinic, instrument_id: str, answers: dict[str, object]) -> Measurement:
    return outcome_services.measurement_record(
        actor=clinic.actor(Role.CAREGIVER),
        client=_baby(clinic),
        instrument_id=instrument_id,
        answers=answers,
        taken_at=timezone.now(),
    )


# --- the pure side ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", SHIPPED)
def test_a_translated_instrument_keeps_everything_but_the_words(language: str) -> None:
    found = catalogue(language)
    for english in load_instruments().values():

        def look(path: str, text: str, iid: str = english.id) -> str:
            entry = found.entry(AREA, COLLECTION, iid, path)
            return entry.text if entry else text

        shown = localised_instrument(english, look)
        assert (shown.id, shown.kind, shown.direction, shown.version) == (
            english.id,
            english.kind,
            english.direction,
            english.version,
        )
        assert [(i.id, i.values, i.numeric, i.required) for i in shown.items] == [
            (i.id, i.values, i.numeric, i.required) for i in english.items
        ]
        assert [(b.id, b.minimum, b.maximum, b.source_ids) for b in shown.bands] == [
            (b.id, b.minimum, b.maximum, b.source_ids) for b in english.bands
        ]
        assert (shown.score_min, shown.score_max, shown.source_ids) == (
            english.score_min,
            english.score_max,
            english.source_ids,
        )
        assert shown.chart == english.chart
        assert shown.scoring == english.scoring
        assert shown.name == _said(language, english.id, "name")
    # the catalogue itself is left in English
    assert load_instruments()["bristol_stool"].name == "Bristol Stool Form Scale"


def test_a_text_is_translated_only_while_it_is_the_current_english() -> None:
    bristol = load_instruments()["bristol_stool"]
    es = catalogue("es")

    def look(path: str, text: str) -> str:
        current = instrument_texts(bristol).get(path)
        entry = es.entry(AREA, COLLECTION, bristol.id, path)
        return entry.text if entry and current == text else text

    assert stored_band_label(bristol, "normal", bristol.bands[1].label, look) == _said(
        "es", "bristol_stool", "bands.normal.label"
    )
    # a band label stored before the catalogue reworded it is shown as it was stored
    assert stored_band_label(bristol, "normal", "Types 3-5: normal", look) == "Types 3-5: normal"
    # an older version of the instrument (as an entry was scored with it) keeps its own words
    older = replace(bristol, name="Bristol stool chart (old wording)")
    with translation.override("es"):
        assert shown_instrument(older).name == "Bristol stool chart (old wording)"
        assert shown_instrument(bristol).name == _said("es", "bristol_stool", "name")
    with translation.override("en-gb"):
        assert shown_instrument(bristol) is bristol


# --- the pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", SHIPPED)
def test_the_babys_page_names_the_latest_entries_in_the_parents_language(
    client: HttpClient, clinic: Clinic, language: str
) -> None:
    nose = _record(clinic, "nasal_congestion", {"congestion": 2})
    stool = _record(clinic, "amsterdam_stool", {"consistency": "soft", "amount": "stain", "colour": "yellow"})
    bristol = _record(clinic, "bristol_stool", {"type": 4})
    client.force_login(clinic.user(Role.CAREGIVER))
    url = reverse("clients:detail", args=[_baby(clinic).pk])
    english = _text(client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB"))
    page = _text(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
    for iid in ("nasal_congestion", "amsterdam_stool", "bristol_stool"):
        name = load_instruments()[iid].name
        assert name in english
        assert name not in page, (iid, language)
        assert _said(language, iid, "name") in page
    # the stool scale's answers are words of the instrument too
    # (in the order the database gives the stored answers back: PostgreSQL's jsonb sorts the keys)
    for words in ("Soft, mushy", "A stain only", "Yellow"):
        assert words in english
    soft = _said(language, "amsterdam_stool", "items.consistency.options.soft.label")
    assert soft in page
    assert "Soft, mushy" not in page
    # the trend links under the card
    assert _said(language, "nasal_congestion", "name") in page
    # stored as the catalogue has it, whatever the page's language
    for m in (nose, stool, bristol):
        m.refresh_from_db()
    assert stool.details["labels"] == {
        "consistency": "Soft, mushy",
        "amount": "A stain only",
        "colour": "Yellow",
    }
    assert bristol.band_label == "Types 3-5: within the normal range (type 4 ideal)"
    assert nose.instrument_id == "nasal_congestion"


@pytest.mark.parametrize("language", SHIPPED)
def test_a_parent_fills_in_a_scale_in_their_language_and_the_record_is_the_english_one(
    client: HttpClient, clinic: Clinic, language: str
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    url = reverse("outcomes:create", args=[_baby(clinic).pk, "nasal_congestion"])
    form = _text(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
    assert _said(language, "nasal_congestion", "items.congestion.label") in form
    assert _said(language, "nasal_congestion", "items.congestion.options.3.label") in form
    assert "How blocked is the nose today?" not in form
    assert _said(language, "nasal_congestion", "measures") in form  # "For … · what it measures"
    taken = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data = {"taken_at": taken, "context": "routine", "congestion": "1"}
    sent = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert sent.status_code == 302, _text(sent)[:2000]
    translated = Measurement.objects.get(instrument_id="nasal_congestion")
    # the message on the next page names it in the page's language too
    after = _text(client.get(sent.url, HTTP_ACCEPT_LANGUAGE=language))
    with translation.override(language):
        said = translation.gettext("%(name)s saved: %(value)s.") % {
            "name": _said(language, "nasal_congestion", "name"),
            "value": shown_value(translated),
        }
    assert said in after
    assert "saved:" not in after
    # the same answers entered from an English page make the same record
    client.post(url, data, HTTP_ACCEPT_LANGUAGE="en-GB")
    english = Measurement.objects.filter(instrument_id="nasal_congestion").exclude(pk=translated.pk).get()
    fields = ("instrument_id", "instrument_version", "answers", "total", "band", "band_label", "details")
    assert [getattr(translated, f) for f in fields] == [getattr(english, f) for f in fields]
    # the measurement's page and the list show it in the page's language
    detail = _text(
        client.get(
            reverse("outcomes:detail", args=[_baby(clinic).pk, translated.pk]), HTTP_ACCEPT_LANGUAGE=language
        )
    )
    assert _said(language, "nasal_congestion", "name") in detail
    assert _said(language, "nasal_congestion", "items.congestion.options.1.label") in detail
    assert "A little blocked" not in detail
    listing = _text(
        client.get(reverse("outcomes:list", args=[_baby(clinic).pk]), HTTP_ACCEPT_LANGUAGE=language)
    )
    assert _said(language, "nasal_congestion", "name") in listing


@pytest.mark.parametrize("language", SHIPPED)
def test_the_trend_and_the_band_read_in_the_page_language_and_the_api_stays_english(
    client: HttpClient, clinic: Clinic, language: str
) -> None:
    m = _record(clinic, "bristol_stool", {"type": 6})
    client.force_login(clinic.user(Role.CAREGIVER))
    url = reverse("outcomes:trend", args=[_baby(clinic).pk, "bristol_stool"])
    page = _text(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
    assert _said(language, "bristol_stool", "name") in page
    assert _said(language, "bristol_stool", "bands.diarrhoea.label") in page
    assert "suggests diarrhoea" not in page
    chart = client.get(
        reverse("outcomes:trend_chart", args=[_baby(clinic).pk, "bristol_stool"]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).json()
    assert "Bristol Stool Form Scale" not in str(chart)
    # the API answers in English, whatever the Accept-Language
    api = client.get(
        f"/api/v1/clients/{_baby(clinic).pk}/measurements/{m.pk}",
        HTTP_ACCEPT_LANGUAGE=language,
        headers={"Authorization": f"Bearer {clinic.token(Role.THERAPIST)}"},
    ).json()
    assert api["instrument_id"] == "bristol_stool"
    assert api["band_label"] == "Types 6-7: suggests diarrhoea"
    with translation.override(language):
        assert shown_band(m) == _said(language, "bristol_stool", "bands.diarrhoea.label")
        assert shown_name("bristol_stool") == _said(language, "bristol_stool", "name")
        assert shown_name("no_such_instrument") == "no_such_instrument"
    with translation.override("en-gb"):
        assert shown_band(m) == "Types 6-7: suggests diarrhoea"


@pytest.mark.parametrize("language", SHIPPED)
def test_a_diary_total_reads_in_the_page_language(clinic: Clinic, language: str) -> None:
    today = timezone.localdate()
    day, after = today.isoformat(), (today + dt.timedelta(days=1)).isoformat()
    entries = [  # a complete day: 45 minutes of crying, asleep the rest of it
        {"category": "sleep", "start": f"{day}T00:00:00", "end": f"{day}T10:00:00"},
        {"category": "crying", "start": f"{day}T10:00:00", "end": f"{day}T10:45:00"},
        {"category": "sleep", "start": f"{day}T10:45:00", "end": f"{after}T00:00:00"},
    ]
    m = _record(clinic, "infant_day_diary", {"days": [{"day": day, "entries": entries}]})
    with translation.override("en-gb"):
        assert shown_value(m).endswith("min crying and fussing")
    with translation.override(language):
        shown = shown_value(m)
    assert shown.endswith(_said(language, "infant_day_diary", "total_display.suffix")), shown
    assert shown.split()[0] == "45"
    assert instruments.get_instrument("infant_day_diary").total_display.suffix == "min crying and fussing"  # type: ignore[union-attr]
