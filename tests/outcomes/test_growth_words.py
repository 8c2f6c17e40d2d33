"""The growth figures' words on a page (outcomes/growth_words.py): English as the pure modules word it, and
the page's language when one is active; the CLI's English messages are untouched (docs/languages.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from kneadwell.outcomes import growth_words
from kneadwell.outcomes.growth.ages import Ages, ages
from kneadwell.outcomes.growth.chart import COLE_NINE_CENTILES, ChartPoint, describe_chart
from kneadwell.outcomes.growth.velocity import VelocityError, WeightPoint, velocity
from kneadwell.outcomes.measures import VELOCITY_METHOD_INFO, window_label

D = dt.date
POINTS = [ChartPoint(-20 / 365.25, 30 / 365.25, 1.75, "2026-11-01", 9.5)]


@pytest.mark.parametrize(
    "a",
    [
        ages(D(2026, 1, 1), D(2026, 3, 1), 38, 5),  # after the due date: corrected age differs
        ages(D(2026, 1, 1), D(2026, 1, 20), 30, 2),  # before the due date: postmenstrual age
        ages(D(2026, 1, 1), D(2026, 2, 1)),  # term: no correction
    ],
)
def test_ages_in_english_read_as_the_pure_module_words_them(a: Ages) -> None:
    with translation.override("en-gb"):
        assert growth_words.describe_age(a) == a.describe()


def test_ages_and_windows_in_spanish_and_arabic() -> None:
    a = ages(D(2026, 1, 1), D(2026, 3, 12), 39, 2)
    with translation.override("es"):
        assert growth_words.describe_age(a) == "70 días de vida, 65 días corregidos"
        assert window_label(7) == "últimos 7 días"
        assert growth_words.method_info("exponential").label == "Modelo exponencial (Patel)"
    with translation.override("ar"):
        assert growth_words.describe_age(a) == "بعمر 70 يومًا، وعمره المصحَّح 65 يومًا"
        assert growth_words.reference_title("trisomy-21") == "متلازمة داون (المملكة المتحدة)"
    assert window_label(7) == "last 7 days"  # back in English outside the override
    assert VELOCITY_METHOD_INFO["exponential"].label == "Exponential model (Patel)"  # the table stays English


def test_the_chart_in_words_is_english_by_default_and_translated_when_asked() -> None:
    english = describe_chart("uk-who", "weight", "female", POINTS, COLE_NINE_CENTILES)
    assert english.startswith("Weight-for-age chart for a girl, UK-WHO reference")
    assert "1 measurement, plotted at corrected age" in english
    assert "37+1 weeks postmenstrual age" in english
    with translation.override("en-gb"):
        assert (
            growth_words.chart_description("uk-who", "weight", "female", POINTS, COLE_NINE_CENTILES)
            == english
        )
    with translation.override("es"):
        spanish = growth_words.chart_description("uk-who", "weight", "female", POINTS, COLE_NINE_CENTILES)
        # the pure function without words stays English even inside a Spanish request (the PDF's chart)
        assert describe_chart("uk-who", "weight", "female", POINTS, COLE_NINE_CENTILES) == english
    assert spanish.startswith("Gráfico de peso para la edad de una niña")
    assert "37+1 semanas de edad posmenstrual" in spanish


def test_velocity_errors_keep_their_english_message_and_are_worded_on_the_page() -> None:
    points = [WeightPoint(D(2026, 1, 1), 3000.0), WeightPoint(D(2026, 1, 3), 2900.0)]
    with pytest.raises(VelocityError) as not_regained:
        velocity(points, start_after_regain=True, birth_weight_g=3000.0, birth_date=D(2026, 1, 1))
    assert str(not_regained.value) == "birth weight (3000 g) has not been regained by 2026-01-03"  # the CLI's
    with pytest.raises(VelocityError) as too_few:
        velocity(points[:1])
    assert str(too_few.value) == "needs weights on at least two different dates"
    with translation.override("es"):
        assert growth_words.velocity_error(not_regained.value) == (
            "El peso al nacer (3000 g) no se ha recuperado todavía el 3 Ene 2026."
        )
        assert growth_words.velocity_error(too_few.value, 7) == (
            "Necesita pesos de al menos dos días distintos en el periodo elegido (últimos 7 días)."
        )
    with translation.override("en-gb"):
        assert (
            growth_words.velocity_error(too_few.value) == "It needs weights on at least two different days."
        )
