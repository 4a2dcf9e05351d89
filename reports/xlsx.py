"""The review dashboard as a workbook; the appendix as an Excel template to fill offline, and reading it
back, checked cell by cell. Written with the site's workbook writer (documents.xlsx)."""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.utils import get_column_letter
from xlsxwriter.utility import xl_rowcol_to_cell

from core.text import nfc
from core.workbook import APPENDIX_LIMITS, WorkbookRefused, open_workbook
from core.workbook import check_workbook_limits as _check_limits
from documents.xlsx import HEADER, Book, write_formula, write_number, write_text
from indicators.derived import excel_formula
from indicators.figures import NotANumber, check_cell, check_parts, column_label, parse_number
from indicators.models import PREVIOUS, START, TARGET

from .services import NOTE_MAX_CHARS

log = logging.getLogger(__name__)
MARKER = "reportsite-appendix"
# Version 2 added the "Giải trình" column after "Ghi chú"; a version-1 file (no such column) is still read.
TEMPLATE_VERSION = "2"
TEMPLATE_VERSIONS = ("1", TEMPLATE_VERSION)
META_SHEET = "_meta"
HEADER_ROW = 5
# The limits of the bounded reader (core/workbook.py) for the appendix template.
MAX_UNCOMPRESSED = APPENDIX_LIMITS.max_uncompressed
MAX_RATIO = APPENDIX_LIMITS.max_ratio
MAX_MEMBERS = APPENDIX_LIMITS.max_members
MAX_STYLE_ENTRIES = APPENDIX_LIMITS.max_style_entries
MAX_PART_BYTES = APPENDIX_LIMITS.max_part_bytes
MAX_SHEETS = APPENDIX_LIMITS.max_sheets
FORMULA_START = ("=", "+", "-", "@")


def _columns(years):
    return [TARGET, START, *(str(y) for y in years), PREVIOUS]


def _header(years, version=TEMPLATE_VERSION, *, previous_whole_term=False):
    if version == "1":
        # Version 1 named the previous term's column without saying which figures it held.
        labels = [_("Previous term") if c == PREVIOUS else column_label(c) for c in _columns(years)]
    else:
        labels = [column_label(c, previous_whole_term=previous_whole_term) for c in _columns(years)]
    return [
        _("No."),
        _("Code"),
        _("Indicator"),
        _("Unit"),
        *labels,
        _("Note"),
        *([_("Explanation")] if version != "1" else []),
    ]


# How often the dashboard's workbook reports its progress (rows).
DASHBOARD_PROGRESS_ROWS = 500


def build_dashboard_xlsx(board, *, progress=None, out=None) -> bytes | None:
    """Every unit of the dashboard (reports.selectors.dashboard) and how far its report has come, one row
    each, read in chunks as the selector streams them. ``progress(done, total)`` is told every
    DASHBOARD_PROGRESS_ROWS rows; written to ``out`` (a binary file) when given, else returned as bytes."""
    total = board.rows.count() if progress else 0
    book = Book(out)
    ws = book.sheet(_("Units"), [16, 48, 16, 14, 12, 12, 18, 10], header_row=0, header_lines=2)
    header = [
        _("Code"),
        pgettext("organisation", "Unit"),
        _("Status"),
        _("Sections written"),
        _("Figures"),
        _("Open comments"),
        _("Last change"),
        _("Days left"),
    ]
    ws.write_row(0, 0, header, book.header)
    for r, row in enumerate(board.rows, 1):
        report = row.report
        write_text(ws, r, 0, report.unit.code)  # a unit name starting with "=" stays text
        write_text(ws, r, 1, report.unit.name)
        write_text(ws, r, 2, report.get_status_display())
        write_text(ws, r, 3, f"{row.written}/{board.writable_total}")
        write_text(ws, r, 4, f"{row.figures}/{board.typed_indicators}")
        write_number(ws, r, 5, row.open_comments)
        # A real date and time (dd/mm/yyyy hh:mm), which a spreadsheet sorts and filters as dates.
        if report.last_change:
            ws.write_datetime(r, 6, timezone.localtime(report.last_change).replace(tzinfo=None), book.moment)
        else:
            ws.write_blank(r, 6, None, book.moment)
        write_number(ws, r, 7, row.days_left)
        if progress and r % DASHBOARD_PROGRESS_ROWS == 0:
            progress(r, total + 1)
    data = book.close()
    if progress:
        progress(total + 1, total + 1)
    return data


