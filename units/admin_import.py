"""The units changelist's "Nhập từ Excel": upload → preview of what the file would create, change
or move, with every row's errors → confirm. The uploaded bytes wait on the server under their
SHA-256, and the confirmation reads and checks them all over again (units_import), never trusting
the preview. They are written under a temporary name and renamed once whole, and read back only when
their hash is their name: a full disk leaves nothing behind, and a kept file that is empty or cut is
written again rather than trusted. The management command import_units (reports app) applies files
the same way."""

import contextlib
import hashlib
import logging
import os
import re
import secrets
import time

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import UploadSizeMixin
from core.workbook import WorkbookRefused

from .imports import ImportInvalid, build_template, import_plan, units_import
from .invitations import users_invite

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
log = logging.getLogger(__name__)
KEEP_SECONDS = 24 * 3600  # an upload left without confirmation is removed after a day


class ImportUploadForm(UploadSizeMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx) filled from the template"),
        help_text=gettext_lazy("At most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX}"}),
    )


def _stored_name(user, digest: str) -> str:
    return f"unit-imports/{user.pk}/{digest}.xlsx"


class KeepFailed(Exception):
    """The uploaded file could not be kept for the confirmation (a full disk, most likely)."""


def _keep(user, data: bytes) -> str:
    """Keep the uploaded bytes for the confirmation, per user, under their SHA-256. A kept file
    already there is used only when it reads back whole; otherwise it is written again. Raises
    KeepFailed, leaving nothing behind, when the storage cannot take the file."""
    digest = hashlib.sha256(data).hexdigest()
    folder = f"unit-imports/{user.pk}"
    try:
        if default_storage.exists(folder):
            for name in default_storage.listdir(folder)[1]:
                try:
                    old = default_storage.get_modified_time(f"{folder}/{name}").timestamp()
                except OSError:
                    continue
                if time.time() - old > KEEP_SECONDS:
                    default_storage.delete(f"{folder}/{name}")
    except OSError:
        log.warning("old unit-import uploads of user %s could not be removed", user.pk, exc_info=True)
    if _kept(user, digest) is None:
        _write_whole(_stored_name(user, digest), data)
    return digest


def _write_whole(name: str, data: bytes) -> None:
    """Write ``data`` at ``name`` all at once: under a temporary name beside it, renamed once complete,
    so that ``name`` holds the whole file or is absent. On failure the temporary file is removed."""
    temporary = f"{name}.{secrets.token_hex(8)}.part"
    saved = None
    try:
        saved = default_storage.save(temporary, ContentFile(data))
        try:
            source, target = default_storage.path(saved), default_storage.path(name)
        except NotImplementedError:
            # A storage without local paths (an object store) writes each object whole.
            default_storage.delete(name)
            default_storage.save(name, ContentFile(data))
            default_storage.delete(saved)
        else:
            os.replace(source, target)
    except OSError as exc:
        for leftover in {temporary, saved} - {None}:
            with contextlib.suppress(OSError):
                default_storage.delete(leftover)
        log.error("a unit-import upload could not be kept at %s: %s", name, exc)
        raise KeepFailed(str(exc)) from exc


def _kept(user, digest: str) -> bytes | None:
    if not _DIGEST.match(digest or ""):
        return None
    name = _stored_name(user, digest)
    if not default_storage.exists(name):
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    # What is read back is what was checked: the name is its content's hash.
    return data if hashlib.sha256(data).hexdigest() == digest else None


def _forget(user, digest: str) -> None:
    if _DIGEST.match(digest or ""):
        default_storage.delete(_stored_name(user, digest))


