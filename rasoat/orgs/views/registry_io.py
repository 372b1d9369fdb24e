"""Stub views, replaced by the real ones."""
from django.http import HttpResponse


def registry_export(request, *args, **kwargs):
    return HttpResponse('registry_export')


def registry_import(request, *args, **kwargs):
    return HttpResponse('registry_import')

