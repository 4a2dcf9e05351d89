"""The appendix as an Excel template to fill offline, and reading it back, checked cell by cell."""

import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter

from core.text import nfc
from core.workbook import APPENDIX_LIMITS, WorkbookRefused, open_workbook
from core.workbook import check_workbook_limits as _check_limits
from indicators.derived import excel_formula
from indicators.figures import NotANumber, check_cell, check_parts, column_label, parse_number
from indicators.models import PREVIOUS, START, TARGET

from .services import NOTE_MAX_CHARS

log = logging.getLogger(__name__)
MARKER = "reportsite-appendix"
TEMPLATE_VERSION = "1"
META_SHEET = "_meta"
HEADER_ROW = 5
FONT = "Times New Roman"
# The limits of the bounded reader (core/workbook.py) for the appendix template.
MAX_UNCOMPRESSED = APPENDIX_LIMITS.max_uncompressed
MAX_RATIO = APPENDIX_LIMITS.max_ratio
MAX_MEMBERS = APPENDIX_LIMITS.max_members
MAX_STYLE_ENTRIES = APPENDIX_LIMITS.max_style_entries
MAX_PART_BYTES = APPENDIX_LIMITS.max_part_bytes
MAX_SHEETS = APPENDIX_LIMITS.max_sheets
FORMULA_START = ("=", "+", "-", "@")
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def number_format(decimals: int) -> str:
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def _columns(years):
    return [TARGET, START, *(str(y) for y in years), PREVIOUS]


def _header(years):
    return [
        _("No."),
        _("Code"),
        _("Indicator"),
        _("Unit"),
        *[column_label(c) for c in _columns(years)],
        _("Note"),
    ]


def _set_text(cell, value):
    # A text starting with =, +, -, @ stays text: spreadsheets must not run it as a formula.
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def build_template(report, rows) -> bytes:
    """The report's appendix as an XLSX to fill offline: label cells locked, figure cells open,
    the report's current figures filled in, ratios as formulas; a hidden sheet names the template."""
    round_ = report.round
    years = round_.data_years
    columns = _columns(years)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Appendix")
    normal, bold = Font(name=FONT, size=12), Font(name=FONT, size=12, bold=True)
    ws["A1"] = _("APPENDIX: RESULTS ON THE TARGETS")
    ws["A1"].font = Font(name=FONT, size=13, bold=True)
    _set_text(ws["A2"], _("Unit: %(unit)s") % {"unit": report.unit.name})
    _set_text(
        ws["A3"],
        _("%(round)s — figures up to %(cutoff)s")
        % {"round": round_.name, "cutoff": formats.date_format(round_.cutoff_date, "d/m/Y")},
    )
    ws["A4"] = _("Type figures in the white cells only. 1.234,5 and 1234.5 are both read.")
    for cell in ("A2", "A3", "A4"):
        ws[cell].font = normal
    header = _header(years)
    for index, text in enumerate(header, 1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=text)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = BORDER
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    first_value_col = 5
    row_of = {}
    r = HEADER_ROW
    for number, row in enumerate(rows, 1):
        r += 1
        row_of[row.indicator.pk] = r
        indicator = row.indicator
        ws.cell(row=r, column=1, value=number)
        ws.cell(row=r, column=2, value=indicator.code)
        _set_text(ws.cell(row=r, column=3), indicator.name)
        _set_text(ws.cell(row=r, column=4), indicator.unit_of_measure)
        fmt = number_format(indicator.decimals)
        for offset, column in enumerate(columns):
            cell = ws.cell(row=r, column=first_value_col + offset)
            cell.number_format = fmt
            if not indicator.is_computed:
                value = row.value(column)
                cell.value = (
                    int(value)
                    if value is not None and indicator.decimals == 0
                    else (float(value) if value is not None else None)
                )
                cell.protection = Protection(locked=False)
        note = ws.cell(row=r, column=first_value_col + len(columns))
        _set_text(note, row.note or None)
        note.protection = Protection(locked=False)
    # Ratio rows: formulas over their numerator and denominator rows, from the same Definitions the
    # site computes them with (indicators/derived.py).
    col_of = {column: first_value_col + offset for offset, column in enumerate(columns)}

    def ref(indicator_id, column):
        if indicator_id not in row_of:
            return '""'
        return f"{get_column_letter(col_of[column])}{row_of[indicator_id]}"

    for row in rows:
        if row.indicator.is_computed:
            for column in columns:
                expr = row.definitions.columns[column]
                ws.cell(row=row_of[row.indicator.pk], column=col_of[column]).value = excel_formula(expr, ref)
    last_col = first_value_col + len(columns)
    for row_cells in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=r, max_col=last_col):
        for cell in row_cells:
            cell.font = normal
            cell.border = BORDER
            if cell.protection.locked:
                cell.fill = PatternFill("solid", fgColor="F2F2F2")
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 48
    ws.column_dimensions["D"].width = 14
    for col in range(first_value_col, last_col):
        ws.column_dimensions[get_column_letter(col)].width = 13
    ws.column_dimensions[get_column_letter(last_col)].width = 30
    for row_cells in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=r, min_col=3, max_col=3):
        row_cells[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=first_value_col)
    ws.protection.sheet = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    meta = wb.create_sheet(META_SHEET)
    for index, value in enumerate(
        [MARKER, TEMPLATE_VERSION, round_.code, report.unit.code, round_.outline_version.code], 1
    ):
        _set_text(meta.cell(row=index, column=1), value)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# One refusal for every upload: the views catch this one name.
