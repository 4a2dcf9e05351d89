"""Accounts by invitation: nobody types a password for someone else. A new account has no usable
password; its owner gets an e-mail with a one-time link (valid INVITATION_VALID_DAYS days) to
choose one. The link dies once the password is set, and when a newer invitation is sent."""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.text import format_number

from .models import Invitation, Role

log = logging.getLogger(__name__)


def valid_days() -> int:
    return int(getattr(settings, "INVITATION_VALID_DAYS", 7))


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens (bound to the password hash and the last log-in, so used once), under
    a salt of their own and with the invitation's own lifetime."""

    key_salt = "units.invitations.InvitationTokenGenerator"

    def state(self, user, token) -> str:
        """ "valid", "expired" (a genuine link, too old), "used" (the password is set) or "invalid"
        (mistyped, or replaced by a newer invitation)."""
        if user is None or not token:
            return "invalid"
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return "invalid"
        secrets = [self.secret, *self.secret_fallbacks]
        # A link sent before the mark was added ("ts-hash") still works while it is valid.
        genuine = any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, s), token)
            or constant_time_compare(
                super(InvitationTokenGenerator, self)._make_token_with_timestamp(user, ts, s), token
            )
            for s in secrets
        )
        if not genuine:
            # "Used" only for a link this site made for this account (its last part does not depend on
            # the password): a made-up link must not tell who has set a password.
            made_here = any(
                constant_time_compare(self._issued_mark(user, ts, s), _hash.split(".")[-1]) for s in secrets
            )
            return "used" if made_here and user.has_usable_password() else "invalid"
        if self._num_seconds(self._now()) - ts > valid_days() * 86400:
            return "expired"
        return "valid"

    def _issued_mark(self, user, timestamp: int, secret) -> str:
        """A mark of the account and the time alone, not of the password: it proves the site made the
        link even after the password it was bound to has changed."""
        return salted_hmac(
            f"{self.key_salt}.issued", f"{user.pk}:{timestamp}", secret=secret, algorithm=self.algorithm
        ).hexdigest()[::4]

    def _make_token_with_timestamp(self, user, timestamp, secret):
        token = super()._make_token_with_timestamp(user, timestamp, secret)
        return f"{token}.{self._issued_mark(user, timestamp, secret)}"

    def check_token(self, user, token):
        return self.state(user, token) == "valid"


invitation_tokens = InvitationTokenGenerator()


def awaiting_invitation(queryset=None):
    """Active accounts with an e-mail address and no usable password: they cannot log in until
    their owner sets a password through an invitation."""
    User = get_user_model()
    qs = User.objects.all() if queryset is None else queryset
    return qs.filter(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX).exclude(email="")


def not_yet_invited():
    """Accounts awaiting an invitation that were never sent one."""
    return awaiting_invitation().filter(invitations__isnull=True)


@dataclass
class InviteResult:
    sent: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (user, reason)


def _link(user, token) -> str:
    # The page is the project's (reportsite/urls.py); its name is the contract.
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.SITE_URL + reverse("invitation_accept", kwargs={"uidb64": uid, "token": token})


def _message(user, link: str, units: list[str]) -> tuple[str, str]:
    # The site's language, whoever sends it (a command run under another locale too).
    with translation.override(settings.LANGUAGE_CODE):
        return _message_text(user, link, units)


def _message_text(user, link: str, units: list[str]) -> tuple[str, str]:
    name = f"{user.last_name} {user.first_name}".strip() or user.get_username()
    until = timezone.localtime() + datetime.timedelta(days=valid_days())
    subject = _("[Mid-term report] Set the password of your account %(username)s") % {"username": user.get_username()}
    lines = [
        _("Hello %(name)s,") % {"name": name},
        "",
        _(
            "An account has been made for you on the mid-term union report site. To log in, first choose "
            "your own password by opening this link:"
        ),
        "",
        link,
        "",
        _("User name: %(username)s") % {"username": user.get_username()},
    ]
    if units:
        lines.append(_("Roles: %(units)s") % {"units": "; ".join(units)})
    lines += [
        "",
        _(
            "The link works once, for %(days)s days (until %(date)s). If it has expired, open it anyway and ask "
            "for a new one, or ask your administrator to send the invitation again."
        )
        % {"days": valid_days(), "date": formats.date_format(until, "d/m/Y")},
        _("If you were not expecting this message, ignore it: nobody can use the account without the link."),
    ]
    return subject, "\n".join(lines) + "\n"


