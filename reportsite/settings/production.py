"""Production: gunicorn behind a TLS proxy, PostgreSQL through DATABASE_URL.

Required environment: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL; SITE_URL (the address e-mails
link to) defaults to https:// and the first allowed host.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, BASE_DIR, SECRET_KEY

if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY for production.")

DEBUG = False
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# gunicorn listens on 127.0.0.1 behind nginx, which sets X-Real-IP to the client's address
# (docs/deploy.md): the login throttle reads that one header and nothing else.
CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "HTTP_X_REAL_IP") or None
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# The address e-mails and password-reset links point at. Without SITE_URL, the site's first host name over
# HTTPS: never 127.0.0.1:8000 (the development default), which sent people from e-mails to nowhere.
_LOCAL = ("localhost", "127.0.0.1", "[::1]", "*")
_first_host = next(
    (h.strip() for h in ALLOWED_HOSTS if h.strip() and not h.strip().startswith(".") and h.strip() not in _LOCAL), ""
)
SITE_URL = (os.environ.get("SITE_URL") or (f"https://{_first_host}" if _first_host else "")).rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured("Set SITE_URL (https://the.site.address) or DJANGO_ALLOWED_HOSTS for production.")

if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
