"""Settings shared by every environment. Secrets and the database come from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    # Django's admin on the project's site: reportsite/admin_site.py.
    "reportsite.admin_config.UnionAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_prose_editor",
    "axes",
    # The house, bottom to top: each app uses only those listed before it (pyproject.toml, lint-imports).
    "core",
    "units",
    "outline",
    "indicators",
    "reports",
    "exports",
    "reportsite",
    # devtools (the demo, scale and bench code) sits above them all; only the local, test and bench
    # settings add it: production has no demo data and no command that drops a database.
    "django_tasks",
    "django_tasks_db",
]

# Consolidated exports run in the background: `python manage.py db_worker` (make run starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A superior's section page counts its units' figures as sentences itself up to this many counted units;
# past that (a province, the country) the task worker counts them and the page shows the last counts made.
SYNTHESIS_COUNTS_INLINE_UNITS = int(os.environ.get("SYNTHESIS_COUNTS_INLINE_UNITS", "2000"))
# A roll-up's stamp (what keys its cached page) is read from the reports below a union up to this many
# of them; past that (a province, the country) from the kept counts the services move with every change,
# checked by the worker in the background (reports.selectors.rollup_stamp).
ROLLUP_EXACT_STAMP_REPORTS = int(os.environ.get("ROLLUP_EXACT_STAMP_REPORTS", "10000"))
# The superior unions' index covers the columns the dashboard's count reads (INCLUDE) on PostgreSQL;
# SQLite keeps the index without them and says so on every command (models.W040): nothing to act on.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", "72"))
# A running export job shows a sign of life every EXPORT_HEARTBEAT_SECONDS; one without any for
# EXPORT_STALE_SECONDS lost its worker (killed, the server restarted) and goes back to the queue (then
# is failed, see EXPORT_ATTEMPTS), and one running
# past EXPORT_MAX_SECONDS is stopped (a province's Word file takes well under a minute).
EXPORT_HEARTBEAT_SECONDS = 10
EXPORT_STALE_SECONDS = int(os.environ.get("EXPORT_STALE_SECONDS", "60"))
# A job whose worker died goes back to the queue for another worker, EXPORT_ATTEMPTS tries in all.
EXPORT_ATTEMPTS = int(os.environ.get("EXPORT_ATTEMPTS", "2"))
EXPORT_MAX_SECONDS = int(os.environ.get("EXPORT_MAX_SECONDS", "1800"))
# Work on thousands of rows (units.jobs: opening a round, invitations, a large units import, totals) runs
# in the same worker, in chunks: a sign of life every BULK_JOB_HEARTBEAT_SECONDS; none for
# BULK_JOB_STALE_SECONDS and the job is failed as having lost its worker.
BULK_JOB_HEARTBEAT_SECONDS = 10
BULK_JOB_STALE_SECONDS = int(os.environ.get("BULK_JOB_STALE_SECONDS", "60"))
# A units file larger than this (about 350 rows) is imported in the background; a smaller one in the
# request (300 rows: about a second on a loaded 2-core machine, its errors shown on the same page).
UNITS_IMPORT_SYNC_BYTES = int(os.environ.get("UNITS_IMPORT_SYNC_BYTES", str(24 * 1024)))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "reportsite.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "reportsite.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A write that waited its whole turn for the database: 503 with Retry-After, never a 500.
    "reportsite.middleware.DatabaseBusyMiddleware",
    # Axes last: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, the user read with their memberships in one query (sessions signed in through
    # django.contrib.auth.backends.ModelBackend before it sign in again once).
    "units.backends.AccessModelBackend",
    # Union administrators (the Administrator role on a unit) administer the union's data.
    "reportsite.permissions.UnionAdministratorBackend",
]

ROOT_URLCONF = "reportsite.urls"
WSGI_APPLICATION = "reportsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reportsite.context_processors.csp_nonce",
                "reportsite.context_processors.notifications",
                "reportsite.context_processors.frame",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with the Vietnamese collation PostgreSQL has from ICU (core/sqlite3/base.py).
    DATABASES["default"]["ENGINE"] = "core.sqlite3"
    # The embedded default must behave under a small union's concurrency as PostgreSQL does. WAL lets
    # readers go on while one writes; IMMEDIATE takes the write lock when a transaction begins, so
    # two writers queue instead of deadlocking on the upgrade from read to write (SQLite answers
    # that with "database is locked" at once, whatever the timeout); the timeout is how long a
    # writer waits its turn.
    # Options given in DATABASE_URL (?timeout=…) win over these.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered parts of busy pages, keyed by the revision of what they show, so a key never serves stale
# content: each worker's memory is enough; REDIS_URL shares them between workers and nodes. The cache is an
# optimisation: while Redis is unreachable each worker uses its own memory again (core/cache.py).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FallbackRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "baocao"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 1000}}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
# Vietnamese formats (dd/mm/yyyy, 1.234,5) live in reportsite/formats/vi.
FORMAT_MODULE_PATH = ["reportsite.formats"]
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed by `npm ci` from package.json: served by the site, never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = os.environ.get("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media"))
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# A section is at most this many characters of cleaned HTML; a request body this many bytes.
SECTION_MAX_CHARS = 300_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An uploaded file (the appendix workbook) is at most this large; larger ones are refused while
# they stream in, before anything is written to disk (nginx's client_max_body_size is the outer
# limit, docs/deploy.md).
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "reportsite.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Login throttling: five failures lock the user name from that address for 30 minutes; an address
# failing on 20 or more different accounts within 15 minutes is locked for every account (an office's
# typos, repeated on a few accounts, never add up to it).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "reportsite.throttle.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "reportsite.throttle.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_ADDRESS_ACCOUNTS = 20
LOGIN_ADDRESS_WINDOW_MINUTES = 15
# The request header holding the client's address, set by the proxy in front (production: nginx's
# X-Real-IP). None: the connection's own address (runserver, no proxy): a header is not trusted.
CLIENT_IP_HEADER = None
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# An attempt refused because of a lock is not a new failure: otherwise a colleague trying their own
# right password during an address lock would lock their own account, and keep the lock going.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

CSRF_FAILURE_VIEW = "reportsite.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
# A session lasts a working day from logging in (10 hours), not Django's two weeks: a shared office
# computer left signed in does not stay open for days. Text being typed when it ends is kept by the
# browser and put back after logging in again.
SESSION_COOKIE_AGE = 10 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "baocao@localhost")
# An invitation's link (choosing one's password, units/invitations.py) works this many days.
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
# Links in e-mails point here (no trailing slash).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
