"""Languages at the request boundary: the account's own choice, the chooser's view, and what base.html
needs (`lang`, `dir`, the list of languages). How strings are marked and translated: docs/languages.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import trans_real
from django.views.decorators.http import require_POST
from django.views.i18n import set_language


class AccountLanguageMiddleware:
    """A signed-in person's chosen language (kept on their account) wins over this browser's cookie and
    Accept-Language, so the choice follows them to another phone. LocaleMiddleware runs before the user is
    known; this runs after AuthenticationMiddleware and only switches when the account names a language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if chosen and chosen in dict(settings.LANGUAGES) and chosen != translation.get_language():
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The chooser's form posts here: Django's own set_language (the cookie, then back to `next`), and, for
    a signed-in person, the choice kept on their account too."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        from kneadwell.accounts.services import user_language_set

        user_language_set(user=request.user, language=language)
    return response


def html_lang(code: str) -> str:
    """The `lang` attribute's spelling (BCP 47: en-GB, es, ar) of a Django language code (en-gb)."""
    head, _, region = code.partition("-")
    return f"{head}-{region.upper()}" if region else head


def language(request: HttpRequest) -> dict[str, Any]:
    """For base.html: the page's `lang` and `dir`, and the languages the chooser offers."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "html_lang": html_lang(current),
        "html_dir": "rtl" if translation.get_language_bidi() else "ltr",
        "languages": [
            {"code": code, "name": name, "current": code == current} for code, name in settings.LANGUAGES
        ],
    }


# --- looking a message up ---------------------------------------------------------------------------------

# A message looked up in one language's catalogues gives the same words every time (the catalogues of a
# translation object are fixed once it is built; Django builds new objects when the files change in
# development). Django's lookup walks a chain: our catalogue, Django's and the contrib apps', then each
# one's fallbacks for the language's other spellings (en_GB, en), twice per link (the message, then it as
# a plural) and a plural expression evaluated at each: about 5-9 µs for a message with no English entry,
# and a page asks for 100 (the frame) to 400 (a 50-row table's labels). Remembered per translation object,
# a repeated lookup is one dict read. Bounded, in case code translates text that is not a fixed message.
MEMO_LIMIT = 20_000


class MemoisedTranslation(trans_real.DjangoTranslation):
    """Django's translation object with each message's lookup remembered (same result as Django's)."""

    def gettext(self, message: str) -> str:
        memo: dict[str, str] | None = self.__dict__.get("_memo")
        if memo is None:
            memo = self.__dict__.setdefault("_memo", {})
        try:
            return memo[message]
        except KeyError:
            pass
        result: str = super().gettext(message)
        # Only plain text is kept: a remembered SafeString must never come back for a plain message (Django
        # marks the result safe itself when the message was).
        if type(message) is str and type(result) is str and len(memo) < MEMO_LIMIT:
            memo[message] = result
        return result


def memoise_translations() -> None:
    """Build Django's translation objects as MemoisedTranslation from now on (CoreConfig.ready); the objects
    made before are dropped so that every language gets one."""
    if trans_real.DjangoTranslation is not MemoisedTranslation:
        trans_real.DjangoTranslation = MemoisedTranslation  # type: ignore[misc]
        trans_real._translations = {}  # type: ignore[attr-defined]
        trans_real._default = None  # type: ignore[attr-defined]
