import datetime as dt

import pytest

from kneadwell.clients import rules
from kneadwell.clients.rules import ConsentFacts, ConsentKind, Scope

TODAY = dt.date(2026, 11, 21)


def errors(**overrides: object) -> dict[str, list[str]]:
    values: dict[str, object] = {
        "birth_date": dt.date(2026, 10, 1),
        "today": TODAY,
        "gestation_weeks": 30,
        "gestation_days": 2,
        "birth_weight_g": 1400,
        "sex": "female",
        "given_name": "Maya",
        "family_name": "Okafor",
    }
    values.update(overrides)
    return rules.client_field_errors(**values)  # type: ignore[arg-type]


def test_a_valid_preterm_baby_has_no_errors() -> None:
    assert errors() == {}


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"birth_date": TODAY + dt.timedelta(days=1)}, "birth_date", "in the future"),
        ({"birth_date": None}, "birth_date", "Enter the date of birth"),
        ({"gestation_weeks": 50}, "gestation_weeks", "between 22 and 44"),
        ({"gestation_weeks": 21}, "gestation_weeks", "between 22 and 44"),
        ({"gestation_days": 7}, "gestation_days", "0 to 6"),
        ({"gestation_weeks": None, "gestation_days": 3}, "gestation_weeks", "weeks of gestation"),
        ({"birth_weight_g": -5}, "birth_weight_g", "more than 0"),
        ({"birth_weight_g": 0}, "birth_weight_g", "more than 0"),
        ({"birth_weight_g": 3}, "birth_weight_g", "Did you enter kilograms"),
        ({"birth_weight_g": 7001}, "birth_weight_g", "between 200 and 7000"),
        ({"sex": "x"}, "sex", "female or male"),
        ({"given_name": "  "}, "given_name", "first name"),
    ],
)
def test_it_names_the_field_and_the_problem(overrides: dict[str, object], field: str, fragment: str) -> None:
    found = errors(**overrides)
    assert field in found
    assert any(fragment in message for message in found[field])


@pytest.mark.parametrize(("weeks", "ok"), [(22, True), (44, True), (23, True), (45, False)])
def test_gestation_limits_are_inclusive(weeks: int, ok: bool) -> None:
    assert ("gestation_weeks" not in errors(gestation_weeks=weeks)) is ok


@pytest.mark.parametrize(("weight", "ok"), [(200, True), (7000, True), (199, False)])
def test_birth_weight_limits_are_inclusive(weight: int, ok: bool) -> None:
    assert ("birth_weight_g" not in errors(birth_weight_g=weight)) is ok


def test_age_group_boundaries() -> None:
    born = dt.date(2020, 3, 1)
    assert rules.age_group(born, born + dt.timedelta(days=364)) is rules.AgeGroup.INFANT
    assert rules.age_group(born, born + dt.timedelta(days=365)) is rules.AgeGroup.CHILD
    assert rules.age_group(dt.date(2000, 3, 1), dt.date(2018, 2, 28)) is rules.AgeGroup.CHILD
    assert rules.age_group(dt.date(2000, 3, 1), dt.date(2018, 3, 1)) is rules.AgeGroup.ADULT


def consent(
    kind: ConsentKind, scopes: set[Scope], *, withdrawn: bool = False, signed_on: dt.date = TODAY
) -> ConsentFacts:
    return ConsentFacts(kind=kind, scopes=frozenset(scopes), signed_on=signed_on, withdrawn=withdrawn)


CHILD = dt.date(2019, 1, 1)
ADULT = dt.date(1990, 1, 1)


def test_guardian_consent_covers_its_scopes_only() -> None:
    given = [consent(ConsentKind.GUARDIAN, {Scope.CARE})]
    assert rules.has_active_consent(given, scope=Scope.CARE, birth_date=CHILD, today=TODAY)
    assert not rules.has_active_consent(given, scope=Scope.MEASUREMENTS, birth_date=CHILD, today=TODAY)


def test_withdrawn_consent_does_not_count() -> None:
    given = [consent(ConsentKind.GUARDIAN, {Scope.CARE}, withdrawn=True)]
    assert not rules.has_active_consent(given, scope=Scope.CARE, birth_date=CHILD, today=TODAY)


def test_assent_never_stands_in_for_consent() -> None:
    given = [consent(ConsentKind.ASSENT, {Scope.CARE})]
    assert not rules.has_active_consent(given, scope=Scope.CARE, birth_date=CHILD, today=TODAY)


def test_own_consent_counts_only_for_adults() -> None:
    given = [consent(ConsentKind.SELF, {Scope.CARE})]
    assert rules.has_active_consent(given, scope=Scope.CARE, birth_date=ADULT, today=TODAY)
    assert not rules.has_active_consent(given, scope=Scope.CARE, birth_date=CHILD, today=TODAY)


def test_a_consent_dated_in_the_future_does_not_count_yet() -> None:
    given = [consent(ConsentKind.GUARDIAN, {Scope.CARE}, signed_on=TODAY + dt.timedelta(days=1))]
    assert not rules.has_active_consent(given, scope=Scope.CARE, birth_date=CHILD, today=TODAY)


def test_assent_is_expected_from_seven_until_adulthood() -> None:
    assert not rules.assent_expected(dt.date(2020, 1, 1), dt.date(2026, 12, 31))
    assert rules.assent_expected(dt.date(2019, 1, 1), dt.date(2026, 1, 1))
    assert not rules.assent_expected(dt.date(2008, 1, 1), dt.date(2026, 1, 1))
