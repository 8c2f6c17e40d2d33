"""The catalogue: every instrument, band, item and norm cites a source that exists in the registry."""

from __future__ import annotations

import pytest

from kneadwell.outcomes.instruments import (
    Kind,
    cited_source_ids,
    get_instrument,
    list_instruments,
    movements,
    sources,
)
from kneadwell.outcomes.instruments.loader import CatalogueError, _check, section_items


def test_every_instrument_cites_at_least_one_known_source() -> None:
    known = set(sources())
    instruments = list_instruments()
    assert len(instruments) >= 15
    for instrument in instruments:
        cited = cited_source_ids(instrument)
        assert instrument.source_ids, instrument.id
        assert cited <= known, (instrument.id, cited - known)


def test_every_band_and_every_scored_item_cites_a_known_source() -> None:
    known = set(sources())
    for instrument in list_instruments():
        for band in instrument.bands:
            assert band.source_ids, (instrument.id, band.id)
            assert set(band.source_ids) <= known, (instrument.id, band.id)
        if instrument.kind is Kind.ITEM_SUM and instrument.id != "fugl_meyer":
            for item in instrument.items:
                assert item.source_ids, (instrument.id, item.id)
                assert set(item.source_ids) <= known, (instrument.id, item.id)


def test_every_fugl_meyer_section_cites_a_known_source() -> None:
    fm = get_instrument("fugl_meyer")
    for section in fm.sections:
        assert section.source_ids, section.id
        assert set(section.source_ids) <= set(sources()), section.id


def test_every_range_of_motion_norm_cites_a_known_source() -> None:
    known = set(sources())
    all_movements = movements()
    assert len(all_movements) >= 20
    for movement in all_movements.values():
        assert movement.norms, movement.id
        assert set(movement.possible_source_ids) <= known
        for norm in movement.norms:
            assert norm.source_ids, (movement.id, norm.norm_set)
            assert set(norm.source_ids) <= known, (movement.id, norm.norm_set)


def test_every_source_has_a_citation_and_a_kind() -> None:
    for source in sources().values():
        assert len(source.citation) > 20, source.id
        assert source.kind in {"primary", "secondary", "lay", "project"}, source.id


def test_the_checker_rejects_an_instrument_citing_an_unknown_source() -> None:
    nips = get_instrument("nips")
    broken = type(nips)(**{**nips.__dict__, "source_ids": ("S999",)})
    with pytest.raises(CatalogueError, match="S999"):
        _check(broken, sources())


def test_the_checker_rejects_a_section_whose_items_do_not_add_up() -> None:
    fm = get_instrument("fugl_meyer")
    sections = tuple(type(s)(**{**s.__dict__, "max_score": 5}) if s.id == "d" else s for s in fm.sections)
    broken = type(fm)(**{**fm.__dict__, "sections": sections})
    with pytest.raises(CatalogueError, match="stated maximum 5"):
        _check(broken, sources())


def test_the_checker_rejects_overlapping_bands() -> None:
    flacc = get_instrument("flacc")
    first = flacc.bands[1]
    bands = (flacc.bands[0], type(first)(**{**first.__dict__, "minimum": 0.0}), *flacc.bands[2:])
    broken = type(flacc)(**{**flacc.__dict__, "bands": bands})
    with pytest.raises(CatalogueError, match="overlap"):
        _check(broken, sources())


def test_item_options_offer_django_style_choices() -> None:
    face = get_instrument("flacc").item("face")
    assert [value for value, _ in face.choices()] == [0, 1, 2]
    assert all(label for _, label in face.choices())


def test_fugl_meyer_sections_have_the_published_maxima() -> None:
    fm = get_instrument("fugl_meyer")
    maxima = {s.id: s.max_score for s in fm.sections}
    # [S38] domains; [GU-FMA-UE], [GU-FMA-LE] sections.
    assert maxima["ue_motor"] == 66
    assert maxima["le_motor"] == 34
    assert (maxima["a"], maxima["b"], maxima["c"], maxima["d"]) == (36, 10, 14, 6)
    assert (maxima["e"], maxima["f"]) == (28, 6)
    assert (maxima["sensory"], maxima["balance"], maxima["joint_range"], maxima["joint_pain"]) == (
        24,
        14,
        44,
        44,
    )
    assert fm.score_max == 226
    assert len(section_items(fm, "ue_motor")) == 33
    assert len(section_items(fm, "le_motor")) == 17


def test_pedsql_and_n_pass_are_left_out_for_licence_reasons() -> None:
    ids = {i.id for i in list_instruments()}
    assert "pedsql" not in ids
    assert "n_pass" not in ids
