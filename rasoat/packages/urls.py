from django.urls import path

from rasoat.packages import views

urlpatterns = [
    path("dot/<str:code>/don-vi/<int:pk>/ho-so/", views.unit_package, name="package_unit"),
    path("dot/<str:code>/don-vi/<int:pk>/ho-so/tra-lai/", views.return_view, name="package_return"),
    path("dot/<str:code>/xa/<int:pk>/ho-so/", views.commune_package, name="package_commune"),
    path("dot/<str:code>/ho-so/tep/<int:attachment>/", views.attachment_file, name="package_file"),
    path("dot/<str:code>/ho-so/tai-zip/", views.scope_zip, name="package_zip"),
    path("dot/<str:code>/ho-so/cau-hinh/", views.setting_view, name="package_setting"),
    path("ky-so/tin-cay/", views.trust_view, name="package_trust"),
]
