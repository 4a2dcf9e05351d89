"""The test suite: fast hashing, in-memory mail; the database still comes from DATABASE_URL."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
AXES_ENABLED = True
# The tests build their demo and scale data with devtools (seed_demo, build_scale); production has no devtools.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]

# SQLite's in-memory test database is one connection shared by every thread, so it cannot show
# what two writers at once do to the real file database: the tests use a file, as `make run` does.
if DATABASES["default"]["ENGINE"] == "core.sqlite3":  # noqa: F405
    # One file per process: two test runs at once (CI beside a local run) must not share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"reportsite-test-{os.getpid()}.sqlite3")
    }

# Uploaded and exported files: one folder per process, so parallel test workers (pytest -n) never write
# the same job's file (each worker's database numbers its jobs from 1).
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), f"reportsite-test-media-{os.getpid()}")

# PostgreSQL: a test's commit need not wait for the disk (a crash of the server loses nothing a test
# needs). The suite spent about half its time waiting on those flushes; the data are the same.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
