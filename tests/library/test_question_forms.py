"""The question forms (library/forms.py) and the answers behind them: the checklist's lines (yes/no and
multiple-choice), a list asked only after a "yes" (`otherwise_none`), and lines quoting a setting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kneadwell.library.answers import AnswerError, clean_answers
from kneadwell.library.catalog import Library
from kneadwell.library.forms import CHECKLIST, NOWHERE, QuestionForm
from kwtest.screening import clear_form


def infant_form(library: Library, data: dict[str, Any] | None, **kw: Any) -> QuestionForm:
    question_set = library.question_set("infant", "today")
    return QuestionForm(
        data,
        library=library,
        questions=library.questions_asked("infant", "today", conditions=(), age_days=20),
        checklist=question_set.checklist,
        checklist_label=question_set.checklist_label or "",
        **kw,
    )


def test_a_healthy_babys_check_is_three_answers(library: Library) -> None:
    """How the baby is, the checklist ("None of these"), and nothing else is required."""
    form = infant_form(library, {"baby_state": "quiet_alert", CHECKLIST: [NOWHERE]})
    assert form.is_valid(), form.errors
    answers = form.answers()
    clean = clean_answers(library, "today", answers, now=timezone.now())
    # Every line of the checklist is a "no"; the lists asked after a "yes" are "none".
    assert clean["skin_problem_today"] is False
    assert clean["skin_problem_regions"] == ()
    assert clean["inflamed_regions"] == ()
    assert clean["skin_findings"] == ()
    assert clean["fed_recently"] is False
    assert clean["last_feed_at"] is None  # not asked: the wait cannot be running
    assert clean["cord_not_healed"] is False


def test_a_ticked_line_asks_its_follow_up_and_needs_it(library: Library) -> None:
    form = infant_form(
        library, {"baby_state": "quiet_alert", CHECKLIST: ["skin_problem_today", "fed_recently"]}
    )
    assert not form.is_valid()
    assert form.errors["skin_problem_regions"] == ["Tick the areas concerned."]
    assert form.errors["last_feed_at"] == ["Please answer this question."]
    # "Nowhere" is not offered once the line said there is a problem.
    assert NOWHERE not in dict(form.fields["skin_problem_regions"].choices)  # type: ignore[attr-defined]

    fed = (timezone.localtime() - dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    form = infant_form(
        library,
        {
            "baby_state": "quiet_alert",
            CHECKLIST: ["skin_problem_today", "fed_recently"],
            "skin_problem_regions": ["left_foot"],
            "last_feed_at": fed,
        },
    )
    assert form.is_valid(), form.errors
    answers = form.answers()
    assert answers["skin_problem_today"] is True
    assert answers["skin_problem_regions"] == ["left_foot"]
    assert answers["last_feed_at"] is not None


def test_an_unticked_line_ignores_a_stray_follow_up(library: Library) -> None:
    """Without script every question shows: areas chosen under an unticked line are not asked, so they
    are not kept (the page's script hides them)."""
    form = infant_form(
        library, {"baby_state": "quiet_alert", CHECKLIST: [NOWHERE], "skin_problem_regions": ["left_foot"]}
    )
    assert form.is_valid(), form.errors
    assert form.answers()["skin_problem_regions"] is None
    follow_up = form.fields["skin_problem_regions"].widget.attrs
    assert (follow_up["data-ask-if"], follow_up["data-ask-if-equals"]) == (CHECKLIST, "skin_problem_today")


def test_a_multiple_choice_question_gives_a_line_per_choice(library: Library) -> None:
    form = infant_form(library, {"baby_state": "quiet_alert", CHECKLIST: ["skin_findings.dry_eczema"]})
    lines = dict(form.fields[CHECKLIST].choices)  # type: ignore[attr-defined]
    assert lines["skin_findings.infected"] == "Skin that looks infected"
    assert form.is_valid(), form.errors
    answers = form.answers()
    assert answers["skin_findings"] == ["dry_eczema"]
    assert answers["fever_today"] is False


def test_a_line_quotes_the_organisations_wait(library: Library) -> None:
    lines = dict(infant_form(library, None).fields[CHECKLIST].choices)  # type: ignore[attr-defined]
    assert lines["fed_recently"] == "Finished a feed less than 30 minutes ago"
    longer = infant_form(library, None, setting_values={"feeding_wait_minutes": 45.0})
    assert dict(longer.fields[CHECKLIST].choices)["fed_recently"] == (  # type: ignore[attr-defined]
        "Finished a feed less than 45 minutes ago"
    )


def test_carried_answers_tick_the_lines_again_but_never_the_moment(library: Library) -> None:
    stored = {"skin_problem_today": True, "skin_problem_regions": ["left_foot"], "fever_today": False}
    form = infant_form(library, None, stored=stored)
    assert form.initial[CHECKLIST] == ["skin_problem_today"]
    assert form.initial["skin_problem_regions"] == ["left_foot"]
    # Nothing ticked before, and lines about this moment not carried: the checklist is left for the person.
    quiet = infant_form(library, None, stored={"fever_today": False, "skin_problem_regions": []})
    assert CHECKLIST not in quiet.initial
    assert "skin_problem_regions" not in quiet.initial  # "none" is the unticked line, not an answer to show


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"skin_problem_today": False}, ()),
        ({"skin_problem_today": None}, None),  # unanswered stays unanswered: the rule reads "may apply"
        ({}, None),
        ({"skin_problem_today": True, "skin_problem_regions": ["left_foot"]}, ("left_foot",)),
        ({"skin_problem_regions": ["left_foot"]}, ("left_foot",)),  # an integration sending only the list
    ],
)
def test_a_no_means_none_for_the_list_asked_after_it(
    library: Library, answers: dict[str, Any], expected: Any
) -> None:
    clean = clean_answers(library, "today", answers, now=timezone.now())
    assert clean.get("skin_problem_regions") == expected


def test_a_yes_with_nowhere_is_refused(library: Library) -> None:
    with pytest.raises(AnswerError) as caught:
        clean_answers(
            library, "today", {"skin_problem_today": True, "skin_problem_regions": []}, now=timezone.now()
        )
    assert "choose at least one of the areas" in caught.value.errors["skin_problem_regions"]


def test_the_all_clear_form_data_still_validates_for_every_group(library: Library) -> None:
    for population in library.populations:
        for scope in ("intake", "today"):
            question_set = library.question_set(population, scope)
            form = QuestionForm(
                clear_form(population, scope),
                library=library,
                questions=library.questions_for(population, scope),
                checklist=question_set.checklist,
                checklist_label=question_set.checklist_label or "",
            )
            assert form.is_valid(), (population, scope, form.errors)
