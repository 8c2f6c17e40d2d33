"""What "the parent's path" is, for the translation tests (docs/languages.md): the files whose marked
strings a parent can meet, named as the catalogues' source references name them (relative to
src/kneadwell). A string marked in any of them must be translated in every shipped language."""

from __future__ import annotations

from django.conf import settings

PARENT_PATH: tuple[str, ...] = (
    # the frame of every page
    "templates/base.html",
    # the role named in every page's header ("Parent / caregiver")
    "accounts/roles.py",
    # sign-up (with the health history) and login
    "templates/accounts/signup.html",
    "templates/accounts/signup_sent.html",
    "templates/accounts/login.html",
    "templates/accounts/_verify_banner.html",
    "accounts/forms.py",
    "accounts/views.py",
    "accounts/services/signup.py",
    # the home page
    "templates/core/dashboard.html",
    "templates/library/_home_section.html",
    # today's check and its result
    "templates/library/check_choose.html",
    "templates/library/check_form.html",
    "templates/library/_questions.html",
    "templates/library/check_needs_intake.html",
    "templates/library/check_result.html",
    "templates/library/_reason.html",
    "templates/library/_action_badge.html",
    "templates/care/_check_actions.html",
    "library/forms.py",
    "library/models.py",  # the verdict's words (ReadinessCheck.Action), in the result page's title
    # the guided session player
    "templates/care/player.html",
    "templates/care/_player.html",
    "templates/care/_vitals_form.html",
    "care/views/sessions.py",
    "care/services/sessions.py",
    "library/stop_rules.py",  # a reading the player refuses ("400 bpm is not a possible reading")
    "library/localise.py",  # the engine's own words shown again: a reading's detail, a reason's note
    "care/templatetags/care_tags.py",
    # the diary
    "templates/care/note.html",
    "care/views/notes.py",
    "care/services/notes.py",
    "care/forms.py",
    # the offline web app: the status line on every page, the player and diary on the device, today's
    # check on the device, the conflicts found on sync (docs/offline.md)
    "offline/words.py",
    "offline/views.py",
    "offline/kit.py",
    "offline/services/records.py",  # the appliers' refusals and waits a device is sent (issue 14)
    "offline/services/observed.py",
    "offline/services/sync.py",  # the sync's own refusals a device is sent (issue 14)
    "core/concurrency.py",  # a 409's message (an edit over someone else's), also kept in a diary's conflict
    "templates/offline/shell.html",
    "templates/offline/conflicts.html",
    "templates/offline/_session_flag.html",
    # growth: the page, and the words of its figures worked out in the growth maths (marked there with
    # core.marking, translated by growth_words.py) and by the selectors
    "templates/outcomes/growth.html",
    "templates/outcomes/_chart.html",
    "outcomes/growth_words.py",
    "outcomes/selectors/growth.py",
    "outcomes/selectors/display.py",
    "outcomes/forms/growth.py",
    "outcomes/measures.py",
    "outcomes/growth/references.py",
    "outcomes/growth/chart.py",
    "outcomes/templatetags/outcomes_tags.py",
    # the outcome measures a parent reaches (issue 14): the list, "Add a measurement", an instrument's entry
    # form, a week of daily weights, a measurement's page, marking it entered in error, an instrument's
    # trend (views.py: CLIENT_VIEW and MEASUREMENT_RECORD, both held by caregivers). Staff only and off the
    # path: the measure builder (templates/outcomes/measures/*, views_measures.py) and the CSV import.
    "templates/outcomes/list.html",
    "templates/outcomes/choose.html",
    "templates/outcomes/form.html",
    "templates/outcomes/_group.html",
    "templates/outcomes/_sources.html",
    "templates/outcomes/detail.html",
    "templates/outcomes/in_error.html",
    "templates/outcomes/trend.html",
    "templates/outcomes/weights_week.html",
    "outcomes/views.py",
    "outcomes/models.py",  # a measurement's context ("Routine care (e.g. daily weight)")
    "outcomes/forms/measurement.py",
    "outcomes/forms/inputs.py",  # "I have checked this value and it is right…"
    "outcomes/forms/weights.py",
    "outcomes/forms/in_error.py",
    "outcomes/services/drafts.py",  # the entry form's refusals and the unusual-value check
    "outcomes/services/recording.py",
    "outcomes/services/in_error.py",
    "outcomes/selectors/measurements.py",
    "outcomes/selectors/trends.py",
    "outcomes/charts.py",  # the trend chart's text alternative
    # the baby's page and the sections the areas add to it that a parent sees
    "templates/clients/detail.html",
    "clients/models.py",
    "clients/rules.py",
    "templates/library/_client_section.html",
    "templates/outcomes/_client_section.html",
    "templates/care/_client_section.html",
    "templates/evidence/_client_section.html",
    "templates/reports/_client_section.html",
    "templates/interop/_client_section.html",
    "care/models.py",  # a plan's and a session's status, an adverse event's severity
    # the health history (its questions are library/forms.py and _questions.html, above)
    "templates/library/intake.html",
    "library/views.py",  # "Health history saved.", the result's body map (its staff messages translated too)
    # the report
    "templates/reports/report.html",
    "templates/reports/_block.html",
    "templates/reports/bad_request.html",
    # the parent's report document itself (its page and its PDF): the sentences, the formats, the title
    # and footer, the PDF's page numbers, and the errors a parent may meet (docs/reports.md, "Languages")
    "reports/compose.py",
    "reports/texts.py",
    "reports/words.py",
    "reports/facts.py",
    "reports/content.py",
    "reports/pdf.py",
    "reports/services.py",
    "reports/views.py",
)

