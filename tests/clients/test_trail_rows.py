"""The client page's trail, written in Python for speed (clients/views.py, `trail_items`), is the bytes
the template's loop wrote before (issue 11, docs/performance.md), in every language."""

import datetime as dt

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from kneadwell.audit.models import AuditEvent
from kneadwell.clients.views import trail_items

# The loop as templates/clients/detail.html held it before.
TEMPLATE_LOOP = (
    '{% for e in trail %}<li style="padding:.3rem 0">{{ e.at|date:"j M Y H:i" }} · {{ e.actor_label }} · '
    "{{ e.get_action_display|lower }} {{ e.entity }} · {{ e.summary }} "
    '<span class="muted">({{ e.channel }})</span></li>{% endfor %}'
)
AT = dt.datetime(2026, 10, 25, 0, 59, 30, tzinfo=dt.UTC)
EVENTS = [
    AuditEvent(
        at=AT, actor_label="a@b.test", action="read", entity="client", summary="viewed", channel="page"
    ),
    AuditEvent(
        at=AT + dt.timedelta(hours=1),
        actor_label="<x> & 'y'",
        action="login_failed",
        entity='plan "2"',
        summary="<b>bold</b>",
        channel="api",
    ),
    AuditEvent(
        at=AT + dt.timedelta(days=70), actor_label="", action="ODD", entity="", summary="", channel=""
    ),
    *(
        AuditEvent(
            at=AT + dt.timedelta(days=29 * m), actor_label="x", action=a, entity="e", summary="s", channel="c"
        )
        for m, a in enumerate(AuditEvent.Action.values)
    ),
]


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_the_trail_is_the_template_s(language: str) -> None:
    with translation.override(language):
        assert trail_items(EVENTS) == Template(TEMPLATE_LOOP).render(Context({"trail": EVENTS}))
        assert trail_items([]) == ""