class UnitImportMixin:
    """Adds the import pages to a ModelAdmin of Unit; the changelist template shows the button."""

    change_list_template = "admin/units/unit/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("nhap-excel/", view(self.import_view), name="units_unit_import"),
            path("nhap-excel/bieu-mau.xlsx", view(self.import_template_view), name="units_unit_import_template"),
            *super().get_urls(),
        ]

    def import_apply(self, *, data: bytes, actor):
        """Apply the confirmed file. The reports layer's admin (reports.reorganisation_admin) applies it
        through reports.reorganisation.units_import_apply, which also rebuilds the roll-up totals."""
        return units_import(data=data, actor=actor)

    def _check(self, request):
        # The file adds units, moves them, makes accounts and grants roles: all four rights.
        allowed = self.has_add_permission(request) and self.has_change_permission(request)
        if not (allowed and request.user.has_perms(["units.add_membership", "auth.add_user"])):
            raise PermissionDenied

    def import_template_view(self, request):
        self._check(request)
        response = HttpResponse(build_template(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="mau-nhap-don-vi.xlsx"'
        return response

    def import_view(self, request):
        self._check(request)
        form, plan, digest = ImportUploadForm(), None, ""
        if request.method == "POST" and request.POST.get("digest"):
            digest = request.POST["digest"]
            data = _kept(request.user, digest)
            if data is None:
                messages.error(request, _("The uploaded file is no longer kept; upload it again."))
                return redirect("admin:units_unit_import")
            if "cancel" in request.POST:
                _forget(request.user, digest)
                return redirect("admin:units_unit_changelist")
            try:
                plan = self.import_apply(data=data, actor=request.user)
            except WorkbookRefused as exc:
                form.add_error(None, exc.message)
                plan = None
            except ImportInvalid as exc:
                # Something changed since the preview (another import, an edit): show it again.
                plan = exc.plan
                _forget(request.user, digest)
                messages.error(request, _("Nothing was imported: the file has errors now. See them below."))
            else:
                _forget(request.user, digest)
                counts = plan.counts
                messages.success(
                    request,
                    _(
                        "Imported: %(created)s units created, %(changed)s changed, %(moved)s moved; "
                        "%(new_users)s new accounts, %(new_roles)s new roles."
                    )
                    % counts,
                )
                new_usernames = sorted({p.username for p in plan.people if p.new_user})
                # "now" (formerly a tick box sending "1"), or "round": the round-opening task invites the
                # drafters it tells whose accounts were never invited (reports.notify.invite_the_uninvited).
                if new_usernames and request.POST.get("invite") in ("now", "1"):
                    User = get_user_model()
                    users = User.objects.filter(**{f"{User.USERNAME_FIELD}__in": new_usernames})
                    result = users_invite(users=users, actor=request.user)
                    messages.success(request, _("%(count)s invitations sent.") % {"count": len(result.sent)})
                elif new_usernames:
                    messages.info(
                        request,
                        _(
                            "The new accounts are not invited yet: their drafters get their invitations when a "
                            "round opens for their unit; anyone else from the account list "
                            "(“Send the invitation to choose a password”)."
                        ),
                    )
                return redirect("admin:units_unit_changelist")
        elif request.method == "POST":
            form = ImportUploadForm(request.POST, request.FILES, too_large=getattr(request, "upload_too_large", False))
            if form.is_valid():
                data = form.cleaned_data["file"].read()
                try:
                    plan = import_plan(data, actor=request.user)
                except WorkbookRefused as exc:
                    form.add_error("file", exc.message)
                else:
                    if plan.ok and plan.changes_anything:
                        try:
                            digest = _keep(request.user, data)
                        except KeepFailed:
                            plan = None
                            form.add_error(
                                "file",
                                _(
                                    "The server could not keep the file until you confirm (its disk may be full): "
                                    "nothing was imported. Try again later, or tell the site's administrator."
                                ),
                            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import units from Excel"),
            "form": form,
            "plan": plan,
            "digest": digest if plan is not None and plan.ok and plan.changes_anything else "",
            "template_url": reverse("admin:units_unit_import_template"),
        }
        if plan is not None:
            context["lines"] = {
                action: [line for line in plan.units if line.action == action]
                for action in ("created", "moved", "changed", "unchanged")
            }
            context["new_people"] = [p for p in plan.people if p.new_user or p.new_role]
        return TemplateResponse(request, "admin/units/unit/import.html", context)
