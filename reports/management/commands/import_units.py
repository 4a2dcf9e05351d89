"""python manage.py import_units FILE.xlsx [--dry-run] | import_units --template OUT.xlsx

In the reports app: a file that moves units also rebuilds the roll-up totals of the rounds below them."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from core.workbook import WorkbookRefused
from reports.reorganisation import units_import_apply
from units.imports import ImportInvalid, build_template
from units.invitations import users_invite


class Command(BaseCommand):
    help = "Import units and their people from an Excel file (the same checks as the admin's Nhập từ Excel)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the filled template (.xlsx)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and say what it would do")
        parser.add_argument("--template", metavar="OUT", help="write the empty template to OUT and stop")
        parser.add_argument("--invite", action="store_true", help="e-mail the new accounts their invitations")

    def handle(self, *args, file=None, dry_run=False, template=None, invite=False, **options):
        translation.activate(settings.LANGUAGE_CODE)
        if template:
            Path(template).write_bytes(build_template())
            self.stdout.write(_("Template written to %(path)s.") % {"path": template})
            return
        if not file:
            raise CommandError(_("Name the file to import, or --template OUT.xlsx."))
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        if path.stat().st_size > settings.UPLOAD_MAX_BYTES:
            raise CommandError(_("The file is too large (at most 2 MB)."))
        try:
            plan = units_import_apply(data=path.read_bytes(), dry_run=dry_run)
        except WorkbookRefused as exc:
            raise CommandError(exc.message) from None
        except ImportInvalid as exc:
            for error in exc.plan.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("Nothing was imported: %(count)s errors in the file.") % {"count": len(exc.plan.errors)}
            ) from None
        for line in plan.units:
            if line.action != "unchanged":
                self.stdout.write(f"{line.action_label}: {line.code} {line.name}")
        counts = plan.counts
        summary = (
            _(
                "%(rows)s rows: %(created)s units created, %(changed)s changed, %(moved)s moved, %(unchanged)s "
                "unchanged; %(new_users)s new accounts, %(new_roles)s new roles."
            )
            % counts
        )
        self.stdout.write(summary)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        elif counts["new_users"] and invite:
            User = get_user_model()
            usernames = sorted({p.username for p in plan.people if p.new_user})
            result = users_invite(users=User.objects.filter(**{f"{User.USERNAME_FIELD}__in": usernames}))
            self.stdout.write(_("%(count)s invitations sent.") % {"count": len(result.sent)})
        elif counts["new_users"]:
            self.stdout.write(_("Send the new accounts their invitations: python manage.py invite_users"))
