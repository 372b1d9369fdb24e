from django.urls import path

from rasoat.workbooks import views

unit = "dot/<str:code>/don-vi/<int:pk>/"
commune = "dot/<str:code>/xa/<int:pk>/"
upload = "dot/<str:code>/tai-len/<int:upload>/"

urlpatterns = [
    path(unit + "mau-excel/", views.unit_template, name="workbook_unit_template"),
    path(unit + "tai-len/", views.unit_upload, name="workbook_unit_upload"),
    path(commune + "mau-excel/", views.commune_template, name="workbook_commune_template"),
    path(commune + "tai-len/", views.commune_upload, name="workbook_commune_upload"),
    path(upload, views.upload_preview, name="workbook_upload_preview"),
    path(upload + "xac-nhan/", views.upload_confirm, name="workbook_upload_confirm"),
    path(upload + "huy/", views.upload_cancel, name="workbook_upload_cancel"),
    path(upload + "bao-loi/", views.upload_errors, name="workbook_upload_errors"),
    path(upload + "tep-goc/", views.upload_file, name="workbook_upload_file"),
    path("dot/<str:code>/xuat-excel/", views.export, name="workbook_export"),
]
