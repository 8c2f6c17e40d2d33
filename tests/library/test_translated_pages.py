"""The clinical content on a parent's pages in Spanish and Arabic (library/display.py): today's check, its
result with a stop reason, and the player's step and stop, in the active language; an unreviewed safety
text with its English original beside it (an organisation setting, on by default); and what is stored
stays in English, with the same verdict whatever the language."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Observation, Session
from kneadwell.library import services
from kneadwell.library.loader import default_library
from kneadwell.library.localise import catalogue
from kneadwell.library.models import ReadinessCheck
from kwtest.people import Clinic, make_client
from kwtest.screening import clear_form

pytestmark = pytest.mark.django_db

LANGUAGES = ("es", "ar")


@pytest.fixture
def baby(clinic: Clinic) -> Any:
    return make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=70,
        weeks=39,
        days=3,
    )


@pytest.fixture
def parent(client: HttpClient, clinic: Clinic, baby: Any) -> HttpClient:
    client.force_login(clinic.user(Role.CAREGIVER))
    data = {"population": "infant", **clear_form("infant", "intake")}
    assert client.post(reverse("library:intake", args=[baby.pk]), data).status_code == 302
    return client


def text(language: str, collection: str, item_id: str, path: str, area: str = "library") -> str:
    entry = catalogue(language).entry(area, collection, item_id, path)
    assert entry is not None, (language, collection, item_id, path)
    return entry.text


def page(http: HttpClient, url: str, language: str) -> str:
    return html.unescape(http.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())


def check(http: HttpClient, baby: Any, language: str, **changes: Any) -> ReadinessCheck:
    data = {"protocol": "iaim_first_week", **clear_form("infant", "today", **changes)}
    response = http.post(reverse("library:check", args=[baby.pk]), data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ReadinessCheck.objects.filter(client=baby).latest("created_at")


@pytest.mark.parametrize("language", LANGUAGES)
def test_todays_check_asks_in_the_language(parent: HttpClient, baby: Any, language: str) -> None:
    url = reverse("library:check", args=[baby.pk]) + "?protocol=iaim_first_week"
    shown = page(parent, url, language)
    assert text(language, "question_sets", "infant_today", "checklist_label") in shown
    assert text(language, "questions", "fever_today", "item_label") in shown
    assert text(language, "states", "quiet_alert", "label") in shown  # an answer of "How is the baby?"
    assert text(language, "protocols", "iaim_first_week", "name") in shown
    english = default_library().questions["fever_today"].item_label
    assert english is not None
    assert english not in shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_stop_reason_is_shown_in_the_language_with_its_english_original(
    parent: HttpClient, baby: Any, language: str
) -> None:
    result = check(parent, baby, language, fever_today="yes")
    rule = default_library().rules["fever"]
    # Stored in English and by id, whatever the page's language.
    reason = next(r for r in result.verdict["reasons"] if r["rule_id"] == "fever")
    assert (reason["parent_text"], reason["instead"]) == (rule.text_parent, rule.instead)
    assert result.action == "stop"

    shown = page(parent, reverse("library:check_result", args=[baby.pk, result.pk]), language)
    assert text(language, "rules", "fever", "text_parent") in shown
    assert text(language, "rules", "fever", "instead") in shown
    assert text(language, "rules", "fever", "title") in shown
    # The translation is a draft, so the English the team wrote is beside it, marked as English and
    # introduced in the page's language.
    info = catalogue(language).info
    assert rule.text_parent in shown
    assert rule.instead in shown
    beside = (
        f'{info.original_label} ({info.unreviewed_note}): <bdi lang="en" dir="ltr">{rule.text_parent}</bdi>'
    )
    assert beside in shown


def test_the_english_original_can_be_switched_off_by_the_organisation(
    parent: HttpClient, clinic: Clinic, baby: Any
) -> None:
    services.translation_policy_save(actor=clinic.actor(Role.ADMIN), english_beside_unreviewed=False)
    result = check(parent, baby, "es", fever_today="yes")
    shown = page(parent, reverse("library:check_result", args=[baby.pk, result.pk]), "es")
    assert text("es", "rules", "fever", "text_parent") in shown
    assert default_library().rules["fever"].text_parent not in shown


def test_english_pages_are_unchanged(parent: HttpClient, baby: Any) -> None:
    result = check(parent, baby, "en-gb", fever_today="yes")
    shown = page(parent, reverse("library:check_result", args=[baby.pk, result.pk]), "en-gb")
    rule = default_library().rules["fever"]
    assert rule.text_parent in shown
    assert "original-text" not in shown
    assert text("es", "rules", "fever", "text_parent") not in shown


def test_the_screening_is_the_same_in_every_language(parent: HttpClient, baby: Any) -> None:
    """The same answers give the same stored verdict (action, rules, regions, texts: English) whatever the
    page's language."""
    answers = {"fever_today": "yes", "skin_problem_regions": ["left_foot"], "vaccinated_recently": "no"}
    verdicts = {}
    for language in ("en-gb", *LANGUAGES):
        stored = check(parent, baby, language, **answers)
        verdicts[language] = (stored.action, stored.verdict, stored.answers, stored.content_version)
    assert verdicts["es"] == verdicts["en-gb"]
    assert verdicts["ar"] == verdicts["en-gb"]
    assert {r["rule_id"] for r in verdicts["ar"][1]["reasons"]} >= {"fever", "skin_problems"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_player_shows_the_step_and_the_stop_in_the_language(
    parent: HttpClient, baby: Any, language: str
) -> None:
    data = {"protocol": "iaim_first_week", "then": "start", **clear_form("infant", "today")}
    parent.post(reverse("library:check", args=[baby.pk]), data, HTTP_ACCEPT_LANGUAGE=language)
    session = Session.objects.get(client=baby)
    first = session.steps[0]
    player = reverse("care:player", args=[session.pk])
    shown = page(parent, player, language)
    assert text(language, "techniques", first["technique"], "name") in shown
    assert text(language, "techniques", first["technique"], "description_parent") in shown
    assert first["how_parent"] not in shown
    assert text(language, "cues", "arching", "label") in shown  # the cue buttons

    response = parent.post(
        reverse("care:player_act", args=[session.pk]),
        {"action": "cue", "code": "crying_cue", "key": "k1"},
        headers={"X-Player": "1"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    stopped = html.unescape(response.content.decode())
    session.refresh_from_db()
    assert session.status == Session.Status.STOPPED
    check_words = default_library().session_checks["cue_stop"]
    stored = Observation.objects.get(session=session, code="crying_cue").reasons[0]
    assert (stored["parent_text"], stored["detail"]) == (check_words.text_parent, "Seen: crying")
    assert text(language, "session_checks", "cue_stop", "text_parent") in stopped
    assert text(language, "session_checks", "cue_stop", "instead") in stopped
    assert check_words.text_parent in stopped  # the English original beside the unreviewed draft
    seen = catalogue(language).info.seen
    assert f"{seen}: {text(language, 'cues', 'crying_cue', 'label').lower()}" in stopped


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_up_asks_the_health_history_in_the_language(client: HttpClient, language: str) -> None:
    shown = page(client, reverse("accounts:signup"), language)
    assert text(language, "questions", "had_surgery", "item_label") in shown
    assert "An operation in the past year" not in shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reasons_note_is_stored_english_and_shown_in_the_language(
    parent: HttpClient, clinic: Clinic, baby: Any, language: str
) -> None:
    """The screening's own note ("Not answered: …. Treated as if it applies.") is stored English and shown
    in the page's language, the question named by its translated label (library/localise.Shower.note)."""
    from django.utils import translation

    from kneadwell.library.localise import NOT_ANSWERED
    from kwtest.screening import clear_answers

    answers = clear_answers("infant", "today")
    del answers["fever_today"]  # not answered (the API and the device may send a blank; the form asks all)
    result = services.readiness_check_run(
        actor=clinic.actor(Role.CAREGIVER), client=baby, protocol_id="iaim_first_week", answers=answers
    )
    reason = next(r for r in result.verdict["reasons"] if r.get("note", "").startswith("Not answered: "))
    english_note = reason["note"]
    question = reason["unanswered"][0]
    assert f'"{default_library().questions[question].label}"' in english_note  # stored English

    shown = page(parent, reverse("library:check_result", args=[baby.pk, result.pk]), language)
    label = text(language, "questions", question, "label")
    with translation.override(language):
        said = translation.gettext(NOT_ANSWERED) % {"questions": f'"{label}"'}
    assert said != NOT_ANSWERED % {"questions": f'"{label}"'}
    assert said in shown
    assert english_note not in shown
    assert "Not answered" not in shown
