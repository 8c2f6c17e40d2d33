"""The care pages' lists written in Python (care/views/rows.py) give the bytes the template loops gave: the
old loops are kept here verbatim and rendered next to the new code, in every language and with values
that need escaping, every branch of each row taken. The strings the rows mark are translated as the
template's were."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import polib
import pytest
from django.conf import settings
from django.template import Context, Template, engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kneadwell.care.models import AdverseEvent, Plan, ScheduledSession, Session
from kneadwell.care.views import rows
from kneadwell.core.catalogues import LOCALE_DIR
from kwtest.languages import SHIPPED, marked_in

LANGUAGES = [code for code, _name in settings.LANGUAGES]

# _client_section.html as it was before its loops were written in Python (commit 289941b).
OLD_CLIENT_SECTION = """{% load i18n %}<section class="card" aria-labelledby="plans-h">
  <h2 id="plans-h">{% translate "Plans and sessions" %}</h2>
  {% for plan, protocol, adh, next_slot in rows %}
    <div class="plan-row">
      <p><a href="{% url 'care:plan' client.pk plan.pk %}"><strong>{{ protocol.name|default:plan.protocol_id }}</strong></a>
        {% if plan.status == "active" %}<span class="badge ok">{% translate "active" context "plan" %}</span>{% else %}<span class="badge muted">{% translate "ended" context "plan" %}</span>{% endif %}</p>
      <p class="small">{% blocktranslate trimmed with done=adh.done due=adh.due_so_far %}Done {{ done }} of {{ due }} due so far{% endblocktranslate %}{% if adh.percent_of_due is not None %} (<span class="num">{{ adh.percent_of_due|floatformat:0 }}%</span>){% endif %}; {% blocktranslate trimmed with planned=adh.planned_total %}{{ planned }} planned in all.{% endblocktranslate %}{% if adh.stopped_sessions %} {% blocktranslate trimmed count counter=adh.stopped_sessions %}{{ counter }} stopped.{% plural %}{{ counter }} stopped.{% endblocktranslate %}{% endif %}</p>
      {% if next_slot and can_record %}<p class="small">{% translate "Next:" %} {{ next_slot.due_at|date:"D j M, H:i" }} — <a href="{% url 'library:check' client.pk %}?protocol={{ plan.protocol_id }}&amp;slot={{ next_slot.pk }}">{% translate "start with today's check" %}</a></p>{% endif %}
    </div>
  {% empty %}<p class="muted">{% translate "No plan yet. Enrolment starts with today's check for a protocol." %}</p>{% endfor %}
  {% if sessions %}
  <h3>{% translate "Recent sessions" %}</h3>
  <ul class="plain small">{% for s in sessions %}<li><a href="{% url 'care:player' s.pk %}">{{ s.started_at|date:"j M H:i" }}</a> — {{ s.get_status_display }}{% if s.stop_reason %}: {{ s.stop_reason }}{% endif %} · <a href="{% url 'care:note' s.pk %}">{% translate "note" context "a session's diary note" %}</a></li>{% endfor %}</ul>
  {% endif %}
  {% if adverse_events %}
  <h3>{% translate "Adverse events" %}</h3>
  <ul class="plain small">{% for e in adverse_events %}<li><a href="{% url 'care:adverse_event' client.pk e.pk %}">{{ e.occurred_at|date:"j M Y" }}</a> — {{ e.get_severity_display }}: {{ e.what|truncatewords:12 }}</li>{% endfor %}</ul>
  {% endif %}
  {% if can_record %}<div class="actions"><a class="button" href="{% url 'care:adverse_event_create' client.pk %}">{% translate "Report an adverse event" %}</a></div>{% endif %}
