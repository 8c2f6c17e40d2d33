"""Instruments that are not in the reviewed catalogue: organisations' own measures, looked up through a
resolver that the outcomes app installs when Django starts. Pure: no Django.

`registry.get_instrument` asks the catalogue first and the resolver only for an id the catalogue lacks;
`list_instruments` and `listed_groups` add the resolver's instruments of the organisation in force. So a
page, a report or an export that looks an instrument up by id works for an organisation's measure
without knowing it is one. Without a resolver (the pure package alone, the command line before Django
starts) there are no such instruments.
"""

from __future__ import annotations

from typing import Protocol

from .model import Instrument


class Resolver(Protocol):
    def resolve(self, instrument_id: str) -> Instrument | None:
        """The instrument with this id, or None (unknown, or not the organisation in force's)."""

    def known(self) -> tuple[Instrument, ...]:
        """Every measure of the organisation in force, retired ones included (they stay readable)."""

    def listed(self) -> tuple[Instrument, ...]:
        """The measures of the organisation in force that can be recorded now (published, not retired)."""


_installed: list[Resolver] = []


def install(resolver: Resolver) -> None:
    """Make `resolver` the one consulted (replacing any earlier one)."""
    _installed[:] = [resolver]


def resolve(instrument_id: str) -> Instrument | None:
    return _installed[0].resolve(instrument_id) if _installed else None


def known() -> tuple[Instrument, ...]:
    return _installed[0].known() if _installed else ()


def listed() -> tuple[Instrument, ...]:
    return _installed[0].listed() if _installed else ()
