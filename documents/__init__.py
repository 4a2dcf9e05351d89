"""File formats, once: the page and the fonts (page.py), WordprocessingML runs and paragraphs (wordml.py),
the Word document builder and its tables (word.py), the official header and closing blocks of Decree 30
(official.py), section texts from HTML to Word (html_docx.py) and the workbook writer (xlsx.py).

No models and no queries: functions and classes of plain data, used by every Word file and workbook the
site writes (exports' builders, the appendix template, the review dashboard, the units import template)."""
