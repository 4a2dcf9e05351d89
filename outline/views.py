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
from .parsing import OutlineCheck, OutlineFormatError, check_outline, parse_outline
from .reading import OutlineFileRefused, read_outline_file
from .selectors import outline_preview


def _parsed(text: str):
    """(preview lines, check) of a text; a text that cannot be parsed is one error, with its line."""
    try:
        nodes = parse_outline(text)
    except OutlineFormatError as exc:
        return [], OutlineCheck(errors=[exc.message])
    return outline_preview(nodes), check_outline(nodes)


@require_http_methods(["GET", "POST"])
def outline_upload(request):
    """Admins only (permission to add outline versions). A file is read into the text box; "Check
    again" parses what the box holds; "Publish" makes it a new outline version."""
    if not request.user.has_perm("outline.add_outlineversion"):
        raise PermissionDenied
    file_form = OutlineFileForm()
    publish_form = None
    lines, check = [], None
    if request.method == "POST" and "text" not in request.POST:
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
        if text is not None:
            lines, check = _parsed(text)
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
            "file_summary": error_summary(file_form) if file_form.is_bound else [],
            "summary": error_summary(publish_form) if publish_form is not None and publish_form.is_bound else [],
        },
    )
