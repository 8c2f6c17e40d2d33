"""The growth command's float texts are exactly ``repr`` (outcomes/growth/textbatch.py): the fast way
(pydantic_core's JSON of the floats, repr outside 1e-4 <= |x| < 1e16) gives the same text for every
float, so the figures still equal rcpchgrowth's to the last digit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kneadwell.outcomes.growth.textbatch import FAST_TEXTS_FROM, float_texts

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)
INSIDE = st.floats(min_value=1e-4, max_value=1e16, exclude_max=True) | st.floats(
    min_value=-1e16, max_value=-1e-4, exclude_min=True
)


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(np.float64, st.integers(FAST_TEXTS_FROM, FAST_TEXTS_FROM + 50), elements=ANY_FLOAT | INSIDE)
)
def test_the_fast_texts_are_repr_for_every_float(values: np.ndarray) -> None:
    assert float_texts(values) == list(map(repr, values.tolist()))


def test_the_edges_of_the_json_range_and_the_values_people_see() -> None:
    tricky = [
        1e-4,
        np.nextafter(1e-4, 0),
        -1e-4,
        9.999999999999999e-05,
        1e-05,
        1.5e-07,
        5e-324,
        0.0,
        -0.0,
        1e16,
        np.nextafter(1e16, 0),
        1e15,
        1e22,
        1.7976931348623157e308,
        float("nan"),
        float("inf"),
        -float("inf"),
        100.0,
        99.99847964993599,
        50.0,
        0.1,
        0.2 + 0.1,
        1 / 3,
        2.0**-1074,
        123456789.0,
    ]
    values = np.array(tricky * (FAST_TEXTS_FROM // len(tricky) + 1), dtype=np.float64)
    assert len(values) >= FAST_TEXTS_FROM
    assert float_texts(values) == list(map(repr, values.tolist()))


def test_many_random_sds_and_centiles_are_repr() -> None:
    rng = np.random.default_rng(11)
    for values in (rng.normal(0, 3, 200_000), 100 * rng.random(200_000), rng.standard_cauchy(200_000)):
        assert float_texts(values) == list(map(repr, values.tolist()))


def test_small_arrays_use_repr_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import pydantic_core

    def no_json(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a small array went through JSON")

    monkeypatch.setattr(pydantic_core, "to_json", no_json)
    values = np.array([1e-5, 0.5] * (FAST_TEXTS_FROM // 2 - 1))
    assert float_texts(values) == ["1e-05", "0.5"] * (FAST_TEXTS_FROM // 2 - 1)
