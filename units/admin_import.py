"""The units changelist's "Nhập từ Excel": upload → preview of what the file would create, change
or move, with every row's errors → confirm. The uploaded bytes wait on the server under their
SHA-256, and the confirmation reads and checks them all over again (units_import), never trusting
the preview. They are written under a temporary name and renamed once whole, and read back only when
their hash is their name: a full disk leaves nothing behind, and a kept file that is empty or cut is
written again rather than trusted. The management command import_units (reports app) applies files
the same way."""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import UploadSizeMixin
from core.workbook import WorkbookRefused

from .imports import ImportInvalid, build_template, import_plan, units_import
from .imports.kept import KeepFailed
from .imports.kept import forget as _forget
from .imports.kept import keep as _keep
from .imports.kept import kept as _kept
from .invitations import users_invite

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
log = logging.getLogger(__name__)


class ImportUploadForm(UploadSizeMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx) filled from the template"),
        help_text=gettext_lazy("At most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX}"}),
    )


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

    def import_start(self, *, digest: str, actor, invite: bool):
        """Start the background import of the kept file ``digest`` and return its job, or None to
        import it in the request. The reports layer's admin starts it (reports.services.units_import_start:
        the import, its totals and its invitations); this mixin alone imports in the request."""
        return None

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
            # A large file in the background: its page follows it and says what came of it. A small one
            # (under UNITS_IMPORT_SYNC_BYTES, a few hundred rows) takes about a second here, and
            # any error it has now shows on this page with the rows it concerns.
            if len(data) > settings.UNITS_IMPORT_SYNC_BYTES:
                invite = request.POST.get("invite") in ("now", "1")
                job = self.import_start(digest=digest, actor=request.user, invite=invite)
                if job is not None:
                    return redirect("units:job_detail", pk=job.pk)
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
