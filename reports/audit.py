"""The change log of a report. Services write it; nothing here is ever changed afterwards except
that repeated autosaves of one section by one person within a few minutes merge into one entry."""

import datetime

from django.utils import timezone

from .models import AuditEntry, Visibility

MERGE_WINDOW = datetime.timedelta(minutes=10)


def record(*, report, kind, target, old, new, actor, visibility=Visibility.UNIT, merge=False):
    """Record one change. With ``merge``, a change following the same person's change of the same
    thing within the window updates that entry's new value (autosave every few seconds)."""
    now = timezone.now()
    old, new = "" if old is None else str(old), "" if new is None else str(new)
    if old == new:
        return None
    if merge:
        last = AuditEntry.objects.filter(report=report, kind=kind, target=target).order_by("-at", "-pk").first()
        if last and last.actor_id == (actor.pk if actor else None) and now - last.at < MERGE_WINDOW:
            last.new, last.at = new, now
            last.save(update_fields=["new", "at"])
            return last
    return AuditEntry.objects.create(
        report=report,
        kind=kind,
        target=target,
        old=old,
        new=new,
        actor=actor,
        at=now,
        visibility=visibility,
    )
