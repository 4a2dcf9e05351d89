"""In-site notifications and their e-mails, sent once the transaction that caused them commits."""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from units.invitations import not_yet_invited, users_invite

from .models import Notification

log = logging.getLogger(__name__)


def notify(users, *, report, kind: str, message: str, url: str = "", key: str = "", exclude=None) -> int:
    """Add ``message`` to each user's list and e-mail those with an address. With ``key``, a user
    who already had that notification is skipped (reminders run daily). Returns how many."""
    recipients = [u for u in users if exclude is None or u.pk != exclude.pk]
    made = []
    for user in recipients:
        try:
            with transaction.atomic():
                made.append(
                    Notification.objects.create(user=user, report=report, kind=kind, message=message, url=url, key=key)
                )
        except IntegrityError:
            continue
    mails = [
        (
            _("[Mid-term report] %(message)s") % {"message": _subject(message)},
            f"{message}\n\n{settings.SITE_URL}{url}\n",
            settings.DEFAULT_FROM_EMAIL,
            [n.user.email],
        )
        for n in made
        if n.user.email
    ]
    if mails:
        transaction.on_commit(lambda: _send(mails))
    return len(made)


def _subject(message: str, limit: int = 80) -> str:
    """The message shortened for a subject line at a word's end, with an ellipsis (not cut mid-word)."""
    message = " ".join(message.split())
    if len(message) <= limit:
        return message
    return message[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _send(mails):
    try:
        send_mass_mail(mails, fail_silently=False)
    except Exception:
        log.exception("could not send %d notification e-mails", len(mails))


def notify_each(entries, *, kind: str, batch_size: int = 1000) -> int:
    """In-site notifications for many reports at once, each to its own people: ``entries`` are (user,
    report, message, url). Written in batches (a round opening tells thousands of drafters), each keyed
    to its report so it is never made twice. No e-mail here: thousands of them do not fit in a web
    request; the caller queues ``mail_notifications`` as a background task. Returns how many were made."""
    rows = [
        Notification(user=user, report=report, kind=kind, message=message, url=url, key=f"{kind}:{report.pk}")
        for user, report, message, url in entries
    ]
    Notification.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    return len(rows)


def mail_notifications(*, kind: str, report_ids: list[int], batch_size: int = 200) -> int:
    """E-mail the ``kind`` notifications of these reports to those of their users with an address,
    ``batch_size`` reports at a time, each batch over one connection. A batch that fails is logged and
    the next one still goes. Returns how many e-mails were sent."""
    sent = 0
    ids = sorted(set(report_ids))
    for start in range(0, len(ids), batch_size):
        notifications = (
            Notification.objects.filter(kind=kind, report_id__in=ids[start : start + batch_size])
            .exclude(user__email="")
            .select_related("user")
            .order_by("pk")
        )
        mails = [
            (
                _("[Mid-term report] %(message)s") % {"message": _subject(n.message)},
                f"{n.message}\n\n{settings.SITE_URL}{n.url}\n",
                settings.DEFAULT_FROM_EMAIL,
                [n.user.email],
            )
            for n in notifications
        ]
        try:
            sent += send_mass_mail(mails, fail_silently=False) if mails else 0
        except Exception:
            log.exception("could not send %d %s e-mails", len(mails), kind)
    return sent


def invite_the_uninvited(*, report_ids: list[int]) -> int:
    """Invite the people told of these new reports whose accounts were made without an invitation (the
    units import's "when the round opens"): before the round's own e-mail, the one that lets them log in.
    Those invited before, or with a password, are left alone. Returns how many were invited."""
    users = not_yet_invited().filter(
        pk__in=Notification.objects.filter(kind="round_open", report_id__in=report_ids).values("user_id")
    )
    with transaction.atomic():
        return len(users_invite(users=users, actor=None).sent)
