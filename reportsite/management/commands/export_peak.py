"""Time and peak memory of one consolidated export of the largest round in the database, in a process of
its own (run it once per format): what issue 11's memory goals are measured with.

    python manage.py seed_demo --units 10000        # on PostgreSQL: DATABASE_URL=postgres://…
    python manage.py export_peak docx
    python manage.py export_peak xlsx
"""

import resource
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from exports.docx import build_consolidated_docx
from exports.selectors import consolidated
from exports.xlsx import build_consolidated_xlsx
from reports.models import Report, Round


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


class Command(BaseCommand):
    help = "Time and peak memory (RSS) of the consolidated Word or Excel file of the largest round."

    def add_arguments(self, parser):
        parser.add_argument("format", choices=["docx", "xlsx"])

    def handle(self, *args, format, **options):
        round_ = Round.objects.annotate(units=Count("reports")).order_by("-units").first()
        if round_ is None:
            raise CommandError("Chưa có đợt báo cáo nào: chạy seed_demo --units 10000 trước.")
        own = Report.objects.select_related("round", "unit", "unit__parent").get(
            round=round_, unit=round_.organising_unit
        )
        before = _peak_mb()
        started = time.perf_counter()
        data = consolidated(own)
        made = build_consolidated_docx(data) if format == "docx" else build_consolidated_xlsx(data)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{format} units={round_.units} seconds={elapsed:.1f} peak_rss_mb={_peak_mb():.0f} "
            f"(before the export {before:.0f}) file_mb={len(made) / 1e6:.1f}"
        )
