"""The outline upload page: read a file, show it parsed, let the admin correct it, publish it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_validation_errors, error_summary

from . import services
from .editing import OutlineEditRefused, add_line, delete_line, edit_line, move_line
from .forms import OutlineDraftForm, OutlineDraftTextForm, OutlineFileForm, OutlineLineForm, OutlinePublishForm
from .models import PLACEHOLDERS, OutlineDraft, OutlineVersion
from .parsing import OutlineCheck, OutlineFormatError, check_outline, parse_outline
from .reading import OutlineFileRefused, read_outline_file
from .selectors import draft_view, outline_diff, outline_preview, sample_fill
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
            "drafts": OutlineDraft.objects.filter(published_at=None).order_by("code").only("pk", "code", "name"),
            "placeholders": PLACEHOLDERS.items(),
            "file_summary": error_summary(file_form) if file_form.is_bound else [],
            "summary": error_summary(publish_form) if publish_form is not None and publish_form.is_bound else [],
        },
    )


# Drafts: an outline written in the site, part by part ("the structured editor") or as one text.


def _require_admin(request) -> None:
    """Outlines are the catalogue's: read by all, written by the administrators allowed to add versions."""
    if not request.user.has_perm("outline.add_outlineversion"):
        raise PermissionDenied


def _draft(request, pk: int) -> OutlineDraft:
    _require_admin(request)
    draft = OutlineDraft.objects.select_related("base", "published_version", "updated_by").filter(pk=pk).first()
    if draft is None:
        raise Http404
    return draft


