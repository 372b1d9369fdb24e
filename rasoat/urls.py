from django.contrib.auth import views as auth_views
from django.urls import include, path

from rasoat import views
from rasoat.desk.views.language import set_language
from rasoat.orgs.auth import SignInView
from rasoat.orgs.views import PasswordChangeView

urlpatterns = [
    path("dang-nhap/", SignInView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("ngon-ngu/", set_language, name="set_language"),
    path("", include("rasoat.orgs.urls")),
    path("", include("rasoat.campaigns.urls")),
    # After campaigns: the board's "dot/<code>/" would otherwise take "dot/them/".
    path("", include("rasoat.desk.urls")),
    path("", include("rasoat.inventory.urls")),
    path("", include("rasoat.workbooks.urls")),
    path("", include("rasoat.assessment.urls")),
    path("", include("rasoat.dashboard.urls")),
    path("", include("rasoat.reports.urls")),
    path("", include("rasoat.packages.urls")),
    path("", include("rasoat.audit.urls")),
    path("", include("rasoat.appendix.urls")),
    path("", include("rasoat.api.urls")),
    path("", include("rasoat.jobs.urls")),
    path("", include("rasoat.notifications.urls")),
]

# Vietnamese error pages inside the site's layout, with a way back (rasoat/views.py).
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
