"""The site's URLs plus the bare views `make bench` compares the pages and the autosave against."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from reports.models import SectionText
from reportsite.urls import urlpatterns as site_urlpatterns


@require_POST
def bare_write(request):
    """A POST through the same middleware (session, login, CSRF…) that does one UPDATE of the same text
    the autosave would write: what an autosave is compared with."""
    SectionText.objects.filter(pk=int(request.POST["pk"])).update(content=request.POST["content"])
    return JsonResponse({"ok": True})


urlpatterns = [
    # Same middleware (session, login, CSRF, CSP…) and the same signed-in user as the pages measured.
    path("_bench/bare/", TemplateView.as_view(template_name="devtools/bench_bare.html"), name="bench_bare"),
    path("_bench/bare-write/", bare_write, name="bench_bare_write"),
    *site_urlpatterns,
]
