"""One's own notifications: the list, opening one (marks it read) and marking all read.

Notifications are private: they are loaded through `Notification.objects.visible_to(user)`, so
another user's notification is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rasoat.notifications.models import Notification
from rasoat.notifications.services import mark_read

PAGE_SIZE = 30


@login_required
def notification_list(request):
    """The user's notifications, newest first, unread ones marked."""
    rows = Notification.objects.visible_to(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
def notification_open(request, pk: int):
    """Mark the notification read and go to the page it is about."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    mark_read(request.user, notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notification_list")


@login_required
@require_POST
def mark_all_read(request):
    count = mark_read(request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notification_list")
