"""The shared cache (Redis) as an optimisation only: while Redis cannot be reached, each call is answered
from this process's memory instead, as the site does without REDIS_URL (reportsite/settings/base.py).

What the site caches is keyed by what it shows (a report's revision, the date, the language), and nothing is
ever invalidated by deleting a key, so an entry kept in memory while Redis is away, or one left in Redis from
before, is never stale. The counters of the password-reset and invitation limits are counted per worker
meanwhile: each worker still refuses past its limit (fail-safe), rather than sending without a limit
(fail-open) or refusing everyone a new password (fail-closed) because a cache went down.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# A Redis that refuses is known at once; one that accepts and stays silent (hung, or the network lost)
# costs at most these waits on one call, then RETRY_SECONDS of not asking.
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0
RETRY_SECONDS = 30

# When each Redis location may be tried again, per process (every thread's cache object shares it).
_down_until: dict[str, float] = {}


def _either(name):
    def call(self, *args, **kwargs):
        if time.monotonic() >= _down_until.get(self._location, 0.0):
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except RedisError as exc:
                _down_until[self._location] = time.monotonic() + RETRY_SECONDS
                # The error names host and port, never the URL's password.
                logger.warning("Redis unreachable (%s): this process's memory serves for %s s", exc, RETRY_SECONDS)
        return getattr(self._fallback, name)(*args, **kwargs)

    call.__name__ = name
    call.__doc__ = f"RedisCache.{name}, or this process's memory while Redis cannot be reached."
    return call


class FallbackRedisCache(RedisCache):
    """Django's Redis cache, with short socket timeouts, falling back to a per-process memory cache
    while Redis cannot be reached (refused, timed out, any Redis error), and trying Redis again every
    RETRY_SECONDS."""

    def __init__(self, server, params):
        options = {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": READ_TIMEOUT}
        options.update(params.get("OPTIONS", {}))
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = server if isinstance(server, str) else ",".join(server)
        self._fallback = LocMemCache(
            f"fallback:{self._location}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": 1000},
            },
        )

    add = _either("add")
    get = _either("get")
    set = _either("set")
    touch = _either("touch")
    delete = _either("delete")
    get_many = _either("get_many")
    has_key = _either("has_key")
    incr = _either("incr")
    set_many = _either("set_many")
    delete_many = _either("delete_many")
    clear = _either("clear")
