"""The growth page's choices as first shown (nothing asked for) are rendered once per language and kept
(outcomes/views.py, `blank_growth_options`; issue 11): what is kept is Django's own rendering of the
form, in each language, and a page that asks for other choices shows its own."""

import pytest
from django.conf import settings
from django.utils import translation

from kneadwell.outcomes import views
from kneadwell.outcomes.forms.growth import GrowthOptionsForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_the_kept_choices_are_the_form_s_rendering(language: str) -> None:
    views._BLANK_OPTIONS.clear()
    with translation.override(language):
        chosen = GrowthOptionsForm(None).choices()
        kept = views.blank_growth_options(chosen)
        form = GrowthOptionsForm(initial=chosen)
        assert list(kept) == [field.name for field in form]
        for field in form:
            assert kept[field.name]["as_field_group"] == field.as_field_group()
        assert views.blank_growth_options(chosen) is kept


def test_each_language_keeps_its_own() -> None:
    views._BLANK_OPTIONS.clear()
    chosen = GrowthOptionsForm(None).choices()
    shown = set()
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            shown.add(str(views.blank_growth_options(chosen)["measure"]["as_field_group"]))
    assert len(shown) == len(settings.LANGUAGES)
