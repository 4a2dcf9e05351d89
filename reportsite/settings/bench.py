"""`make bench`: the production settings plus the devtools app (the bench commands), served by gunicorn on
loopback without TLS, with a bare template view to compare the pages against. Never deployed."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")
# Rendered parts shared by the workers in Redis, as docs/deploy.md recommends (a database of its own).
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")

from .production import *  # noqa: F403
from .production import BASE_DIR, INSTALLED_APPS, MIDDLEWARE

# The bench itself (manage.py bench, export_peak, the bare views): an app production does not install.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]

# Each response says how many SQL statements it took: a cache miss takes more than a hit.
MIDDLEWARE = [*MIDDLEWARE, "devtools.bench_middleware.QueryCountHeaderMiddleware"]

# Plain HTTP on loopback: no redirect to HTTPS, cookies without the Secure flag.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ROOT_URLCONF = "devtools.bench_urls"
STATIC_ROOT = str(BASE_DIR / ".bench" / "staticfiles")
# `make stack` gives its nodes and workers one folder they all read (a shared disk on several hosts).
MEDIA_ROOT = os.environ.get("DJANGO_MEDIA_ROOT", str(BASE_DIR / ".bench" / "media"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
