from django.urls import path

from core import converters  # noqa: F401  (registers <code:…>)

from . import views

app_name = "exports"

urlpatterns = [
    path("bao-cao/<int:pk>/word/", views.report_docx, name="report_docx"),
    path("bao-cao/<int:pk>/excel/", views.report_xlsx, name="report_xlsx"),
    path("bao-cao/<int:pk>/de-cuong/", views.outline_docx, name="outline_docx"),
    path("bao-cao/<int:pk>/ban-in/", views.report_print, name="report_print"),
    path("bao-cao/<int:pk>/tong-hop/", views.consolidated_start, name="consolidated_start"),
    path("theo-doi/<code:round_code>/excel/", views.dashboard_start, name="dashboard_start"),
    path("viec/<int:pk>/", views.job_detail, name="job_detail"),
    path("viec/<int:pk>/trang-thai/", views.job_status, name="job_status"),
    path("viec/<int:pk>/tai-ve/", views.job_download, name="job_download"),
    path("viec/<int:pk>/thu-lai/", views.job_retry, name="job_retry"),
]
