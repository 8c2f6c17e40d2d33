"""Template helpers for showing content with its sources, in the page's language (library/display.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kneadwell.content.sources import source_registry
from kneadwell.library.display import display_library
from kneadwell.library.schema import OCCASION_LABELS

register = template.Library()


@register.filter
def source_links(ids: Iterable[str]) -> SafeString:
    """Source ids as links to the sources page, each with its citation as the link title."""
    sources = source_registry()
    base = reverse("library:sources")
    items = [(f"{base}#{sid}", sources[sid].citation if sid in sources else sid, sid) for sid in ids]
    if not items:
        return format_html('<span class="muted">{}</span>', _("no source"))
    links = format_html_join(", ", '<a href="{}" title="{}">{}</a>', items)
    return format_html('<span class="sources">{} {}</span>', _("Source:"), links)


@register.filter
def region_label(region_id: str) -> str:
    region = display_library().regions.get(region_id)
    return region.label if region else region_id


@register.filter
def question_label(question_id: str) -> str:
    question = display_library().questions.get(question_id)
    return question.label if question else question_id


@register.filter
def technique_name(technique_id: str) -> str:
    technique = display_library().techniques.get(technique_id)
    return technique.name if technique else technique_id


@register.filter
def setting_text(use: dict[str, object]) -> str:
    """A setting as a verdict recorded it: '72 hours (default)' or '48 hours (organisation setting)'."""
    value = use.get("value")
    unit = {"mmol_per_l": "mmol/L"}.get(str(use.get("unit", "")), str(use.get("unit", "")).replace("_", " "))
    shown = f"{value:g}" if isinstance(value, float | int) else str(value)
    if use.get("is_default"):
        tail = _("default")
    else:
        tail = _("organisation setting; default %(default)s") % {"default": use.get("default")}
    disagree = "; " + _("sources disagree") if use.get("sources_disagree") else ""
    return f"{use.get('label')}: {shown} {unit} ({tail}{disagree})"


@register.filter
def occasion_label(occasion: str) -> str:
    """A measurement occasion (baseline, each_session, ...) in words."""
    return OCCASION_LABELS.get(occasion, occasion)
