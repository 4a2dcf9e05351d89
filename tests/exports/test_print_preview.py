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
