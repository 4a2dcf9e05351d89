"""The workbook writer: every Excel file the site writes (the exports' appendix and consolidated
workbooks, the appendix template, the review dashboard, the units import template) is an XlsxWriter
workbook with the site's formats, in constant-memory mode: rows go to disk as they are written (so they
are written in order), and memory stays flat whatever the number of units."""

import io

import xlsxwriter

from .page import FONT, SHEET_PT, SHEET_TITLE_PT
from .word import property_text

A4 = 9  # XlsxWriter's paper code
# One line of wrapped 12 pt text in a row (points), and how many characters of it a column holds per unit
# of its width (Times New Roman 12 printed by LibreOffice: about 1.15, measured on the demo workbook; bold less).
LINE_PT = 16
CHARS_PER_WIDTH = 1.1
BOLD_CHARS_PER_WIDTH = 1.0


def text_lines(text, width: float, *, bold: bool = False) -> int:
    """How many lines ``text`` wraps to in a column ``width`` wide (XlsxWriter's unit), word by word as a
    spreadsheet wraps it; a word longer than the line takes the lines it fills."""
    if text in (None, ""):
        return 1
    per_line = max(1, int(width * (BOLD_CHARS_PER_WIDTH if bold else CHARS_PER_WIDTH)) - 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size > per_line:
                lines += 1
                used = 0
            used += (1 if used else 0) + size
            while used > per_line:
                lines += 1
                used -= per_line
    return max(1, lines)


def row_lines(cells, *, bold: bool = False) -> int:
    """The lines the tallest of ``cells`` ((text, column width) pairs) needs."""
    return max((text_lines(text, width, bold=bold) for text, width in cells), default=1)


# A table's header row: bold, grey, wrapped, centred.
HEADER = {"bold": True, "bg_color": "#D9D9D9", "text_wrap": True, "align": "center", "valign": "vcenter"}


def number_format(decimals: int) -> str:
    """1.234 or 1.234,5: thousands grouped, the indicator's own number of decimals."""
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def signed_format(decimals: int, suffix: str = "") -> str:
    body = number_format(decimals)
    return f"+{body}{suffix};-{body}{suffix};{body}{suffix}"


class Book:
    """An XlsxWriter workbook with the site's formats: Times New Roman 12 as the default font (so the
    many unstyled cells of large sheets print in it), a bold 13 title, a grey wrapped header, bordered
    cells, figures in the indicator's own number of decimals. Text is never turned into a formula or a
    link ("=HYPERLINK(…)" typed by someone stays text)."""

    def __init__(self, out=None):
        """``out``: a binary file to write the workbook to (``close`` then returns None); in memory if not."""
        self.out = out
        self.buffer = io.BytesIO() if out is None else out
        self.wb = xlsxwriter.Workbook(
            self.buffer,
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        default = self.wb.formats[0]
        default.set_font_name(FONT)
        default.set_font_size(SHEET_PT)
        self._formats = {}
        self.title = self.fmt(bold=True, font_size=SHEET_TITLE_PT)
        self.plain = self.fmt()
        self.header = self.fmt(**HEADER)
        self.text = self.fmt(border=1, valign="top")
        self.wrap = self.fmt(border=1, text_wrap=True, valign="top")
        self.date = self.fmt(border=1, num_format="dd/mm/yyyy", align="center")
        self.moment = self.fmt(border=1, num_format="dd/mm/yyyy hh:mm", align="center")

    def fmt(self, **props):
        """The format of these properties (XlsxWriter's names) in the site's font, made once."""
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format({"font_name": FONT, "font_size": SHEET_PT, **props})
        return self._formats[key]

    def figure(self, decimals: int, **props):
        return self.fmt(border=1, num_format=number_format(decimals), **props)

    def sheet(self, name: str, widths: list[float], header_row: int, *, frozen_cols=0, header_lines=None, header=None):
        """A landscape A4 sheet, one page wide, its header row repeated on every page and frozen
        (with ``frozen_cols`` columns on its left), ``header_lines`` high if given, or as high as the
        ``header`` texts wrap in their columns (a wrapped header does not grow its row by itself in
        every viewer: LibreOffice prints it clipped)."""
        ws = self.wb.add_worksheet(name)
        for index, width in enumerate(widths):
            ws.set_column(index, index, width)
        if header is not None and not header_lines:
            header_lines = row_lines(zip(header, widths, strict=False), bold=True)
        if header_lines:
            ws.set_row(header_row, header_lines * LINE_PT)
        ws.freeze_panes(header_row + 1, frozen_cols)
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(header_row)
        return ws

    def properties(self, *, title: str, author: str):
        title, author = property_text(title), property_text(author)
        self.wb.set_properties({"title": title, "subject": title, "author": author, "company": author})
        self.wb.set_custom_property("Language", "vi-VN")

    def close(self) -> bytes | None:
        self.wb.close()
        return self.buffer.getvalue() if self.out is None else None


def fit_row(ws, row: int, cells) -> None:
    """Make ``row`` as high as the tallest of its wrapped ``cells`` ((text, column width) pairs): a
    spreadsheet that does not measure rows on opening (LibreOffice printing an .xlsx) would otherwise
    print wrapped text over the rows below. Called before the row is written (rows stream in order)."""
    lines = row_lines(cells)
    if lines > 1:
        ws.set_row(row, lines * LINE_PT)


def write_text(ws, row, col, value, fmt=None):
    """Text stays text: "=HYPERLINK(…)" typed by someone is never written as a formula."""
    if value in (None, ""):
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def write_number(ws, row, col, value, fmt=None):
    if value is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, float(value), fmt)


def write_formula(ws, row, col, formula: str, value, fmt=None):
    """A live formula ("=…") with the value the site computed as its cached result ("" when blank)."""
    ws.write_formula(row, col, formula, fmt, "" if value is None else float(value))
