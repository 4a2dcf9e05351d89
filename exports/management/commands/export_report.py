from exports.docx import build_report_docx
from exports.xlsx import build_report_xlsx

from ._export import ExportCommand


class Command(ExportCommand):
    help = "Write one unit's report as Word (docx) or its appendix as Excel (xlsx)."
    builders = {"docx": build_report_docx, "xlsx": build_report_xlsx}
    what = "report"