</section>
"""  # noqa: E501 - verbatim

# plan_detail.html's two loops as they were (commit 289941b).
OLD_PLAN_LISTS = """{% load i18n %}<ul class="plain">{% for slot in upcoming %}<li style="padding:.3rem 0">{{ slot.due_at|date:"D j M, H:i" }} <span class="muted small">{{ slot.phase }}</span>{% if can_record and forloop.first and plan.status == "active" %} — <a href="{% url 'library:check' client.pk %}?protocol={{ plan.protocol_id }}&amp;slot={{ slot.pk }}">{% translate "start with today's check" %}</a>{% endif %}</li>{% empty %}<li class="muted">{% translate "Nothing scheduled." %}</li>{% endfor %}</ul>
<ul class="plain small">{% for s in sessions %}<li><a href="{% url 'care:player' s.pk %}">{{ s.started_at|date:"j M H:i" }}</a> — {{ s.get_status_display }}{% if s.stop_reason %}: {{ s.stop_reason }}{% endif %}</li>{% empty %}<li class="muted">{% translate "None yet." %}</li>{% endfor %}</ul>"""  # noqa: E501 - verbatim

UTC = dt.UTC
TRICKY = "<b>“Cried” & kicked</b> 'x'"
WHEN = dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC)  # the hour before British Summer Time starts


def _old(source: str, context: dict[str, Any]) -> str:
    return engines["django"].from_string(source).render(context)


def _figures(done: int, due: int, percent: float | None, planned: int, stopped: int) -> Any:
    return SimpleNamespace(
        done=done, due_so_far=due, percent_of_due=percent, planned_total=planned, stopped_sessions=stopped
    )


def _plan_rows() -> list[tuple[Any, Any, Any, Any]]:
    active = Plan(pk=7, protocol_id="preterm_tks_10d", status="active")
    ended = Plan(pk=12345, protocol_id="adult<&>", status="ended")
    other = Plan(pk=3, protocol_id="rehab", status="ended")
    return [
        (active, SimpleNamespace(name=TRICKY), _figures(3, 4, 74.5, 10, 1), _slot(99, WHEN)),
        (ended, None, _figures(0, 0, None, 0, 0), None),
        (other, SimpleNamespace(name=""), _figures(10, 10, 100.0, 10, 2), _slot(5, WHEN)),
        (
            active,
            SimpleNamespace(name="TKS"),
            _figures(1, 2, 50.0, 2, 0),
            _slot(6, dt.datetime(2026, 7, 4, 23, 30, tzinfo=UTC)),
        ),
    ]


def _slot(pk: int, due_at: dt.datetime, phase: str = "") -> ScheduledSession:
    return ScheduledSession(pk=pk, due_at=due_at, phase=phase)


def _sessions() -> list[Session]:
    late = dt.datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    early = dt.datetime(2026, 1, 5, 9, 5, tzinfo=UTC)
    return [
        Session(pk=1, started_at=WHEN, status=Session.Status.COMPLETED, stop_reason=""),
        Session(
            pk=22, started_at=WHEN + dt.timedelta(hours=1), status=Session.Status.STOPPED, stop_reason=TRICKY
        ),
        Session(pk=333, started_at=late, status=Session.Status.IN_PROGRESS, stop_reason=""),
        Session(pk=4, started_at=early, status="not-a-status", stop_reason="x"),
    ]


def _adverse_events() -> list[AdverseEvent]:
    long = "one two three four five six seven eight nine ten eleven twelve thirteen <fourteen> & more"
    cases = [*((s, TRICKY) for s in AdverseEvent.Severity.values), ("odd", long), ("mild", "a\nb")]
    return [
        AdverseEvent(pk=number, occurred_at=WHEN, severity=severity, what=what)
        for number, (severity, what) in enumerate(cases, start=1)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Riyadh", "UTC"])
def test_the_dates_are_the_date_filter_s(language: str, zone: str) -> None:
    values = [
        *(dt.datetime(2026, m, 1 + m, 0, 30, 5, tzinfo=UTC) for m in range(1, 13)),
        WHEN,
        dt.datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC),
        dt.datetime(2026, 7, 4, 12, 0, tzinfo=ZoneInfo("America/New_York")),
        *(dt.datetime(2026, 6, d, 8, 0, tzinfo=UTC) for d in range(1, 8)),  # every weekday
    ]
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        for value in values:
            for fmt, ours in (("j M H:i", rows.date_j_m_h_i), ("D j M, H:i", rows.date_d_j_m_h_i)):
                django = Template('{{ v|date:"' + fmt + '" }}').render(Context({"v": value}))
                assert ours(value) == django, (fmt, value)
        assert rows.date_j_m_h_i(None) == rows.date_d_j_m_h_i(None) == ""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("can_record", [True, False])
@pytest.mark.parametrize("empty", [True, False])
def test_the_client_section_is_the_old_loops_bytes(language: str, can_record: bool, empty: bool) -> None:
    client = SimpleNamespace(pk=425)
    plan_rows = [] if empty else _plan_rows()
    sessions = [] if empty else _sessions()
    events = [] if empty else _adverse_events()
    with translation.override(language), timezone.override(ZoneInfo("Europe/London")):
        old = _old(
            OLD_CLIENT_SECTION,
            {
                "client": client,
                "rows": plan_rows,
                "sessions": sessions,
                "adverse_events": events,
                "can_record": can_record,
            },
        )
        new = render_to_string(
            "care/_client_section.html",
            {
                "client": client,
                "plan_rows": rows.client_plan_rows(plan_rows, client_id=client.pk, can_record=can_record),
                "session_rows": rows.client_session_rows(sessions),
                "adverse_event_rows": rows.client_adverse_event_rows(events, client_id=client.pk),
                "can_record": can_record,
            },
        )
    assert new == old
    if not empty:
        assert "&lt;b&gt;" in new  # the values are escaped
        assert "<b>" not in new


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("can_record", [True, False])
@pytest.mark.parametrize("status", ["active", "ended"])
@pytest.mark.parametrize("empty", [True, False])
def test_the_plan_page_lists_are_the_old_loops_bytes(
    language: str, can_record: bool, status: str, empty: bool
) -> None:
    client = SimpleNamespace(pk=9)
    plan = Plan(pk=4, protocol_id="preterm_tks_10d", status=status)
    slots = (
        []
        if empty
        else [
            _slot(11, WHEN, "Tactile <&>"),
            _slot(12, WHEN + dt.timedelta(days=1)),
            _slot(13, WHEN, "Phase 2"),
        ]
    )
    sessions = [] if empty else _sessions()
    with translation.override(language), timezone.override(ZoneInfo("Europe/London")):
        old = _old(
            OLD_PLAN_LISTS,
            {
                "client": client,
                "plan": plan,
                "upcoming": slots,
                "sessions": sessions,
                "can_record": can_record,
            },
        )
        upcoming = rows.plan_upcoming_rows(
            slots,
            client_id=client.pk,
            protocol_id=plan.protocol_id,
            offer_start=can_record and plan.status == "active",
        )
        past = rows.plan_session_rows(sessions)
        new = f'<ul class="plain">{upcoming}</ul>\n<ul class="plain small">{past}</ul>'
    assert new == old


@pytest.mark.parametrize("language", SHIPPED)
def test_the_rows_words_are_translated(language: str) -> None:
    """The rows' words left the client page's template (on the parent's path): each is still in the
    catalogue, translated (as tests/core/test_translations.py holds the parent's path)."""
    catalogue = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt or "", e.msgid): e for e in catalogue if not e.obsolete}
    marked = marked_in("care/views/rows.py")
    assert len(marked) >= 10
    for key in marked:
        entry = known.get(key)
        assert entry is not None, key
        assert "fuzzy" not in entry.flags, key
        assert entry.msgstr.strip() or all(v.strip() for v in entry.msgstr_plural.values()), key


