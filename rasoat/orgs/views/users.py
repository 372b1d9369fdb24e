"""Stub views, replaced by the real ones."""
from django.http import HttpResponse


def membership_grant(request, *args, **kwargs):
    return HttpResponse('membership_grant')


def membership_revoke(request, *args, **kwargs):
    return HttpResponse('membership_revoke')


def user_create(request, *args, **kwargs):
    return HttpResponse('user_create')


def user_detail(request, *args, **kwargs):
    return HttpResponse('user_detail')


def user_edit(request, *args, **kwargs):
    return HttpResponse('user_edit')


def user_list(request, *args, **kwargs):
    return HttpResponse('user_list')


def user_reset_password(request, *args, **kwargs):
    return HttpResponse('user_reset_password')

