"""What export_report and export_consolidated share: find the report by codes, write the file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.models import Report


class ExportCommand(BaseCommand):
    builders: dict = {}
    what = ""

    def add_arguments(self, parser):
        parser.add_argument("round", help="the round's code, e.g. GNK-2018-2023")
        parser.add_argument("unit", help="the unit's code, e.g. CDCS-MHB")
        parser.add_argument("--format", required=True, help="docx or xlsx")
        parser.add_argument("--output", required=True, type=Path, help="the file to write")

    def handle(self, *args, round, unit, format, output, **options):
        if format not in self.builders:
            raise CommandError(f"Định dạng không hợp lệ: {format!r}. Chọn docx hoặc xlsx.")
        report = (
            Report.objects.select_related("round", "unit", "unit__parent")
            .filter(round__code=round, unit__code=unit)
            .first()
        )
        if report is None:
            raise CommandError(
                f"Không có báo cáo của đơn vị {unit!r} trong đợt {round!r}: kiểm tra lại mã đợt và mã đơn vị."
            )
        data = self.builders[format](report)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        self.stdout.write(f"{self.what} {report.unit.code} {format}: {output} ({len(data):,} bytes)")
