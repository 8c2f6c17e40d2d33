"""Pure units behind the finding-keyed screening: release_covers, contradictions, allowed_populations,
Library.limb_of and the text_mentions predicate."""

# ruff: noqa: E501 - the finding tables read best with one case per line
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from kneadwell.library.catalog import Library
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.population import allowed_populations, suggest_population
from kneadwell.library.predicates import TextMentionsP, evaluate, text_findings
from kneadwell.library.screening import (
    Action,
    ClientFacts,
    ScreeningInputError,
    contradictions,
    release_covers,
    screen,
)

from .conftest import clear_answers, fitting_client

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ON = NOW.date()

# --- release_covers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "released", "now"),
    [
        ("low_platelets", {"answer:platelet_count": 30000.0, "conditions": []}, {"answer:platelet_count": 30000.0, "conditions": []}),
        ("low_platelets", {"answer:platelet_count": 30000.0, "conditions": []}, {"answer:platelet_count": 48000.0, "conditions": []}),
        ("cancer_release", {"conditions": ["cancer", "leukaemia"]}, {"conditions": ["cancer"]}),
        ("recent_clot", {"answer:clot_date": "2025-02-01", "answer:clot_history": True, "answer:clot_regions": ["left_lower_leg", "left_thigh"], "conditions": []},
         {"answer:clot_date": "2025-01-15", "answer:clot_history": True, "answer:clot_regions": ["left_lower_leg"], "conditions": []}),
        ("history_mentions_risk", {"text": ["a blood clot", "bleeding"]}, {"text": ["a blood clot"]}),
        ("young_pma", {"fact:postmenstrual_age_weeks": 31.0}, {"fact:postmenstrual_age_weeks": 33.5}),
        ("heart_rate_out_of_range", {"answer:heart_rate_before": 95.0}, {"answer:heart_rate_before": 95.0}),
        ("jaundice", {"answer:jaundice_today": True, "conditions": ["jaundice"]}, {"answer:jaundice_today": True, "conditions": ["jaundice"]}),
    ],
    ids=["same count", "higher count", "fewer conditions", "older clot, fewer regions", "fewer words", "older baby", "same rate", "same answers"],
)  # fmt: skip
def test_a_release_covers_the_same_or_a_milder_finding(
    library: Library, rule: str, released: dict[str, Any], now: dict[str, Any]
) -> None:
    assert release_covers(library, library.rules[rule], released, now) is None


@pytest.mark.parametrize(
    ("rule", "released", "now", "words"),
    [
        ("low_platelets", {"answer:platelet_count": 30000.0}, {"answer:platelet_count": 5000.0},
         '"Most recent platelet count" is now 5,000 (was 30,000)'),
        ("low_platelets", {"answer:platelet_count": 30000.0}, {"answer:platelet_count": None},
         '"Most recent platelet count" is now not known (was 30,000)'),
        ("cancer_release", {"conditions": ["cancer"]}, {"conditions": ["cancer", "leukaemia"]},
         "the conditions on the record is now cancer, leukaemia (was cancer)"),
        ("recent_clot", {"answer:clot_date": "2025-01-15"}, {"answer:clot_date": "2025-02-20"},
         '"When was the most recent clot found?" is now 2025-02-20 (was 2025-01-15)'),
        ("recent_clot", {"answer:clot_regions": ["left_lower_leg"]}, {"answer:clot_regions": ["left_lower_leg", "right_thigh"]},
         "is now left lower leg, right thigh (was left lower leg)"),
        ("history_mentions_risk", {"text": ["a blood clot"]}, {"text": ["a blood clot", "cancer"]},
         "what the free-text history names is now a blood clot, cancer (was a blood clot)"),
        ("young_pma", {"fact:postmenstrual_age_weeks": 33.0}, {"fact:postmenstrual_age_weeks": None},
         "postmenstrual age weeks is now not known (was 33)"),
        ("heart_rate_out_of_range", {"answer:heart_rate_before": 95.0}, {"answer:heart_rate_before": 190.0},
         "is now 190 (was 95)"),
        ("respiratory_support", {"answer:on_respiratory_support": None}, {"answer:on_respiratory_support": True},
         "is now yes (was not known)"),
    ],
    ids=["lower count", "count no longer known", "new condition", "newer clot", "another limb", "new word",
         "age no longer known", "from slow to fast", "answer given since"],
)  # fmt: skip
def test_a_worse_or_new_finding_voids_the_release_and_says_why(
    library: Library, rule: str, released: dict[str, Any], now: dict[str, Any], words: str
) -> None:
    why = release_covers(library, library.rules[rule], released, now)
    assert why is not None
    assert words in why


