"""The whole content is checked at once (what `kneadwell serve` runs before recording the version)."""

from __future__ import annotations

from kneadwell.content import check
from kneadwell.content.loader import current_version


def test_the_shipped_content_has_no_problem() -> None:
    assert check.content_problems() == []
    assert check.check_content() == current_version()
