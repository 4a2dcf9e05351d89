"""The change log of a report. Services write it; nothing here is ever changed afterwards except
that repeated autosaves of one section by one person within a few minutes merge into one entry."""

import datetime

from django.db.models import Subquery
from django.utils import timezone

from .models import AuditEntry, Visibility

MERGE_WINDOW = datetime.timedelta(minutes=10)


def record(*, report, kind, target, old, new, actor, visibility=Visibility.UNIT, merge=False):
    """Record one change and return the new entry. With ``merge``, a change following the same person's
    change of the same thing within the window updates that entry's new value instead (autosave every few
    seconds) and None is returned."""
    now = timezone.now()
    old, new = "" if old is None else str(old), "" if new is None else str(new)
    if old == new:
        return None
    if merge:
        # One statement: the latest entry for this target takes the new value if it is the same
        # person's and recent; only the first save of a run of autosaves inserts.
        latest = AuditEntry.objects.filter(report=report, kind=kind, target=target).order_by("-at", "-pk")
        merged = AuditEntry.objects.filter(
            pk=Subquery(latest.values("pk")[:1]), actor=actor, at__gt=now - MERGE_WINDOW
        ).update(new=new, at=now)
        if merged:
            return None
    made = change_entry(
        report=report, kind=kind, target=target, old=old, new=new, actor=actor, visibility=visibility, at=now
    )
    made.save()
    return made


def change_entry(*, report, kind, target, old, new, actor, visibility=Visibility.UNIT, at=None) -> AuditEntry | None:
    """One change's entry, not yet saved (None when nothing changed): for a service that records many
    changes at once, in one statement (``AuditEntry.objects.bulk_create``)."""
    old, new = "" if old is None else str(old), "" if new is None else str(new)
    if old == new:
        return None
    return AuditEntry(
        report=report,
        kind=kind,
        target=target,
        old=old,
        new=new,
        actor=actor,
        at=at or timezone.now(),
        visibility=visibility,
    )
