"""The site's URLs plus the bare template view `make bench` compares the report page against."""

from django.urls import path
from django.views.generic import TemplateView

from .urls import urlpatterns as site_urlpatterns

urlpatterns = [
    # Same middleware (session, login, CSRF, CSP…) and the same signed-in user as the pages measured.
    path("_bench/bare/", TemplateView.as_view(template_name="bench/bare.html"), name="bench_bare"),
    *site_urlpatterns,
]
