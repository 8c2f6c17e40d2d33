"""The translation doors of the pure modules (core/marking.py) and the language an email is written in
(core/recipients.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from kneadwell.accounts.roles import Role
from kneadwell.core.marking import english, gettext, gettext_noop, ngettext
from kneadwell.core.recipients import language_of

# Django ships Spanish for these words, so the door can be seen working without our own catalogue.
SHIPPED = "Yes"


def test_gettext_translates_in_the_language_in_force() -> None:
    with translation.override("es"):
        assert gettext(SHIPPED) == "Sí"
    with translation.override("en-gb"):
        assert gettext(SHIPPED) == SHIPPED


def test_ngettext_picks_the_form_for_the_number() -> None:
    assert ngettext("%(n)s day", "%(n)s days", 1) == "%(n)s day"
    assert ngettext("%(n)s day", "%(n)s days", 3) == "%(n)s days"


def test_gettext_noop_only_marks() -> None:
    with translation.override("es"):
        assert gettext_noop(SHIPPED) == SHIPPED


def test_english_gives_the_source_of_a_lazy_label_whatever_the_page_language() -> None:
    label = gettext_lazy(SHIPPED)
    with translation.override("es"):
        assert str(label) == "Sí"
        assert english(label) == SHIPPED
        assert translation.get_language() == "es"  # and the page's language is left as it was


def test_a_role_is_named_in_the_language_in_force() -> None:
    # Without a Spanish catalogue entry the English comes back, but through the catalogue, not around it.
    with translation.override("es"):
        assert Role.CAREGIVER.label == gettext("Parent / caregiver")


@pytest.mark.parametrize(
    ("chosen", "in_force", "expected"),
    [
        ("es", "en-gb", "es"),  # the account's choice wins
        ("", "ar", "ar"),  # no choice: the language in force (the sender's, from the command line: English)
        ("fr", "en-gb", "en-gb"),  # a language not shipped is not used
    ],
)
def test_an_email_is_written_in_the_recipients_language(chosen: str, in_force: str, expected: str) -> None:
    with translation.override(in_force):
        assert language_of(SimpleNamespace(language=chosen)) == expected


def test_an_email_to_an_address_without_an_account_keeps_the_language_in_force() -> None:
    with translation.override("es"):
        assert language_of(None) == "es"
