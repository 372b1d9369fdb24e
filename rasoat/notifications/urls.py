from django.urls import path

from rasoat.notifications import views

urlpatterns = [
    path("thong-bao/", views.notification_list, name="notification_list"),
    path("thong-bao/da-doc/", views.mark_all_read, name="notification_mark_all_read"),
    path("thong-bao/<int:pk>/", views.notification_open, name="notification_open"),
]