@pytest.mark.django_db
def test_the_organisation_s_measures_are_read_only_when_they_can_change_the_rows(
    clinic: Any, preterm: Any, tks_check: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """plan_measurements skips reading the organisation's own measures for a protocol whose timed measures
    all have built-in instruments (or are recorded in the session). For every protocol it skips, the rows
    are the same as with the read made and every programme measure linked to a measure of the
    organisation's: the read could not have changed them."""
    from kneadwell.accounts.roles import Role
    from kneadwell.care import selectors, services
    from kneadwell.care.selectors import plans as plan_selectors
    from kneadwell.library import selectors as library_selectors
    from kneadwell.outcomes import instruments

    plan = services.plan_create(
        actor=clinic.actor(Role.THERAPIST), client=preterm, check=tks_check, starts_at=timezone.now()
    )
    lib = library_selectors.library()
    some = instruments.list_instruments()[0]
    every_measure_linked = {m: (some,) for m in lib.measures}
    reads: list[int] = []

    def links(*, organisation_id: int) -> dict[str, Any]:
        reads.append(organisation_id)
        return every_measure_linked

    monkeypatch.setattr(plan_selectors, "programme_measure_links", links)
    skipped = 0
    for protocol_id in lib.protocols:
        plan.protocol_id = protocol_id
        reads.clear()
        rows_now = selectors.plan_measurements(client=preterm, plan=plan)
        if reads:
            continue
        skipped += 1
        with monkeypatch.context() as forced:
            forced.setattr(plan_selectors, "reads_own_measures", lambda **kwargs: True)
            assert selectors.plan_measurements(client=preterm, plan=plan) == rows_now, protocol_id
            assert reads, protocol_id
    assert skipped >= 10  # most protocols
    plan.protocol_id = "child_asthma"  # times PedsQL, which only an organisation's measure records
    reads.clear()
    selectors.plan_measurements(client=preterm, plan=plan)
    assert reads


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_blank_end_form_is_the_form_s_own_rendering(language: str) -> None:
    from kneadwell.care.forms import PlanEndForm
    from kneadwell.care.views import plans

    with translation.override(language):
        assert plans._blank_end_form() == PlanEndForm().as_div()
        assert plans._blank_end_form() is plans._blank_end_form()  # once per language


@pytest.mark.django_db
@pytest.mark.parametrize("days_on", [1, 3, 30])
def test_the_due_counts_read_with_the_plans_are_due_so_far_s(clinic: Any, preterm: Any, days_on: int) -> None:
    """The client page reads each plan's sessions due so far with its plans (a subquery): the same counts,
    and so the same figures, as the separate grouped count."""
    from kneadwell.accounts.roles import Role
    from kneadwell.care import selectors, services
    from kwtest.screening import passing_check

    therapist = clinic.actor(Role.THERAPIST)
    for end in (True, False):
        check = passing_check(therapist, preterm, "preterm_tks_10d", "preterm_infant")
        plan = services.plan_create(
            actor=therapist, client=preterm, check=check, starts_at=timezone.now() + dt.timedelta(minutes=5)
        )
        today = passing_check(therapist, preterm, "preterm_tks_10d", "preterm_infant")
        session = services.session_start(
            actor=therapist, client=preterm, check=today, slot=plan.slots.first()
        )
        services.session_stop(actor=therapist, session=session, reason="Unsettled or unwell")
        if end:
            services.plan_end(actor=therapist, plan=plan, reason="Programme completed")
    now = timezone.now() + dt.timedelta(days=days_on)
    plans = list(selectors.plans_of(client=preterm).annotate(due_count=selectors.due_by_subquery(now)))
    assert len(plans) == 2
    counted = selectors.due_so_far(plan_ids=[p.pk for p in plans], now=now)
    assert {p.pk: p.due_count for p in plans} == {p.pk: counted.get(p.pk, 0) for p in plans}
    assert any(p.due_count for p in plans)
    due = {p.pk: p.due_count for p in plans}
    assert selectors.plans_figures(
        plans=plans, now=now, with_phases=False, due=due
    ) == selectors.plans_figures(plans=plans, now=now, with_phases=False)