@require_http_methods(["GET", "POST"])
def draft_create(request):
    """A published version's text copied into a new draft ("Sửa từng mục"), given the code and name it will
    be published under."""
    _require_admin(request)
    base = _base(request.POST.get("tu", "") if request.method == "POST" else request.GET.get("tu", ""))
    if base is None:
        messages.error(request, _("Choose the published version to start from in the list below."))
        return redirect("outline:outline_upload")
    form = OutlineDraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.outline_draft_create(
                base=base, code=form.cleaned_data["code"], name=form.cleaned_data["name"], actor=request.user
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return redirect("outline:draft_edit", pk=draft.pk)
    return render(
        request,
        "outline/draft_create.html",
        {"form": form, "base": base, "summary": error_summary(form) if form.is_bound else []},
        status=400 if form.is_bound else 200,
    )


def _line_forms(draft, view, bound: "OutlineLineForm | None", bound_line: int | None):
    forms = {}
    for line in view.lines:
        if bound is not None and line.line == bound_line:
            forms[line.line] = bound
        else:
            forms[line.line] = OutlineLineForm(
                prefix=f"l{line.line}",
                initial={"words": line.node.text, "revision": draft.revision},
                add_choices=line.add_choices,
            )
    return forms


def _editor(request, draft, *, bound=None, bound_line=None, errors=(), status=200):
    view = draft_view(draft.text, name=draft.name, base_text=draft.base.source_text if draft.base else None)
    forms = {} if draft.is_published else _line_forms(draft, view, bound, bound_line)
    rows = [(line, forms.get(line.line)) for line in view.lines]
    return render(
        request,
        "outline/draft_edit.html",
        {
            "draft": draft,
            "view": view,
            "rows": rows,
            "errors": list(errors),
            "refused_line": bound_line if bound is not None and bound.errors else None,
            "placeholders": PLACEHOLDERS.items(),
        },
        status=status,
    )


@require_http_methods(["GET"])
def draft_edit(request, pk):
    """The structured editor: every part, section, item and guidance bullet in its own box, with the
    warnings beside the line that has them, the drafter's preview and the changes against the source."""
    return _editor(request, _draft(request, pk))


@require_http_methods(["POST"])
def draft_line(request, pk, line):
    """One line's form: save its words, move it, delete it, or add a line at it. Every change goes
    through ``outline_draft_save`` (checked, stored, counted); a refusal shows the editor again with the
    words typed still in their boxes."""
    draft = _draft(request, pk)
    if (reason := services.draft_lock_reason(draft)) is not None:
        return _editor(request, draft, errors=[reason], status=400)
    prefix = f"l{line}"
    action = request.POST.get("action", "save")
    form = OutlineLineForm(request.POST, prefix=prefix, add_choices=("after", "section", "item", "guidance"))
    if not form.is_valid():
        return _editor(request, draft, bound=form, bound_line=line, status=400)
    words = form.cleaned_data["words"]
    try:
        if action == "up" or action == "down":
            edited = move_line(draft.text, line - 1, action)
        elif action == "delete":
            edited = delete_line(draft.text, line - 1)
        elif action == "add":
            edited = add_line(draft.text, line - 1, form.cleaned_data["add"] or "after", form.cleaned_data["new_words"])
        else:
            edited = edit_line(draft.text, line - 1, words)
    except OutlineEditRefused as exc:
        field = "new_words" if action == "add" else ("words" if action == "save" else None)
        form.add_error(field, exc.message)
        return _editor(request, draft, bound=form, bound_line=line, status=400)
    try:
        services.outline_draft_save(
            draft=draft, text=edited.text, revision=form.cleaned_data["revision"], actor=request.user
        )
    except ValidationError as exc:
        draft.refresh_from_db()
        if draft.is_published:  # published meanwhile
            return _editor(request, draft, errors=exc.messages, status=400)
        # The form again at its line, ready to send with the draft's revision as it now is.
        data = request.POST.copy()
        data[f"{prefix}-revision"] = str(draft.revision)
        form = OutlineLineForm(data, prefix=prefix, add_choices=("after", "section", "item", "guidance"))
        form.is_valid()
        for message in exc.messages:
            form.add_error(None, message)
        return _editor(request, draft, bound=form, bound_line=line, status=400)
    messages.success(request, _("Saved. The preview and the changes below show the draft as it is now."))
    return redirect(reverse("outline:draft_edit", args=[draft.pk]) + f"#dong-{edited.line + 1}")


@require_http_methods(["GET", "POST"])
def draft_text(request, pk):
    """The whole draft in one text box ("Sửa dạng văn bản"), saved by the same service."""
    draft = _draft(request, pk)
    if request.method == "POST":
        form = OutlineDraftTextForm(request.POST)
        if form.is_valid():
            try:
                services.outline_draft_save(
                    draft=draft,
                    text=form.cleaned_data["text"],
                    revision=form.cleaned_data["revision"],
                    actor=request.user,
                )
            except ValidationError as exc:
                # The text typed is shown again, ready to send with the draft's revision as it now is.
                draft.refresh_from_db()
                data = request.POST.copy()
                data["revision"] = str(draft.revision)
                form = OutlineDraftTextForm(data)
                form.is_valid()
                add_validation_errors(form, exc)
            else:
                messages.success(request, _("Saved. The preview and the changes below show the draft as it is now."))
                return redirect("outline:draft_edit", pk=draft.pk)
        status = 400
    else:
        form = OutlineDraftTextForm(initial={"text": draft.text, "revision": draft.revision})
        status = 200
    return render(
        request,
        "outline/draft_text.html",
        {
            "draft": draft,
            "form": form,
            "placeholders": PLACEHOLDERS.items(),
            "summary": error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


@require_http_methods(["POST"])
def draft_publish(request, pk):
    """Publish the draft as a new outline version; what stops it is said on the editor."""
    draft = _draft(request, pk)
    try:
        version = services.outline_draft_publish(draft=draft, actor=request.user)
    except ValidationError as exc:
        return _editor(request, draft, errors=exc.messages, status=400)
    except OutlineFormatError as exc:
        return _editor(request, draft, errors=[exc.message], status=400)
    messages.success(request, _("The outline “%(name)s” was published.") % {"name": version.name})
    return redirect(reverse("admin:outline_outlineversion_change", args=[version.pk]))
