"""Ending a user's open sessions, so that the sign-in checks run again at their next request."""

from django.contrib.sessions.models import Session
from django.utils import timezone

from rasoat.orgs.models import User


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete every unexpired session of `user` except the one with key `keep`; returns how many.

    Sessions are stored signed but not indexed by user, so each live session is decoded; there are
    a few hundred at most (one per person signed in), and this runs only on rare administrative
    changes (a second factor reset, a privileged role granted).
    """
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep:
            continue
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended
