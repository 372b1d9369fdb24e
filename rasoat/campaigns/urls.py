from django.urls import path

from rasoat.campaigns import views

urlpatterns = [
    path("dot/", views.campaign_list, name="campaign_list"),
    path("dot/them/", views.campaign_create, name="campaign_create"),
    path("dot/<str:code>/sua/", views.campaign_edit, name="campaign_edit"),
    path("dot/<str:code>/don-vi/", views.campaign_assign, name="campaign_assign"),
    path("dot/<str:code>/xa/<int:pk>/", views.campaign_commune, name="campaign_commune"),
]
