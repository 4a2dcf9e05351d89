from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.codes import code_report
from units.models import Unit


class Command(BaseCommand):
    help = gettext_lazy(
        "List unit codes that are twins of one another in their folded form (case, accents, Đ/D), which "
        "the upgrade refuses, and the codes it would rewrite. Changes nothing."
    )

    def handle(self, *args, **options):
        report = code_report(Unit.objects.order_by("pk").values_list("pk", "code", "name").iterator())
        if report.renames:
            self.stdout.write(report.renames_text())
        if report.unfoldable:
            self.stdout.write(report.unfoldable_text())
        if report.twins:
            raise CommandError(report.twins_text())
        self.stdout.write(_("No two units share a code."))
