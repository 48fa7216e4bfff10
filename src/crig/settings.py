"""Django settings for crig, read from ``CRIG_*`` environment variables.

This is the only module that reads the environment. ``CRIG_DEBUG=true`` is for a
developer's machine (``make run`` sets it); anything else is production and must
pass ``crig check --deploy``.
"""

import importlib.util
import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from crig.core.env import env_bool, env_int, env_list, env_str, local_secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_ROOT = PACKAGE_DIR.parents[1]
# In a checkout (src layout) var/ sits beside pyproject.toml; when installed, in the
# working directory.
_DEFAULT_VAR = (
    _SOURCE_ROOT / "var"
    if (_SOURCE_ROOT / "pyproject.toml").exists()
    else Path.cwd() / "var"
)
VAR_DIR = Path(env_str("CRIG_VAR_DIR", str(_DEFAULT_VAR)))

DEBUG = env_bool("CRIG_DEBUG", default=False)

SECRET_KEY = env_str("CRIG_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "CRIG_SECRET_KEY is required when CRIG_DEBUG is not true (production)."
        )
    SECRET_KEY = local_secret_key(VAR_DIR)

ALLOWED_HOSTS = env_list(
    "CRIG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CRIG_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("CRIG_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The project's apps come first: their translations and templates take
    # precedence over Django's (e.g. "Log in" is "Se connecter" here, not the
    # admin's "Connexion").
    "crig.core",
    "crig.territory",
    "crig.members",
    "crig.catalog",
    "crig.needs",
    "crig.funding",
    "crig.actionplan",
    "crig.events",
    "crig.news",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    # Serves Swagger UI from its own static files (no CDN, no inline script).
    "ninja",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # GeoJSON outlines compress about tenfold; large ones at a faster level
    # (core.middleware.GZipMiddleware), all padded against BREACH as Django does.
    "crig.core.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crig.core.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crig.core.middleware.ApiTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: it answers a locked-out login with the page of
    # crig.members.views.login_locked_out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crig.urls"
WSGI_APPLICATION = "crig.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "crig.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite under var/ by default, PostgreSQL in production and CI.
DATABASE_URL = env_str(
    "CRIG_DATABASE_URL", f"sqlite:///{(VAR_DIR / 'crig.sqlite3').as_posix()}"
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed during a write; IMMEDIATE transactions and a busy
        # timeout turn lock contention into a short wait instead of "database is
        # locked" errors.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("CRIG_SQLITE_BUSY_TIMEOUT", 20),
    }
    if not DATABASES["default"]["NAME"].startswith(":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
# Argon2id first; a password stored with another hasher is rehashed with it at the
# person's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "members:login"
LOGIN_REDIRECT_URL = "members:account"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
INVITATION_VALID_DAYS = env_int("CRIG_INVITATION_VALID_DAYS", 14)

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 1000

# Internationalisation: French first, English available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static files come from the project and its Python packages; no CDN.
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("CRIG_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = env_str("CRIG_MEDIA_URL", "media/")
MEDIA_ROOT = Path(env_str("CRIG_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {
        "BACKEND": env_str(
            "CRIG_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(env_str("CRIG_MEDIA_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        # Hashed, compressed files in production (after `crig collectstatic`).
        "BACKEND": env_str(
            "CRIG_STATIC_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
    },
}
# Leaflet (and Leaflet.draw) come from the django-leaflet package's static files;
# the app itself is not installed since it imports GeoDjango, which needs GDAL.
_LEAFLET_SPEC = importlib.util.find_spec("leaflet")
STATICFILES_DIRS = [
    ("leaflet", Path(_LEAFLET_SPEC.submodule_search_locations[0]) / "static/leaflet"),
]
# Tests run without collectstatic: let WhiteNoise find files through the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# E-mail: printed to the console when debugging, SMTP otherwise.
EMAIL_BACKEND = env_str(
    "CRIG_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("CRIG_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CRIG_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CRIG_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("CRIG_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("CRIG_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("CRIG_EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("CRIG_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("CRIG_DEFAULT_FROM_EMAIL", "CRIG <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background jobs: django-tasks with its database backend.
TASKS = {
    "default": {
        "BACKEND": env_str("CRIG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Map: Leaflet is served from django-leaflet's static files; the base map is
# configurable and defaults to the IGN Géoplateforme "Plan IGN" WMTS.
MAP_TILES_URL = env_str(
    "CRIG_MAP_TILES_URL",
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
    "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
)
MAP_TILES_ATTRIBUTION = env_str(
    "CRIG_MAP_TILES_ATTRIBUTION",
    '&copy; <a href="https://www.ign.fr/">IGN</a> Géoplateforme',
)
# The region this instance serves (INSEE region code); CRIG Occitanie is 76.
CRIG_REGION_CODE = env_str("CRIG_REGION_CODE", "76")
CRIG_NAME = env_str("CRIG_NAME", "CRIG Occitanie")

# Catalogue: a dataset "covers" a commune for the per-référentiel views when it
# covers at least this share of the commune's area.
CATALOG_COVERAGE_MIN_SHARE = float(env_str("CRIG_COVERAGE_MIN_SHARE", "0.95"))

# Uploads: a territory file (GeoJSON, zipped shapefile, GeoPackage, KML) and the
# attachments of needs. Each file is checked against these limits (Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE does not count files).
TERRITORY_UPLOAD_MAX_BYTES = env_int("CRIG_TERRITORY_UPLOAD_MAX_MB", 10) * 1024 * 1024
NEEDS_ATTACHMENT_MAX_BYTES = env_int("CRIG_ATTACHMENT_MAX_MB", 10) * 1024 * 1024
FUNDING_ATTACHMENT_MAX_BYTES = NEEDS_ATTACHMENT_MAX_BYTES

# Council meetings: how many of the signatories make the quorum.
EVENTS_MEETING_QUORUM = env_int("CRIG_MEETING_QUORUM", 3)

# Security. Production defaults are strict; each can be relaxed behind a proxy.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("CRIG_BEHIND_HTTPS_PROXY", default=not DEBUG)
    else None
)
SECURE_SSL_REDIRECT = env_bool("CRIG_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("CRIG_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("CRIG_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CRIG_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("CRIG_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("CRIG_SILENCED_SYSTEM_CHECKS", [])

# Sessions and cookies (docs/architecture/security.md says why each).
SESSION_COOKIE_AGE = env_int("CRIG_SESSION_DAYS", 14) * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "crig.core.security.csrf_failure"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Client address used by the rate limits: behind the reverse proxy it is the
# address the proxy appended to X-Forwarded-For (counted from the right, one
# entry per trusted proxy), never one the client wrote itself.
CRIG_TRUSTED_PROXY_COUNT = env_int(
    "CRIG_TRUSTED_PROXY_COUNT", 1 if SECURE_PROXY_SSL_HEADER else 0
)


def _csp_source(url: str) -> str | None:
    """The CSP source of an absolute URL ("https://*.tile.example.org" for
    "https://{s}.tile.example.org/{z}/{x}/{y}.png"); None for a relative one."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    return f"{parts.scheme}://{'.'.join(labels)}"


# Content Security Policy: no inline script anywhere, no outside script or style.
# Style attributes are allowed (style-src-attr): templates colour legend swatches
# and size progress bars with them, and e-mail previews are inline-styled HTML.
_IMAGE_SOURCES = [
    source for source in (_csp_source(MAP_TILES_URL), _csp_source(MEDIA_URL)) if source
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_IMAGE_SOURCES],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# A cache every application server shares (a table of the database): the
# password-reset rate limits count in it. `crig migrate` creates it (core 0002).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "crig_cache",
    },
}

# Login lockout (django-axes, counted in the database): after
# CRIG_LOGIN_FAILURE_LIMIT wrong passwords for one e-mail address from one client
# address, that pair is refused for CRIG_LOGIN_COOLOFF_MINUTES.
AXES_ENABLED = env_bool("CRIG_LOGIN_LOCKOUT", default=True)
AXES_FAILURE_LIMIT = env_int("CRIG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CRIG_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "crig.core.security.login_username"
AXES_CLIENT_IP_CALLABLE = "crig.core.security.client_ip"
AXES_LOCKOUT_CALLABLE = "crig.members.views.login_locked_out"
# Successful logins are not logged: Django records last_login already.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Password reset requests: at most this many per e-mail address and per client
# address within an hour.
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("CRIG_PASSWORD_RESET_PER_EMAIL", 3)
PASSWORD_RESET_LIMIT_PER_IP = env_int("CRIG_PASSWORD_RESET_PER_IP", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CRIG_LOG_LEVEL", "INFO")},
    # WeasyPrint logs each rendering step at INFO and every CSS rule it skips at
    # WARNING; only its errors matter to an operator.
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        # django-axes logs every login at INFO; lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}
