"""Every piece of text a person sees in a template is marked for translation (issue 14).

The scanner reads each template with Django's own lexer and rebuilds the HTML with every template tag
replaced by a neutral placeholder: `{% translate %}` and everything inside `{% blocktranslate %}` count as
marked, `{{ variables }}` carry data (translated, if at all, where they are made). What is left is fed to
Python's HTML parser, and any text node with a letter in it — outside <script>, <style> and literal code —
is unmarked text. So are the attributes people read or hear (title, placeholder, alt, aria-label,
data-label, a button's value), a literal shown through `|default` / `|yesno`, any `|pluralize` (English
plural rules; `{% blocktranslate count %}` instead), and a literal with a space handed to
`{% include … with %}` or `{% with %}` (a sentence passed into a partial).

It is deliberately simple: it does not know which text ends up visible after CSS or which `{% if %}`
branch runs, so it errs on the side of reporting. The allow-list below is short and each entry says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "kneadwell" / "templates"

# Elements whose content is not prose: programs, styles, and literal things a person types or reads as code
# (a shell command, a field name, an identifier, a sample CSV file) that stay the same in every language.
SKIPPED_ELEMENTS = {"script", "style", "code", "kbd", "samp", "pre"}
# Attributes a person reads (tooltips, placeholders, the responsive tables' cell labels) or hears (a screen
# reader's names for images, landmarks and controls).
VISIBLE_ATTRIBUTES = {
    "title",
    "placeholder",
    "alt",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "data-label",
}
LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER = "\x01"  # stands for a template tag or variable: not a letter, so never reported

# (template, text) → why it is not translated. Keep it short: every entry is a string a translator never sees.
ALLOWED: dict[tuple[str, str], str] = {
    ("base.html", "Knead"): "the brand, written as Knead<span>well</span>; a name, not a word",
    ("base.html", "well"): "the brand's second half (see above)",
    ("500.html", "… · Kneadwell"): "the brand after the translated title, as base.html's <title> has it",
    ("base.html", "Kneadwell · Kneadwell"): "the brand as the default page title and its suffix",
    ("outcomes/measures/_item.html", "{{ row.1.value|default:'options' }}"): "a data-kind attribute's code",
}

# Templates still being marked by the helper who owns them (issue 14, the parent's pages): at most this many
# findings each, so none can gain a new unmarked string meanwhile. An entry is removed once its template
# is clean; the test below fails while a clean template is still listed, so the list can only shrink.
STILL_BEING_MARKED: dict[str, int] = {
}

# A literal handed to one of these filters is shown as it is: it must come as _("…").
TEXT_FILTERS = re.compile(r"\|\s*(default|default_if_none|yesno)\s*:\s*(\"[^\"]*\"|'[^']*')")
PLURALIZE = re.compile(r"\|\s*pluralize\b")
WITH_LITERAL = re.compile(r"\b[\w.]+=(\"[^\"]*\"|'[^']*')")
# {% cycle %} and {% firstof %} show their literal arguments: each must come as _("…").
SHOWN_LITERAL = re.compile(r"(?<![\w(])(\"[^\"]*\"|'[^']*')")


@dataclass(frozen=True)
class Finding:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipped: list[str] = []
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            if value and name in VISIBLE_ATTRIBUTES and LETTER.search(value):
                self.found.append((line, f"{name}={value}"))
        button_like = tag == "input" and (values.get("type") or "") in {"submit", "button", "reset"}
        if button_like and values.get("value") and LETTER.search(values["value"] or ""):
            self.found.append((line, f"value={values['value']}"))
        if tag in SKIPPED_ELEMENTS:
            self.skipped.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <input …/>: check its attributes without opening an element that never closes
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_ELEMENTS:
            self.skipped.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and tag in self.skipped:
            while self.skipped and self.skipped.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self.skipped and LETTER.search(data):
            self.found.append((self.getpos()[0], " ".join(data.replace(PLACEHOLDER, "…").split())))


def unmarked(source: str, name: str = "<string>") -> list[Finding]:
    """The unmarked text of one template's source."""
    findings: list[Finding] = []
    skeleton: list[str] = []
    in_blocktranslate = False
    in_comment = False
    for token in Lexer(source).tokenize():
        kind, contents = token.token_type, token.contents
        words = contents.split()
        tag = words[0] if words and kind is TokenType.BLOCK else ""
        if in_comment:
            in_comment = tag != "endcomment"
            skeleton.append("\n" * contents.count("\n"))
        elif kind is TokenType.TEXT:
            # text inside {% blocktranslate %} is the message itself: marked
            skeleton.append(PLACEHOLDER + "\n" * contents.count("\n") if in_blocktranslate else contents)
        elif kind is TokenType.VAR:
            literal = TEXT_FILTERS.search(contents)
            if literal and LETTER.search(literal.group(2)):
                findings.append(Finding(name, token.lineno or 0, f"{{{{ {contents} }}}}"))
            if PLURALIZE.search(contents):
                text = f"{{{{ {contents} }}}} (use blocktranslate count)"
                findings.append(Finding(name, token.lineno or 0, text))
            skeleton.append(PLACEHOLDER)
        elif kind is TokenType.BLOCK:
            if tag in {"blocktranslate", "blocktrans"}:
                in_blocktranslate = True
            elif tag in {"endblocktranslate", "endblocktrans"}:
                in_blocktranslate = False
            elif tag == "comment":
                in_comment = True
            elif tag in {"cycle", "firstof"}:
                if any(LETTER.search(v) for v in SHOWN_LITERAL.findall(contents)):
                    findings.append(Finding(name, token.lineno or 0, f"{{% {contents} %}}"))
            elif tag in {"include", "with"}:
                for value in WITH_LITERAL.findall(contents):
                    if LETTER.search(value) and " " in value:
                        findings.append(Finding(name, token.lineno or 0, f"{{% {contents} %}}"))
            # translate/trans put marked text here; other tags put nothing a person reads
            skeleton.append(PLACEHOLDER if tag in {"translate", "trans"} else " ")
        # comments ({# #}) show nothing
    parser = _TextFinder()
    parser.feed("".join(skeleton))
    parser.close()
    findings.extend(Finding(name, line, text) for line, text in parser.found)
    return sorted(findings, key=lambda f: f.line)


