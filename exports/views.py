import hashlib

from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext
from django.views.decorators.http import require_POST, require_safe

from documents.official import NATIONAL_MOTTO, name_lines, vietnamese_date
from indicators.figures import shown_table
from outline.models import blank_fill
from reports.access import Action, access_dashboard_round, access_report_by_id, access_rollup, check_report_access

from . import services
from .access import access_job_and_report_by_id, access_job_by_id
from .docx import CONSOLIDATED_PARTS, attached_line, build_outline_docx, build_report_docx
from .models import JobStatus
from .selectors import heading_levels, outline_document, report_document
from .xlsx import build_report_xlsx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = {"docx": DOCX, "xlsx": XLSX}


def _download(data, name, fmt):
    response = HttpResponse(data, content_type=TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _name(prefix, report, fmt):
    return f"{prefix}-{slugify(report.unit.code)}-{slugify(report.round.code)}.{fmt}"


# People download the same report again and again before printing it: the file is kept per revision.
DOCUMENT_TIMEOUT = 600


def _document(report, kind, build) -> bytes:
    """The file of ``report`` made by ``build``, from the cache while the report is unchanged.

    Every service that changes the report touches ``updated_at``; the date printed on the document, the
    names in its header block, the round's wording of the previous term and the language are in the key
    too. Admin edits of the catalogue show within DOCUMENT_TIMEOUT."""
    # The round's wording and term: the event's name, and what the previous term's column holds.
    parent = report.unit.parent.name if report.unit.parent_id else ""
    names = (
        f"{report.blank_fill.key}|{report.round.event_wording}|{parent}"
        f"|{report.round.previous_term}|{report.round.term_label}"
    )
    key = ":".join(
        [
            "document",
            kind,
            str(report.pk),
            str(report.updated_at.timestamp()),
            timezone.localdate().isoformat(),
            hashlib.blake2b(names.encode(), digest_size=8).hexdigest(),
            get_language() or "",
        ]
    )
    data = cache.get(key)
    if data is None:
        data = build(report)
        cache.set(key, data, DOCUMENT_TIMEOUT)
    return data


@require_safe
def report_docx(request, pk):
    report = access_report_by_id(request.user, pk)
    return _download(
        _document(report, "docx", lambda r: build_report_docx(report_document(r))),
        _name("bao-cao", report, "docx"),
        "docx",
    )


@require_safe
def report_xlsx(request, pk):
    report = access_report_by_id(request.user, pk)
    return _download(
        _document(report, "xlsx", lambda r: build_report_xlsx(report_document(r))),
        _name("phu-luc", report, "xlsx"),
        "xlsx",
    )


@require_safe
def report_print(request, pk):
    """The report as its Word file prints it, in the browser: the same header block, headings, texts,
    closing block and appendix, on A4 pages when printed (exports.selectors.report_document)."""
    report = access_report_by_id(request.user, pk)
    doc = report_document(report)
    fields = doc.fields
    texts = doc.texts
    body = []
    # The nodes and heading levels of the Word file: the page's title is its h1, the parts h2 and so on.
    printed = doc.printed_nodes
    levels = heading_levels(printed)
    for node in printed:
        if node.kind in ("title", "summary", "note", "closing", "guidance"):
            continue
        body.append(
            {
                "node": node,
                "heading": node.heading_filled(blank_fill(fields)),
                "text": texts.get(node.key, ""),
                "tag": f"h{min(6, levels.get(node.pk, 1) + 1)}",
            }
        )
    summary = next((n for n in doc.nodes if n.kind == "summary"), None)
    return render(
        request,
        "exports/print.html",
        {
            "report": report,
            "fields": fields,
            "superior_lines": name_lines(fields["superior"], 24) if fields["superior"] else [],
            "unit_lines": name_lines(fields["unit"], 22),
            "motto": NATIONAL_MOTTO,
            "place_date": vietnamese_date(doc.date, fields["place"]),
            "summary": summary.text_filled(blank_fill(fields)) if summary else "",
            "body": body,
            "rows": doc.rows,
            # The figures in the columns shown (no previous term's when there is none): not left to the template.
            "shown_rows": shown_table(doc.rows, no_previous_term=doc.no_previous_term)[1],
            "attached": attached_line(fields, doc.date),
            "notes": [(n, row) for n, row in enumerate(doc.rows, 1) if row.note or row.explanation],
            "years": doc.years,
            "no_previous_term": doc.no_previous_term,
            "previous": report.round.previous_labels,
        },
    )


@require_safe
def outline_docx(request, pk):
    report = access_report_by_id(request.user, pk)
    return _download(build_outline_docx(outline_document(report)), _name("de-cuong", report, "docx"), "docx")


@require_POST
def consolidated_start(request, pk):
    report = access_report_by_id(request.user, pk)
    fmt = request.POST.get("format")
    if fmt not in TYPES:
        raise Http404
    check_report_access(request.user, report, Action.EXPORT)
    include_drafts = request.POST.get("include_drafts") == "1"
    if include_drafts:
        check_report_access(request.user, report, Action.EXPORT_DRAFTS)
    # The print file unless the units' texts are asked for (a file of their own, or both in one).
    part = request.POST.get("part", "report")
    if part not in CONSOLIDATED_PARTS:
        part = "report"
    job = services.export_job_start(
        report=report,
        format=fmt,
        actor=request.user,
        include_drafts=include_drafts,
        part=part,
    )
    return redirect("exports:job_detail", pk=job.pk)


@require_POST
def dashboard_start(request, round_code):
    """The dashboard's workbook, made in the background as the consolidated files are: the filter,
    search and order the page had (the form's hidden fields), then the job's page."""
    round_ = access_dashboard_round(request.user, round_code)
    job = services.dashboard_job_start(
        round=round_,
        actor=request.user,
        status=request.POST.get("status", ""),
        query=request.POST.get("q", "")[:100],
        sort=request.POST.get("sort", "name"),
    )
    return redirect("exports:job_detail", pk=job.pk)


def _current(job):
    """The job as its page shows it: one whose worker died or that ran past its limit is failed here
    (a service), so its page never shows it running for ever."""
    if job.status == JobStatus.RUNNING and services.export_jobs_fail_stale(pk=job.pk):
        job.refresh_from_db()
    return job


def _pages_label(job) -> str:
    """ "Khoảng 24 trang A4": what the file prints, said before it is downloaded."""
    if job.pages is None or job.status != JobStatus.DONE:
        return ""
    return ngettext("About %(count)s A4 page", "About %(count)s A4 pages", job.pages) % {"count": job.pages}


# The print file and the units' texts are two files: each job's page offers the other one.
OTHER_PART = {"report": "annex", "annex": "report", "full": "report"}


@require_safe
def job_detail(request, pk):
    job, report = access_job_and_report_by_id(request.user, pk)
    job = _current(job)
    # The way back: the report the file was asked from (the dashboard, for its workbook) and, for those
    # who oversee the unit, its roll-up.
    rollup = False
    if report is not None and not job.unit.is_grassroots:
        try:
            access_rollup(request.user, job.round.code, job.unit.code)
        except Http404:
            pass
        else:
            rollup = True
    return render(
        request,
        "exports/job_detail.html",
        {
            "job": job,
            "report": report,
            "rollup": rollup,
            "statuses": JobStatus,
            "pages_label": _pages_label(job),
            "other_part": OTHER_PART[job.part]
            if report is not None and job.format == "docx" and not report.unit.is_grassroots
            else "",
        },
    )


@require_safe
def job_status(request, pk):
    job = _current(access_job_by_id(request.user, pk))
    return JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "percent": job.percent,
            "error": job.reason,
            "pages": _pages_label(job),
        }
    )


@require_POST
def job_retry(request, pk):
    job, report = access_job_and_report_by_id(request.user, pk)
    job = _current(job)
    if job.status != JobStatus.FAILED:
        return redirect("exports:job_detail", pk=job.pk)
    again = services.export_job_retry(job=job, report=report, actor=request.user)
    return redirect("exports:job_detail", pk=again.pk)


@require_safe
def job_download(request, pk):
    job = _current(access_job_by_id(request.user, pk))
    if job.status != JobStatus.DONE or job.is_expired or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=TYPES[job.format])
