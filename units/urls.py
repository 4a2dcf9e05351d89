from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/trang-thai/", views.job_status, name="job_status"),
]
