import hashlib

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from documents.official import NATIONAL_MOTTO, name_lines, vietnamese_date
from indicators.figures import shown_table
from outline.models import blank_fill
from reports import selectors as report_selectors
from reports.models import Report
from reports.selectors import can_export_consolidated, can_export_drafts

from . import services
from .docx import CONSOLIDATED_PARTS, build_outline_docx, build_report_docx
from .models import ExportJob, JobStatus
from .selectors import outline_document, report_document
from .xlsx import build_report_xlsx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = {"docx": DOCX, "xlsx": XLSX}


def _report_or_404(request, pk):
    try:
        return report_selectors.report_for_user(request.user, pk)
    except Report.DoesNotExist:
        raise Http404 from None


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
    names = (
        f"{report.blank_fill}|{report.round.event_wording}|{report.unit.parent.name if report.unit.parent_id else ''}"
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
    report = _report_or_404(request, pk)
    return _download(
        _document(report, "docx", lambda r: build_report_docx(report_document(r))),
        _name("bao-cao", report, "docx"),
        "docx",
    )


@require_safe
def report_xlsx(request, pk):
    report = _report_or_404(request, pk)
    return _download(
        _document(report, "xlsx", lambda r: build_report_xlsx(report_document(r))),
        _name("phu-luc", report, "xlsx"),
        "xlsx",
    )


@require_safe
def report_print(request, pk):
    """The report as its Word file prints it, in the browser: the same header block, headings, texts,
    closing block and appendix, on A4 pages when printed (exports.selectors.report_document)."""
    report = _report_or_404(request, pk)
    doc = report_document(report)
    fields = doc.fields
    texts = doc.texts
    body = []
    for node in doc.nodes:
        if node.kind in ("title", "summary", "note", "closing", "guidance"):
            continue
        body.append({"node": node, "heading": node.heading_filled(blank_fill(fields)), "text": texts.get(node.key, "")})
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
            "notes": [(n, row) for n, row in enumerate(doc.rows, 1) if row.note or row.explanation],
            "years": doc.years,
            "no_previous_term": doc.no_previous_term,
            "previous": report.round.previous_labels,
        },
    )


@require_safe
def outline_docx(request, pk):
    report = _report_or_404(request, pk)
    return _download(build_outline_docx(outline_document(report)), _name("de-cuong", report, "docx"), "docx")


@require_POST
def consolidated_start(request, pk):
    report = _report_or_404(request, pk)
    fmt = request.POST.get("format")
    if fmt not in TYPES:
        raise Http404
    if not can_export_consolidated(request.user, report):
        raise PermissionDenied
    include_drafts = request.POST.get("include_drafts") == "1"
    if include_drafts and not can_export_drafts(request.user, report):
        raise PermissionDenied
    part = request.POST.get("part", "full")
    if part not in CONSOLIDATED_PARTS:
        part = "full"
    job = services.export_job_start(
        report=report,
        format=fmt,
        actor=request.user,
        include_drafts=include_drafts,
        part=part,
    )
    return redirect("exports:job_detail", pk=job.pk)


def _job_or_404(request, pk):
    job = ExportJob.objects.select_related("round", "unit").filter(pk=pk).first()
    if job is None:
        raise Http404
    report = Report.objects.visible_to(request.user).filter(round=job.round, unit=job.unit)
    report = report.select_related("round", "unit").first()
    if report is None or not can_export_consolidated(request.user, report):
        raise Http404
    if job.include_drafts and not can_export_drafts(request.user, report):
        raise Http404
    return job


@require_safe
def job_detail(request, pk):
    job = _job_or_404(request, pk)
    return render(request, "exports/job_detail.html", {"job": job, "statuses": JobStatus})


@require_safe
def job_status(request, pk):
    job = _job_or_404(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "percent": job.percent,
            "error": job.error and _("The export failed; try again or tell the administrator."),
        }
    )


@require_safe
def job_download(request, pk):
    job = _job_or_404(request, pk)
    if job.status != JobStatus.DONE or job.is_expired or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=TYPES[job.format])