UploadRefused = WorkbookRefused


@dataclass
class UploadResult:
    cells: dict[tuple[int, str], Decimal | None] = field(default_factory=dict)
    notes: dict[int, tuple[str, None]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    read: int = 0


def check_workbook_limits(data: bytes) -> None:
    """The bounded reader's checks with the appendix's limits. Raises UploadRefused."""
    _check_limits(data, APPENDIX_LIMITS)


def read_upload(data: bytes, *, report, indicators) -> UploadResult:
    """Read a filled template. Every figure is checked by the catalogue's rules; errors are
    listed by row and column. Raises UploadRefused when the file is not this round's template,
    or when it is over the limits of check_workbook_limits."""
    wb = open_workbook(data, APPENDIX_LIMITS)
    try:
        return _read(wb, report=report, indicators=indicators)
    except UploadRefused:
        raise
    except Exception:
        # Read-only workbooks parse their sheets lazily, while _read iterates: a damaged sheet (cut
        # short, bad XML, a corrupt zip member) fails only here, and is the user's file, not a bug.
        log.info("unreadable appendix upload for report %s", report.pk, exc_info=True)
        raise UploadRefused(_("The file could not be read as an Excel workbook.")) from None
    finally:
        wb.close()


def _read(wb, *, report, indicators) -> UploadResult:
    round_ = report.round
    if META_SHEET not in wb.sheetnames:
        raise UploadRefused(_("This file is not the appendix template downloaded from this site."))
    meta = [row[0] for row in wb[META_SHEET].iter_rows(min_row=1, max_row=5, max_col=1, values_only=True)]
    if len(meta) < 5 or meta[0] != MARKER or meta[1] != TEMPLATE_VERSION:
        raise UploadRefused(_("This file is not the appendix template downloaded from this site."))
    if meta[2] != round_.code or meta[4] != round_.outline_version.code:
        raise UploadRefused(_("This template belongs to another reporting round (%(code)s).") % {"code": meta[2]})
    if meta[3] != report.unit.code:
        raise UploadRefused(_("This template belongs to another unit (%(code)s).") % {"code": meta[3]})
    ws = wb[wb.sheetnames[0]]
    years = round_.data_years
    columns = _columns(years)
    expected = _header(years)
    header = next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True), ())
    if [str(h or "").strip() for h in header[: len(expected)]] != expected:
        raise UploadRefused(_("The columns of the template have been changed; download it again."))

    by_code = {i.code: i for i in indicators}
    result = UploadResult()
    parsed: dict[tuple[int, str], Decimal | None] = {}
    where: dict[tuple[int, str], str] = {}
    note_col = 4 + len(columns)
    for r, values in enumerate(
        ws.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + 500, max_col=note_col + 1, values_only=True),
        HEADER_ROW + 1,
    ):
        code = values[1] if len(values) > 1 else None
        indicator = by_code.get(str(code).strip()) if code else None
        if indicator is None or indicator.is_computed:
            continue
        result.read += 1
        for offset, column in enumerate(columns):
            raw = values[4 + offset] if len(values) > 4 + offset else None
            position = _("Row %(row)s, column %(letter)s (%(label)s)") % {
                "row": r,
                "letter": get_column_letter(5 + offset),
                "label": column_label(column),
            }
            key = (indicator.pk, column)
            where[key] = position
            if isinstance(raw, str) and raw.strip().startswith("="):
                result.errors.append(f"{position}: " + _("a formula; type the figure itself."))
                continue
            try:
                value = parse_number(raw)
            except NotANumber:
                result.errors.append(f"{position}: " + _("“%(text)s” is not a number.") % {"text": str(raw)[:40]})
                continue
            if message := check_cell(indicator, value):
                result.errors.append(f"{position}: {message}")
                continue
            parsed[key] = value
        note = values[note_col] if len(values) > note_col else None
        note = str(note).strip() if note is not None else ""
        if len(nfc(note).strip()) > NOTE_MAX_CHARS:
            # Listed with the other errors: the save would refuse it, and the page say "saved".
            position = _("Row %(row)s, column %(letter)s (%(label)s)") % {
                "row": r,
                "letter": get_column_letter(note_col + 1),
                "label": _("Note"),
            }
            result.errors.append(f"{position}: " + _("At most %(limit)s characters.") % {"limit": NOTE_MAX_CHARS})
            continue
        result.notes[indicator.pk] = (note, None)
    for clash in check_parts(indicators, parsed):
        key = (clash.part.pk, clash.column)
        result.errors.append(f"{where[key]}: {clash.message(on_part=True)}")
        parsed.pop(key)
    result.cells = parsed
    return result
