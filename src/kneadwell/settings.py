"""Kneadwell's one settings file. Everything that differs between machines comes from the environment
(see README.md, "Configuration"); the defaults give a working single-user set-up on SQLite."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from kneadwell.core.caches import cache_settings
from kneadwell.core.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("KNEADWELL_VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)


def _machine_key(variable: str, filename: str, nbytes: int) -> str:
    """A secret from the environment (`variable`, or `variable`_FILE), or one generated once per machine
    under var/ (never in the repo)."""
    key = env_str(variable)
    if key:
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(nbytes), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


# Several app servers must share one: set SECRET_KEY (or SECRET_KEY_FILE) for them.
SECRET_KEY = _machine_key("SECRET_KEY", "secret_key", 50)
# The key backups are signed with (HMAC-SHA256), kept outside the database so that someone who can change
# the database (or a backup file) cannot also forge the signature. Every machine that restores a backup
# needs the key of the machine that made it.
BACKUP_KEY = _machine_key("BACKUP_KEY", "backup_key", 48)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "kneadwell.core",
    "kneadwell.accounts",
    "kneadwell.audit",
    "kneadwell.clients",
    "kneadwell.library",
    "kneadwell.care",
    "kneadwell.evidence",
    "kneadwell.outcomes",
    "kneadwell.interop",
    "kneadwell.reports",
    "kneadwell.evaluation",
    "kneadwell.courses",
    "kneadwell.offline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kneadwell.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Reads of a client's record are written once the view has answered (one row per record and request).
    "kneadwell.audit.access.AccessAuditMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the chooser's cookie, else the browser's Accept-Language, else English (after the
    # session, before CommonMiddleware, as Django asks). A signed-in person's own choice, kept on their
    # account, is applied once they are known (core.i18n.AccountLanguageMiddleware below).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kneadwell.core.i18n.AccountLanguageMiddleware",
    "kneadwell.accounts.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kneadwell.accounts.middleware.ActiveMembershipMiddleware",
    # axes must come last: it answers a locked-out login before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kneadwell.urls"
WSGI_APPLICATION = "kneadwell.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kneadwell.accounts.context_processors.membership",
                "kneadwell.core.i18n.language",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kneadwell.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if not DATABASE_URL.startswith("sqlite://:memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Connections are kept between requests (DB_CONN_MAX_AGE, as on PostgreSQL): opening and closing one
    # per request cost the server about 2.5 ms of CPU on every request, half of /healthz (measured,
    # docs/performance.md, issue 11).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue (up to `timeout` seconds) instead of failing half-way through a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ------------------------------------------------------------------------------------------
# Shared by every worker: files under var/cache, or Redis when REDIS_URL is set (core/caches.py says why).
CACHES = cache_settings(redis_url=env_str("REDIS_URL"), folder=VAR_DIR / "cache")

# --- accounts and security --------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after this many idle minutes (every request renews the cookie).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120) * 60
# Not every request: accounts.middleware.IdleSessionMiddleware refreshes a signed-in session once a minute.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Only behind the proxy can a request's scheme be told (X-Forwarded-Proto); redirecting without it
    # would loop. /healthz stays on plain HTTP for load balancers that check over it.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if BEHIND_TLS_PROXY or SESSION_COOKIE_SECURE:
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
# Browsers' preload list is a commitment for the whole domain that only its owner can make (and undo
# slowly), so it stays off unless HSTS_PRELOAD says so, and check --deploy is not asked to nag about it.
SILENCED_SYSTEM_CHECKS = [] if env_bool("HSTS_PRELOAD", False) else ["security.W021"]

# No inline script anywhere (every <script> has a src, and none uses eval); inline *styles* remain in
# templates and in the SVG charts, hence 'unsafe-inline' for styles only. data: images are the charts'
# and the API docs' icons.
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
)
# Features no page uses; the player's vibration and sound stay allowed.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# django-axes: lock an account + address pair after repeated failed logins.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# --- email -----------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kneadwell <no-reply@localhost>")
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- static files, i18n -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# `kneadwell serve` runs collectstatic before it listens: whitenoise's hashed, compressed copies (names
# carry a hash of the content, so browsers keep them for ten years; .gz next to each) in STATIC_ROOT. Tests
# collect nothing and keep plain storage; whitenoise serves the package's own files through the finders
# (as it does for any process that finds no manifest, see core/staticfiles.py).


def _under_pytest() -> bool:
    import sys

    return "pytest" in sys.modules


STATIC_HASHED_STORAGE = "kneadwell.core.staticfiles.HashedStaticFilesStorage"
STATIC_PLAIN_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": STATIC_PLAIN_STORAGE if _under_pytest() else STATIC_HASHED_STORAGE},
}

LANGUAGE_CODE = "en-gb"
# The languages shipped (docs/languages.md): English is the source; every parent page is translated.
LANGUAGES = [("en-gb", "English"), ("es", "Español"), ("ar", "العربية")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# The project's number formats before Django's: Arabic writes the decimal point (formats/ar/formats.py;
# one decimal mark per language, core.marking.decimal_mark, docs/languages.md "Numbers").
FORMAT_MODULE_PATH = ["kneadwell.formats"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # a year: a family's choice outlives the session
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
