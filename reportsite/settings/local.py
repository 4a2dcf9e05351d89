"""Development on one machine: `make run`."""

import os

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

DEBUG = True
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
WHITENOISE_USE_FINDERS = True
# The demo data (`make run` loads it with seed_demo), the scale builder and the bench: never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
