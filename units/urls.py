from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/trang-thai/", views.job_status, name="job_status"),
]
