"""The in-session checks' input messages are written in the language in force (issue 14): a parent who
types an impossible reading on the player reads why in their language; the English and the numbers stay
as they were."""

from __future__ import annotations

import pytest
from django.utils import translation

from kneadwell.library.stop_rules import ImplausibleVitalSign, VitalReading


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-gb", "400 bpm is not a possible reading (expected 20–300 bpm); check the entry or the probe"),
        (
            "es",
            "400 bpm no es una lectura posible (se espera entre 20 y 300 bpm); revisa el dato o el sensor",
        ),
        ("ar", "القراءة 400 bpm غير ممكنة (المتوقع بين 20 و300 bpm)؛ راجع ما أدخلته أو المجس"),
    ],
)
def test_an_impossible_reading_is_refused_in_the_language_in_force(language: str, expected: str) -> None:
    with translation.override(language), pytest.raises(ImplausibleVitalSign) as refused:
        VitalReading(heart_rate=400)
    assert refused.value.field == "heart_rate"
    assert refused.value.message == expected


def test_a_reading_that_is_not_a_number_is_refused_in_spanish() -> None:
    with translation.override("es"), pytest.raises(ImplausibleVitalSign) as refused:
        VitalReading(spo2=float("nan"))
    assert refused.value.message == "se esperaba un número en %"
