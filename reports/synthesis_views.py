"""The synthesis panel of a superior union's own report (its units' texts for a section, to quote) and
the reviewers' marks on the units' texts that put passages first there."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from outline.models import OutlineNode

from . import selectors, services
from .access import Action, access_mark_by_id, access_report_by_id, can
from .models import MarkKind, PassageMark
from .review_views import _back
from .selectors.synthesis import SynthesisFilter


def synthesis_context(request, report, node) -> dict:
    """What the panel shows for ``node`` of ``report`` (a superior union's own report), from the request's
    GET (``tim``, ``trang_thai``, ``qua``, ``don_vi``): the filter, one page of texts, the choices."""
    channels = selectors.synthesis_channels(report)
    wanted = SynthesisFilter.from_params(request.GET, channels)
    page, texts = selectors.synthesis_page(report, node, wanted, request.GET.get("don_vi"), channels)
    query = request.GET.copy()
    query.pop("don_vi", None)
    return {
        "synthesis": {
            # Quoting puts words in the editor: only who may write this report, while it is open.
            "can_quote": can(request.user, report, Action.DRAFT) and report.is_editable,
            "filter": wanted,
            "page": page,
            "texts": texts,
            "pages": list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)),
            "channels": channels,
            "statuses": [(s, s.label) for s in selectors.SYNTHESIS_STATUSES],
            "query": query.urlencode(),
            "url": reverse("reports:synthesis_texts", args=[report.pk, node.key]),
            "page_url": reverse("reports:section_edit", args=[report.pk, node.key]),
        }
    }


@require_safe
def synthesis_texts(request, pk, key):
    """The panel's texts alone (searching and paging without reloading the editor): a superior union's
    own report only, for whoever may read it."""
    report = access_report_by_id(request.user, pk)
    if report.unit.is_grassroots:
        raise Http404
    try:
        node = selectors.section_page(report, key).node
    except OutlineNode.DoesNotExist:
        raise Http404 from None
    context = {"report": report, **synthesis_context(request, report, node)}
    return render(request, "reports/_synthesis_texts.html", context)


@require_POST
def passage_mark(request, pk):
    """A reviewer marks a section of a unit's report, or one of its paragraphs, while reading it."""
    report = access_report_by_id(request.user, pk, Action.REVIEW)
    default = reverse("reports:report_read", args=[report.pk])
    try:
        paragraph = int(request.POST.get("paragraph") or 0)
    except ValueError:
        paragraph = -1
    try:
        services.passage_mark(
            report=report,
            node_key=request.POST.get("node", "")[:60],
            paragraph=paragraph,
            kind=request.POST.get("kind", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked: %(kind)s.") % {"kind": MarkKind(request.POST["kind"]).label})
    return _back(request, default)


@require_POST
def passage_unmark(request, pk, mark_pk):
    """A reviewer takes a mark off."""
    report = access_report_by_id(request.user, pk, Action.REVIEW)
    mark: PassageMark = access_mark_by_id(report, mark_pk)
    services.passage_unmark(mark=mark, actor=request.user)
    messages.success(request, _("The mark has been taken off."))
    return _back(request, reverse("reports:report_read", args=[report.pk]))
