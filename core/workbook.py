"""The one bounded reader of uploaded workbooks (.xlsx): every upload (the appendix, the unit list)
is refused by what it would make the reader build before any XML is parsed, then read row by row
up to a fixed number of rows."""

import io
import logging
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from core.text import format_number

log = logging.getLogger(__name__)

# A style entry however it is written: <xf …>, <xf/>, <xf\n…>, with a namespace prefix (<x:xf …>).
_STYLE_ENTRY = re.compile(rb"<(?:[\w.-]+:)?(?:xf|font|fill|border|numFmt|dxf|cellStyle)[\s/>]")
# A shared string (<si>…</si>), in whichever part holds them.
_STRING_ENTRY = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")


@dataclass(frozen=True)
class WorkbookLimits:
    """What one kind of upload may make the reader build.

    openpyxl builds every style entry at load (60,000 identical cell formats: 16 KB zipped, a second
    of CPU; 420,000: 26 s and 270 MB); a template has a few dozen, a sheet re-saved by Excel or
    LibreOffice a few hundred. Every part, whatever its name (openpyxl finds the shared strings and
    the styles through [Content_Types].xml, not by name), is bounded by size (a 2 MB row of cells
    takes a third of a second to read). Nesting depth is bounded by the part size and by the
    parser, which reads the sheet as a stream."""

    max_uncompressed: int = 8 * 1024 * 1024
    max_ratio: int = 200
    max_members: int = 300
    max_style_entries: int = 5_000
    max_part_bytes: int = 2 * 1024 * 1024
    max_sheets: int = 20
    max_rows: int = 500
    # openpyxl builds every shared string at load, used or not (500,000: seconds of CPU); a sheet
    # holds at most one per text cell.
    max_strings: int = 20_000


EXCEL_ROWS = 1_048_576

# The appendix template: its sheet is about 20 KB.
APPENDIX_LIMITS = WorkbookLimits()


class WorkbookRefused(Exception):
    """The file as a whole cannot be read; ``message`` says why, in words for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _not_xlsx():
    return WorkbookRefused(_("This is not an Excel file (.xlsx)."))


def _unreadable():
    return WorkbookRefused(_("The file could not be read as an Excel workbook."))


def check_workbook_limits(data: bytes, limits: WorkbookLimits = APPENDIX_LIMITS) -> None:
    """Refuse a workbook by what it would make the reader build, before any XML is parsed: the size
    of every part (whatever its name), the number of style entries in all of them, the number of
    sheets, then the zip bomb limits. Raises WorkbookRefused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _not_xlsx() from None
    too_large = _("The file is refused: once opened it would be far larger than the files this site reads.")
    too_many_formats = _(
        "The file is refused: it holds far more cell formats than a file made from the site's template "
        "(re-saving it from a fresh download of the template fixes this)."
    )
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members or sum(m.file_size for m in members) > limits.max_uncompressed:
            raise WorkbookRefused(too_large)
        for member in members:
            if member.file_size > limits.max_part_bytes:
                # A swollen style table is the usual cause: say so when it is that part.
                raise WorkbookRefused(too_many_formats if "style" in member.filename.lower() else too_large)
        sheets = sum(1 for m in members if m.filename.lower().startswith("xl/worksheets/"))
        if sheets > limits.max_sheets:
            raise WorkbookRefused(too_large)
        entries = strings = 0
        for member in members:
            try:
                body = archive.read(member)
            except Exception:
                # A damaged member fails in many ways (BadZipFile, zlib.error, EOFError, an
                # unsupported compression, a CRC error): each is the user's file, not a bug.
                raise _unreadable() from None
            entries += len(_STYLE_ENTRY.findall(body))
            if entries > limits.max_style_entries:
                raise WorkbookRefused(too_many_formats)
            strings += len(_STRING_ENTRY.findall(body))
            if strings > limits.max_strings:
                raise WorkbookRefused(
                    _(
                        "The file is refused: it holds far more texts than its rows have cells. Copy the rows "
                        "into a fresh download of the template and upload that."
                    )
                )
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise _not_xlsx()
        if any(m.compress_size and m.file_size / m.compress_size > limits.max_ratio for m in members):
            raise WorkbookRefused(too_large)


def open_workbook(data: bytes, limits: WorkbookLimits = APPENDIX_LIMITS):
    """Check the limits, then open the workbook read-only (its sheets are parsed lazily, as they
    are read: wrap the reading in ``reading()``). Raises WorkbookRefused."""
    check_workbook_limits(data, limits)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise _unreadable() from None


def read_rows(data: bytes, limits: WorkbookLimits, *, min_row: int = 1, max_col: int) -> list[tuple]:
    """The values of the first sheet from ``min_row``, at most ``limits.max_rows`` rows of
    ``max_col`` cells, numbered as the sheet numbers them (rows[0] is ``min_row``); trailing empty
    rows dropped. More rows than the limit, or anything far below the list: refused, in words."""
    wb = open_workbook(data, limits)
    # The reader makes an empty row for every row number a sheet skips, however far the next row
    # is (a row numbered 10^12 makes 10^12 of them): it is stopped at Excel's last row. Empty rows
    # below the list (formats copied down) are read and ignored.
    scan = EXCEL_ROWS - min_row + 1
    try:
        ws = wb[wb.sheetnames[0]]
        rows, last = [], 0
        for index, values in enumerate(ws.iter_rows(min_row=min_row, max_col=max_col, values_only=True), 1):
            if index > scan:
                raise WorkbookRefused(
                    _(
                        "The file has rows past Excel's last row (%(row)s): it was not saved by Excel or "
                        "LibreOffice. Open it there, save it again and upload that."
                    )
                    % {"row": format_number(EXCEL_ROWS)}
                )
            # (A skipped row is all None: counted in C, it costs nothing.)
            if values.count(None) != len(values) and any(v is not None and str(v).strip() != "" for v in values):
                if index > limits.max_rows:
                    raise WorkbookRefused(
                        _("The file has more than %(count)s rows; split it into several files.")
                        % {"count": format_number(limits.max_rows)}
                    )
                last = index
            if index <= limits.max_rows:
                rows.append(tuple(values) + (None,) * (max_col - len(values)))
    except WorkbookRefused:
        raise
    except Exception:
        # Read-only workbooks parse their sheets lazily: a damaged sheet (cut short, bad XML, a
        # corrupt zip member) fails only while it is read, and is the user's file, not a bug.
        log.info("unreadable workbook upload", exc_info=True)
        raise _unreadable() from None
    finally:
        wb.close()
    return rows[:last]
