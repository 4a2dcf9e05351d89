"""The outline upload page: read a file, show it parsed, let the admin correct it, publish it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_validation_errors, error_summary

from . import services
from .forms import OutlineFileForm, OutlinePublishForm
from .models import PLACEHOLDERS, OutlineVersion
from .parsing import OutlineCheck, OutlineFormatError, check_outline, parse_outline
from .reading import OutlineFileRefused, read_outline_file
from .selectors import outline_diff, outline_preview, sample_fill
from .terms import stale_references, term_in


def _parsed(text: str, name: str = ""):
    """(preview lines, check) of a text; a text that cannot be parsed is one error, with its line. The
    lines are shown as a drafter of a round of the term the name states will see them; what belongs
    to another term or level is warned about (outline.terms)."""
    try:
        nodes = parse_outline(text)
    except OutlineFormatError as exc:
        return [], OutlineCheck(errors=[exc.message])
    term = term_in(name)
    check = check_outline(nodes)
    check.warnings.extend(stale_references(((n.line_no + 1, n.raw) for n in nodes), term=term))
    return outline_preview(nodes, sample_fill(term)), check


def _base(code: str) -> OutlineVersion | None:
    """The version a text was copied from (the catalogue is every administrator's to read)."""
    return OutlineVersion.objects.filter(code=code).first() if code else None


@require_http_methods(["GET", "POST"])
def outline_upload(request):
    """Admins only (permission to add outline versions). A file is read into the text box; "Check
    again" parses what the box holds; "Publish" makes it a new outline version."""
    if not request.user.has_perm("outline.add_outlineversion"):
        raise PermissionDenied
    file_form = OutlineFileForm()
    publish_form = None
    lines, check = [], None
    base, diff = None, []
    if request.method == "GET" and (base := _base(request.GET.get("tu", ""))) is not None:
        # "Sao chép để sửa": the version's text, to be edited here and published as a new version.
        publish_form = OutlinePublishForm(initial={"text": base.source_text, "base": base.code})
        lines, check = _parsed(base.source_text)
    elif request.method == "POST" and "text" not in request.POST:
        file_form = OutlineFileForm(request.POST, request.FILES, too_large=getattr(request, "upload_too_large", False))
        if file_form.is_valid():
            upload = file_form.cleaned_data["file"]
            try:
                text = read_outline_file(upload.name, upload.read())
            except OutlineFileRefused as exc:
                file_form.add_error("file", exc.message)
            else:
                publish_form = OutlinePublishForm(initial={"text": text})
                lines, check = _parsed(text)
    elif request.method == "POST":
        publish_form = OutlinePublishForm(request.POST)
        valid = publish_form.is_valid()
        text = publish_form.cleaned_data.get("text")
        base = _base(publish_form.cleaned_data.get("base", ""))
        if text is not None:
            lines, check = _parsed(text, publish_form.cleaned_data.get("name", ""))
            if base is not None:
                diff = outline_diff(base.source_text, text)
        if "publish" in request.POST and text is not None:
            # Both said at once: a wrong code and a missing name.
            valid = publish_form.require_code_and_name() and valid
            if valid and not check.errors:
                try:
                    version = services.outline_version_publish(
                        code=publish_form.cleaned_data["code"],
                        name=publish_form.cleaned_data["name"],
                        source=text,
                        actor=request.user,
                    )
                except ValidationError as exc:
                    add_validation_errors(publish_form, exc)
                except OutlineFormatError as exc:
                    publish_form.add_error("text", exc.message)
                else:
                    messages.success(
                        request,
                        _("The outline “%(name)s” was published with %(count)s lines.")
                        % {"name": version.name, "count": len(lines)},
                    )
                    return redirect(reverse("admin:outline_outlineversion_change", args=[version.pk]))
    return render(
        request,
        "outline/outline_upload.html",
        {
            "file_form": file_form,
            "form": publish_form,
            "lines": lines,
            "check": check,
            "writable": sum(1 for line in lines if line.node.is_writable),
            "base": base,
            "diff": diff,
            "versions": OutlineVersion.objects.order_by("code").only("code", "name"),
            "placeholders": PLACEHOLDERS.items(),
            "file_summary": error_summary(file_form) if file_form.is_bound else [],
            "summary": error_summary(publish_form) if publish_form is not None and publish_form.is_bound else [],
        },
    )
