"""The table helpers give the text Django's template filters give (core/tablerows.py), in every language
and time zone case the pages meet."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from kneadwell.audit.models import AuditEvent
from kneadwell.core import tablerows

LONDON = ZoneInfo("Europe/London")


def _django(value: object, fmt: str) -> str:
    return Template('{{ v|date:"' + fmt + '" }}').render(Context({"v": value}))


VALUES = [
    *(dt.datetime(2026, m, 1 + m, 0, 30, 5, tzinfo=dt.UTC) for m in range(1, 13)),
    dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=dt.UTC),  # the hour before British Summer Time starts
    dt.datetime(2026, 3, 29, 1, 0, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 10, 25, 0, 59, 59, 999999, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC),  # next year in no zone here, but a late hour
    dt.datetime(999, 1, 9, 9, 9, 9, tzinfo=dt.UTC),  # a year below 1000 (Django pads it)
    dt.datetime(2026, 7, 4, 12, 0, tzinfo=ZoneInfo("America/New_York")),
]


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Riyadh", "UTC"])
def test_dates_are_django_s_in_every_language_and_zone(language: str, zone: str) -> None:
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        for value in VALUES:
            assert tablerows.date_j_m_y_h_i_s(value) == _django(value, "j M Y H:i:s"), value
            assert tablerows.date_j_m_y_h_i(value) == _django(value, "j M Y H:i"), value
            assert tablerows.date_j_m_y(value) == _django(value, "j M Y"), value
            assert tablerows.date_j_m_h_i(value) == _django(value, "j M H:i"), value
            assert tablerows.date_d_j_m_h_i(value) == _django(value, "D j M, H:i"), value
            assert tablerows.date_j_m_y(value.date()) == _django(value.date(), "j M Y"), value
        assert tablerows.date_j_m_y(None) == _django(None, "j M Y") == ""
        assert tablerows.date_j_m_y_h_i(None) == tablerows.date_j_m_y_h_i_s(None) == ""


def test_the_months_follow_the_language() -> None:
    value = dt.date(2026, 4, 3)
    shown = set()
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            shown.add(tablerows.date_j_m_y(value))
    assert len(shown) == len(settings.LANGUAGES)  # English, Spanish and Arabic month names differ


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_choice_labels_are_get_display_s(language: str) -> None:
    with translation.override(language):
        labels = tablerows.choice_labels(AuditEvent.Action.choices)
        for value in [*AuditEvent.Action.values, "not-a-choice"]:
            event = AuditEvent(action=value)
            assert labels.get(value, value) == event.get_action_display()


def test_url_maker_writes_what_the_url_tag_writes() -> None:
    """One `reverse` for a table, the last argument filled in per row: the same text as `{% url %}`."""
    from django.urls import reverse
    from django.utils.html import conditional_escape

    for name, fixed, pks in (
        ("clients:detail", (), (1, 42, 2147483647)),
        ("outcomes:detail", (7,), (1, 2147483647)),
        ("care:adverse_event", (2147483647,), (3,)),
    ):
        link = tablerows.url_maker(name, *fixed)
        for pk in pks:
            assert link(pk) == conditional_escape(reverse(name, args=[*fixed, pk]))
