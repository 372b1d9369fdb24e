"""Stub views, replaced by the real ones."""
from django.http import HttpResponse


def campaign_list(request, *args, **kwargs):
    return HttpResponse('campaign_list')


def campaign_create(request, *args, **kwargs):
    return HttpResponse('campaign_create')


def campaign_board(request, *args, **kwargs):
    return HttpResponse('campaign_board')


def campaign_edit(request, *args, **kwargs):
    return HttpResponse('campaign_edit')


def campaign_assign(request, *args, **kwargs):
    return HttpResponse('campaign_assign')


def campaign_commune(request, *args, **kwargs):
    return HttpResponse('campaign_commune')

