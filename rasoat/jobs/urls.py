from django.urls import path

from rasoat.jobs import views

urlpatterns = [
    path("cong-viec/", views.job_list, name="job_list"),
    path("cong-viec/<uuid:pk>/tai-ve/", views.job_download, name="job_download"),
    path("dot/<str:code>/danh-gia/trang-thai/", views.campaign_status, name="assessment_campaign_status"),
    path(
        "dot/<str:code>/don-vi/<int:pk>/danh-gia/trang-thai/",
        views.assessment_status,
        name="assessment_status",
    ),
]
