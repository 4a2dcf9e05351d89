from django.urls import path

from reportsite import converters  # noqa: F401  (registers <code:…>)

from . import review_views, views

app_name = "outline"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/muc/<str:key>/", views.section_edit, name="section_edit"),
    path("<int:pk>/nop/", views.report_submit, name="report_submit"),
    path("<int:pk>/lan-nop/<int:number>/", views.submission_detail, name="submission_detail"),
    path("<int:pk>/van-ban/", views.document_info, name="document_info"),
    path("<int:pk>/doc/", review_views.report_read, name="report_read"),
    path("<int:pk>/tra-lai/", review_views.report_return, name="report_return"),
    path("<int:pk>/duyet/", review_views.report_approve, name="report_approve"),
    path("<int:pk>/huy-duyet/", review_views.report_unapprove, name="report_unapprove"),
    path("<int:pk>/gop-y/", review_views.comment_post, name="comment_post"),
    path("<int:pk>/gop-y/<int:comment_pk>/trang-thai/", review_views.comment_resolve, name="comment_resolve"),
    path("<int:pk>/tra-loi/<int:item_pk>/", review_views.return_answer, name="return_answer"),
    path("<int:pk>/gia-han/", review_views.extension_request, name="extension_request"),
    path("<int:pk>/gia-han/quyet-dinh/", review_views.extension_decide, name="extension_decide"),
    path("<int:pk>/thay-doi/", review_views.report_diff, name="report_diff"),
    path("<int:pk>/lich-su/", review_views.report_history, name="report_history"),
    path("theo-doi/<code:round_code>/", review_views.dashboard, name="dashboard"),
    path("thong-bao/", review_views.notification_list, name="notification_list"),
    path("thong-bao/da-doc/", review_views.notification_read, name="notification_read"),
]