@transaction.atomic
def users_invite(*, users, actor=None, resend: bool = False) -> InviteResult:
    """Send each user an invitation to choose their password, recorded with who sent it. Skips
    (with the reason) accounts that already have a password, have no e-mail or are inactive, and,
    unless ``resend``, those already invited. Sending again voids the earlier links. The e-mails
    leave once the transaction commits."""
    User = get_user_model()
    # The accounts as they are now, locked: a password set since the caller read them (by its owner,
    # through an earlier link) is seen here and never replaced by a new unusable one.
    given = list(users)
    locked = User.objects.select_for_update().order_by("pk").in_bulk([u.pk for u in given])
    users = [locked[u.pk] for u in given if u.pk in locked]
    result = InviteResult()
    invited = set(Invitation.objects.filter(user__in=users).values_list("user_id", flat=True).distinct())
    roles: dict[int, list[str]] = {}
    for user_id, unit_name, role in (
        User.objects.filter(pk__in=[u.pk for u in users])
        .filter(memberships__isnull=False)
        .values_list("pk", "memberships__unit__name", "memberships__role")
    ):
        roles.setdefault(user_id, []).append(f"{Role(role).label.split('(')[0].strip()} – {unit_name}")
    to_send = []
    for user in users:
        if not user.is_active:
            result.skipped.append((user, _("the account is inactive")))
        elif user.has_usable_password():
            result.skipped.append((user, _("already has a password")))
        elif not user.email:
            result.skipped.append((user, _("no e-mail address")))
        elif user.pk in invited and not resend:
            result.skipped.append((user, _("already invited")))
        else:
            to_send.append(user)
    renewed = [u for u in to_send if u.pk in invited]
    for user in renewed:
        # A new unusable password changes what the tokens are bound to: the older links die. Only while
        # the account still has none (the lock above keeps it so; the condition says it in the statement).
        user.set_unusable_password()
        User.objects.filter(pk=user.pk, password__startswith=UNUSABLE_PASSWORD_PREFIX).update(password=user.password)
    Invitation.objects.bulk_create([Invitation(user=u, sent_by=actor if actor and actor.pk else None) for u in to_send])
    mails = []
    for user in to_send:
        subject, body = _message(user, _link(user, invitation_tokens.make_token(user)), roles.get(user.pk, []))
        mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
        log.info("invitation sent to %s by %s", user.get_username(), actor)
    result.sent = to_send
    if mails:
        transaction.on_commit(lambda: _send(mails))
    return result


def _send(mails):
    try:
        send_mass_mail(mails, fail_silently=False)
    except Exception:
        log.exception("could not send %d invitation e-mails", len(mails))


@transaction.atomic
def invitation_accept(*, user) -> None:
    """Record that ``user`` has set their password through their invitation."""
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=timezone.now())
    log.info("invitation accepted by %s", user.get_username())


INVITE_CHUNK = 200  # accounts per transaction (and per connection to the mail server)


def invite_chunks(job, step, user_ids: list[int], *, resend: bool) -> str:
    """Background job's part (units.jobs): invite ``user_ids`` INVITE_CHUNK at a time, each chunk one
    transaction recorded with the job's progress; its e-mails leave when it commits. Run again, it
    skips those already invited (unless ``resend``: the administrator asked to send again). Returns
    what came of it, in words."""
    User = get_user_model()
    ids = sorted(set(user_ids))
    sent, skipped = 0, {}
    step.advance(done=0, total=len(ids))
    for start in range(0, len(ids), INVITE_CHUNK):
        with transaction.atomic():
            chunk = User.objects.filter(pk__in=ids[start : start + INVITE_CHUNK]).order_by("pk")
            result = users_invite(users=chunk, actor=job.created_by, resend=resend)
            sent += len(result.sent)
            for _user, reason in result.skipped:
                skipped[reason] = skipped.get(reason, 0) + 1
            step.advance(done=min(len(ids), start + INVITE_CHUNK), state={"sent": sent})
    lines = [
        ngettext("%(count)s invitation was sent.", "%(count)s invitations were sent.", sent)
        % {"count": format_number(sent)}
    ]
    for reason, count in sorted(skipped.items()):
        lines.append(
            ngettext("Not sent to %(count)s account: %(reason)s.", "Not sent to %(count)s accounts: %(reason)s.", count)
            % {"count": format_number(count), "reason": reason}
        )
    return "\n".join(lines)


def invite_work(job, step) -> str:
    """The job of the account list's "Send the invitation" action: the accounts it was given."""
    return invite_chunks(job, step, job.params.get("users", []), resend=bool(job.params.get("resend")))
