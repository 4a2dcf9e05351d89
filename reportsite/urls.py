from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from . import views
from .forms import LoginForm

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reports:report_list"), name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("huong-dan/", views.guide, name="guide"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's own password views, in Vietnamese templates (templates/registration/).
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("quen-mat-khau/", views.PasswordResetView.as_view(), name="password_reset"),
    path("quen-mat-khau/da-gui/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("dat-lai-mat-khau/xong/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # The link of an invitation e-mail (units/invitations.py): the person chooses their password.
    path("moi/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("", include("reports.urls")),
    path("xuat/", include("exports.urls")),
    # Background jobs on thousands of rows (units/jobs.py): opening a round, inviting, importing, totals.
    path("viec-nen/", include("units.urls")),
    path("de-cuong/", include("outline.urls")),
    path("chi-tieu/", include("indicators.urls")),
    path("quan-tri/", admin.site.urls),
    # The editor's own words (toolbar, table dialog) in Vietnamese, as a script file (no inline script).
    path("jsi18n/", cache_page(3600)(JavaScriptCatalog.as_view()), name="javascript-catalog"),
]
