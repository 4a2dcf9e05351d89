from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("sao-chep/", views.catalogue_copy, name="catalogue_copy"),
]
