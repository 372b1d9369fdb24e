"""The appendix editor, under /phu-luc/ (administrators only)."""

from django.urls import path

from .views import columns, sheets, versions

urlpatterns = [
    path("phu-luc/", versions.version_list, name="appendix_versions"),
    path("phu-luc/tai-len/", versions.version_upload, name="appendix_upload"),
    path("phu-luc/<str:code>/", sheets.version_detail, name="appendix_version"),
    path("phu-luc/<str:code>/sao-chep/", versions.version_copy, name="appendix_copy"),
    path("phu-luc/<str:code>/dinh-nghia/", versions.definition_download, name="appendix_definition"),
    path("phu-luc/<str:code>/mau-excel/", versions.template_download, name="appendix_template"),
    path("phu-luc/<str:code>/lua-chon/", columns.choice_lists, name="appendix_choices"),
    path("phu-luc/<str:code>/bieu/them/", sheets.sheet_add, name="appendix_sheet_add"),
    path("phu-luc/<str:code>/bieu/<str:sheet>/", sheets.sheet_detail, name="appendix_sheet"),
    path("phu-luc/<str:code>/bieu/<str:sheet>/di-chuyen/", sheets.sheet_move, name="appendix_sheet_move"),
    path("phu-luc/<str:code>/bieu/<str:sheet>/xem-truoc/", sheets.sheet_preview, name="appendix_preview"),
    path("phu-luc/<str:code>/bieu/<str:sheet>/cot/them/", columns.column_add, name="appendix_column_add"),
    path("phu-luc/<str:code>/bieu/<str:sheet>/cot/<str:key>/", columns.column_edit, name="appendix_column"),
    path(
        "phu-luc/<str:code>/bieu/<str:sheet>/cot/<str:key>/di-chuyen/",
        columns.column_move,
        name="appendix_column_move",
    ),
    path(
        "phu-luc/<str:code>/bieu/<str:sheet>/cot/<str:key>/an/",
        columns.column_hide,
        name="appendix_column_hide",
    ),
]
