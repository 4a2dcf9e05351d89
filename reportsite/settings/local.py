"""Development on one machine: `make run`.

The site as its users see it: DEBUG off, so a missing page or a failure shows the site's Vietnamese pages
(templates/404.html, 500.html, 503.html), never Django's English debug page with the settings in it.
DJANGO_DEBUG=1 turns the debug pages on for a developer. Static files are served by WhiteNoise straight
from the apps and node_modules (no collectstatic)."""

import os

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, INSTALLED_APPS

DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
# Loopback always; DJANGO_ALLOWED_HOSTS adds the names or addresses others use to reach this machine
# (make run HOST=0.0.0.0 for a small office).
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", *ALLOWED_HOSTS]
WHITENOISE_USE_FINDERS = True
# The demo data (`make run` loads it with seed_demo), the scale builder and the bench: never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
# A file changed while the server runs is served as changed (WhiteNoise otherwise reads the list once).
WHITENOISE_AUTOREFRESH = True
