"""The outcomes pages' faster paths (issue 11, docs/performance.md) give what the old ones gave: the latest
growth values in two queries instead of one per growth measure (ties on the time, entries without a value
and entries in error as before), the client page's section byte for byte as the old code wrote it, and the
trend table written in Python as the template's loop wrote it, in every language."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, RequestContext, Template
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.core import hooks
from kneadwell.outcomes import instruments, selectors, services, views
from kneadwell.outcomes.growth.zscores import measurement_sds
from kneadwell.outcomes.instrument_display import shown_instrument, shown_value
from kneadwell.outcomes.measures import growth_instruments
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.selectors.trends import TrendRow
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
LANGUAGES = [code for code, _ in settings.LANGUAGES]


def _old_latest_rows(client: Client) -> dict[str, tuple[int, dt.datetime, float]]:
    """The latest valued entry of each growth measure as the old code read it: one query per measure."""
    found = {}
    for inst in growth_instruments():
        m = (
            selectors.measurement_queryset(client=client, instrument_id=inst.id)
            .filter(value__isnull=False)
            .order_by("-taken_at", "-id")
            .only("id", "taken_at", "value")
            .first()
        )
        if m is not None and m.value is not None:
            found[inst.id] = (m.pk, m.taken_at, m.value)
    return found


# templates/outcomes/_client_section.html before issue 11's change (its lists were template loops).
OLD_SECTION = """{% load outcomes_tags i18n %}<section class="card" aria-labelledby="measures-h">
  <h2 id="measures-h">{% translate "Measurements and growth" %}</h2>
  {% if latest %}
  <dl class="facts">
    {% for g in latest %}<dt>{{ g.label }}</dt>
    <dd><strong class="num"><bdi dir="ltr">{{ g.display }}</bdi></strong> <span class="small muted"><span class="num">{{ g.date|date:"j M" }}</span>{% if g.corrected_centile is not None %} · {% blocktranslate trimmed with centile=g.corrected_centile|centile %}{{ centile }} centile, corrected (UK-WHO){% endblocktranslate %}{% endif %}</span></dd>{% endfor %}
  </dl>
  {% else %}<p class="muted">{% translate "No weight, length or head circumference recorded yet." %}</p>{% endif %}
  {% if recent %}
  <h3>{% translate "Latest entries" %}</h3>
  <ul class="list small">
    {% for m, name, shown in recent %}<li style="padding:.35rem 0"><a href="{% url 'outcomes:detail' client.pk m.pk %}">{{ name }}</a>: <span class="num">{{ shown|figures }}</span> <span class="muted">· {{ m.taken_at|date:"j M H:i" }}</span>{% if m.confirmed_unusual %} <span class="badge caution">{% translate "unusual, confirmed" %}</span>{% endif %}</li>{% endfor %}
  </ul>
  {% endif %}
  <div class="actions">
    {% if 'measurement.record' in perms_held %}
    <a class="button primary" href="{% url 'outcomes:weights' client.pk %}">{% translate "Enter daily weights" %}</a>
    <a class="button" href="{% url 'outcomes:choose' client.pk %}">{% translate "Add a measurement" %}</a>
    {% endif %}
    <a class="button" href="{% url 'outcomes:growth' client.pk %}">{% translate "Growth chart" %}</a>
    <a href="{% url 'outcomes:list' client.pk %}">{% translate "All measurements" %}</a>
  </div>
  {% if trends %}<p class="small">{% translate "Trends:" %} {% for i in trends %}<a href="{% url 'outcomes:trend' client.pk i.id %}">{{ i.name }}</a>{% if not forloop.last %} · {% endif %}{% endfor %}</p>{% endif %}
