"""Kvalis settings: one module, configured by environment variables.

Every variable is parsed by a tiny typed helper that fails loudly on a malformed value, so a typo
in production stops the start-up instead of silently falling back to a default.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("KVALIS_VAR_DIR", PROJECT_DIR / "var"))

DEVELOPMENT_SECRET_KEY = "kvalis-development-key-do-not-use-in-production"


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = envstr("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "With DEBUG off, set SECRET_KEY to a long random value (50+ characters), "
        "not the development key."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Encrypts the certificate issuers' signing keys at rest (kvalis.credentials.keys). Defaults to
# SECRET_KEY; set it apart in production so that SECRET_KEY can change without the keys going.
CREDENTIALS_KEY = envstr("CREDENTIALS_KEY", "") or SECRET_KEY
# Proxies whose X-Real-IP header names the client (nginx on the same host: 127.0.0.1). Any
# client may send the header, so with none listed it is never believed (kvalis.lib.throttle).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_address(_proxy)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must be comma-separated IP addresses, got {_proxy!r}"
        ) from None

INSTALLED_APPS = [
    # Django's admin, asking for the second factor of a login that has one.
    "kvalis.accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Before django_tasks_db: its `db_worker` command, made to wait out a locked database.
    "kvalis.worker",
    "django_tasks_db",
    "axes",
    # Second factor: TOTP apps and one-time recovery codes (kvalis.accounts.second_factor).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Passkeys (WebAuthn), a second factor beside the TOTP app.
    "django_otp_webauthn",
    "kvalis.accounts",
    "kvalis.audit",
    "kvalis.outbox",
    "kvalis.organisations",
    "kvalis.people",
    "kvalis.projects",
    "kvalis.enrolment",
    "kvalis.attendance",
    "kvalis.certificates",
    "kvalis.credentials",
    "kvalis.surveys",
    "kvalis.budget",
    "kvalis.visits",
    "kvalis.reports",
    "kvalis.homes",
    "kvalis.privacy",
    "kvalis.api",
    "kvalis.demo",
    "kvalis.backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second factor (the admin asks it).
    "django_otp.middleware.OTPMiddleware",
    # A coordinator whose organisation requires a second factor sets one up first.
    "kvalis.accounts.second_factor.SecondFactorSetupMiddleware",
    # Lithuanian unless the user picked English (never the browser's Accept-Language).
    "kvalis.lib.middleware.LanguageMiddleware",
    # Sees the response after every inner middleware: no shared or browser cache keeps a page
    # served to a signed-in user or an API token.
    "kvalis.lib.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Refuses an oversized upload (translated 413 page) before the CSRF check reads the body.
    "kvalis.lib.uploads.UploadLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a paused sign-in into registration/locked_out.html.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kvalis.urls"
WSGI_APPLICATION = "kvalis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kvalis.homes.navigation.navigation",
            ],
        },
    }
]

# SQLite in var/ by default; PostgreSQL (or anything else) through DATABASE_URL.
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kvalis.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The default database lives in var/, which a fresh checkout does not have yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Write-ahead logging: readers never wait for a writer, nor a writer for readers (in the
    # default rollback journal a commit locked every page out, and the file's journal was made
    # and deleted per write). Durability stays full (`synchronous` is left at FULL).
    # Connections are kept, as on PostgreSQL: opening one per request was a tenth of a
    # millisecond, and the last one closing checkpointed the log.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Sign-in limits (django-axes; the limits and the wider rates are in kvalis.accounts.throttles).
# Its backend comes first and refuses a paused request before any password is checked; failures
# are counted in the database, shared by all workers, per normalised e-mail and client address.
AUTHENTICATION_BACKENDS = [
    "kvalis.accounts.throttles.SignInLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "kvalis.accounts.throttles.SignInAttempts"
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_FAILURE_LIMIT = "kvalis.accounts.throttles.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Attempts while paused do not prolong the pause: it ends 15 minutes after the last failure.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "kvalis.accounts.throttles.attempted_email"
AXES_CLIENT_IP_CALLABLE = "kvalis.lib.throttle.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_COOLOFF_MESSAGE = _("Too many attempts. Wait a few minutes and try again.")
# Successful sign-ins are not logged with their IP address: the audit log records what matters.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# The name a TOTP app shows beside the account.
OTP_TOTP_ISSUER = "Kvalis"
# Wrong second-factor codes are counted and paused by django-axes, as wrong passwords are (one
# lockout); django-otp's own per-device back-off would refuse even the right code for a while.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Passkeys are bound to the site's host name (the relying party) and accepted only from its origin.
# WebAuthn takes no IP address as the relying party: a development site at 127.0.0.1 uses
# passkeys at http://localhost:<port> (browsers treat localhost as secure without https).
# Only as a second factor, after the password: no sign-in with a passkey alone.
_site = urlsplit(SITE_URL)
_passkey_host = "localhost" if _site.hostname in ("127.0.0.1", "::1") else _site.hostname
OTP_WEBAUTHN_RP_ID = _passkey_host
OTP_WEBAUTHN_RP_NAME = "Kvalis"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    f"{_site.scheme}://{_passkey_host}" + (f":{_site.port}" if _site.port else "")
]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
LOGIN_URL = "accounts:login"
# Set-password, invitation and address-change links expire after three days (and are bound to
# the address they were sent to: Django's token hashes the login's e-mail).
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
LOGIN_REDIRECT_URL = "homes:home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    # Django's similarity check, its message with the field's name in the right case.
    {"NAME": "kvalis.accounts.password_validation.SimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "lt"
LANGUAGES = [("lt", _("Lithuanian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Vilnius"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["kvalis.formats"]

STATIC_URL = "/static/"
# The project's own assets (kvalis.css) live in the package, which is not an app itself.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))

# E-mail: the console in development; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Kvalis <kvalis@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The SMTP variables are parsed even without EMAIL_HOST, so a typo fails at once, not on the day
# someone sets EMAIL_HOST.
_email_host = envstr("EMAIL_HOST", "")
_email_port = envint("EMAIL_PORT", "587")
_email_use_tls = envbool("EMAIL_USE_TLS", "1")
# Seconds before a hung SMTP connection gives up: well under the outbox's 10-minute claim, so a
# stuck send can never overlap the retry of the same message.
_email_timeout = envint("EMAIL_TIMEOUT", "60")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": _email_port,
                "username": envstr("EMAIL_HOST_USER", ""),
                "password": envstr("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _email_use_tls,
                "timeout": _email_timeout,
            },
        }
    }
elif envstr("EMAIL_FILE_PATH", ""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": envstr("EMAIL_FILE_PATH", "")},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background work: django.tasks with the database backend and its worker (`kvalis db_worker`).
# TASKS_IMMEDIATE=1 runs tasks in-process, which tests and a quick demo use.
if envbool("TASKS_IMMEDIATE", "0"):
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Security: Django's built-in Content Security Policy; nothing is loaded from a third party.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")

# Attendance of a session is recorded from this many minutes before it starts (the trainer's
# form and QR check-in alike); nothing is recorded for a session further in the future.
ATTENDANCE_OPENS_BEFORE_MINUTES = envint("ATTENDANCE_OPENS_BEFORE_MINUTES", "30")

# Uploads (spreadsheets, expense scans): refused above this size, with a clear message.
KVALIS_MAX_UPLOAD_MB = envint("KVALIS_MAX_UPLOAD_MB", "10")
DATA_UPLOAD_MAX_MEMORY_SIZE = KVALIS_MAX_UPLOAD_MB * 1024 * 1024
# Refused on Content-Length first (kvalis.lib.uploads), then while streaming: a file stops at the
# limit, so what is accepted fits in memory and nothing is ever written to temporary disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = KVALIS_MAX_UPLOAD_MB * 1024 * 1024 + 64 * 1024
FILE_UPLOAD_HANDLERS = [
    "kvalis.lib.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Cache: attempt counters (sign-in, applications, check-in codes) live here. "local" is one
# process's memory; with several gunicorn workers use "database" (run `kvalis createcachetable`)
# so that all workers count together.
CACHE_BACKEND = envstr("CACHE_BACKEND", "local")
if CACHE_BACKEND == "local":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_BACKEND == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kvalis_cache",
        }
    }
else:
    raise ImproperlyConfigured(f"CACHE_BACKEND must be local or database, got {CACHE_BACKEND!r}")
# Parts of signed-in pages kept under their project's figures version (kvalis.lib.kept): a key
# names the version it was rendered at and is never overwritten with other content, so every
# process may keep its own copy, in its own memory, whatever CACHE_BACKEND says.
CACHES["kept"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "kvalis-kept",
    "TIMEOUT": 24 * 60 * 60,
    "OPTIONS": {"MAX_ENTRIES": envint("KEPT_MAX_ENTRIES", "2000")},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
