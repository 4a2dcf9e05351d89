"""gunicorn, as production runs it and as `make bench` measures it: `gunicorn reportsite.wsgi -c gunicorn.conf.py`.

Sync workers behind nginx (which buffers slow clients); two per core plus one, as gunicorn advises."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Exports of a big unit can take a few seconds; longer than this is a fault, not a slow page.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Recycle workers now and then so a slow leak in a library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
