"""Pages for setting up reporting rounds (administrators) and picking the round the dashboard and the
roll-ups show (everyone who oversees units)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import selectors, services
from .access import access_managed_round, check_manages_rounds, check_oversees
from .forms import RoundForm


@require_safe
def round_list(request):
    """Đợt báo cáo: the rounds the administrator manages, with their state and what to do next."""
    check_manages_rounds(request.user)
    return render(request, "reports/round_list.html", {"rounds": selectors.round_list(request.user)})


def _round_form_page(request, round_=None):
    form = RoundForm(request.POST or None, instance=round_, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.round_save(round=round_, data=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved."))
            return redirect("reports:round_edit", round_code=saved.code)
    return render(
        request,
        "reports/round_form.html",
        {"form": form, "round": round_, "summary": form.error_summary() if form.is_bound else []},
    )


@require_http_methods(["GET", "POST"])
def round_create(request):
    check_manages_rounds(request.user)
    return _round_form_page(request)


@require_http_methods(["GET", "POST"])
def round_edit(request, round_code):
    round_ = access_managed_round(request.user, round_code)
    return _round_form_page(request, round_)


@require_http_methods(["GET", "POST"])
def round_open(request, round_code):
    """Mở đợt: says how many reports will be made and who will be told; on confirmation starts the
    background job that makes them and answers at once with its page. Opening again makes only the
    missing ones (a unit added since)."""
    round_ = access_managed_round(request.user, round_code)
    if request.method == "POST":
        job = services.round_open_start(round=round_, actor=request.user)
        return redirect("units:job_detail", pk=job.pk)
    preview = selectors.round_open_preview(round_)
    return render(request, "reports/round_open.html", {"round": round_, "preview": preview})


@require_POST
def round_rebuild_totals(request, round_code):
    """Tính lại số liệu tổng hợp: the round's roll-up totals made again in the background, with a page."""
    round_ = access_managed_round(request.user, round_code)
    job = services.round_rebuild_totals_start(round=round_, actor=request.user)
    return redirect("units:job_detail", pk=job.pk)


def _round_choice(request):
    """The rounds the user may pick and the one picked (?dot=CODE, else the latest opened)."""
    rounds = list(selectors.rounds_visible_to(request.user))
    return rounds, selectors.pick_round(rounds, request.GET.get("dot"))


@require_safe
def dashboard_pick(request):
    """Theo dõi báo cáo: goes to the dashboard of the round picked (?dot=CODE), by default the
    latest opened round the user has reports in."""
    check_oversees(request.user)
    _rounds, round_ = _round_choice(request)
    if round_ is None:
        raise Http404
    return redirect("reports:dashboard", round_code=round_.code)
