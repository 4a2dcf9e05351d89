"""The permission matrix: every URL of the site × every role × GET and POST, with the status each
must get, and proof that a refused request stores nothing while an allowed write stores something.

Roles, in the order of each row's expected statuses:
anonymous · drafter of unit A · drafter of unit B (same superior) · reviewer of the superior above A
· reviewer of another superior · admin (superuser, member of the province).
Every object in the URLs belongs to unit A (or to A's superior for the roll-up and the consolidated
export), so drafter B and the reviewer elsewhere must never read or change anything.
"""

import datetime
import io
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from exports.models import ExportJob, JobFailure, JobStatus
from exports.services import dashboard_job_start, export_job_start
from exports.tasks import export_job_run
from outline.models import OutlineDraft
from outline.services import outline_version_publish
from reports import review
from reports.forms import cell_name
from reports.models import Report, ReturnItem, Round, Visibility
from reports.notify import notify
from reports.selectors import report_appendix
from reports.services import passage_mark, report_submit, round_open_start
from reports.xlsx import build_template
from tests.conftest import build_world
from tests.indicators.factories import make_catalogue
from tests.reports.draft_files import Writer
from tests.reports.test_review import write_all
from tests.units.factories import UnitFactory
from tests.writes import watched
from units.invitations import users_invite

pytestmark = pytest.mark.django_db

OUTLINE_TEXT = "ĐỀ CƯƠNG BÁO CÁO\nTóm tắt\nPHẦN THỨ NHẤT\nI. KẾT QUẢ\n1. Nội dung\n- Gợi ý.\n"
ROLES = ("anonymous", "drafter_a", "drafter_b", "reviewer", "reviewer_elsewhere", "admin")
KEY = "p1.II.1"
SECRET = "Chỉ đơn vị A được đọc"


@dataclass
class Ctx:
    """What one row's URL and data are built from."""

    world: object
    report: Report
    own: Report
    cat: dict
    thread: object = None
    item: object = None
    extension: object = None
    job: object = None
    extras: dict = field(default_factory=dict)


