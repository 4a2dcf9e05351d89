"""The catalogue copy page: an earlier round's indicators, copied to a version a new round can use."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_validation_errors, error_summary

from . import services
from .forms import CatalogueCopyForm


@require_http_methods(["GET", "POST"])
def catalogue_copy(request):
    """Admins only (permission to add indicators). After the copy, the admin's list of the new
    catalogue opens, to edit it."""
    if not request.user.has_perm("indicators.add_indicator"):
        raise PermissionDenied
    form = CatalogueCopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.catalogue_copy(
                source=form.cleaned_data["source"],
                target=form.cleaned_data["target"],
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The catalogue was copied to “%(version)s”. Edit it here; a round uses it once its "
                    "outline version is set to it."
                )
                % {"version": version.name},
            )
            changelist = reverse("admin:indicators_indicator_changelist")
            return redirect(f"{changelist}?{urlencode({'outline_version__id__exact': version.pk})}")
    return render(
        request,
        "indicators/catalogue_copy.html",
        {"form": form, "summary": error_summary(form) if form.is_bound else []},
    )
