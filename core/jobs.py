"""What background jobs of every kind share: the heartbeat that tells a live job from one whose worker died."""

import logging
import threading

from django.db import DatabaseError, connection
from django.utils import timezone

log = logging.getLogger(__name__)


class Heartbeat:
    """A thread that marks a running job alive (``heartbeat_at`` of the rows ``running`` selects) every
    ``seconds`` while the worker's main thread works, however long one step of it takes; it stops with
    the job, and with the process when that is killed (a daemon thread): a job whose beats stop is one
    whose worker is gone."""

    def __init__(self, running, *, seconds: float, name: str):
        self.running = running  # a queryset: the job's row while it is still running
        self.seconds = seconds
        self.name = name
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"{name}-heartbeat", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join()

    def _beat(self):
        try:
            while not self.stopped.wait(self.seconds):
                try:
                    self.running.update(heartbeat_at=timezone.now())
                except DatabaseError:
                    # A busy database: the next beat will do (the limit allows several to be missed).
                    log.warning("%s: heartbeat not recorded", self.name, exc_info=True)
        finally:
            connection.close()  # this thread's own connection
