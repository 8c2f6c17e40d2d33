"""The words the offline scripts show, in the page's language: handed to the page as JSON, so the script
itself holds no text. Where the server-rendered player says the same thing, the same message id is used
(one translation for both). `{name}` marks a value the script fills in; no message depends on a count's
plural form (a script cannot choose among Arabic's six), so counts follow a colon."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext


def offline_words() -> dict[str, str]:
    return {
        # the status line on every page
        "offline": _(
            "You are offline. What you record is kept on this device and sent when the connection is back."
        ),
        "waiting": _("Waiting to be sent: %(count)s") % {"count": "{count}"},
        "sending": _("Sending what was kept on this device…"),
        "all_sent": _("All sent."),
        "held": _("Could not be sent: %(count)s. They stay on this device.") % {"count": "{count}"},
        "conflicts": _("Needs your attention: %(count)s") % {"count": "{count}"},
        "see_conflicts": _("See what happened"),
        "no_connection": _(
            "The connection is not getting through. What you record is kept on this device and sent when "
            "it is back."
        ),
        "logout_waiting": _(
            "Not sent yet: %(count)s. They stay on this device and are sent when you log in again. "
            "Log out anyway?"
        )
        % {"count": "{count}"},
        # the player on the device
        "offline_player": _(
            "No connection: the session goes on, on this device. Everything is kept here and "
            "sent when the connection is back."
        ),
        "session": _("Session"),
        "steps_done": _("Steps done"),
        "whole_session": _("Whole session"),
        "of_about": _("of about %(planned)s") % {"planned": "{planned}"},
        "step_of": _("Step %(number)s of %(total)s") % {"number": "{number}", "total": "{total}"},
        "if_needed": _("if needed"),
        "where": _("Where:"),
        "leave_out": _("leave out:"),
        "left_in_step": _("left in this step"),
        "repetitions": _("Repetitions: %(count)s") % {"count": "{count}"},
        "position": _("Position: %(position)s.") % {"position": "{position}"},
        "pressure": _("Pressure: %(pressure)s.") % {"pressure": "{pressure}"},
        "skip_step_open": _("Skip this step…"),
        "skip_why": _("Why skip this step?"),
        "skip_step": _("Skip this step"),
        "skip_reason_needed": _("Say why this step is skipped (e.g. 'baby asleep', 'area sore')."),
        "all_steps_done": _("All steps done"),
        "closing_parent": _("Tell your baby massage time is over, and finish with a cuddle."),
        "closing_clinician": _("Closing: tell the client the session is over; check how they feel."),
        "done_next": _("Done — next step"),
        "finish": _("Finish the session"),
        "pause": _("Pause"),
        "stop": pgettext("stop the session", "Stop"),
        "paused": _("Paused"),
        "take_your_time": _("Take your time. Resume when ready, or stop for today."),
        "resume": _("Resume"),
        "stop_session": _("Stop the session"),
        "why_stop": _("Why stop?"),
        "stop_had_enough": _("My baby had enough"),
        "stop_upset": _("My baby was upset or unwell"),
        "stop_interrupted": _("We were interrupted"),
        "stop_declined": _("Declined or disengaged"),
        "stop_unsettled": _("Unsettled or unwell"),
        "stop_interrupted_staff": _("Interrupted"),
        "or_say_why": _("Or say why"),
        "stop_now": _("Stop now"),
        "carry_on": _("Carry on"),
        "stop_reason_needed": _("Say why the session stops."),
        "session_stopped": _("Session stopped"),
        "session_complete": _("Session complete"),
        "steps_recorded": _("Steps recorded: %(count)s") % {"count": "{count}"},
        "well_done": _("Well done. Let your baby rest."),
        "add_to_diary": _("Add to the diary"),
        "write_note": _("Write the note"),
        "what_to_do_now": _("What to do now:"),
        "what_to_do": _("What to do:"),
        "source": _("Source:"),
        "how_is_baby": _("How is your baby?"),
        "cues_and_state": _("Cues and state"),
        "awake_or_asleep": _("Awake or asleep?"),
        "states_clinical": _("Behavioural state (Brazelton)"),
        "recorded_here": _("Recorded on this device"),
        "no_rules": _(
            "The safety rules are not on this device, so nothing can be judged here: the session is "
            "paused to be safe. Resume when your baby is settled, or stop."
        ),
        # today's check on the device
        "check_here": _("Checked on this device"),
        "check_kept": _(
            "This check is kept on this device and sent with the session when the connection is "
            "back. The server checks it again then, with the record as it is."
        ),
        "check_go": _("Nothing stands in the way today."),
        "start_session": _("Start the session"),
        "check_found": _(
            "Something was found. With these answers today's steps change, and that is worked out "
            "with the connection: wait for it, or leave the massage for today."
        ),
        "not_today": _("Not today"),
        "waits_for_connection": _("Today's session waits for the connection"),
        "check_found_areas": _("Today's check found areas to leave out: %(areas)s.") % {"areas": "{areas}"},
        "check_found_change": _(
            "Today's check found something that changes today's session (such as lighter pressure, "
            "shorter steps or a technique left out)."
        ),
        "check_found_todo": _(
            "Today's steps with these changes are put together by the server, not on this device, so the "
            "session can start only with a connection: when it is back, do today's check again and start "
            "from there. Without a connection, leave the massage for today."
        ),
        "needs_release": _("A clinician must release first"),
        "no_bundle": _(
            "Today's check needs the safety rules on this device, and they are not here yet (or "
            "are more than a week old). Open the app once with a connection."
        ),
        "no_kit": _("This programme is not kept on this device for use without a connection."),
        "answer_again": _("Some answers need another look — see the messages below."),
        # the diary on the device
        "diary": _("Diary"),
        "saved_here": _("Saved on this device; it is sent when the connection is back."),
        "not_here": _("This page was not kept on this device. It opens when the connection is back."),
        # conflicts
        "what_happened": _("What happened"),
        "your_text": _("Your text, kept"),
        "their_text": _("The other text, in the diary"),
        "read_it": _("I have read this"),
        "refused": _("Not stored"),
    }


def _verdict_words(action: str) -> str:
    return {
        "go": _("Go"),
        "modify": _("Go, with changes"),
        "avoid-areas": _("Go, leaving some areas out"),
        "needs-release": _("A clinician must release first"),
        "stop": _("Not today"),
    }.get(action, action)


# --- messages kept in a conflict: stored English, shown in the reader's language ---------------------------
# A conflict's `detail` may hold an error's message (the note services' 409, the re-screening's refusal). It
# is stored in English, whatever language the sync was sent in, and shown translated: a stored text is
# translated only while it equals what the English source gives now with the same values (the values, a
# name or a version, are read back from it); anything else is shown as it was stored.
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
# Values that are themselves marked words (clients/services.py's `what`: "massage sessions").
_TRANSLATED_VALUES = {"what"}
NOTE_CONFLICT_UNKNOWN = gettext_noop("The diary was saved on the server from another device first.")
AFTER_STOP_DETAIL = gettext_noop(
    "The server stopped this session (%(reason)s); the device went on. What was done is kept as it was done."
)
SESSION_STEPS_DIFFER = gettext_noop("This session's steps differ from the server's for this check")


def _pattern(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    seen: set[str] = set()
    last = 0
    for found in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : found.start()]))
        name = found.group(1) or found.group(2)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        last = found.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.DOTALL)


def _fill(template: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda found: values[found.group(1) or found.group(2)], template)


def _values(text: str, template: str) -> dict[str, str] | None:
    found = _pattern(template).fullmatch(text)
    return found.groupdict() if found else None


def english_message(text: str, templates: Sequence[str]) -> str | None:
    """A message made in the active language from one of `templates` (English msgids), in English with
    the same values; None when it is none of them."""
    for template in templates:
        values = _values(text, _(template))
        if values is not None:
            return _fill(template, values)
    return None


def shown_message(stored: str, templates: Sequence[str]) -> str:
    """A stored English message in the active language: by the template it still equals (its values kept,
    a marked word among them translated), else as a message of its own; otherwise as stored."""
    for template in templates:
        values = _values(stored, template)
        if values is not None:
            shown = {k: _(v) if k in _TRANSLATED_VALUES else v for k, v in values.items()}
            return _fill(_(template), shown)
    return _(stored) if stored else stored


def note_conflict_messages() -> tuple[str, ...]:
    """The messages of the 409s the note services raise (a diary written on two devices meets one)."""
    from kneadwell.care.services.notes import ERR_NOTE_LOCKED, ERR_NOTE_RACED, ERR_NOTE_SIGNED
    from kneadwell.core.concurrency import ERR_NO_VERSION, ERR_STALE

    return (
        ERR_STALE,
        ERR_NO_VERSION,
        ERR_NOTE_RACED,
        ERR_NOTE_LOCKED,
        ERR_NOTE_SIGNED,
        NOTE_CONFLICT_UNKNOWN,
    )


def check_error_messages() -> tuple[str, ...]:
    """The re-screening's refusals that carry values (readiness_check_run); its fixed ones are msgids."""
    from kneadwell.clients.services import ERR_NO_CONSENT
    from kneadwell.library.services import ERR_NO_INTAKE

    return (ERR_NO_CONSENT, ERR_NO_INTAKE, gettext_noop("Unknown protocol '%(protocol_id)s'."))


