"""The client list's rows, written in Python for speed (clients/views.py, `client_rows`), are the bytes the
template's loop wrote before, in every language; and its pages (a search counting its matches with its
rows, clients/views.py `client_page_of`) are the pages Django's Paginator gave, with fewer queries
(issue 11, docs/performance.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.template import Context, Template
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kneadwell.accounts.roles import Role
from kneadwell.clients import selectors
from kneadwell.clients.models import Client
from kneadwell.clients.views import LIST_COLUMNS, PAGE_SIZE, client_rows
from kwtest.people import Clinic, make_client

# The loop as templates/clients/_results.html held it before the rows were written in Python.
TEMPLATE_LOOP = """{% load i18n %}{% for client in clients %}
  <li><a class="row" href="{% url 'clients:detail' client.pk %}">
    <span><strong>{{ client.family_name }}</strong>, {{ client.given_name }}{% if client.identifier %} <span class="muted small">#{{ client.identifier }}</span>{% endif %}</span>
    <span class="muted small">{% blocktranslate trimmed with birth_date=client.birth_date|date:"j M Y" %}born {{ birth_date }}{% endblocktranslate %}{% if client.gestation_weeks %} {% blocktranslate trimmed with weeks=client.gestation_weeks days=client.gestation_days|default:0 %}at {{ weeks }}+{{ days }}{% endblocktranslate %}{% endif %}</span>
  </a></li>
  {% endfor %}"""  # noqa: E501

CLIENTS = [
    Client(
        pk=7,
        given_name="Maya",
        family_name="Okafor",
        birth_date=dt.date(2026, 10, 5),
        gestation_weeks=30,
        gestation_days=2,
        identifier="H-12",
    ),
    Client(
        pk=123456,
        given_name="<b>Leo</b> & 'x'",
        family_name='O"Brien <script>',
        birth_date=dt.date(1975, 6, 9),
        gestation_weeks=None,
        gestation_days=None,
        identifier="",
    ),
    Client(
        pk=9,
        given_name="Ana",
        family_name="Núñez",
        birth_date=dt.date(2024, 2, 29),
        gestation_weeks=41,
        gestation_days=None,
        identifier="<7&>",
    ),
    Client(
        pk=10,
        given_name="",
        family_name="",
        birth_date=dt.date(2000, 12, 31),
        gestation_weeks=36,
        gestation_days=0,
        identifier="0",
    ),
    *(
        Client(
            pk=100 + m,
            given_name="m",
            family_name="n",
            birth_date=dt.date(2026, m, 1),
            gestation_weeks=24 + m,
            gestation_days=m % 7,
            identifier="",
        )
        for m in range(1, 13)
    ),
]


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_the_rows_are_the_template_s(language: str) -> None:
    with translation.override(language):
        assert client_rows(CLIENTS) == Template(TEMPLATE_LOOP).render(Context({"clients": CLIENTS}))
        assert client_rows([]) == ""


@pytest.mark.django_db
def test_named_rows_give_the_same_rows_as_clients(clinic: Clinic) -> None:
    """The view reads named rows of LIST_COLUMNS, not model instances: the same text."""
    actor = clinic.actor(Role.THERAPIST)
    make_client(actor, identifier="A&1", weeks=None, days=None)
    make_client(actor, weeks=33, days=None)
    clients = list(selectors.client_queryset(actor=actor))
    rows = list(selectors.client_queryset(actor=actor).values_list(*LIST_COLUMNS, named=True))
    assert len(rows) == len(clients) >= 4
    assert client_rows(rows) == client_rows(clients)


@pytest.fixture
def crowd(clinic: Clinic) -> Clinic:
    """Enough clients for three pages of a search ("Okafor" matches them all) and two of the list."""
    actor = clinic.actor(Role.THERAPIST)
    for number in range(2 * PAGE_SIZE + 3):
        make_client(
            actor, consent=False, identifier=f"N{number}" if number % 3 else "", given_name=f"G{number}"
        )
    make_client(actor, consent=False, family_name="Zed", given_name="Solo", identifier="ZZ9")
    return clinic


QUERIES = ["", "okafor", "OKAFOR g1", "zed", "zz9", "Solo", "nobody", "o", "  okafor  "]
PAGES = [None, "1", "2", "3", "4", "99", "0", "-1", "abc", "2.0", " 2", "02", "9" * 5000]


def _expected(actor: Any, query: str, number: str | None) -> Any:
    """The page as the view made it before: Django's Paginator over the search's clients."""
    clients = selectors.client_search(actor=actor, query=query.strip()[:100])
    return Paginator(clients.only(*LIST_COLUMNS), PAGE_SIZE).get_page(number)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ADMIN, Role.CAREGIVER])
def test_the_pages_are_the_paginator_s(client: HttpClient, crowd: Clinic, role: Role) -> None:
    client.force_login(crowd.user(role))
    actor = crowd.actor(role)
    for query in QUERIES:
        for number in PAGES:
            params = {"q": query} if query else {}
            if number is not None:
                params["page"] = number
            response = client.get(reverse("clients:list"), params, headers={"HX-Request": "true"})
            assert response.status_code == 200
            got, expected = response.context["page_obj"], _expected(actor, query, number)
            where = f"q={query!r} page={number!r}"
            assert got.number == expected.number, where
            assert got.paginator.count == expected.paginator.count, where
            assert got.paginator.num_pages == expected.paginator.num_pages, where
            assert [c.id for c in got.object_list] == [c.pk for c in expected.object_list], where
            assert (got.has_previous(), got.has_next()) == (expected.has_previous(), expected.has_next())
            assert response.context["rows"] == Template(TEMPLATE_LOOP).render(
                Context({"clients": list(expected.object_list)})
            ), where


@pytest.mark.django_db
def test_a_search_reads_no_count_and_its_queries_do_not_grow(client: HttpClient, crowd: Clinic) -> None:
    client.force_login(crowd.user(Role.ADMIN))
    url = reverse("clients:list")
    client.get(url)

    def reads(params: dict[str, str]) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        return [q["sql"] for q in queries.captured_queries]

    few, many, second = reads({"q": "zed"}), reads({"q": "okafor"}), reads({"q": "okafor", "page": "2"})
    assert len(few) == len(many) == len(second)
    assert not any('COUNT(*) AS "__count"' in q for q in few + many + second)
    # The whole list keeps its COUNT (an index answers it) and reads one page of rows.
    assert sum('AS "__count"' in q for q in reads({})) == 1


@pytest.mark.django_db
def test_the_list_is_still_audited_and_another_organisation_s_clients_are_not_listed(
    client: HttpClient, crowd: Clinic, outsider: Clinic
) -> None:
    from kneadwell.audit.models import AuditEvent

    client.force_login(outsider.user(Role.ADMIN))
    before = AuditEvent.objects.filter(organisation=outsider.org, action="list").count()
    response = client.get(reverse("clients:list"), {"q": "okafor"})
    assert response.context["page_obj"].paginator.count == 2  # the outsider's own two clients
    assert AuditEvent.objects.filter(organisation=outsider.org, action="list").count() == before + 1
    assert "G1</" not in response.content.decode()
