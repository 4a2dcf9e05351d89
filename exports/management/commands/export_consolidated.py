from exports.docx import build_consolidated_docx
from exports.xlsx import build_consolidated_xlsx

from ._export import ExportCommand


class Command(ExportCommand):
    help = "Write a superior union's consolidated report (docx) or workbook (xlsx) for a round."
    builders = {"docx": build_consolidated_docx, "xlsx": build_consolidated_xlsx}
    what = "consolidated"