def shown_conflict(conflict: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A conflict as stored (English, with its code) in the page's language: the title and the fixed
    advice are said again in it, and so is an error's message kept in `detail` (`details` for the
    re-screening's, one per message); what came from the clinical content stays as stored."""
    if not conflict:
        return None
    code = conflict.get("code", "")
    shown = dict(conflict)
    session_kept = _("The session is kept as it was done and flagged for your therapist or nurse to see.")
    titles = {
        "check_cautious": _("Screened again on the server: %(verdict)s")
        % {"verdict": _verdict_words(str(conflict.get("server_action", "")))},
        "check_not_screened": _("Today's check could not be screened again on the server"),
        "session_after_cautious_check": _(
            "This session was started after a check the server reads more cautiously"
        ),
        "after_stop": _("Recorded after the session was stopped"),
        "rule_stop": _("The server's safety rules say: stop"),
        "rule_pause": _("The server's safety rules say: pause"),
        "note_two_devices": _("This diary was also written on another device"),
        "session_steps_differ": _(SESSION_STEPS_DIFFER),
    }
    todos = {
        "check_not_screened": _("Do not start another session from it. Run today's check again now, online."),
        "after_stop": _(
            "Do not go on with this session. If your baby seems unwell, call your doctor or nurse."
        ),
        "note_two_devices": _(
            "Both texts are kept: the diary shows the other one; yours is below. Open the diary online and "
            "add yours to it if it should be there."
        ),
        "session_steps_differ": _(
            "Tell your therapist or nurse; the session is kept as it was done and flagged for them to see."
        ),
    }
    if code in titles:
        shown["title"] = titles[code]
    if code in todos:
        shown["todo"] = todos[code]
    elif code == "session_after_cautious_check":
        advice = str(conflict.get("todo", "")).replace(
            " The session is kept as it was done and flagged for your therapist or nurse to see.", ""
        )
        shown["todo"] = f"{advice} {session_kept}".strip()
    detail = conflict.get("detail")
    details = conflict.get("details")
    if isinstance(details, list) and details and all(isinstance(d, str) for d in details):
        # the re-screening's messages (also in a session started from that check)
        messages = check_error_messages()
        shown["detail"] = " ".join(shown_message(d, messages) for d in details)
    elif isinstance(detail, str) and code == "note_two_devices":
        shown["detail"] = shown_message(detail, note_conflict_messages())
    elif isinstance(detail, str) and code == "after_stop":
        shown["detail"] = shown_message(detail, (AFTER_STOP_DETAIL,))
    return shown
