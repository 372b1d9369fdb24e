from django.urls import path

from rasoat.reports import views

urlpatterns = [
    path("bao-cao/", views.report_latest, name="report_latest"),
    # A unit's report: ?unit=<unit code>; a commune's: ?commune=<commune code>; PDF: &pdf=1.
    path("dot/<str:code>/bao-cao/", views.report_list, name="report_list"),
    path("dot/<str:code>/bao-cao/<str:kind>/", views.report_download, name="report_download"),
]
