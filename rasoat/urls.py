from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from rasoat import views
from rasoat.orgs.auth import SignInView
from rasoat.orgs.views import PasswordChangeView

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", SignInView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("ngon-ngu/", set_language, name="set_language"),
    path("", include("rasoat.orgs.urls")),
    path("", include("rasoat.campaigns.urls")),
    path("", include("rasoat.inventory.urls")),
    path("", include("rasoat.workbooks.urls")),
    path("", include("rasoat.assessment.urls")),
    path("", include("rasoat.dashboard.urls")),
    path("", include("rasoat.reports.urls")),
    path("", include("rasoat.audit.urls")),
    path("", include("rasoat.notifications.urls")),
]
