from django.urls import path

from . import views

app_name = "outline"

urlpatterns = [
    path("tai-len/", views.outline_upload, name="outline_upload"),
]
