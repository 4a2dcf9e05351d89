from exports.docx import CONSOLIDATED_PARTS, build_consolidated_docx
from exports.selectors import consolidated
from exports.xlsx import build_consolidated_xlsx

from ._export import ExportCommand


class Command(ExportCommand):
    help = (
        "Write a superior union's consolidated report (docx) or workbook (xlsx) for a round: submitted and "
        "approved reports only, unless --include-drafts."
    )
    what = "consolidated"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--include-drafts", action="store_true", help="also the drafts, each marked as one")
        parser.add_argument(
            "--part", default="full", choices=CONSOLIDATED_PARTS, help="Word: full, report (no annex) or annex"
        )

    def handle(self, *args, include_drafts=False, part="full", **options):
        self.builders = {
            "docx": lambda report: build_consolidated_docx(
                consolidated(report, include_drafts=include_drafts, part=part), part=part
            ),
            "xlsx": lambda report: build_consolidated_xlsx(
                consolidated(report, include_drafts=include_drafts, proposals=False)
            ),
        }
        super().handle(*args, **options)
