"""The audit log's table rows and blank filter form, written in Python for speed (audit/views.py), are the
bytes the template wrote before (issue 11, docs/performance.md), in every language."""

import datetime as dt

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from kneadwell.accounts.roles import Role
from kneadwell.audit import views
from kneadwell.audit.models import AuditEvent
from kwtest.people import Clinic

# The loop as templates/audit/list.html held it before the rows were written in Python.
TEMPLATE_LOOP = """{% load i18n %}{% for e in page_obj %}
    <tr><td data-label="{% translate "When" %}">{{ e.at|date:"j M Y H:i:s" }}</td><td data-label="{% translate "Who" %}">{{ e.actor_label }}{% if e.actor_role %} <span class="muted small">({{ e.actor_role }})</span>{% endif %}</td>
    <td data-label="{% translate "What" %}">{{ e.get_action_display }} — {{ e.summary }}</td>
    <td data-label="{% translate "Record" %}">{{ e.entity }}{% if e.entity_id %} #{{ e.entity_id }}{% endif %}{% if e.client_id %} · {% translate "client" %} <a href="{{ client_base }}{{ e.client_id }}/">#{{ e.client_id }}</a>{% endif %}</td>
    <td data-label="{% translate "Channel" %}">{{ e.channel }}</td></tr>
  {% endfor %}"""  # noqa: E501

AT = dt.datetime(2026, 3, 29, 0, 59, 30, tzinfo=dt.UTC)
EVENTS = [
    AuditEvent(
        at=AT,
        actor_label="a@b.test",
        actor_role="admin",
        action="read",
        entity="client",
        entity_id="12",
        client_id=12,
        summary="viewed the record",
        channel="page",
    ),
    AuditEvent(
        at=AT + dt.timedelta(hours=1),
        actor_label="<script>x</script>",
        actor_role="",
        action="update",
        entity="plan & <b>",
        entity_id="",
        client_id=None,
        summary='said "hi" & <left>',
        channel="api",
    ),
    AuditEvent(
        at=AT + dt.timedelta(days=200),
        actor_label="",
        actor_role="caregiver",
        action="no-such",
        entity="",
        entity_id="0",
        client_id=0,
        summary="",
        channel="<cli>",
    ),
    *(
        AuditEvent(
            at=AT + dt.timedelta(days=31 * m),
            actor_label="x",
            action=a,
            entity="e",
            entity_id="7",
            client_id=99999999999,
            summary="s",
            channel="page",
        )
        for m, a in enumerate(AuditEvent.Action.values)
    ),
]


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_the_rows_are_the_template_s(language: str) -> None:
    with translation.override(language):
        expected = Template(TEMPLATE_LOOP).render(Context({"page_obj": EVENTS, "client_base": "/clients/"}))
        assert views.table_rows(EVENTS, client_base="/clients/") == expected
        assert views.table_rows([], client_base="/clients/") == ""


@pytest.mark.django_db
@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_the_blank_form_is_the_form_as_django_renders_it(language: str) -> None:
    with translation.override(language):
        fresh = "".join(str(field.as_field_group()) for field in views.AuditFilterForm())
        assert views.blank_filter_form() == fresh
        assert views.blank_filter_form() is views.blank_filter_form()  # kept, per language


@pytest.mark.django_db
def test_a_filtered_view_shows_its_own_choices(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    page = client.get(reverse("audit:list"), {"who": "needle-text", "action": "read"}).content.decode()
    assert 'value="needle-text"' in page
    assert '<option value="read" selected>' in page
    blank = client.get(reverse("audit:list")).content.decode()
    assert "needle-text" not in blank
