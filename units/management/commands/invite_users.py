"""python manage.py invite_users [--resend] [USERNAME ...]"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from units.invitations import awaiting_invitation, not_yet_invited, users_invite


class Command(BaseCommand):
    help = "E-mail an invitation to choose a password to the accounts not yet invited."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="only these accounts")
        parser.add_argument(
            "--resend",
            action="store_true",
            help="also those already invited who have not set a password yet (their earlier links stop working)",
        )

    def handle(self, *args, usernames=(), resend=False, **options):
        translation.activate(settings.LANGUAGE_CODE)
        User = get_user_model()
        if usernames:
            users = list(User.objects.filter(**{f"{User.USERNAME_FIELD}__in": usernames}))
            missing = set(usernames) - {u.get_username() for u in users}
            if missing:
                raise CommandError(_("No such user name: %(names)s") % {"names": ", ".join(sorted(missing))})
        else:
            users = list((awaiting_invitation() if resend else not_yet_invited()).order_by("pk"))
        result = users_invite(users=users, actor=None, resend=resend)
        for user, reason in result.skipped:
            self.stdout.write(_("Not sent to %(name)s: %(reason)s.") % {"name": user.get_username(), "reason": reason})
        self.stdout.write(_("%(count)s invitations sent.") % {"count": len(result.sent)})
