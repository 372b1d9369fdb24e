from django.urls import path

from rasoat.audit import views

urlpatterns = [
    path("nhat-ky/", views.audit_list, name="audit_list"),
]
