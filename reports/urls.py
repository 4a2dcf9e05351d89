"""The report pages: drafting, the appendix, review, the dashboard and the roll-up."""

from django.urls import path

from core import converters  # noqa: F401  (registers <code:…>)

from . import appendix_views, draft_views, proposal_views, review_views, round_views, synthesis_views, views

app_name = "reports"

urlpatterns = [
    path("bao-cao/", views.report_list, name="report_list"),
    path("bao-cao/<int:pk>/", views.report_detail, name="report_detail"),
    path("bao-cao/<int:pk>/muc/<str:key>/", views.section_edit, name="section_edit"),
    path("bao-cao/<int:pk>/muc/<str:key>/van-ban-don-vi/", synthesis_views.synthesis_texts, name="synthesis_texts"),
    path("bao-cao/<int:pk>/danh-dau/", synthesis_views.passage_mark, name="passage_mark"),
    path("bao-cao/<int:pk>/danh-dau/<int:mark_pk>/bo/", synthesis_views.passage_unmark, name="passage_unmark"),
    path("bao-cao/<int:pk>/nop/", views.report_submit, name="report_submit"),
    path("bao-cao/<int:pk>/lan-nop/<int:number>/", views.submission_detail, name="submission_detail"),
    path("bao-cao/<int:pk>/nhap-word/", draft_views.draft_import, name="draft_import"),
    path("bao-cao/<int:pk>/van-ban/", views.document_info, name="document_info"),
    path("bao-cao/<int:pk>/kien-nghi/", proposal_views.proposals, name="proposals"),
    path("bao-cao/<int:pk>/kien-nghi/cach-viet/", proposal_views.proposal_wording, name="proposal_wording"),
    path("bao-cao/<int:pk>/kien-nghi/chen/", proposal_views.proposals_insert, name="proposals_insert"),
    path("bao-cao/<int:pk>/doc/", review_views.report_read, name="report_read"),
    path("bao-cao/<int:pk>/tra-lai/", review_views.report_return, name="report_return"),
    path("bao-cao/<int:pk>/duyet/", review_views.report_approve, name="report_approve"),
    path("bao-cao/<int:pk>/huy-duyet/", review_views.report_unapprove, name="report_unapprove"),
    path("bao-cao/<int:pk>/gop-y/", review_views.comment_post, name="comment_post"),
    path("bao-cao/<int:pk>/gop-y/<int:comment_pk>/trang-thai/", review_views.comment_resolve, name="comment_resolve"),
    path("bao-cao/<int:pk>/tra-loi/<int:item_pk>/", review_views.return_answer, name="return_answer"),
    path("bao-cao/<int:pk>/gia-han/", review_views.extension_request, name="extension_request"),
    path("bao-cao/<int:pk>/gia-han/quyet-dinh/", review_views.extension_decide, name="extension_decide"),
    path("bao-cao/<int:pk>/thay-doi/", review_views.report_diff, name="report_diff"),
    path("bao-cao/<int:pk>/lich-su/", review_views.report_history, name="report_history"),
    path("bao-cao/theo-doi/", round_views.dashboard_pick, name="dashboard_pick"),
    path("bao-cao/theo-doi/<code:round_code>/", review_views.dashboard, name="dashboard"),
    path("bao-cao/thong-bao/", review_views.notification_list, name="notification_list"),
    path("bao-cao/thong-bao/da-doc/", review_views.notification_read, name="notification_read"),
    path("bao-cao/<int:pk>/phu-luc/", appendix_views.appendix_edit, name="appendix_edit"),
    path("bao-cao/<int:pk>/phu-luc/tong-hop/", appendix_views.appendix_fill, name="appendix_fill"),
    path("bao-cao/<int:pk>/phu-luc/excel/", appendix_views.appendix_xlsx, name="appendix_xlsx"),
    path("bao-cao/<int:pk>/phu-luc/tai-len/", appendix_views.appendix_upload, name="appendix_upload"),
    path("tong-hop/", appendix_views.rollup_index, name="rollup_index"),
    path("tong-hop/<code:round_code>/<code:unit_code>/", appendix_views.rollup_view, name="rollup"),
    path("dot-bao-cao/", round_views.round_list, name="round_list"),
    path("dot-bao-cao/them/", round_views.round_create, name="round_create"),
    path("dot-bao-cao/<code:round_code>/", round_views.round_edit, name="round_edit"),
    path("dot-bao-cao/<code:round_code>/mo-dot/", round_views.round_open, name="round_open"),
    path(
        "dot-bao-cao/<code:round_code>/tinh-lai-tong-hop/",
        round_views.round_rebuild_totals,
        name="round_rebuild_totals",
    ),
]
