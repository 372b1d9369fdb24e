from django.urls import path

from rasoat.assessment import views

urlpatterns = [
    path("dot/<str:code>/don-vi/<int:pk>/danh-gia/", views.unit_assessment, name="assessment_unit"),
    path("dot/<str:code>/danh-gia/cau-hinh/", views.config_view, name="assessment_config"),
    path("dot/<str:code>/danh-gia/tinh-lai/", views.recompute, name="assessment_recompute"),
]
