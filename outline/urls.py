from django.urls import path

from . import views

app_name = "outline"

urlpatterns = [
    path("tai-len/", views.outline_upload, name="outline_upload"),
    path("nhap/moi/", views.draft_create, name="draft_create"),
    path("nhap/<int:pk>/", views.draft_edit, name="draft_edit"),
    path("nhap/<int:pk>/dong/<int:line>/", views.draft_line, name="draft_line"),
    path("nhap/<int:pk>/van-ban/", views.draft_text, name="draft_text"),
    path("nhap/<int:pk>/xuat-ban/", views.draft_publish, name="draft_publish"),
]
