"""gunicorn, as production runs it and as `make bench` measures it: `gunicorn reportsite.wsgi -c gunicorn.conf.py`.

Threaded workers: a connection that is open but has not sent its request yet (a slow phone, a browser
keeping it for later) waits in the worker's poller instead of holding a whole worker, so the site stays
quick with or without a buffering proxy in front. Two workers per core plus one, four threads each."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A browser (or wrk's simulated user) thinking between two pages keeps its connection this long.
keepalive = 5
# Exports of a big unit can take a few seconds; longer than this is a fault, not a slow page.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Recycle workers now and then so a slow leak in a library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
