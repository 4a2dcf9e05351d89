"""The print preview (issue 14): the report as its Word file prints it, in the browser: the same header
block (unit, national motto, number, place and date), headings, texts, closing block and appendix; the
same words as the Word file, in a fixed number of queries."""

import html as html_lib
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from documents.official import NATIONAL_MOTTO

pytestmark = pytest.mark.django_db


def test_the_print_preview_shows_what_the_word_file_prints(client, world, filled):
    report, _cat = filled
    client.force_login(world.drafter_a)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("exports:report_print", args=[report.pk])).content.decode()
    word = Document(io.BytesIO(client.get(reverse("exports:report_docx", args=[report.pk])).content))
    texts = [p.text for p in word.paragraphs if p.text.strip()]
    for motto_line in NATIONAL_MOTTO:
        assert motto_line in html
    assert "BÁO CÁO" in html and "PHỤ LỤC" in html
    # Every heading and paragraph of the Word body is on the page (headings and the texts' paragraphs).
    # Word writes a list item as a paragraph with its marker ("- ", "1. "); the page as a list.
    # Compared without spaces: the page's inline tags (bold, italic) leave no gaps in what it shows.
    words = "".join(html_lib.unescape(re.sub(r"<[^>]+>", "", html)).split())
    shown = [t for t in texts if "".join(re.sub(r"^(- |\d+\. )", "", t).split()) in words]
    assert shown == texts, sorted(set(texts) - set(shown))[:5]
    assert len(queries) < 25


def test_the_print_preview_heads_its_appendix_columns_as_the_word_file_does(client, world, filled):
    """The page's appendix columns carry the Word table's Vietnamese headings, "% chỉ tiêu" included
    (a "%" in a template's translate tag is looked up as "%%": it once showed "Share of target (%)")."""
    report, _cat = filled
    client.force_login(world.drafter_a)
    html = client.get(reverse("exports:report_print", args=[report.pk])).content.decode()
    thead = re.search(r'<table class="print-appendix">\s*<thead>(.*?)</thead>', html, re.S).group(1)
    shown = [html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<th>(.*?)</th>", thead)]
    word = Document(io.BytesIO(client.get(reverse("exports:report_docx", args=[report.pk])).content))
    appendix = next(t for t in word.tables if any("chỉ tiêu" in c.text for c in t.rows[0].cells))
    assert shown == [c.text.strip() for c in appendix.rows[0].cells]
    assert "% chỉ tiêu" in shown
    assert "Share of target" not in html
