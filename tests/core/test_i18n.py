"""The language machinery (core/i18n.py): the browser's language by default, the chooser's cookie, a
signed-in person's choice kept on their account, and `lang`/`dir` on every page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.models import User
from kneadwell.accounts.services import user_language_set
from kneadwell.core.errors import ValidationFailed
from kneadwell.core.i18n import html_lang
from kwtest.people import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_the_browsers_language_is_the_default(client: HttpClient) -> None:
    english = client.get(LOGIN).content.decode()
    assert '<html lang="en-GB" dir="ltr">' in english
    spanish = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="es" dir="ltr">' in spanish
    arabic = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="ar-EG,ar;q=0.9")
    assert '<html lang="ar" dir="rtl">' in arabic.content.decode()
    assert arabic["Content-Language"] == "ar"
    # a language not shipped falls back to English
    assert '<html lang="en-GB"' in client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr-FR").content.decode()


def test_the_chooser_sets_a_cookie_for_someone_signed_out(client: HttpClient) -> None:
    page = client.get(LOGIN).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    for code, _name in settings.LANGUAGES:
        assert f'name="language" value="{code}"' in page
    response = client.post(reverse("set_language"), {"language": "ar", "next": LOGIN})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert 'dir="rtl"' in client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="es").content.decode()  # the cookie wins


def test_the_chooser_refuses_a_get_and_an_unknown_language(client: HttpClient) -> None:
    assert client.get(reverse("set_language")).status_code == 405
    response = client.post(reverse("set_language"), {"language": "xx", "next": LOGIN})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    # an address elsewhere is not followed
    away = client.post(reverse("set_language"), {"language": "es", "next": "https://example.com/"})
    assert away["Location"] == "/"


def test_a_signed_in_choice_is_kept_on_the_account_and_follows_the_person(client: HttpClient) -> None:
    user = make_user()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    user.refresh_from_db()
    assert user.language == "es"
    other_phone = HttpClient()  # no cookie, an English browser
    other_phone.force_login(user)
    page = other_phone.get("/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert '<html lang="es"' in page.content.decode()
    assert page["Content-Language"] == "es"


def test_someone_without_a_choice_follows_the_browser(client: HttpClient) -> None:
    client.force_login(make_user())
    assert '<html lang="ar" dir="rtl">' in client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()


def test_the_service_refuses_a_language_not_shipped() -> None:
    user = make_user()
    with pytest.raises(ValidationFailed):
        user_language_set(user=user, language="fr")
    user_language_set(user=user, language="ar")
    assert User.objects.get(pk=user.pk).language == "ar"
    user_language_set(user=user, language="")
    assert User.objects.get(pk=user.pk).language == ""


def test_lang_attribute_spelling() -> None:
    assert html_lang("en-gb") == "en-GB"
    assert html_lang("ar") == "ar"