def prepare(state: str) -> Ctx:
    """Unit A's report with every section written and a figure, brought to ``state``."""
    world = build_world(sections=2)
    cat = make_catalogue(world.round.outline_version)
    report = world.report_a
    write_all(world, report, world.drafter_a, text=SECRET)
    own = Report.objects.get(round=world.round, unit=world.superior)
    ctx = Ctx(world=world, report=report, own=own, cat=cat)
    for user in world.users().values():
        # Everyone has something unread, so "mark all read" is a write for every signed-in role.
        notify([user], report=world.report_b, kind="deadline", message="Nhắc hạn")
    if state in ("submitted", "returned", "approved"):
        report_submit(report=report, actor=world.drafter_a)
        ctx.thread = review.comment_add(
            report=report, anchor=f"section:{KEY}", body="Góp ý", visibility=Visibility.UNIT, actor=world.reviewer
        )
    if state == "marked":
        report_submit(report=report, actor=world.drafter_a)
        ctx.extras["mark"] = passage_mark(
            report=Report.objects.get(pk=report.pk), node_key=KEY, paragraph=1, kind="typical", actor=world.reviewer
        )
    if state == "returned":
        review.report_return(report=report, note="Sửa", items=[(KEY, "Thêm số liệu")], due=None, actor=world.reviewer)
        ctx.item = ReturnItem.objects.get(request__report=report)
    if state == "approved":
        review.report_approve(report=Report.objects.get(pk=report.pk), actor=world.reviewer)
    if state in ("late", "asked"):
        Round.objects.filter(pk=world.round.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    if state == "asked":
        ctx.extension = review.extension_request(
            report=Report.objects.get(pk=report.pk), reason="Ốm", actor=world.drafter_a
        )
    if state == "new_unit":
        # A unit joined after the round opened: opening it again creates that unit's report.
        UnitFactory(name="Công đoàn cơ sở mới", parent=world.superior)
    if state == "job":
        job = export_job_start(report=own, format="xlsx", actor=world.reviewer)
        ctx.job = export_job_run(job_id=job.pk)
        assert ctx.job.status == JobStatus.DONE
    if state == "failed_job":
        # Its worker died: what the job's page shows as failed, to be tried again.
        ctx.job = export_job_start(report=own, format="xlsx", actor=world.reviewer)
        ExportJob.objects.filter(pk=ctx.job.pk).update(status=JobStatus.FAILED, failure=JobFailure.WORKER)
    if state == "bulk_job":
        # A background job opening the world's round (organised by the superior), started by the admin.
        ctx.job = round_open_start(round=world.round, actor=world.admin)
    if state == "dashboard_job":
        # The reviewer's dashboard as a workbook: theirs alone (its rows are the units they oversee).
        job = dashboard_job_start(round=world.round, actor=world.reviewer)
        ctx.job = export_job_run(job_id=job.pk)
        assert ctx.job.status == JobStatus.DONE
    if state == "failed_dashboard_job":
        ctx.job = dashboard_job_start(round=world.round, actor=world.reviewer, status="submitted")
        ExportJob.objects.filter(pk=ctx.job.pk).update(status=JobStatus.FAILED, failure=JobFailure.WORKER)
    if state == "invited":
        # Drafter A's account awaits its password, invited once.
        world.drafter_a.set_unusable_password()
        world.drafter_a.save(update_fields=["password"])
        users_invite(users=[world.drafter_a], actor=world.admin)
        ctx.extras["uid"] = urlsafe_base64_encode(force_bytes(world.drafter_a.pk))
    if state == "draft":
        # An outline draft being written, and one published (read-only since).
        version = outline_version_publish(code="dc-ma-tran-goc", name="Đề cương gốc", source=OUTLINE_TEXT, actor=None)
        ctx.extras["outline_draft"] = OutlineDraft.objects.create(
            code="nhap-ma-tran", name="Đề cương 2025–2030", base=version, text=OUTLINE_TEXT
        ).pk
        ctx.extras["published_draft"] = OutlineDraft.objects.create(
            code=version.code,
            name=version.name,
            base=version,
            text=OUTLINE_TEXT,
            published_version=version,
            published_at=timezone.now(),
        ).pk
    ctx.report = Report.objects.select_related("round", "unit").get(pk=report.pk)
    return ctx


def outline_draft(ctx):
    return (ctx.extras["outline_draft"],)


def published_draft(ctx):
    return (ctx.extras["published_draft"],)


def outline_draft_line(ctx):
    return (ctx.extras["outline_draft"], 4)  # "I. KẾT QUẢ"


def published_draft_line(ctx):
    return (ctx.extras["published_draft"], 4)


def template_with_a_figure(ctx) -> dict:
    """The report's own XLSX template with one figure typed in, as an upload."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(build_template(ctx.report, report_appendix(ctx.report).rows)))
    sheet = book.worksheets[0]
    row = next(r for r in range(6, sheet.max_row + 1) if sheet.cell(row=r, column=2).value == "DV")
    sheet.cell(row=row, column=5).value = 1234
    buffer = io.BytesIO()
    book.save(buffer)
    upload = ContentFile(buffer.getvalue(), name="phu-luc.xlsx")
    return {"file": upload}


def draft_file(ctx) -> dict:
    """A Word draft with a heading of the world's outline and a paragraph under it, as an upload."""
    writer = Writer()
    writer.heading("1. Nội dung số 1", 2)
    writer.body("p1.II.1")
    return {"file": ContentFile(writer.build().data, name="ban-thao.docx")}


@dataclass(frozen=True)
class Row:
    name: str
    args: object  # ctx -> tuple
    method: str
    expected: tuple  # one status per role, in ROLES order
    state: str = "draft"
    data: object = None  # ctx -> dict
    writes: frozenset = frozenset()  # roles whose request must change stored data
    headers: dict = field(default_factory=dict)

    @property
    def id(self):
        return f"{self.name}-{self.method}-{self.state}"


def rep(ctx):
    return (ctx.report.pk,)


def own(ctx):
    return (ctx.own.pk,)


def none(ctx):
    return ()


def W(*roles):
    return frozenset(roles)


def rnd(ctx):
    return (ctx.world.round.code,)


def round_form(ctx):
    """The round's own settings with a later deadline: a change for whoever may make it."""
    r = ctx.world.round
    return {
        "code": r.code,
        "name": r.name,
        "outline_version": r.outline_version_id,
        "organising_unit": r.organising_unit_id,
        "term_start_year": r.term_start_year,
        "term_end_year": r.term_end_year,
        "data_years": [str(y) for y in r.data_years],
        "cutoff_date": r.cutoff_date.strftime("%d/%m/%Y"),
        "deadline": "31/12/2099",
        "event_wording": r.event_wording,
    }


A = "drafter_a"
ADMIN = frozenset({"admin"})
REVIEWERS = W("reviewer", "admin")
OUTSIDERS = W("drafter_b", "reviewer_elsewhere")
SIGNED_IN = W("drafter_a", "drafter_b", "reviewer", "reviewer_elsewhere", "admin")

# fmt: off
#             anon  drA  drB  rev  else admin
MATRIX = [
    # The site's entry points.
    Row("home", none, "GET",                 (302, 302, 302, 302, 302, 302)),
    Row("home", none, "POST",                (302, 302, 302, 302, 302, 302)),
    Row("login", none, "GET",                (200, 302, 302, 302, 302, 302)),
    Row("login", none, "POST",               (200, 302, 302, 302, 302, 302),
        data=lambda c: {"username": "khong-co", "password": "sai-mat-khau"}),
    Row("logout", none, "GET",               (302, 405, 405, 405, 405, 405)),
    Row("logout", none, "POST",              (302, 302, 302, 302, 302, 302)),
    Row("javascript-catalog", none, "GET",   (302, 200, 200, 200, 200, 200)),
    Row("javascript-catalog", none, "POST",  (302, 405, 405, 405, 405, 405)),
    # Accounts: a signed-in person changes their own password; anyone may ask for a reset link.
    Row("password_change", none, "GET",      (302, 200, 200, 200, 200, 200)),
    Row("password_change", none, "POST",     (302, 200, 200, 200, 200, 200)),
    Row("password_change_done", none, "GET", (302, 200, 200, 200, 200, 200)),
    Row("password_change_done", none, "POST", (302, 405, 405, 405, 405, 405)),
    Row("password_reset", none, "GET",       (200, 200, 200, 200, 200, 200)),
    Row("password_reset", none, "POST",      (200, 200, 200, 200, 200, 200)),
    Row("password_reset_done", none, "GET",  (200, 200, 200, 200, 200, 200)),
    Row("password_reset_done", none, "POST", (405, 405, 405, 405, 405, 405)),
    Row("password_reset_confirm", lambda c: ("MQ", "sai-ma"), "GET", (200, 200, 200, 200, 200, 200)),
    Row("password_reset_confirm", lambda c: ("MQ", "sai-ma"), "POST", (200, 200, 200, 200, 200, 200)),
    Row("password_reset_complete", none, "GET", (200, 200, 200, 200, 200, 200)),
    Row("password_reset_complete", none, "POST", (405, 405, 405, 405, 405, 405)),
    # An invitation's link: open to anyone holding it; a wrong or used link says so and changes nothing.
    Row("invitation_accept", lambda c: ("MQ", "sai-ma"), "GET", (200, 200, 200, 200, 200, 200)),
    Row("invitation_accept", lambda c: ("MQ", "sai-ma"), "POST", (200, 200, 200, 200, 200, 200),
        data=lambda c: {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"}),
    Row("invitation_accept", lambda c: (c.extras["uid"], "sai-ma"), "POST", (200, 200, 200, 200, 200, 200),
        data=lambda c: {"resend": "1"}, state="invited"),
    # Browsers ask for /favicon.ico where a page names no icon (a download, an error page): the icon.
    Row("favicon", none, "GET",              (302, 302, 302, 302, 302, 302)),
    Row("favicon", none, "POST",             (405, 405, 405, 405, 405, 405)),
    Row("guide", none, "GET",                (200, 200, 200, 200, 200, 200)),
    Row("guide", none, "POST",               (405, 405, 405, 405, 405, 405)),
    # Drafting.
    Row("reports:report_list", none, "GET",  (302, 302, 302, 200, 200, 200)),
    Row("reports:report_list", none, "POST", (302, 405, 405, 405, 405, 405)),
    Row("reports:report_detail", rep, "GET", (302, 200, 404, 200, 404, 200)),
    Row("reports:report_detail", rep, "POST", (302, 405, 405, 405, 405, 405)),
    Row("reports:section_edit", lambda c: (c.report.pk, KEY), "GET", (302, 200, 404, 200, 404, 200)),
    Row("reports:section_edit", lambda c: (c.report.pk, KEY), "POST", (302, 302, 404, 403, 404, 403),
        data=lambda c: {"content": "<p>Viết lại</p>", "version": 1, "is_done": "on"}, writes=W(A)),
    Row("reports:section_edit", lambda c: (c.report.pk, KEY), "POST", (302, 200, 404, 403, 404, 403),
        data=lambda c: {"content": "<p>Tự lưu</p>", "version": 1}, writes=W(A),
        headers={"X-Autosave": "1"}),
    Row("reports:report_submit", rep, "GET", (302, 200, 404, 403, 404, 403)),
    Row("reports:report_submit", rep, "POST", (302, 302, 404, 403, 404, 403), writes=W(A)),
    Row("reports:submission_detail", lambda c: (c.report.pk, 1), "GET", (302, 200, 404, 200, 404, 200),
        state="submitted"),
    Row("reports:submission_detail", lambda c: (c.report.pk, 1), "POST", (302, 405, 405, 405, 405, 405),
        state="submitted"),
    # Importing a Word draft: the upload is read into a preview kept in the session; nothing is stored
    # before the drafter confirms (tests/reports/test_draft_import.py). A locked report sends them back.
    Row("reports:draft_import", rep, "GET", (302, 200, 404, 403, 404, 403)),
    Row("reports:draft_import", rep, "POST", (302, 302, 404, 403, 404, 403), data=draft_file),
    Row("reports:draft_import", rep, "POST", (302, 200, 404, 403, 404, 403),
        data=lambda c: {"confirm": "1", "target_0": "-"}),
    Row("reports:draft_import", rep, "GET", (302, 302, 404, 403, 404, 403), state="submitted"),
    Row("reports:draft_import", rep, "POST", (302, 302, 404, 403, 404, 403), state="submitted", data=draft_file),
    Row("reports:document_info", rep, "GET", (302, 200, 404, 403, 404, 403)),
    Row("reports:document_info", rep, "POST", (302, 302, 404, 403, 404, 403),
        data=lambda c: {"doc_number": "9/BC", "place": "Bình An", "signer_name": "Lan", "signer_title": "Chủ tịch",
                        "recipients": "LĐLĐ"},
        writes=W(A)),
    # The appendix.
    Row("reports:appendix_edit", rep, "GET", (302, 200, 404, 200, 404, 200)),
    Row("reports:appendix_edit", rep, "POST", (302, 302, 404, 403, 404, 403),
        data=lambda c: {"version": 0, cell_name(c.cat["DV"].pk, "2020"): "1.500"}, writes=W(A)),
    Row("reports:appendix_fill", own, "GET", (302, 405, 405, 405, 405, 405)),
    # Only the superior's own drafters fill its appendix from the roll-up: nobody in this matrix.
    Row("reports:appendix_fill", own, "POST", (302, 404, 404, 403, 404, 403)),
    Row("reports:appendix_xlsx", rep, "GET", (302, 200, 404, 200, 404, 200)),
    Row("reports:appendix_xlsx", rep, "POST", (302, 405, 405, 405, 405, 405)),
    Row("reports:appendix_upload", rep, "GET", (302, 200, 404, 403, 404, 403)),
    Row("reports:appendix_upload", rep, "POST", (302, 302, 404, 403, 404, 403),
        data=template_with_a_figure, writes=W(A)),
    Row("reports:rollup_index", none, "GET", (302, 403, 403, 200, 200, 200)),
    Row("reports:rollup_index", none, "POST", (302, 405, 405, 405, 405, 405)),
    Row("reports:rollup", lambda c: (c.world.round.code, c.world.superior.code), "GET",
        (302, 404, 404, 200, 404, 200)),
    Row("reports:rollup", lambda c: (c.world.round.code, c.world.superior.code), "POST",
        (302, 405, 405, 405, 405, 405)),
    # The synthesis panel: the superior's own report only, for whoever reads it (a CĐCS's report has none).
    Row("reports:synthesis_texts", lambda c: (c.own.pk, KEY), "GET", (302, 404, 404, 200, 404, 200)),
    Row("reports:synthesis_texts", lambda c: (c.own.pk, KEY), "POST", (302, 405, 405, 405, 405, 405)),
    Row("reports:synthesis_texts", lambda c: (c.report.pk, KEY), "GET", (302, 404, 404, 404, 404, 404)),
    # Reviewers' marks on a unit's passages: who reviews the report only.
    Row("reports:passage_mark", rep, "GET", (302, 405, 405, 405, 405, 405), state="submitted"),
    Row("reports:passage_mark", rep, "POST", (302, 403, 404, 302, 404, 302), state="submitted",
        data=lambda c: {"node": KEY, "paragraph": 1, "kind": "attention"}, writes=REVIEWERS),
    Row("reports:passage_unmark", lambda c: (c.report.pk, c.extras["mark"].pk), "GET",
        (302, 405, 405, 405, 405, 405), state="marked"),
    Row("reports:passage_unmark", lambda c: (c.report.pk, c.extras["mark"].pk), "POST",
        (302, 403, 404, 302, 404, 302), state="marked", writes=REVIEWERS),
    # Review.
    Row("reports:report_read", rep, "GET", (302, 200, 404, 200, 404, 200), state="submitted"),
    Row("reports:report_read", rep, "POST", (302, 405, 405, 405, 405, 405), state="submitted"),
    Row("reports:report_return", rep, "GET", (302, 403, 404, 200, 404, 200), state="submitted"),
    Row("reports:report_return", rep, "POST", (302, 403, 404, 302, 404, 302), state="submitted",
        data=lambda c: {"note": "Bổ sung", f"tick_{KEY}": "on", f"reason_{KEY}": "Thiếu số liệu"}, writes=REVIEWERS),
    Row("reports:report_approve", rep, "GET", (302, 405, 405, 405, 405, 405), state="submitted"),
    Row("reports:report_approve", rep, "POST", (302, 403, 404, 302, 404, 302), state="submitted", writes=REVIEWERS),
    Row("reports:report_unapprove", rep, "GET", (302, 403, 404, 200, 404, 200), state="approved"),
    Row("reports:report_unapprove", rep, "POST", (302, 403, 404, 302, 404, 302), state="approved",
        data=lambda c: {"reason": "Duyệt nhầm"}, writes=REVIEWERS),
    Row("reports:comment_post", rep, "GET", (302, 405, 405, 405, 405, 405), state="submitted"),
    Row("reports:comment_post", rep, "POST", (302, 302, 404, 302, 404, 302), state="submitted",
        data=lambda c: {"anchor": f"section:{KEY}", "body": "Trả lời", "parent": c.thread.pk},
        writes=W(A, "reviewer", "admin")),
    Row("reports:comment_resolve", lambda c: (c.report.pk, c.thread.pk), "GET", (302, 405, 405, 405, 405, 405),
        state="submitted"),
    Row("reports:comment_resolve", lambda c: (c.report.pk, c.thread.pk), "POST", (302, 302, 404, 302, 404, 302),
        state="submitted", data=lambda c: {"resolved": "1"}, writes=W(A, "reviewer", "admin")),
    Row("reports:return_answer", lambda c: (c.report.pk, c.item.pk), "GET", (302, 405, 405, 405, 405, 405),
        state="returned"),
    Row("reports:return_answer", lambda c: (c.report.pk, c.item.pk), "POST", (302, 302, 404, 403, 404, 403),
        state="returned", data=lambda c: {"answer": "Đã bổ sung", "done": "on"}, writes=W(A)),
    Row("reports:extension_request", rep, "GET", (302, 200, 404, 403, 404, 403), state="late"),
    Row("reports:extension_request", rep, "POST", (302, 302, 404, 403, 404, 403), state="late",
        data=lambda c: {"reason": "Thêm lý do"}, writes=W(A)),
    Row("reports:extension_decide", rep, "GET", (302, 405, 405, 405, 405, 405), state="asked"),
    Row("reports:extension_decide", rep, "POST", (302, 403, 404, 302, 404, 302), state="asked",
        data=lambda c: {"request": c.extension.pk, "decision": "refuse", "note": "Không"}, writes=REVIEWERS),
    # The units' proposals grouped: the superior's report only (a grassroots report has none below it);
    # worded by those who make its consolidated file, inserted by its drafters. The world's outline has
    # no proposals section, so a wording finds no group (409) and nothing is stored.
    Row("reports:proposals", own, "GET", (302, 404, 404, 200, 404, 200)),
    Row("reports:proposals", rep, "GET", (302, 404, 404, 404, 404, 404)),
    Row("reports:proposals", own, "POST", (302, 405, 405, 405, 405, 405)),
    Row("reports:proposal_wording", own, "GET", (302, 405, 405, 405, 405, 405)),
    Row("reports:proposal_wording", own, "POST", (302, 404, 404, 409, 404, 409),
        data=lambda c: {"group": "abc", "text": "Đề nghị tăng lương"}),
    Row("reports:proposals_insert", own, "GET", (302, 405, 405, 405, 405, 405)),
    Row("reports:proposals_insert", own, "POST", (302, 404, 404, 403, 404, 403), data=lambda c: {"group": "abc"}),
    Row("reports:report_diff", rep, "GET", (302, 200, 404, 200, 404, 200), state="submitted"),
    Row("reports:report_diff", rep, "POST", (302, 405, 405, 405, 405, 405), state="submitted"),
    Row("reports:report_history", rep, "GET", (302, 200, 404, 200, 404, 200)),
    Row("reports:report_history", rep, "POST", (302, 405, 405, 405, 405, 405)),
    # The reviewer elsewhere may open the round's dashboard, which lists only the units they oversee.
    Row("reports:dashboard", lambda c: (c.world.round.code,), "GET", (302, 403, 403, 200, 200, 200)),
    Row("reports:dashboard", lambda c: (c.world.round.code,), "POST", (302, 405, 405, 405, 405, 405)),
    # Picking the round of the dashboard: the reviewer elsewhere has no report in the world's round.
    Row("reports:dashboard_pick", none, "GET", (302, 403, 403, 302, 404, 302)),
    Row("reports:dashboard_pick", none, "POST", (302, 405, 405, 405, 405, 405)),
    # Rounds are set up by administrators of the organising unit or above (and superusers) only.
    Row("reports:round_list", none, "GET",   (302, 403, 403, 403, 403, 200)),
    Row("reports:round_list", none, "POST",  (302, 405, 405, 405, 405, 405)),
    Row("reports:round_create", none, "GET", (302, 403, 403, 403, 403, 200)),
    Row("reports:round_create", none, "POST", (302, 403, 403, 403, 403, 302),
        data=lambda c: {**round_form(c), "code": "DOT-MOI"}, writes=ADMIN),
    Row("reports:round_edit", rnd, "GET",    (302, 403, 403, 403, 403, 200)),
    Row("reports:round_edit", rnd, "POST",   (302, 403, 403, 403, 403, 302), data=round_form, writes=ADMIN),
    Row("reports:round_open", rnd, "GET",    (302, 403, 403, 403, 403, 200), state="new_unit"),
    Row("reports:round_open", rnd, "POST",   (302, 403, 403, 403, 403, 302), state="new_unit", writes=ADMIN),
    Row("reports:round_rebuild_totals", rnd, "GET", (302, 405, 405, 405, 405, 405)),
    Row("reports:round_rebuild_totals", rnd, "POST", (302, 403, 403, 403, 403, 302), writes=ADMIN),
    # A background job's page: who started it and the administrators of its unit (the round's managers).
    Row("units:job_list", none, "GET", (302, 200, 200, 200, 200, 200), state="bulk_job"),
    Row("units:job_list", none, "POST", (302, 405, 405, 405, 405, 405), state="bulk_job"),
    Row("units:job_detail", lambda c: (c.job.pk,), "GET", (302, 404, 404, 404, 404, 200), state="bulk_job"),
    Row("units:job_detail", lambda c: (c.job.pk,), "POST", (302, 405, 405, 405, 405, 405), state="bulk_job"),
    Row("units:job_status", lambda c: (c.job.pk,), "GET", (302, 404, 404, 404, 404, 200), state="bulk_job"),
    Row("units:job_status", lambda c: (c.job.pk,), "POST", (302, 405, 405, 405, 405, 405), state="bulk_job"),
    Row("reports:notification_list", none, "GET", (302, 200, 200, 200, 200, 200)),
    Row("reports:notification_list", none, "POST", (302, 405, 405, 405, 405, 405)),
    Row("reports:notification_read", none, "GET", (302, 405, 405, 405, 405, 405)),
    Row("reports:notification_read", none, "POST", (302, 302, 302, 302, 302, 302), writes=SIGNED_IN),
    # Downloads and exports.
    Row("exports:report_docx", rep, "GET", (302, 200, 404, 200, 404, 200)),
    Row("exports:report_docx", rep, "POST", (302, 405, 405, 405, 405, 405)),
    Row("exports:report_xlsx", rep, "GET", (302, 200, 404, 200, 404, 200)),
    Row("exports:report_xlsx", rep, "POST", (302, 405, 405, 405, 405, 405)),
    Row("exports:outline_docx", rep, "GET", (302, 200, 404, 200, 404, 200)),
    Row("exports:outline_docx", rep, "POST", (302, 405, 405, 405, 405, 405)),
    Row("exports:report_print", rep, "GET", (302, 200, 404, 200, 404, 200)),
    Row("exports:report_print", rep, "POST", (302, 405, 405, 405, 405, 405)),
    Row("exports:consolidated_start", own, "GET", (302, 405, 405, 405, 405, 405)),
    Row("exports:consolidated_start", own, "POST", (302, 404, 404, 302, 404, 302),
        data=lambda c: {"format": "docx"}, writes=REVIEWERS),
    # A grassroots unit's "consolidated" export is its own report: its drafter may make it.
    Row("exports:consolidated_start", rep, "POST", (302, 302, 404, 302, 404, 302),
        data=lambda c: {"format": "docx"}, writes=W(A, "reviewer", "admin")),
    Row("exports:job_detail", lambda c: (c.job.pk,), "GET", (302, 404, 404, 200, 404, 200), state="job"),
    Row("exports:job_detail", lambda c: (c.job.pk,), "POST", (302, 405, 405, 405, 405, 405), state="job"),
    Row("exports:job_status", lambda c: (c.job.pk,), "GET", (302, 404, 404, 200, 404, 200), state="job"),
    Row("exports:job_status", lambda c: (c.job.pk,), "POST", (302, 405, 405, 405, 405, 405), state="job"),
    Row("exports:job_download", lambda c: (c.job.pk,), "GET", (302, 404, 404, 200, 404, 200), state="job"),
    Row("exports:job_download", lambda c: (c.job.pk,), "POST", (302, 405, 405, 405, 405, 405), state="job"),
    Row("exports:job_retry", lambda c: (c.job.pk,), "GET", (302, 405, 405, 405, 405, 405), state="failed_job"),
    Row("exports:job_retry", lambda c: (c.job.pk,), "POST", (302, 404, 404, 302, 404, 302), state="failed_job",
        writes=REVIEWERS),
    # The dashboard's workbook: started by whoever opens the dashboard, then its maker's alone, not even
    # the admin's (its rows are the units its maker oversees, with their filter).
    Row("exports:dashboard_start", rnd, "GET", (302, 405, 405, 405, 405, 405)),
    Row("exports:dashboard_start", rnd, "POST", (302, 403, 403, 302, 302, 302),
        data=lambda c: {"status": "", "q": "", "sort": "name"}, writes=W("reviewer", "reviewer_elsewhere", "admin")),
    Row("exports:job_detail", lambda c: (c.job.pk,), "GET", (302, 404, 404, 200, 404, 404), state="dashboard_job"),
    Row("exports:job_status", lambda c: (c.job.pk,), "GET", (302, 404, 404, 200, 404, 404), state="dashboard_job"),
    Row("exports:job_download", lambda c: (c.job.pk,), "GET", (302, 404, 404, 200, 404, 404),
        state="dashboard_job"),
    Row("exports:job_retry", lambda c: (c.job.pk,), "POST", (302, 404, 404, 302, 404, 404),
        state="failed_dashboard_job", writes=W("reviewer")),
    # Outlines and catalogues are the admin's (permission to add them): published, copied, never edited here.
    Row("outline:outline_upload", none, "GET", (302, 403, 403, 403, 403, 200)),
    Row("outline:outline_upload", none, "POST", (302, 403, 403, 403, 403, 302),
        data=lambda c: {"text": OUTLINE_TEXT, "code": "dc-ma-tran", "name": "Đề cương", "publish": "1"},
        writes=W("admin")),
    # Outline drafts: written in the site by the same administrators, line by line or as text; a published
    # draft refuses every change in words (400), storing nothing.
    Row("outline:draft_create", none, "GET", (302, 403, 403, 403, 403, 302)),
    Row("outline:draft_create", none, "POST", (302, 403, 403, 403, 403, 302),
        data=lambda c: {"tu": "dc-ma-tran-goc", "code": "nhap-moi", "name": "Đề cương 2025–2030"},
        writes=W("admin")),
    Row("outline:draft_edit", outline_draft, "GET", (302, 403, 403, 403, 403, 200)),
    Row("outline:draft_edit", outline_draft, "POST", (302, 405, 405, 405, 405, 405)),
    Row("outline:draft_line", outline_draft_line, "GET", (302, 405, 405, 405, 405, 405)),
    Row("outline:draft_line", outline_draft_line, "POST", (302, 403, 403, 403, 403, 302),
        data=lambda c: {"l4-revision": 1, "l4-words": "KẾT QUẢ ĐẠT ĐƯỢC", "action": "save"}, writes=W("admin")),
    Row("outline:draft_line", outline_draft_line, "POST", (302, 403, 403, 403, 403, 302),
        data=lambda c: {"l4-revision": 1, "action": "add", "l4-add": "after", "l4-new_words": "BÀI HỌC"},
        writes=W("admin")),
    Row("outline:draft_line", published_draft_line, "POST", (302, 403, 403, 403, 403, 400),
        data=lambda c: {"l4-revision": 1, "l4-words": "KẾT QUẢ ĐẠT ĐƯỢC", "action": "save"}),
    Row("outline:draft_text", outline_draft, "GET", (302, 403, 403, 403, 403, 200)),
    Row("outline:draft_text", outline_draft, "POST", (302, 403, 403, 403, 403, 302),
        data=lambda c: {"text": OUTLINE_TEXT + "- Thêm gợi ý.\n", "revision": 1}, writes=W("admin")),
    Row("outline:draft_text", published_draft, "POST", (302, 403, 403, 403, 403, 400),
        data=lambda c: {"text": OUTLINE_TEXT + "- Thêm gợi ý.\n", "revision": 1}),
    Row("outline:draft_publish", outline_draft, "GET", (302, 405, 405, 405, 405, 405)),
    Row("outline:draft_publish", outline_draft, "POST", (302, 403, 403, 403, 403, 302), writes=W("admin")),
    Row("outline:draft_publish", published_draft, "POST", (302, 403, 403, 403, 403, 400)),
    Row("indicators:catalogue_copy", none, "GET", (302, 403, 403, 403, 403, 200)),
    Row("indicators:catalogue_copy", none, "POST", (302, 403, 403, 403, 403, 302),
        data=lambda c: {"source": c.world.round.outline_version.pk, "code": "dc-ban-sao", "name": "Bản sao"},
        writes=W("admin")),
]
# fmt: on

OWN_APPS = ("units", "outline", "indicators", "reports", "exports")


def stored():
    """Everything the site keeps, row by row, to tell whether a request changed anything."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for app in OWN_APPS
        for model in apps.get_app_config(app).get_models()
    }


def call(client, row, ctx):
    url = reverse(row.name, args=row.args(ctx))
    data = row.data(ctx) if row.data else {}
    if row.method == "GET":
        return client.get(url, headers=row.headers)
    return client.post(url, data, headers=row.headers)


@pytest.fixture(scope="module")
def shared(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The data of one state (``request.param``), made once for every test that asks for that state:
    made in a transaction rolled back when the next state is asked for, each test running in a
    savepoint of it (pytest-django), so no test sees another's changes. The tests ask for their states
    in order (STATE_ORDER), so each state is made once."""
    media = tmp_path_factory.mktemp(f"media-{request.param}")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = prepare(request.param)
            # What is stored before each request: every request runs in a savepoint rolled back after, so
            # it is the same for every row and role of this state (a change that leaked from one request
            # would show as a change made by the next, failing the row: never a change missed).
            ctx.extras["stored"] = stored()
            yield ctx
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# The rows grouped by state, "draft" first (the admin tests below ask for it too), in the matrix's
# order within a state.
STATE_ORDER = sorted(MATRIX, key=lambda r: (r.state != "draft", r.state))


@pytest.mark.parametrize(
    ("shared", "row"),
    [(row.state, row) for row in STATE_ORDER],
    ids=[r.id for r in STATE_ORDER],
    indirect=["shared"],
    scope="module",
)
def test_matrix(shared, row):
    ctx = shared
    got = {}
    for role in ROLES:
        # Each role starts from the same stored state: its request runs in a savepoint rolled back after.
        with transaction.atomic(), watched(OWN_APPS) as writes:
            client = Client()
            if role != "anonymous":
                client.force_login(ctx.world.users()[role])
            response = call(client, row, ctx)
            # Every row compared whenever a statement may have written one (tests/writes.py); none sent,
            # nothing can have changed.
            changed = bool(writes) and stored() != ctx.extras["stored"]
            got[role] = response.status_code
            if role in OUTSIDERS and response.status_code == 200:
                body = b"".join(response.streaming_content) if response.streaming else response.content
                # Nothing of unit A's reaches an outsider, not even its name.
                assert ctx.world.unit_a.name.encode() not in body, (row.id, role)
                assert SECRET.encode() not in body, (row.id, role)
            # The icon is open to anyone (a browser asks for it before signing in): it goes to the file.
            if response.status_code == 302 and role == "anonymous" and row.name != "favicon":
                assert response["Location"].startswith(reverse("login")), (row.id, role)
            assert changed == (role in row.writes), f"{row.id} {role}: stored data {'changed' if changed else 'kept'}"
            transaction.set_rollback(True)
    assert tuple(got[role] for role in ROLES) == row.expected, got


def _names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_the_matrix_covers_every_url_and_both_methods():
    names = set(_names(get_resolver()))
    covered = {(row.name, row.method) for row in MATRIX}
    missing = sorted((name, method) for name in names for method in ("GET", "POST") if (name, method) not in covered)
    assert not missing
    assert len(names) >= 36


ADMIN_PAGES = ["admin:index", "admin:units_unit_import", "admin:units_unit_import_template"] + [
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist" for model in admin.site._registry
]


@pytest.mark.parametrize("shared", ["draft"], indirect=True)
@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_are_for_the_admin_only(name, shared):
    """The Django admin ("Quản trị"): only staff get in; everyone else is sent to its login."""
    ctx = shared
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(ctx.world.users()[role])
        response = client.get(reverse(name))
        assert response.status_code == (200 if role == "admin" else 302), (name, role)


# The reorganisation pages of the admin (merge, move, deactivate): a form, a confirmation, then the change.
def _reorganise_posts(world):
    return {
        "admin:units_unit_merge": {
            "sources": [world.unit_a.pk],
            "into": "existing",
            "target": world.unit_b.pk,
            "effective": "01/07/2025",
            "confirm": "1",
        },
        "admin:units_unit_move": {"unit": world.unit_b.pk, "new_parent": world.other_superior.pk, "confirm": "1"},
        "admin:units_unit_deactivate": {"units": [world.unit_b.pk], "confirm": "1"},
    }


def _tree():
    from units.models import Unit

    return list(Unit.objects.order_by("pk").values_list("pk", "path", "is_active", "merged_into"))


@pytest.mark.parametrize("shared", ["draft"], indirect=True)
@pytest.mark.parametrize("name", ["admin:units_unit_merge", "admin:units_unit_move", "admin:units_unit_deactivate"])
def test_reorganisation_pages_are_for_the_admin_only(name, shared):
    ctx = shared
    post = _reorganise_posts(ctx.world)[name]
    for role in ROLES:
        with transaction.atomic():
            client = Client()
            if role != "anonymous":
                client.force_login(ctx.world.users()[role])
            assert client.get(reverse(name)).status_code == (200 if role == "admin" else 302), (name, role)
            before = _tree()
            response = client.post(reverse(name), post)
            assert response.status_code == 302, (name, role)
            changed = _tree() != before
            assert changed == (role == "admin"), (name, role)
            if role != "admin":
                # To a sign-in page: the site's for the anonymous, the admin's for the signed-in non-staff.
                assert response["Location"].startswith((reverse("admin:login"), reverse("login")))
            transaction.set_rollback(True)
