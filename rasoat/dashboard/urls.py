from django.urls import path

from rasoat.dashboard import views

urlpatterns = [
    path("theo-doi/", views.dashboard_latest, name="dashboard_latest"),
    path("dot/<str:code>/theo-doi/", views.dashboard, name="dashboard"),
    path("dot/<str:code>/theo-doi/chi-tiet/", views.dashboard_drilldown, name="dashboard_drilldown"),
]
