"""Every piece of text the Python code shows a person is marked for translation (issue 14), the companion of
test_templates_marked.py for views, forms, services, models and the API.

The scanner reads each module of src/kneadwell with Python's `ast` and looks where people's text is made:

- the messages framework: `messages.success/error/info/warning/add_message(request, text)`;
- form errors and fields: `form.add_error(field, text)`, the services' and imports' own collectors
  (`error(field, text)`, `reject(text)`), and `label=`, `help_text=`, `empty_label=`,
  `verbose_name=` of a form's or a model's field (`…Field(…)`);
- the errors that pages and the API show: `raise NotFound(text)`, `ValidationFailed({field: [text]})` and the
  rest of core/errors.py's family, Django's `Http404` and `ValidationError`, the API's `error_body(text)`,
  `HttpError(status, text)` and `PydanticCustomError(code, text)` (the code, its first argument, stays an
  English literal: integrations match on it), the evidence app's table and pooling errors, the imports'
  file errors and the allocation table's errors, which reach their pages and the API word for word;
- emails: `send_mail(subject, body, …)`;
- the offline sync's answers to a device: an applier's `_invalid(field, text)` refusal and `Waiting(text)`
  (offline/services/records.py, observed.py) and the sync's own `Outcome(key, kind, status, text)`
  (offline/services/sync.py; the status is a code the device matches on, never translated), sent to the
  parent's device as they are;
- choices: a `TextChoices` / `IntegerChoices` member's label.

There, a string literal with a letter in it, an f-string, `"…" % x` or `"…".format()` is unmarked text. A
call of `_`/`gettext`/`gettext_lazy`/`ngettext`/`pgettext…`/`gettext_noop` (core/marking's doors too) or
`format_lazy` is marked; anything else (a variable, another call) is data or text made elsewhere, which the
place that makes it must mark. Dictionary keys (field names) are not text.

The stored English of audit summaries and the command line's own messages are not on this list: they are
not among the calls above.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "kneadwell"
LETTER = re.compile(r"[^\W\d_]")

MARKERS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "format_lazy",
}
# Raising one of these shows its message to a person (a page's form or banner, or the API's `detail`).
SHOWN_ERRORS = {
    # core/errors.py and its subclasses
    "DomainError",
    "ValidationFailed",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "ConsentRequired",
    "SignupThrottled",
    "UnusualValue",
    "MeasurementsRefused",
    "NeedsConfirmation",
    # Django
    "Http404",
    "ValidationError",
    # the evidence app's reader and pooling (their messages reach the analysis form and the API as they are)
    "StudyTableError",
    "AnalysisError",
    "EffectSizeError",
    "ConvergenceError",
    # the imports' file errors and the evaluation's allocation table, shown on their pages and in the API
    "CsvFileError",
    "BundleRejected",
    "AllocationError",
}
MESSAGE_LEVELS = {"success", "error", "info", "warning", "debug", "add_message"}
TEXT_KEYWORDS = {"label", "help_text", "empty_label", "verbose_name", "verbose_name_plural"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}

# Files another helper is still marking (issue 14): at most this many findings each, so none gains a new
# unmarked text meanwhile. An entry goes once its file is clean; the test fails while a clean file is
# still listed, so the list can only shrink.
STILL_BEING_MARKED: dict[str, int] = {}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.where}] {self.text}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _unmarked(expr: ast.expr | None) -> list[ast.expr]:
    """The parts of an expression that are text written here and not marked."""
    if expr is None:
        return []
    if isinstance(expr, ast.Constant):
        return [expr] if isinstance(expr.value, str) and LETTER.search(expr.value) else []
    if isinstance(expr, ast.JoinedStr):
        literal = "".join(str(v.value) for v in expr.values if isinstance(v, ast.Constant))
        return [expr] if LETTER.search(literal) else []
    if isinstance(expr, ast.BinOp):
        if isinstance(expr.op, ast.Mod):  # "…" % values: the values are data
            return _unmarked(expr.left)
        return _unmarked(expr.left) + _unmarked(expr.right)  # "…" + "…"
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
            return _unmarked(expr.func.value)
        return []  # a marker, or a value made elsewhere
    if isinstance(expr, ast.Dict):  # {field: [messages]}: the keys are field names
        return [part for value in expr.values for part in _unmarked(value)]
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return [part for item in expr.elts for part in _unmarked(item)]
    if isinstance(expr, ast.IfExp):
        return _unmarked(expr.body) + _unmarked(expr.orelse)
    return []


def _shown_arguments(call: ast.Call) -> tuple[str, list[ast.expr]]:
    """(what the call is, the arguments of it that a person reads)."""
    name = _name(call.func)
    shown: list[ast.expr] = []
    if name in SHOWN_ERRORS:
        shown = [*call.args, *(k.value for k in call.keywords if k.arg == "message")]
    elif name == "PydanticCustomError":
        shown = call.args[1:2]  # the first argument is the error's code
    elif name == "HttpError":
        shown = call.args[1:2]  # (status, message)
    elif name == "error_body":
        shown = call.args[:1]
    elif name in MESSAGE_LEVELS and _name(getattr(call.func, "value", call.func)) == "messages":
        shown = call.args[2:3] if name == "add_message" else call.args[1:2]
    elif name == "add_error" or (name == "error" and len(call.args) >= 2):
        # a form's add_error(field, message); a row's or a draft's error(field, message) collector
        shown = call.args[1:2]
    elif name == "reject":  # an import refused with a message (interop/fhir_import.py)
        shown = call.args[:1]
    elif name == "_invalid":  # the offline appliers' refusal of a field, sent to the device: (field, message)
        shown = call.args[1:2]
    elif name == "Waiting":  # a synced record that waits for an earlier one: its message reaches the device
        shown = call.args[:1]
    elif name == "Outcome":  # the sync's answer to a device (key, kind, status, message); status is a code
        shown = [*call.args[3:4], *(k.value for k in call.keywords if k.arg == "message")]
    elif name in {"send_mail", "send_mass_mail", "EmailMessage", "EmailMultiAlternatives"}:
        shown = call.args[:2]
    if name.endswith("Field"):  # a form's or a model's field
        shown += [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]
    return name, shown


def unmarked(source: str, path: str = "<string>") -> list[Finding]:
    """The unmarked text of one module's source."""
    tree = ast.parse(source)
    findings: list[Finding] = []

    def add(node: ast.expr, where: str) -> None:
        text = ast.get_source_segment(source, node) or ""
        findings.append(Finding(path, node.lineno, where, " ".join(text.split())[:120]))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name, shown = _shown_arguments(node)
            for argument in shown:
                for part in _unmarked(argument):
                    add(part, name)
        elif isinstance(node, ast.ClassDef) and any(_name(b) in CHOICES_BASES for b in node.bases):
            for statement in node.body:
                value = statement.value if isinstance(statement, ast.Assign) else None
                if isinstance(value, ast.Tuple) and len(value.elts) >= 2:  # MEMBER = value, label
                    for part in _unmarked(value.elts[-1]):
                        add(part, f"{node.name} label")
    return sorted(findings, key=lambda f: f.line)


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _findings() -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for path in _modules():
        name = path.relative_to(PACKAGE).as_posix()
        out[name] = unmarked(path.read_text(encoding="utf-8"), name)
    return out


