"""Bristol stool form bands and the Amsterdam infant stool scale categories."""

from __future__ import annotations

import pytest

from kneadwell.outcomes.instruments import InstrumentValidationError, score


@pytest.mark.parametrize(
    ("stool_type", "band"),
    [
        (1, "constipation"),
        (2, "constipation"),
        (3, "normal"),
        (4, "normal"),
        (5, "normal"),
        (6, "diarrhoea"),
        (7, "diarrhoea"),
    ],
)
def test_bristol_bands(stool_type: int, band: str) -> None:
    result = score("bristol_stool", {"type": stool_type})
    assert result.total == stool_type
    assert result.band is not None
    assert result.band.id == band
    assert result.band.source_ids == ("S53",)


@pytest.mark.parametrize("bad", [0, 8])
def test_bristol_rejects_types_outside_1_to_7(bad: int) -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("bristol_stool", {"type": bad})
    assert exc.value.field == "type"


def test_amsterdam_records_the_three_dimensions_and_flags_the_wording_as_provisional() -> None:
    result = score("amsterdam_stool", {"consistency": "soft", "amount": "25_to_50", "colour": "yellow"})
    assert result.total is None
    assert result.band is None
    assert result.details["values"] == {"consistency": "soft", "amount": "25_to_50", "colour": "yellow"}
    assert any("provisional" in w for w in result.warnings)


def test_amsterdam_has_4_consistencies_4_amounts_and_6_colours() -> None:
    from kneadwell.outcomes.instruments import get_instrument

    amsterdam = get_instrument("amsterdam_stool")
    assert [len(amsterdam.item(i).options) for i in ("consistency", "amount", "colour")] == [4, 4, 6]


def test_amsterdam_rejects_an_unknown_colour_and_a_missing_amount() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("amsterdam_stool", {"consistency": "soft", "colour": "purple"})
    assert {f for f, _ in exc.value.errors} == {"colour", "amount"}