def test_a_release_names_every_change_that_voids_it(library: Library) -> None:
    why = release_covers(
        library,
        library.rules["low_platelets"],
        {"answer:platelet_count": 30000.0, "conditions": ["cancer"]},
        {"answer:platelet_count": 20000.0, "conditions": ["cancer", "thrombocytopenia"]},
    )
    assert why is not None
    assert why.count("; ") == 1
    assert "20,000" in why
    assert "thrombocytopenia" in why


def test_a_number_that_fires_both_ways_counts_any_change_as_new(library: Library) -> None:
    # heart_rate_before fires below one limit and above another: neither direction is milder.
    rule = library.rules["heart_rate_out_of_range"]
    assert release_covers(
        library, rule, {"answer:heart_rate_before": 95.0}, {"answer:heart_rate_before": 97.0}
    )


# --- contradictions ---------------------------------------------------------------------------------


def _answers(intake: dict[str, Any] | None = None, today: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"intake": intake or {}, "today": today or {}}


def test_a_follow_up_answered_against_its_gate_is_named(library: Library) -> None:
    found = contradictions(library, _answers(today={"vaccinated_recently": False, "vaccination_at": NOW}))
    assert set(found) == {"vaccination_at"}
    assert '"no"' in found["vaccination_at"]
    assert library.questions["vaccinated_recently"].label in found["vaccination_at"]


def test_a_follow_up_is_checked_against_a_gate_in_the_other_scope(library: Library) -> None:
    found = contradictions(
        library, _answers(intake={"had_surgery": False}, today={"surgical_wound_healed": False})
    )
    assert set(found) == {"surgical_wound_healed"}


def test_every_contradicting_follow_up_is_named(library: Library) -> None:
    found = contradictions(
        library,
        _answers(
            intake={"clot_history": False, "clot_date": date(2025, 1, 1), "clot_regions": ["left_thigh"]},
            today={"vaccinated_recently": False, "vaccination_site_regions": ["left_thigh"]},
        ),
    )
    assert set(found) == {"clot_date", "clot_regions", "vaccination_site_regions"}


@pytest.mark.parametrize(
    "answers",
    [
        _answers(today={"vaccinated_recently": True, "vaccination_at": NOW}),  # gate opens the follow-up
        _answers(today={"vaccinated_recently": None, "vaccination_at": NOW}),  # gate unanswered
        _answers(today={"vaccination_at": NOW}),  # gate not given at all
        _answers(today={"vaccinated_recently": False, "vaccination_at": None}),  # follow-up blank
        _answers(today={"vaccinated_recently": False, "vaccination_site_regions": []}),  # empty list
        _answers(intake={"clot_history": False, "unknown_question": 3}),  # not a follow-up
    ],
    ids=["gate yes", "gate blank", "gate missing", "follow-up blank", "follow-up empty", "unknown question"],
)
def test_answers_that_agree_are_not_contradictions(library: Library, answers: dict[str, Any]) -> None:
    assert contradictions(library, answers) == {}


# --- allowed_populations ----------------------------------------------------------------------------


def _allowed(age_days: int | None = None, *, born: date | None = None, gestation: int | None = None,
             days: int | None = None, conditions: tuple[str, ...] = ()) -> set[str]:  # fmt: skip
    birth = born if born is not None else date.fromordinal(ON.toordinal() - (age_days or 0))
    return allowed_populations(
        birth_date=birth, on=ON, gestation_weeks=gestation, gestation_days=days, conditions=conditions
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"age_days": 28, "gestation": 30}, {"preterm_infant"}),
        ({"age_days": 28, "gestation": 27}, {"preterm_infant"}),
        ({"age_days": 70, "gestation": 40}, {"infant"}),
        ({"age_days": 70, "gestation": 37}, {"infant"}),  # 37+0 is term
        ({"age_days": 10, "gestation": 36, "days": 6}, {"preterm_infant"}),  # 36+6 is preterm
        ({"age_days": 70}, {"infant", "preterm_infant"}),  # gestation unknown
        ({"age_days": 0}, {"infant", "preterm_infant"}),
        # PMA 52 weeks is the end of the preterm set: 30+0 at birth and 22 weeks old is 52+0.
        ({"age_days": 22 * 7 - 1, "gestation": 30}, {"preterm_infant"}),
        ({"age_days": 22 * 7, "gestation": 30}, {"infant"}),
        ({"age_days": 20 * 7 - 1, "gestation": 30, "days": 2}, {"preterm_infant"}),
        ({"age_days": 20 * 7, "gestation": 32}, {"infant"}),
        # the first birthday
        ({"born": date(2024, 3, 2), "gestation": 30}, {"infant"}),  # 364 days
        ({"born": date(2024, 3, 1), "gestation": 30}, {"child"}),
        ({"born": date(2024, 3, 1)}, {"child"}),
        ({"born": date(2019, 1, 15), "conditions": ("asthma",)}, {"child"}),
        ({"born": date(2013, 3, 2)}, {"child"}),  # 11 years and 364 days
        ({"born": date(2013, 3, 1)}, {"child", "rehab"}),  # 12th birthday: sports rehabilitation too
        ({"born": date(2007, 3, 2), "conditions": ("sports_injury",)}, {"child", "rehab"}),  # 17
        ({"born": date(2007, 3, 1)}, {"rehab"}),  # 18th birthday
        ({"born": date(1985, 1, 15), "conditions": ("stroke", "diabetes")}, {"stroke"}),
        ({"born": date(1985, 1, 15), "conditions": ("post_operative",)}, {"rehab"}),
        ({"born": date(2015, 1, 15), "conditions": ("stroke",)}, {"child"}),  # a child after a stroke
        ({"born": date(2025, 1, 1), "conditions": ("stroke",), "gestation": 39}, {"infant"}),
    ],
)
def test_the_population_follows_from_the_record(kwargs: dict[str, Any], expected: set[str]) -> None:
    allowed = _allowed(**kwargs)
    assert allowed == expected
    born = kwargs.get("born") or date.fromordinal(ON.toordinal() - kwargs.get("age_days", 0))
    suggested = suggest_population(
        birth_date=born,
        on=ON,
        gestation_weeks=kwargs.get("gestation"),
        gestation_days=kwargs.get("days"),
        conditions=kwargs.get("conditions", ()),
    )
    assert suggested in allowed