def test_every_module_marks_the_text_it_shows() -> None:
    findings = [f for name, fs in _findings().items() if name not in STILL_BEING_MARKED for f in fs]
    assert not findings, "Text not marked for translation ({} places):\n{}".format(
        len(findings), "\n".join(map(str, findings))
    )


def test_modules_still_being_marked_only_get_better() -> None:
    found = _findings()
    grown = {name: len(found.get(name, [])) for name in STILL_BEING_MARKED}
    grown = {name: n for name, n in grown.items() if n > STILL_BEING_MARKED[name]}
    assert not grown, f"new unmarked text in {grown}: {[str(f) for n in grown for f in found[n]]}"
    done = [name for name in STILL_BEING_MARKED if not found.get(name)]
    assert not done, f"clean now: remove {done} from STILL_BEING_MARKED"


def test_api_error_codes_stay_english_literals() -> None:
    """A PydanticCustomError's code is what an integration matches on: a literal, never translated."""
    codes = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == "PydanticCustomError":
                code = node.args[0] if node.args else None
                value = code.value if isinstance(code, ast.Constant) else None
                where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                assert re.fullmatch(r"[a-z_]+", str(value)), f"{where}: the code must be a literal"
                codes.append(value)
    assert "datetime_offset" in codes  # the scan reached the API's types


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('messages.success(request, "Saved.")', ['"Saved."']),
        ('messages.error(request, f"{n} saved")', ['f"{n} saved"']),
        ('form.add_error("email", "Taken.")', ['"Taken."']),
        ('raise NotFound("No such course.")', ['"No such course."']),
        ('raise ValidationFailed({"name": ["Enter a name."]})', ['"Enter a name."']),
        ('raise Conflict("Changed by %s" % who, field="version")', ['"Changed by %s"']),
        ('raise Http404("No such claim.")', ['"No such claim."']),
        ('raise StudyTableError(f"line {n}: empty")', ['f"line {n}: empty"']),
        ('raise PydanticCustomError("date_type", "must be a date")', ['"must be a date"']),
        ('api.create_response(request, error_body("Not found."), status=404)', ['"Not found."']),
        ('send_mail("Your account", body, None, [to])', ['"Your account"']),
        ('row.error("birth_date", f"{text!r} is not a date.")', ['f"{text!r} is not a date."']),
        ('self.reject("The file is not a Bundle.")', ['"The file is not a Bundle."']),
        ('raise _invalid("outcome", "Choose done or skipped.")', ['"Choose done or skipped."']),
        ('raise _invalid("steps", f"Send 1 to {MAX_STEPS}.")', ['f"Send 1 to {MAX_STEPS}."']),
        ('raise Waiting("An earlier step is missing.")', ['"An earlier step is missing."']),
        (
            'return Outcome(k, kind, "refused", "The record holds a NUL character.")',
            ['"The record holds a NUL character."'],
        ),
        ('return Outcome(k, kind, "refused", f"Unknown kind \'{kind}\'.")', ["f\"Unknown kind '{kind}'.\""]),
        ('return Outcome(k, kind, "refused", message="Not stored.")', ['"Not stored."']),
        ('name = forms.CharField(label="Name", help_text="Full {}".format(x))', ['"Name"', '"Full {}"']),
        ('raise AnalysisError(_("%(where)s: bad") % {"where": f"row {n}"} + " Check it.")', ['" Check it."']),
        ('class Kind(models.TextChoices):\n    A = "a", "Apple"\n', ['"Apple"']),
    ],
)
def test_the_scanner_finds_unmarked_text(source: str, expected: list[str]) -> None:
    assert sorted(f.text for f in unmarked(source)) == sorted(expected)


