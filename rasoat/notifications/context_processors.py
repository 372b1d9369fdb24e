"""The unread count of the navbar's bell (one small indexed query per page for a signed-in user)."""

from rasoat.notifications.services import unread_count


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "signin_pending", None):
        return {}
    return {"unread_notifications": unread_count(user)}
