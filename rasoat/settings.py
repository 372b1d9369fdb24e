"""Settings for rasoat, all read from the environment (see .env.example)."""

import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from rasoat.env import env_bool, env_choice, env_int, env_list, env_networks, env_str
from rasoat.notifications.email_url import parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RASOAT_VAR_DIR", str(BASE_DIR / "var")))


def _secret_key() -> str:
    """Use SECRET_KEY when set; otherwise keep a generated one under var/ (owner-only)."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The project package is an app too: base layout, static files, catalogue, init/serve commands.
    "rasoat.apps.RasoatConfig",
    "rasoat.orgs",
    "rasoat.appendix",
    "rasoat.campaigns",
    "rasoat.inventory",
    "rasoat.workbooks",
    "rasoat.assessment",
    "rasoat.desk",
    "rasoat.dashboard",
    "rasoat.summaries",
    "rasoat.reports",
    "rasoat.packages",
    "rasoat.audit",
    "rasoat.api",
    "django_tasks",
    "django_tasks_db",
    "rasoat.jobs",
    "rasoat.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Errors under /api/ as problem documents, whichever layer answered (rasoat/api/middleware.py).
    "rasoat.api.middleware.ApiProblemMiddleware",
    "csp.middleware.CSPMiddleware",
    "rasoat.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Instead of LocaleMiddleware: Vietnamese unless the user chose otherwise (never Accept-Language).
    "rasoat.desk.language.ChosenLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "rasoat.orgs.gate.SignInGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rasoat.middleware.ControlCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rasoat.urls"
WSGI_APPLICATION = "rasoat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rasoat.context_processors.navigation",
                "rasoat.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rasoat.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one clerk saves; the busy timeout absorbs short write contention.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {"NAME": "rasoat.orgs.passwords.NotBuiltFromAttributesValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in (docs/sign-in.md). django-axes locks the pair (user name, address) after LOGIN_MAX_FAILURES
# failures for LOGIN_LOCK_MINUTES; an address failing many names waits a growing delay (from 1 second
# after LOGIN_ADDRESS_FREE_FAILURES, doubling, at most LOGIN_ADDRESS_MAX_DELAY_SECONDS). The client
# address comes from X-Forwarded-For only when the connection comes from one of TRUSTED_PROXIES.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", "127.0.0.1,::1")
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)
LOGIN_ADDRESS_FREE_FAILURES = env_int("LOGIN_ADDRESS_FREE_FAILURES", 10)
LOGIN_ADDRESS_MAX_DELAY_SECONDS = env_int("LOGIN_ADDRESS_MAX_DELAY_SECONDS", 10)
# Successful and failed sign-ins are kept this long, then `rasoat purge_login_records` deletes them.
LOGIN_RECORDS_RETENTION_DAYS = env_int("LOGIN_RECORDS_RETENTION_DAYS", 400)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "rasoat.orgs.lockout.failure_limit"
AXES_COOLOFF_TIME = "rasoat.orgs.lockout.cool_off"
AXES_USERNAME_CALLABLE = "rasoat.orgs.lockout.attempted_username"
AXES_CLIENT_IP_CALLABLE = "rasoat.client_ip.client_address"
AXES_LOCKOUT_CALLABLE = "rasoat.orgs.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lockout do not prolong it: the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ENABLE_ADMIN = False

# Two-factor sign-in (TOTP, with recovery codes): required for administrators and reviewers
# ("privileged"), or for every account ("all"); optional for the others.
OTP_REQUIRED_FOR = env_choice("OTP_REQUIRED_FOR", "privileged", ("privileged", "all"))
OTP_TOTP_ISSUER = "rasoat"

# Sessions end after this much inactivity; every request renews the cookie.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "rasoat" / "locale"]
FORMAT_MODULE_PATH = ["rasoat.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns on every start when the folder is missing (before the first collectstatic).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# Behind a TLS-terminating proxy in production (see README, "Deployment").
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): only the site's own scripts and styles, no inline script,
# no style attribute, no eval. `data:` images are Bootstrap's CSS icons (select arrows, toggler).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features rasoat never uses, denied to every page (rasoat.middleware).
PERMISSIONS_POLICY_DENIED = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]

# Uploads (registry workbooks now, appendix workbooks later) are bounded before parsing.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Bodies past UPLOAD_MAX_BYTES + UPLOAD_BODY_MARGIN are refused while they stream in (rasoat.upload_limits).
UPLOAD_BODY_MARGIN = env_int("UPLOAD_BODY_MARGIN", 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "rasoat.upload_limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "rasoat.upload_limits.ScratchFileUploadHandler",
]
# A workbook still "being read" after this many seconds was abandoned by a worker that died.
# Attachments of the submission package (rasoat.packages): size, count and PDF complexity limits.
PACKAGE_MAX_BYTES = env_int("PACKAGE_MAX_BYTES", 20 * 1024 * 1024)
PACKAGE_MAX_FILES = env_int("PACKAGE_MAX_FILES", 10)
UPLOAD_READ_TIMEOUT = env_int("UPLOAD_READ_TIMEOUT", 300)
# Temporary files of exports, uploads and PDF conversions: one folder per process (rasoat.tempfiles).
TEMP_ROOT = Path(env_str("RASOAT_TEMP_DIR", str(VAR_DIR / "tmp")))

# Background jobs (docs/jobs.md): django-tasks with its database queue, worked by `rasoat worker`
# (`rasoat serve` starts one beside gunicorn). TASKS_BACKEND=immediate runs every job inside the
# request that asks for it, as the test suite does.
TASKS_BACKEND = env_choice("TASKS_BACKEND", "database", ("database", "immediate"))
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
        "QUEUES": ["default"],
    }
}
# A worker writes a heartbeat every JOBS_HEARTBEAT_SECONDS; a job whose worker is silent for
# JOBS_WORKER_TIMEOUT seconds (or whose process is gone, on the same machine) is handed to another
# worker, at most JOBS_MAX_ATTEMPTS times in all.
JOBS_HEARTBEAT_SECONDS = env_int("JOBS_HEARTBEAT_SECONDS", 10)
JOBS_WORKER_TIMEOUT = env_int("JOBS_WORKER_TIMEOUT", 120)
JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 3)
# Seconds slept after each unit of a campaign recompute; only the tests that kill a worker midway set it.
JOBS_RECOMPUTE_UNIT_DELAY = float(env_str("JOBS_RECOMPUTE_UNIT_DELAY", "0") or 0)
# A consolidated export of more units than this (or any PDF) is a background job with a progress bar.
JOBS_EXPORT_THRESHOLD = env_int("JOBS_EXPORT_THRESHOLD", 60)
# Results of background jobs (exports, PDFs), downloadable by their owner only.
JOBS_RESULT_ROOT = Path(env_str("JOBS_RESULT_DIR", str(VAR_DIR / "jobs")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# REST API (rasoat.api): requests per token per window, counted in the default cache — per process
# unless CACHES names a shared cache (rasoat/api/ratelimit.py says why). 0 turns the limit off.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)
API_RATE_WINDOW = env_int("API_RATE_WINDOW", 60)
# Rows per page of the API's lists (a client may ask for fewer, never for more).
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 100)
# E-mail (docs/notifications.md): the SMTP server as a URL, e.g. smtp://user:password@mail.example.vn:587
# or smtps://...:465. Unset: no e-mail is queued or sent; notifications still appear in the interface.
EMAIL_URL = env_str("EMAIL_URL")
parse_email_url(EMAIL_URL)  # fails loudly at start on a URL it cannot read
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "rasoat <rasoat@localhost>")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
# The address of the site as users reach it: e-mails link to pages under it.
RASOAT_BASE_URL = env_str("RASOAT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
