"""The page and the type of every file the site writes, defined once."""

# Word and Excel alike print in Times New Roman: 14 pt for a Word document's body, 12 pt in a workbook.
FONT = "Times New Roman"
BODY_PT = 14
SHEET_PT = 12
SHEET_TITLE_PT = 13

# A4, margins inside the ranges of Decree 30/2020: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
PAGE_W_MM, PAGE_H_MM = 210, 297
MARGINS_MM = {"top": 22, "bottom": 22, "left": 32, "right": 18}
HEADER_DISTANCE_MM = 10
TWIPS_PER_CM = 567
# The text width of a portrait page (16 cm) and of a landscape one (the appendix table fills it).
PORTRAIT_TEXT_CM = (PAGE_W_MM - MARGINS_MM["left"] - MARGINS_MM["right"]) / 10
LANDSCAPE_TEXT_CM = (PAGE_H_MM - MARGINS_MM["left"] - MARGINS_MM["right"]) / 10

# The Word file's pages, estimated from its layout (calibrated against LibreOffice's page count of the
# demo report and of the same report with every section written in paragraphs of 12 to 400 words: within
# one page from 2 to 14 portrait pages). A portrait page holds 42 lines of 14 pt text; a full line about 15
# words (Vietnamese syllables); the header block, title and closing block take 18 lines; a heading 2.5
# (it often wraps, with the space around it); each paragraph's spacing half a line. The appendix's
# landscape pages hold about 13 indicator rows each.
LINES_PER_PAGE = 42
WORDS_PER_LINE = 15
OPENING_AND_CLOSING_LINES = 18
HEADING_LINES = 2.5
PARAGRAPH_GAP_LINES = 0.5
APPENDIX_ROWS_PER_PAGE = 13
# Running text alone, in paragraphs of about 60 words (4 lines and a gap): the section editor's live count.
WORDS_PER_PAGE = round(LINES_PER_PAGE / (4 + PARAGRAPH_GAP_LINES) * 4 * WORDS_PER_LINE)


def page_estimate(words: int) -> int:
    """About how many A4 pages ``words`` of running text fill, as Word prints them (0 for none)."""
    return -(-words // WORDS_PER_PAGE) if words > 0 else 0


def document_pages(*, paragraphs, headings: int, appendix_rows: int) -> int:
    """About how many A4 pages the Word file of a report prints: its portrait pages (header block, title,
    ``headings``, the ``paragraphs`` given by their number of words, closing block) and the appendix's
    landscape pages for ``appendix_rows`` indicators."""
    lines = OPENING_AND_CLOSING_LINES + HEADING_LINES * headings
    for words in paragraphs:
        lines += -(-words // WORDS_PER_LINE) + PARAGRAPH_GAP_LINES
    portrait = -(-int(lines) // LINES_PER_PAGE)
    return portrait + (-(-appendix_rows // APPENDIX_ROWS_PER_PAGE) if appendix_rows else 0)


# Tables at 10 pt in a portrait page (the status table, the proposals table): a row of one line takes
# about 0,85 of a body line (its text and the cell's margins), each further line of a wrapped cell 0,62.
# A 10 pt line of Times New Roman holds about 5,3 characters a centimetre. Checked on a 300-unit province
# in LibreOffice: the status table 10,3 pages (estimated 10,6), the proposals table 2,8 (estimated 3,2);
# the print file 28 pages, estimated 28.
TABLE_ROW_LINES = 0.85
TABLE_WRAP_LINES = 0.62
TABLE_CHARS_PER_CM = 5.3
# The annex prints at 13 pt: a few more words on a line than the body's 14 pt, and lower lines (a 300-unit
# annex: 1.030 pages in LibreOffice, estimated 1.041).
ANNEX_WORDS_PER_LINE = 16
ANNEX_LINE_HEIGHT = 13 / 14
# A unit's name and status above its text in the annex (a small gap after).
ANNEX_LABEL_LINES = 1.2


def table_row_lines(cells: list[tuple[str, float]]) -> float:
    """The body lines one table row takes: its tallest cell, given as (text, column width in cm)."""
    tallest = max((-(-len(text) // max(1, int(width * TABLE_CHARS_PER_CM))) for text, width in cells), default=1)
    return TABLE_ROW_LINES + TABLE_WRAP_LINES * (max(1, tallest) - 1)


def portrait_pages(lines: float) -> int:
    """The portrait pages ``lines`` body lines fill (a block that starts on a page of its own)."""
    return -(-int(lines + 0.999) // LINES_PER_PAGE) if lines > 0 else 0


def paragraph_lines(words: int, words_per_line: int = WORDS_PER_LINE) -> float:
    """The body lines of a paragraph of ``words`` words and the gap after it."""
    return -(-words // words_per_line) + PARAGRAPH_GAP_LINES