</section>
"""  # noqa: E501


def _old_client_section(request: Any, client: Client) -> str:
    """outcomes/views.py's client_section before issue 11's change (every instrument's name worked out,
    the latest growth values and the instruments recorded read apart)."""
    recent = list(
        selectors.measurement_queryset(client=client).only(
            "id",
            "instrument_id",
            "taken_at",
            "value",
            "unit",
            "total",
            "details",
            "subscores",
            "confirmed_unusual",
        )[:5]
    )
    names = {i.id: shown_instrument(i).name for i in instruments.list_instruments()}
    latest = selectors.latest_growth(client=client)
    used = selectors.instruments_recorded(client=client)
    context = {
        "client": client,
        "latest": latest,
        "recent": [(m, names.get(m.instrument_id, m.instrument_id), shown_value(m)) for m in recent],
        "trends": [shown_instrument(i) for i in used if i.growth is None],
    }
    return Template(OLD_SECTION).render(RequestContext(request, context))


def _record(clinic: Clinic, instrument_id: str, answers: dict[str, Any], taken: dt.datetime) -> Measurement:
    assert clinic.client is not None
    return services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=clinic.client,
        instrument_id=instrument_id,
        answers=answers,
        taken_at=taken,
        confirm_unusual=True,
    )


def _history(clinic: Clinic) -> None:
    """Weights over a week with two at the same time (the higher id is the latest), a newer weight whose
    value is gone (left out), a head circumference marked in error (left out), no length, and other
    instruments (a trend with a decimal figure, grades)."""
    base = timezone.make_aware(dt.datetime.combine(TODAY(), dt.time(9, 30))) - dt.timedelta(days=6)
    for day, kg in enumerate((1.45, 1.47, 1.5)):
        _record(clinic, "weight", {"value": kg, "unit": "kg"}, base + dt.timedelta(days=day))
    same = base + dt.timedelta(days=4)
    _record(clinic, "weight", {"value": 1.52, "unit": "kg"}, same)
    _record(clinic, "weight", {"value": 1.53, "unit": "kg"}, same)
    gone = _record(clinic, "weight", {"value": 1.6, "unit": "kg"}, base + dt.timedelta(days=5))
    Measurement.objects.filter(pk=gone.pk).update(value=None)
    _record(clinic, "head_circumference", {"value": 30.5}, base + dt.timedelta(days=1))
    wrong = _record(clinic, "head_circumference", {"value": 31.5}, base + dt.timedelta(days=3))
    services.measurement_mark_in_error(
        actor=clinic.actor(Role.THERAPIST),
        measurement=wrong,
        reason="wrong baby",
        expected_version=wrong.version,
    )
    for days_ago, grade in ((3, "2"), (1, "1+")):
        last = _record(
            clinic,
            "modified_ashworth",
            {"elbow_flexors.left": grade, "elbow_flexors.right": "1"},
            base + dt.timedelta(days=6 - days_ago),
        )
    Measurement.objects.filter(pk=last.pk).update(confirmed_unusual=True)  # its badge


def test_the_latest_values_are_the_old_queries(clinic: Clinic) -> None:
    _history(clinic)
    client = clinic.client
    assert client is not None
    old = _old_latest_rows(client)
    ids = [i.id for i in growth_instruments()]
    with CaptureQueriesContext(connection) as queries:
        newest, used = selectors.latest_values(client=client, instrument_ids=ids, recorded=True)
    assert len(queries.captured_queries) == 2
    assert newest == old
    assert set(old) == {"weight", "head_circumference"}
    assert old["weight"][2] == 1.53  # the tie's higher id; the newer entry without a value left out
    assert old["head_circumference"][2] == 30.5  # the one in error left out
    assert used == set(
        selectors.measurement_queryset(client=client).values_list("instrument_id", flat=True).distinct()
    )
    assert selectors.latest_values(client=client, instrument_ids=ids) == (old, set())
    latest, recorded = selectors.growth_and_recorded(client=client)
    assert recorded == selectors.instruments_recorded(client=client)
    assert latest == selectors.latest_growth(client=client)
    assert [(g.instrument_id, g.measurement_id) for g in latest] == [(k, v[0]) for k, v in old.items()]


def test_the_growth_summary_s_latest_values_are_the_old_ones(clinic: Clinic) -> None:
    _history(clinic)
    client = clinic.client
    assert client is not None
    old = _old_latest_rows(client)
    summary = selectors.growth_summary(client=client)
    assert {g.instrument_id: (g.measurement_id, g.value) for g in summary.latest} == {
        k: (pk, value) for k, (pk, _, value) in old.items()
    }
    for g in summary.latest:
        method = "weight" if g.instrument_id == "weight" else "ofc"
        fresh = measurement_sds(
            client.sex,
            client.birth_date,
            g.date,
            client.gestation_weeks,
            client.gestation_days,
            method,
            g.value,
            summary.reference,
        )
        assert g.sds == fresh
    # the summary again (its SDS from the cache now) is the same
    assert selectors.growth_summary(client=client) == summary


def test_no_growth_values_at_all(clinic: Clinic) -> None:
    client = clinic.client
    assert client is not None
    assert selectors.growth_and_recorded(client=client) == ([], [])
    assert selectors.growth_summary(client=client).latest == ()


@pytest.fixture
def both_sections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """The client page's outcomes section written by the old code and by the new, in the same request."""
    seen: list[tuple[str, str]] = []
    new = views.client_section

    def both(request: Any, client: Client) -> str:
        old = _old_client_section(request, client)
        shown = new(request, client)
        seen.append((old, shown))
        return shown

    monkeypatch.setattr(views, "client_section", both)
    hooks._load.cache_clear()
    yield seen
    hooks._load.cache_clear()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_client_section_is_the_old_one(
    client: HttpClient, clinic: Clinic, both_sections: list[tuple[str, str]], language: str
) -> None:
    _history(clinic)
    assert clinic.client is not None
    for role in (Role.THERAPIST, Role.ADMIN):
        client.force_login(clinic.user(role))
        page = client.get(reverse("clients:detail", args=[clinic.client.pk]), HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
    assert len(both_sections) == 2
    for old, new in both_sections:
        assert new == old
        assert "measures-h" in new
        assert "modified_ashworth" in new  # the trends' links
        assert new.count('class="badge caution"') == 1
        assert new.count("<dt>") == 2  # weight and head circumference
        assert re.search(r"</span> · [^<]+ \(UK-WHO\)</span></dd>", new)  # a corrected centile


def test_the_client_section_with_nothing_recorded_is_the_old_one(
    client: HttpClient, clinic: Clinic, both_sections: list[tuple[str, str]]
) -> None:
    assert clinic.client is not None
    client.force_login(clinic.user(Role.THERAPIST))
    assert client.get(reverse("clients:detail", args=[clinic.client.pk])).status_code == 200
    [(old, new)] = both_sections
    assert new == old


# The trend table's loop as templates/outcomes/trend.html held it before.
TREND_LOOP = """{% load outcomes_tags i18n %}{% for row in rows %}<tr>
      <td data-label="{% translate "Date" %}" class="num"><a href="{{ detail_base }}{{ row.measurement.pk }}/">{{ row.measurement.taken_at|date:"j M Y H:i" }}</a>{% if row.measurement.confirmed_unusual %} <span class="badge caution">{% translate "unusual, confirmed" %}</span>{% endif %}</td>
      {% for col in trend.columns %}<td data-label="{{ col }}" class="num">{{ row.cells|get:col|default:"—"|figures }}</td>{% endfor %}
    </tr>{% endfor %}"""  # noqa: E501


def _row(k: int, cells: dict[str, str], unusual: bool = False) -> TrendRow:
    taken = timezone.make_aware(dt.datetime(2026, 1 + k % 12, 1 + k, 7 + k % 12, 5 * k % 60))
    m = Measurement(pk=100 + k * 997, taken_at=taken, confirmed_unusual=unusual)
    return TrendRow(measurement=m, date=taken.date(), cells=cells)


ROWS = [
    _row(0, {"Total (of 10)": "7.5", 'Left <arm> & "x"': "1+"}),
    _row(1, {"Total (of 10)": "12.25 of 30 (at 60.5 hours old)"}, unusual=True),
    _row(2, {'Left <arm> & "x"': "<b>2</b> & 3.0"}),
    _row(3, {"Total (of 10)": "", 'Left <arm> & "x"': "0"}),
    _row(4, {}),
]


@pytest.mark.django_db(False)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("columns", [("Total (of 10)", 'Left <arm> & "x"'), ("Total (of 10)",), ()])
def test_the_trend_rows_are_the_template_s(language: str, columns: tuple[str, ...]) -> None:
    with translation.override(language):
        base = "/clients/7/measurements/?a=1&b=<2>"
        expected = Template(TREND_LOOP).render(
            Context({"rows": ROWS, "trend": {"columns": columns}, "detail_base": base})
        )
        assert views.trend_rows(ROWS, columns=columns, detail_base=base) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_trend_page_s_table_is_the_template_s(client: HttpClient, clinic: Clinic, language: str) -> None:
    _history(clinic)
    assert clinic.client is not None
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(
        reverse("outcomes:trend", args=[clinic.client.pk, "modified_ashworth"]), HTTP_ACCEPT_LANGUAGE=language
    )
    text = page.content.decode()
    with translation.override(language):
        expected = Template(TREND_LOOP).render(
            Context(
                {
                    "rows": page.context["rows"],
                    "trend": page.context["trend"],
                    "detail_base": page.context["detail_base"],
                }
            )
        )
    assert len(page.context["rows"]) == 2
    assert text.count('class="badge caution"') == 1
    assert f"<tbody>\n    {expected}\n    </tbody>" in text
    assert re.search(r">1\+</td>", text)