def test_february_29_birthdays_turn_over_on_march_1() -> None:
    # Born 29 Feb 2008: 18 on 1 Mar 2026 in a year without 29 Feb.
    def allowed(on: date) -> set[str]:
        return allowed_populations(
            birth_date=date(2008, 2, 29), on=on, gestation_weeks=None, gestation_days=None, conditions=()
        )

    assert allowed(date(2026, 2, 28)) == {"child", "rehab"}
    assert allowed(date(2026, 3, 1)) == {"rehab"}


# --- Library.limb_of --------------------------------------------------------------------------------

LEFT_LEG = ["left_hip", "left_thigh", "left_knee", "left_lower_leg", "left_ankle", "left_foot"]
RIGHT_ARM = ["right_shoulder", "right_upper_arm", "right_forearm", "right_wrist", "right_hand"]


@pytest.mark.parametrize("area", LEFT_LEG)
def test_every_segment_of_a_leg_gives_the_whole_leg_top_to_bottom(library: Library, area: str) -> None:
    assert library.limb_of(area) == LEFT_LEG


@pytest.mark.parametrize("area", RIGHT_ARM)
def test_every_segment_of_an_arm_gives_the_whole_arm(library: Library, area: str) -> None:
    assert library.limb_of(area) == RIGHT_ARM


def test_limbs_do_not_cross_sides(library: Library) -> None:
    assert not set(library.limb_of("left_lower_leg")) & set(library.limb_of("right_lower_leg"))
    assert [r.replace("left_", "") for r in library.limb_of("left_upper_arm")] == [
        r.replace("right_", "") for r in RIGHT_ARM
    ]


@pytest.mark.parametrize("area", ["chest", "abdomen", "umbilical_area", "back", "neck", "face"])
def test_an_area_on_no_limb_is_returned_alone(library: Library, area: str) -> None:
    assert library.limb_of(area) == [area]


def test_every_limb_segment_is_an_area(library: Library) -> None:
    for region in library.regions.values():
        if region.next_distal is not None:
            assert all(library.regions[r].kind == "area" for r in library.limb_of(region.id))


# --- text_mentions ----------------------------------------------------------------------------------


@dataclass
class Ctx:
    """predicates.Context with free-text answers only."""

    texts: dict[str, Any]
    now: datetime = NOW
    population: str = "rehab"
    conditions: frozenset[str] = field(default_factory=frozenset)
    protocol_populations: frozenset[str] = field(default_factory=frozenset)

    def answer(self, question_id: str) -> Any:
        return self.texts.get(question_id)

    def fact(self, name: str) -> float | None:
        return None

    def setting(self, setting_id: str) -> float:
        raise AssertionError("text_mentions reads no setting")

    def setting_unit(self, setting_id: str) -> str:
        raise AssertionError("text_mentions reads no setting")


PRED = TextMentionsP.model_validate(
    {
        "text_mentions": {
            "answers": ["injury_description", "client_goals"],
            "terms": {
                "a blood clot": ["clot", "dvt", "thrombo"],
                "an infection": ["infect", "sepsis"],
                "a broken bone": ["fractur", "broken bone"],
            },
        }
    }
)


