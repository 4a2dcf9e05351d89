from django.urls import path

from reportsite import converters  # noqa: F401  (registers <code:…>)

from . import views

app_name = "indicators"

urlpatterns = [
    path("bao-cao/<int:pk>/phu-luc/", views.appendix_edit, name="appendix_edit"),
    path("bao-cao/<int:pk>/phu-luc/tong-hop/", views.appendix_fill, name="appendix_fill"),
    path("bao-cao/<int:pk>/phu-luc/excel/", views.appendix_xlsx, name="appendix_xlsx"),
    path("bao-cao/<int:pk>/phu-luc/tai-len/", views.appendix_upload, name="appendix_upload"),
    path("tong-hop/", views.rollup_index, name="rollup_index"),
    path("tong-hop/<code:round_code>/<code:unit_code>/", views.rollup_view, name="rollup"),
]
