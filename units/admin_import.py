"""The units changelist's "Nhập từ Excel": upload → preview of what the file would create, change
or move, with every row's errors → confirm. The uploaded bytes wait on the server under their
SHA-256, and the confirmation reads and checks them all over again (units_import), never trusting
the preview. The management command import_units (reports app) applies files the same way."""

import hashlib
import re
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
KEEP_SECONDS = 24 * 3600  # an upload left without confirmation is removed after a day


class ImportUploadForm(UploadSizeMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx) filled from the template"),
        help_text=gettext_lazy("At most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX}"}),
    )


def _stored_name(user, digest: str) -> str:
    return f"unit-imports/{user.pk}/{digest}.xlsx"


def _keep(user, data: bytes) -> str:
    """Keep the uploaded bytes for the confirmation, per user, under their SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    folder = f"unit-imports/{user.pk}"
    if default_storage.exists(folder):
        for name in default_storage.listdir(folder)[1]:
            try:
                old = default_storage.get_modified_time(f"{folder}/{name}").timestamp()
            except OSError:
                continue
            if time.time() - old > KEEP_SECONDS:
                default_storage.delete(f"{folder}/{name}")
    name = _stored_name(user, digest)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data))
    return digest


def _kept(user, digest: str) -> bytes | None:
    if not _DIGEST.match(digest or ""):
        return None
    name = _stored_name(user, digest)
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        data = handle.read()
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
                if new_usernames and request.POST.get("invite"):
                    User = get_user_model()
                    users = User.objects.filter(**{f"{User.USERNAME_FIELD}__in": new_usernames})
                    result = users_invite(users=users, actor=request.user)
                    messages.success(request, _("%(count)s invitations sent.") % {"count": len(result.sent)})
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
                        digest = _keep(request.user, data)
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
