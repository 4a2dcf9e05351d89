from django.urls import path

from . import views

app_name = "outline"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/muc/<str:key>/", views.section_edit, name="section_edit"),
    path("<int:pk>/nop/", views.report_submit, name="report_submit"),
    path("<int:pk>/lan-nop/<int:number>/", views.submission_detail, name="submission_detail"),
]
