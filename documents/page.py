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

# A page of the Word file: A4, Times New Roman 14 pt, 1.15 lines, the margins of the official layout
# hold about 380 words of running text (measured on the exported demo report in LibreOffice).
WORDS_PER_PAGE = 380


def page_estimate(words: int) -> int:
    """About how many A4 pages ``words`` of running text fill, as Word prints them (0 for none)."""
    return -(-words // WORDS_PER_PAGE) if words > 0 else 0
