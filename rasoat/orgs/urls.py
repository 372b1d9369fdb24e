from django.urls import path

from rasoat.orgs import views

urlpatterns = [
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/them/", views.unit_create, name="unit_create"),
    path("don-vi/xuat-excel/", views.registry_export, name="registry_export"),
    path("don-vi/nhap-excel/", views.registry_import, name="registry_import"),
    path("don-vi/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("don-vi/<int:pk>/sua/", views.unit_edit, name="unit_edit"),
    path("don-vi/<int:pk>/chuyen/", views.unit_move, name="unit_move"),
    path("don-vi/<int:pk>/trang-thai/", views.unit_set_active, name="unit_set_active"),
    path("dang-nhap/ma-xac-thuc/", views.otp_verify, name="otp_verify"),
    path("tai-khoan/ho-so/", views.account_profile, name="account_profile"),
    path("tai-khoan/bao-mat/", views.account_security, name="account_security"),
    path("tai-khoan/bao-mat/thiet-lap/", views.otp_enrol, name="otp_enrol"),
    path("tai-khoan/bao-mat/ma-qr.svg", views.otp_qr, name="otp_qr"),
    path("tai-khoan/bao-mat/ma-du-phong/", views.otp_recovery_codes, name="otp_recovery_codes"),
    path("tai-khoan/bao-mat/tat/", views.otp_disable, name="otp_disable"),
    path("nguoi-dung/", views.user_list, name="user_list"),
    path("nguoi-dung/khoa-dang-nhap/", views.lockout_list, name="lockout_list"),
    path("nguoi-dung/khoa-dang-nhap/mo-khoa/", views.lockout_lift, name="lockout_lift"),
    path("nguoi-dung/them/", views.user_create, name="user_create"),
    path("nguoi-dung/<int:pk>/", views.user_detail, name="user_detail"),
    path("nguoi-dung/<int:pk>/sua/", views.user_edit, name="user_edit"),
    path("nguoi-dung/<int:pk>/dat-lai-mat-khau/", views.user_reset_password, name="user_reset_password"),
    path(
        "nguoi-dung/<int:pk>/dat-lai-xac-thuc/",
        views.user_reset_second_factor,
        name="user_reset_second_factor",
    ),
    path("nguoi-dung/<int:pk>/quyen/them/", views.membership_grant, name="membership_grant"),
    path(
        "nguoi-dung/<int:pk>/quyen/<int:membership_pk>/thu-hoi/",
        views.membership_revoke,
        name="membership_revoke",
    ),
]
