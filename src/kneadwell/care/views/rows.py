"""The care pages' lists written in Python instead of template loops (issue 11, docs/performance.md): the
client page's plans, sessions and adverse events, and the plan page's coming and past sessions.

Each function gives the same bytes the template's loop gave (tests/care/test_rows.py renders the old loops
and compares, in every language): the words come from the same catalogue entries (`{% translate %}` and
`{% blocktranslate %}` text is not escaped by the template, values are), the dates are the `date` filter's
formats (core/tablerows.py), with the month and day names looked up once per language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from kneadwell.care.adherence import Adherence
from kneadwell.care.models import AdverseEvent, Plan, ScheduledSession, Session
from kneadwell.core.tablerows import choice_labels, date_d_j_m_h_i, date_j_m_h_i, date_j_m_y, url_maker


def e(value: object) -> str:
    """`{{ value }}` of a string or whole number (the pages' values here): escaped (a safe string as is)."""
    return str(conditional_escape(value if isinstance(value, str) else str(value)))


def client_plan_rows(
    rows: Iterable[tuple[Plan, Any, Adherence, Any]], *, client_id: int, can_record: bool
) -> SafeString:
    """_client_section.html's plans loop (its `{% empty %}` included): (plan, its protocol or None, its
    figures, its next due session (pk and due_at) or None) per plan."""
    out = []
    check_url = conditional_escape(reverse("library:check", args=[client_id]))
    start_word = _("start with today's check")
    for plan, protocol, adh, next_slot in rows:
        name = (protocol.name if protocol is not None else "") or plan.protocol_id
        badge = (
            f'<span class="badge ok">{pgettext("plan", "active")}</span>'
            if plan.status == "active"
            else f'<span class="badge muted">{pgettext("plan", "ended")}</span>'
        )
        done = _("Done %(done)s of %(due)s due so far") % {"done": e(adh.done), "due": e(adh.due_so_far)}
        percent = (
            f' (<span class="num">{e(floatformat(adh.percent_of_due, 0))}%</span>)'
            if adh.percent_of_due is not None
            else ""
        )
        planned = _("%(planned)s planned in all.") % {"planned": e(adh.planned_total)}
        stopped = (
            " "
            + ngettext("%(counter)s stopped.", "%(counter)s stopped.", adh.stopped_sessions)
            % {"counter": e(adh.stopped_sessions)}
            if adh.stopped_sessions
            else ""
        )
        following = (
            f'<p class="small">{_("Next:")} {e(date_d_j_m_h_i(next_slot.due_at))} — '
            f'<a href="{check_url}?protocol={e(plan.protocol_id)}&amp;slot={e(next_slot.pk)}">'
            f"{start_word}</a></p>"
            if next_slot and can_record
            else ""
        )
        plan_url = e(reverse("care:plan", args=[client_id, plan.pk]))
        out.append(
            f'\n    <div class="plan-row">\n'
            f'      <p><a href="{plan_url}"><strong>{e(name)}</strong></a>\n'
            f"        {badge}</p>\n"
            f'      <p class="small">{done}{percent}; {planned}{stopped}</p>\n'
            f"      {following}\n"
            f"    </div>\n  "
        )
    if not out:
        none_yet = _("No plan yet. Enrolment starts with today's check for a protocol.")
        out.append(f'<p class="muted">{none_yet}</p>')
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _session_items(sessions: Iterable[Session], *, with_note: bool) -> list[str]:
    """A session per `<li>`: when (its player), status and stop reason; with `with_note`, its diary link."""
    player, note = url_maker("care:player"), url_maker("care:note")
    statuses = choice_labels(Session.Status.choices)
    note_word = pgettext("a session's diary note", "note")
    out = []
    for s in sessions:
        reason = f": {e(s.stop_reason)}" if s.stop_reason else ""
        diary = f' · <a href="{note(s.pk)}">{note_word}</a>' if with_note else ""
        out.append(
            f'<li><a href="{player(s.pk)}">{e(date_j_m_h_i(s.started_at))}</a> — '
            f"{e(statuses.get(s.status, s.status))}{reason}{diary}</li>"
        )
    return out


def client_session_rows(sessions: Iterable[Session]) -> SafeString:
    """_client_section.html's recent sessions loop."""
    return mark_safe("".join(_session_items(sessions, with_note=True)))  # noqa: S308 - escaped


def client_adverse_event_rows(events: Iterable[AdverseEvent], *, client_id: int) -> SafeString:
    """_client_section.html's adverse events loop."""
    link = url_maker("care:adverse_event", client_id)
    severities = choice_labels(AdverseEvent.Severity.choices)
    out = []
    for ev in events:
        what = Truncator(str(ev.what)).words(12, truncate=" …")
        out.append(
            f'<li><a href="{link(ev.pk)}">{e(date_j_m_y(ev.occurred_at))}</a> — '
            f"{e(severities.get(ev.severity, ev.severity))}: {e(what)}</li>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def plan_upcoming_rows(
    slots: Iterable[ScheduledSession], *, client_id: int, protocol_id: str, offer_start: bool
) -> SafeString:
    """plan_detail.html's coming sessions loop (its `{% empty %}` included). `offer_start`: the first one
    links to today's check (the person may record and the plan is active)."""
    out = []
    for number, slot in enumerate(slots):
        start = ""
        if offer_start and number == 0:
            check_url = e(reverse("library:check", args=[client_id]))
            start_word = _("start with today's check")
            start = (
                f' — <a href="{check_url}?protocol={e(protocol_id)}&amp;slot={e(slot.pk)}">{start_word}</a>'
            )
        out.append(
            f'<li style="padding:.3rem 0">{e(date_d_j_m_h_i(slot.due_at))} '
            f'<span class="muted small">{e(slot.phase)}</span>{start}</li>'
        )
    if not out:
        out.append(f'<li class="muted">{_("Nothing scheduled.")}</li>')
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def plan_session_rows(sessions: Iterable[Session]) -> SafeString:
    """plan_detail.html's sessions loop (its `{% empty %}` included)."""
    out = _session_items(sessions, with_note=False) or [f'<li class="muted">{_("None yet.")}</li>']
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
