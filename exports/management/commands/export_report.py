from exports.docx import build_report_docx
from exports.selectors import report_document
from exports.xlsx import build_report_xlsx

from ._export import ExportCommand


class Command(ExportCommand):
    help = "Write one unit's report as Word (docx) or its appendix as Excel (xlsx)."
    builders = {
        "docx": lambda report: build_report_docx(report_document(report)),
        "xlsx": lambda report: build_report_xlsx(report_document(report)),
    }
    what = "report"