def _templates() -> list[Path]:
    # pages, and the plain-text emails (read the same way: with no tags, all their text is prose)
    return sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")])


def _findings() -> dict[str, list[Finding]]:
    out = {}
    for path in _templates():
        name = path.relative_to(TEMPLATES).as_posix()
        out[name] = [f for f in unmarked(path.read_text(), name) if (f.template, f.text) not in ALLOWED]
    return out


def test_every_template_marks_its_text() -> None:
    found = _findings()
    findings = [f for name, fs in found.items() if name not in STILL_BEING_MARKED for f in fs]
    assert not findings, "Text not marked for translation ({} places):\n{}".format(
        len(findings), "\n".join(map(str, findings))
    )


def test_templates_still_being_marked_only_get_better() -> None:
    found = _findings()
    counts = {name: len(found.get(name, [])) for name in STILL_BEING_MARKED}
    grown = {name: n for name, n in counts.items() if n > STILL_BEING_MARKED[name]}
    assert not grown, f"new unmarked text in {grown}: {[str(f) for n in grown for f in found[n]]}"
    done = [name for name in STILL_BEING_MARKED if not found.get(name)]
    assert not done, f"clean now: remove {done} from STILL_BEING_MARKED"


def test_the_allow_list_holds_only_text_that_is_there() -> None:
    """An entry whose text has gone from its template is removed, so the list cannot grow stale."""
    present = {
        (f.template, f.text)
        for path in _templates()
        for f in unmarked(path.read_text(), path.relative_to(TEMPLATES).as_posix())
    }
    assert set(ALLOWED) <= present, sorted(set(ALLOWED) - present)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello</p>", ["Hello"]),
        ('<th scope="col" data-label="When">{{ x }}</th>', ["data-label=When"]),
        ('<nav aria-label="Pages"></nav>', ["aria-label=Pages"]),
        ('<input type="submit" value="Save">', ["value=Save"]),
        ('{{ when|default:"never" }}', ['{{ when|default:"never" }}']),
        ('{{ n }} item{{ n|pluralize }}', ["{{ n|pluralize }} (use blocktranslate count)", "… item…"]),
        (
            '{% include "x.html" with legend="Vital signs now" %}',
            ['{% include "x.html" with legend="Vital signs now" %}'],
        ),
        ("<p>{% if a %}Yes{% else %}No{% endif %}</p>", ["Yes No"]),
        ('<td>{% cycle "Left" "Right" %}</td>', ['{% cycle "Left" "Right" %}']),
    ],
)
def test_the_scanner_finds_unmarked_text(source: str, expected: list[str]) -> None:
    assert sorted(f.text for f in unmarked(source)) == sorted(expected)


@pytest.mark.parametrize(
    "source",
    [
        '{% load i18n %}<p>{% translate "Hello" %}</p>',
        "{% load i18n %}<p>{% blocktranslate trimmed with n=x %}\n Hi {{ n }}\n{% endblocktranslate %}</p>",
        '{% load i18n %}<p title="{% translate "Hint" %}">{{ name }} · {{ when|date:"j M Y" }}</p>',
        '{{ when|default:_("never") }} {{ x|default:"—" }}',
        '<script>const label = "Hello";</script><style>p::before{content:"x"}</style>',
        "<p><code>kneadwell audit verify</code></p>",
        '{% include "evaluation/_study_nav.html" with here="allocation" %}',
        '{% cycle _("Left") _("Right") %}{% firstof a b "—" %}',
        "{# a note #}{% comment %}<p>Old text</p>{% endcomment %}",
    ],
)
def test_the_scanner_leaves_marked_text_and_data_alone(source: str) -> None:
    assert unmarked(source) == []