# The languages shipped besides English (the source).
SHIPPED: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE)


def on_parent_path(occurrences: list[tuple[str, str]]) -> bool:
    return any(path in PARENT_PATH for path, _line in occurrences)


# --- the strings a source file marks, read without GNU gettext (so the test runs on any machine) -------
Key = tuple[str, str]  # (context, msgid): as the catalogues key them
_PY_CALLS = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}


def _python_marked(source: str) -> set[Key]:
    import ast

    found: set[Key] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in _PY_CALLS:
            continue
        context_at, msgid_at = _PY_CALLS[name]
        args = node.args
        if len(args) <= msgid_at or not isinstance(args[msgid_at], ast.Constant):
            continue
        context = args[context_at].value if context_at is not None else ""  # type: ignore[attr-defined]
        found.add((str(context), str(args[msgid_at].value)))  # type: ignore[attr-defined]
    return found


def _template_marked(source: str) -> set[Key]:
    """Django's own templatize (what makemessages feeds xgettext) turns each marked string into a call."""
    import ast
    import re

    from django.utils.translation.template import templatize

    code = templatize(source)
    found: set[Key] = set()
    for match in re.finditer(r"\b(n?p?gettext)\(", code):
        start = match.start()
        end = code.find(")", match.end())
        while end != -1:
            try:
                call = ast.parse(code[start : end + 1].strip(), mode="eval").body
                break
            except SyntaxError:
                end = code.find(")", end + 1)
        else:
            continue
        assert isinstance(call, ast.Call)
        values = [a.value for a in call.args if isinstance(a, ast.Constant)]
        contextual = match.group(1).startswith(("pgettext", "npgettext"))
        found.add((str(values[0]), str(values[1])) if contextual else ("", str(values[0])))
    return found


def marked_in(path: str) -> set[Key]:
    """The (context, msgid) pairs marked in one file of PARENT_PATH (relative to src/kneadwell)."""
    from pathlib import Path

    from kneadwell.settings import PACKAGE_DIR

    source = (Path(PACKAGE_DIR) / path).read_text(encoding="utf-8")
    return _template_marked(source) if path.endswith(".html") else _python_marked(source)