@pytest.mark.parametrize(
    "source",
    [
        'messages.success(request, _("Saved %(title)s.") % {"title": t})',
        "messages.error(request, exc.message)",
        'raise ValidationFailed({"name": [_("Enter a name.")]})',
        "raise NotFound(_(ERR_NOT_FOUND))",
        'raise PydanticCustomError("date_type", _("must be a date"))',
        'name = forms.CharField(label=gettext_lazy("Name"), help_text=format_lazy("{} {}", a, b))',
        'class Kind(models.TextChoices):\n    A = "a", gettext_lazy("Apple")\n    B = "b"\n',
        'raise ValueError(f"bad value {x!r}")',  # a programming error, not shown to a person
        'audit(summary=f"created {name}")',  # stored English
        'audit_action(actor=a, label="reminders")',  # who acted, stored in the audit log's English
        'raise StudyTableError(_("%(column)s is empty") % {"column": f"n_{arm}"})',  # values are data
        'raise DomainError(ngettext("%(n)s day", "%(n)s days", n) % {"n": n}, field="days")',
        'raise _invalid(f"steps.{i}.technique", _("Unknown technique."))',  # the field is a name, not text
        "raise _invalid(exc.field, exc.message)",  # marked where it was made (library/stop_rules.py)
        'raise Waiting(_("The session\'s end has not been stored yet."))',
        'return Outcome(k, kind, "refused", _("The record holds a NUL character."))',  # the status is a code
        'return Outcome(k, kind, "replayed", result=r)',
    ],
)
def test_the_scanner_leaves_marked_text_and_data_alone(source: str) -> None:
    assert unmarked(source) == []
