"""Stub views, replaced by the real ones."""
from django.http import HttpResponse


def unit_create(request, *args, **kwargs):
    return HttpResponse('unit_create')


def unit_detail(request, *args, **kwargs):
    return HttpResponse('unit_detail')


def unit_edit(request, *args, **kwargs):
    return HttpResponse('unit_edit')


def unit_list(request, *args, **kwargs):
    return HttpResponse('unit_list')


def unit_move(request, *args, **kwargs):
    return HttpResponse('unit_move')


def unit_set_active(request, *args, **kwargs):
    return HttpResponse('unit_set_active')

