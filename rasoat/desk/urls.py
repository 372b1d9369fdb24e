from django.urls import path

from rasoat.desk.views import actions, board, home

unit = "dot/<str:code>/don-vi/<int:pk>/"

urlpatterns = [
    path("", home.home, name="home"),
    path("dot/<str:code>/", board.campaign_board, name="campaign_board"),
    path("dot/<str:code>/duyet-nhieu/", actions.bulk_accept, name="desk_bulk_accept"),
    path(unit + "tra-lai/", actions.return_view, name="workflow_return"),
    path(unit + "duyet/", actions.accept, name="workflow_accept"),
    path(unit + "mo-lai/", actions.reopen, name="workflow_reopen"),
    path(unit + "rut-lai/", actions.recall, name="workflow_recall"),
    path(unit + "gia-han/", actions.extend, name="desk_extend"),
]
