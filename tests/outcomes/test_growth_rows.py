"""The growth page's table, written in Python for speed (outcomes/views.py, `growth_rows`), is the bytes the
template's loop wrote before (issue 11, docs/performance.md), in every language: the figures' decimal
mark, the centiles' ordinals and the points' words included."""

import datetime as dt

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from kneadwell.outcomes.selectors.growth import GrowthPoint
from kneadwell.outcomes.views import growth_rows

# The loop as templates/outcomes/growth.html held it before (with the labels it used).
TEMPLATE_LOOP = """{% load outcomes_tags i18n %}{% translate "Date" as l_date %}{% translate "Age" as l_age %}{% translate "Corrected" context "corrected age" as l_corrected %}{% translate "Chronological" context "chronological age" as l_chrono %}{% for p in points %}
      <tr>
        <td data-label="{{ l_date }}" class="num"><a href="{{ detail_base }}{{ p.measurement_id }}/">{{ p.date|date:"j M Y" }}</a></td>
        <td data-label="{{ l_age }}" class="small">{{ p.age_text }}</td>
        <td data-label="{{ measure_label }}" class="num"><strong><bdi dir="ltr">{{ p.display }}</bdi></strong>{% if p.confirmed_unusual %} <span class="badge caution">{% translate "unusual, confirmed" %}</span>{% endif %}</td>
        {% if p.corrected_sds is not None %}
        <td data-label="{{ l_corrected }}" class="num">{{ p.corrected_sds|sds }} ({{ p.corrected_centile|centile }})</td>
        <td data-label="{{ l_chrono }}" class="num">{{ p.chronological_sds|sds }} ({{ p.chronological_centile|centile }})</td>
        {% else %}
        <td data-label="{% translate "SDS" %}" colspan="2" class="small muted">{{ p.note }}</td>
        {% endif %}
      </tr>
    {% endfor %}"""  # noqa: E501


def _point(k: int, **kw: object) -> GrowthPoint:
    fields: dict[str, object] = {
        "measurement_id": 10 + k,
        "date": dt.date(2026, 1, 1) + dt.timedelta(days=37 * k),
        "value": 3.5 + k / 10,
        "display": f"{3.5 + k / 10:.3f} kg",
        "chronological_age_days": 10 * k,
        "corrected_age_days": 10 * k - 20,
        "age_text": f"{k} weeks (corrected {k - 3} weeks)",
        "chronological_sds": -1.68 + k / 7,
        "corrected_sds": 0.52 - k / 9,
        "chronological_centile": 4.6 + 9 * k,
        "corrected_centile": 70.2 - 6 * k,
    }
    fields.update(kw)
    return GrowthPoint(**fields)  # type: ignore[arg-type]


POINTS = [
    *(_point(k) for k in range(12)),
    # the centiles' edges and odd figures
    _point(
        20, chronological_centile=0.05, corrected_centile=99.95, chronological_sds=-3.4, corrected_sds=3.4
    ),
    _point(
        21, chronological_centile=0.21, corrected_centile=99.93, chronological_sds=0.004, corrected_sds=-0.004
    ),
    _point(
        22, chronological_centile=None, chronological_sds=None, corrected_centile=1.0, corrected_sds=-2.33
    ),
    _point(23, confirmed_unusual=True, display="5,2 kg & <b>", age_text="<i>1 day</i> & 'x'"),
    # no SDS: the note instead
    _point(
        24,
        corrected_sds=None,
        corrected_centile=None,
        chronological_sds=None,
        chronological_centile=None,
        note='Outside the reference\'s ages "<x>" & more',
    ),
    _point(25, corrected_sds=None, note="", confirmed_unusual=True, measurement_id=99999999999),
]


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
@pytest.mark.parametrize("label", ["Weight", 'Head <circumference> & "x"'])
def test_the_rows_are_the_template_s(language: str, label: str) -> None:
    with translation.override(language):
        context = {"points": POINTS, "detail_base": "/clients/7/outcomes/", "measure_label": label}
        expected = Template(TEMPLATE_LOOP).render(Context(context))
        assert growth_rows(POINTS, detail_base="/clients/7/outcomes/", measure_label=label) == expected
        assert growth_rows([], detail_base="/x/", measure_label=label) == ""