@pytest.mark.parametrize(
    ("texts", "found"),
    [
        ({"injury_description": "Clot in the left calf"}, ["a blood clot"]),
        ({"injury_description": "clotting problems"}, ["a blood clot"]),  # the stem starts a word
        ({"injury_description": "DVT."}, ["a blood clot"]),
        ({"injury_description": "had a dvt, now fine"}, ["a blood clot"]),
        ({"injury_description": "deep vein THROMBOSIS"}, ["a blood clot"]),
        ({"injury_description": "post-thrombotic leg"}, ["a blood clot"]),  # after a hyphen
        ({"injury_description": "(thrombophlebitis)"}, ["a blood clot"]),
        ({"injury_description": "2021:clot"}, ["a blood clot"]),  # after a digit or colon
        ({"injury_description": "disinfectant on the graze"}, []),  # inside a word: nothing
        ({"injury_description": "antithrombotic"}, []),
        ({"injury_description": "an anticlotting cream"}, []),
        ({"injury_description": "Broken bones in 2019"}, ["a broken bone"]),  # a stem of two words
        ({"injury_description": "broken   bone"}, []),  # the words as written, spacing included
        ({"client_goals": "No infection, no fracture"}, ["an infection", "a broken bone"]),  # a denial too
        ({"injury_description": "fracture of the wrist", "client_goals": "after sepsis"},
         ["an infection", "a broken bone"]),  # in the rule's order, from either answer
        ({"injury_description": "Achilles repair, March 2022"}, []),
        ({"injury_description": ""}, []),
        ({"injury_description": "   \n\t"}, []),
        ({"injury_description": None}, []),
        ({}, []),
    ],
)  # fmt: skip
def test_text_mentions_matches_word_starts_and_blank_text_names_nothing(
    texts: dict[str, Any], found: list[str]
) -> None:
    ctx = Ctx(texts)
    assert text_findings(PRED, ctx) == found
    outcome = evaluate(PRED, ctx)
    assert outcome.value is bool(found)  # never Unknown: free text is never required
    assert outcome.missing == frozenset()


def test_the_shipped_red_flag_rule_reads_the_free_text_questions(library: Library) -> None:
    rule = library.rules["history_mentions_risk"]
    pred = rule.when
    assert isinstance(pred, TextMentionsP)
    for qid in pred.text_mentions.answers:
        assert library.questions[qid].type == "text"
    assert {"a blood clot", "a fever", "an infection", "bleeding"} <= set(pred.text_mentions.terms)
    ctx = Ctx({"collaborating_clinicians": "Dr Lee (haematology), on warfarin after a PE embolism"})
    assert text_findings(pred, ctx) == ["a blood clot", "blood thinners"]


# --- the screening refuses a population the record contradicts ------------------------------------------


@pytest.mark.parametrize("record", ["preterm_infant", "infant", "child", "stroke", "rehab"])
def test_a_population_the_record_contradicts_is_refused_by_name(
    library: Library, settings: ScreeningSettings, record: str
) -> None:
    fitting = fitting_client(record)
    assert fitting.fitting_populations() == {record}
    for population in sorted(set(library.populations) - {record}):
        client = dataclasses.replace(fitting, population=population)
        protocol = next(p.id for p in library.protocols.values() if p.population == population)
        with pytest.raises(ScreeningInputError) as caught:
            screen(
                library=library,
                protocol_id=protocol,
                client=client,
                intake=clear_answers(library, population, "intake"),
                today=clear_answers(library, population, "today"),
                settings=settings,
                now=NOW,
            )
        assert caught.value.field == "population"
        assert f'the record says "{library.populations[record].label}"' in caught.value.message


def test_without_a_birth_date_any_population_is_screened(
    library: Library, settings: ScreeningSettings
) -> None:
    client = ClientFacts(population="stroke", age_days=20000)
    assert client.fitting_populations() is None
    verdict = screen(
        library=library,
        protocol_id="stroke_rehab",
        client=client,
        intake=clear_answers(library, "stroke", "intake"),
        today=clear_answers(library, "stroke", "today"),
        settings=settings,
        now=NOW,
    )
    assert verdict.action is Action.GO


def test_a_teenager_may_be_screened_as_a_child_or_for_sports_rehabilitation(
    library: Library, settings: ScreeningSettings
) -> None:
    for population, protocol in (("child", "child_asthma"), ("rehab", "sports_recovery")):
        client = ClientFacts.from_birth(population=population, birth_date=date(2010, 6, 1), on=ON)
        verdict = screen(
            library=library,
            protocol_id=protocol,
            client=client,
            intake=clear_answers(library, population, "intake"),
            today=clear_answers(library, population, "today"),
            settings=settings,
            now=NOW,
        )
        assert verdict.action is Action.GO
