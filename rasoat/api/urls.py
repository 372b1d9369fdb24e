"""The API under /api/v1/ and the tokens of one's own account under /tai-khoan/ma-truy-cap/."""

from django.urls import path, re_path

from rasoat.api import views
from rasoat.api.core import api
from rasoat.api.endpoints import assessment, campaigns, dashboard, data, export, units  # noqa: F401

urlpatterns = [
    path("api/v1/", api.urls),
    # Anything else under /api/ is a problem document too, not the HTML 404 page.
    re_path(r"^api/", views.api_not_found),
    path("tai-khoan/ma-truy-cap/", views.token_list, name="api_tokens"),
    path("tai-khoan/ma-truy-cap/<int:pk>/thu-hoi/", views.token_revoke, name="api_token_revoke"),
]
