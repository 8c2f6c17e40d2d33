"""Filters for the printable report: inline text runs to HTML, and the footer text for a CSS string.
Everything else the page shows arrives already worded and formatted in the document
(`reports.compose`), the same strings the PDF prints."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from kneadwell.reports.document import Text, spans

register = template.Library()

_TAGS = {"strong": "strong", "strike": "s"}
_CLASSES = {"muted": "muted", "flag": "badge stop"}
TONES = {"body": "", "small": "small", "muted": "small muted", "caution": "small caution"}


@register.filter
def rich(text: Text) -> SafeString:
    """Inline text as HTML: each run escaped, strong and struck runs in their elements, muted and flagged
    runs in a span with their class."""
    out = []
    for span in spans(text):
        if span.style == "original-label":  # the English original on a line of its own, as localise shows it
            out.append(format_html('<br><small class="original-text">{}</small> ', span.text))
        elif span.style == "original":
            out.append(
                format_html(
                    '<small class="original-text"><bdi lang="en" dir="ltr">{}</bdi></small>', span.text
                )
            )
        elif span.style in _TAGS:
            tag = _TAGS[span.style]
            out.append(format_html("<{}>{}</{}>", tag, span.text, tag))
        elif span.style in _CLASSES:
            out.append(format_html('<span class="{}">{}</span>', _CLASSES[span.style], span.text))
        else:
            out.append(conditional_escape(span.text))
    return mark_safe("".join(out))  # noqa: S308 - every run escaped just above


@register.filter
def tone(value: str) -> str:
    """The page's classes for a block's tone."""
    return TONES.get(value, "")


@register.filter
def css_string(value: str) -> str:
    """Text for a CSS string inside a <style> element (the printed page footer): quotes and backslashes
    escaped the CSS way, and "<" written as an escape so the text can never close the element."""
    out = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    for ch, code in (("\r\n", "\\a "), ("\n", "\\a "), ("\r", "\\a "), ("\f", "\\a ")):  # CSS newlines
        out = out.replace(ch, code)
    return mark_safe(out)  # noqa: S308 - escaped for its context just above