def build_template(report, rows) -> bytes:
    """The report's appendix as an XLSX to fill offline: label cells locked, figure cells, notes and
    explanations (giải trình of an unusual figure) open, the report's current figures filled in, ratios as
    formulas; a hidden sheet names the template."""
    round_ = report.round
    years = round_.data_years
    columns = _columns(years)
    first_value_col = 4  # E (0-based)
    note_col = first_value_col + len(columns)
    header_row = HEADER_ROW - 1  # 0-based
    book = Book()
    ws = book.sheet(
        _("Appendix"), [5, 14, 48, 14] + [13] * len(columns) + [30, 30], header_row, frozen_cols=4, header_lines=2
    )
    write_text(ws, 0, 0, _("APPENDIX: RESULTS ON THE TARGETS"), book.title)
    # A text starting with =, +, -, @ stays text: spreadsheets must not run it as a formula.
    write_text(ws, 1, 0, _("Unit: %(unit)s") % {"unit": report.unit.name}, book.plain)
    write_text(
        ws,
        2,
        0,
        _("%(round)s — figures up to %(cutoff)s")
        % {"round": round_.name, "cutoff": formats.date_format(round_.cutoff_date, "d/m/Y")},
        book.plain,
    )
    write_text(ws, 3, 0, _("Type figures in the white cells only. 1.234,5 and 1234.5 are both read."), book.plain)
    whole = round_.period.previous_whole_term
    ws.write_row(header_row, 0, _header(years, previous_whole_term=whole), book.fmt(**HEADER, border=1))
    # Labels and computed figures locked on grey, typed figures and notes open on white.
    grey = {"bg_color": "#F2F2F2"}
    label, name = book.fmt(border=1, **grey), book.fmt(border=1, **grey, text_wrap=True, valign="top")
    note = book.fmt(border=1, locked=False)
    # Ratio rows: formulas over their numerator and denominator rows, from the same Definitions the
    # site computes them with (indicators/derived.py).
    row_of = {row.indicator.pk: header_row + 1 + i for i, row in enumerate(rows)}
    col_of = {column: first_value_col + offset for offset, column in enumerate(columns)}

    def ref(indicator_id, column):
        if indicator_id not in row_of:
            return '""'
        return xl_rowcol_to_cell(row_of[indicator_id], col_of[column])

    for number, row in enumerate(rows, 1):
        r = row_of[row.indicator.pk]
        indicator = row.indicator
        ws.write_number(r, 0, number, label)
        write_text(ws, r, 1, indicator.code, label)
        write_text(ws, r, 2, indicator.name, name)
        write_text(ws, r, 3, indicator.unit_of_measure, label)
        computed, typed = book.figure(indicator.decimals, **grey), book.figure(indicator.decimals, locked=False)
        for column in columns:
            if indicator.is_computed:
                formula = excel_formula(row.definitions.columns[column], ref)
                write_formula(ws, r, col_of[column], formula, row.value(column), computed)
            else:
                write_number(ws, r, col_of[column], row.value(column), typed)
        write_text(ws, r, note_col, row.note, note)
        write_text(ws, r, note_col + 1, row.explanation, note)
    ws.protect()

    meta = book.wb.add_worksheet(META_SHEET)
    names = [MARKER, TEMPLATE_VERSION, round_.code, report.unit.code, round_.outline_version.code]
    for index, value in enumerate(names):
        write_text(meta, index, 0, value)
    meta.very_hidden()
    meta.protect()
    return book.close()


# One refusal for every upload: the views catch this one name.
UploadRefused = WorkbookRefused


@dataclass
class UploadResult:
    cells: dict[tuple[int, str], Decimal | None] = field(default_factory=dict)
    notes: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # (note, explanation or None)
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
    if len(meta) < 5 or meta[0] != MARKER or meta[1] not in TEMPLATE_VERSIONS:
        raise UploadRefused(_("This file is not the appendix template downloaded from this site."))
    if meta[2] != round_.code or meta[4] != round_.outline_version.code:
        raise UploadRefused(_("This template belongs to another reporting round (%(code)s).") % {"code": meta[2]})
    if meta[3] != report.unit.code:
        raise UploadRefused(_("This template belongs to another unit (%(code)s).") % {"code": meta[3]})
    ws = wb[wb.sheetnames[0]]
    years = round_.data_years
    columns = _columns(years)
    version = meta[1]
    whole = round_.period.previous_whole_term
    expected = _header(years, version, previous_whole_term=whole)
    header = next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True), ())
    if [str(h or "").strip() for h in header[: len(expected)]] != expected:
        raise UploadRefused(_("The columns of the template have been changed; download it again."))

    by_code = {i.code: i for i in indicators}
    result = UploadResult()
    parsed: dict[tuple[int, str], Decimal | None] = {}
    where: dict[tuple[int, str], str] = {}
    note_col = 4 + len(columns)
    explained = version != "1"
    for r, values in enumerate(
        ws.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + 500, max_col=note_col + 2, values_only=True),
        HEADER_ROW + 1,
    ):
        code = values[1] if len(values) > 1 else None
        indicator = by_code.get(str(code).strip()) if code else None
        if indicator is None:
            continue
        # A ratio's figures are formulas, not read; its note and explanation are.
        if not indicator.is_computed:
            result.read += 1
        for offset, column in enumerate(columns if not indicator.is_computed else []):
            raw = values[4 + offset] if len(values) > 4 + offset else None
            position = _("Row %(row)s, column %(letter)s (%(label)s)") % {
                "row": r,
                "letter": get_column_letter(5 + offset),
                "label": column_label(column, previous_whole_term=whole),
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
        texts, too_long = [], False
        for col, label in ((note_col, _("Note")), (note_col + 1, _("Explanation")))[: 2 if explained else 1]:
            text = values[col] if len(values) > col else None
            text = str(text).strip() if text is not None else ""
            if len(nfc(text).strip()) > NOTE_MAX_CHARS:
                # Listed with the other errors: the save would refuse it, and the page say "saved".
                position = _("Row %(row)s, column %(letter)s (%(label)s)") % {
                    "row": r,
                    "letter": get_column_letter(col + 1),
                    "label": label,
                }
                result.errors.append(f"{position}: " + _("At most %(limit)s characters.") % {"limit": NOTE_MAX_CHARS})
                too_long = True
            texts.append(text)
        if too_long:
            continue
        # A version-1 file has no explanation column: the stored one stays (None).
        result.notes[indicator.pk] = (texts[0], texts[1] if explained else None)
    for clash in check_parts(indicators, parsed):
        key = (clash.part.pk, clash.column)
        result.errors.append(f"{where[key]}: {clash.message(on_part=True)}")
        parsed.pop(key)
    result.cells = parsed
    return result
