"""What the workers do once a day without anyone asking: the deadline reminders.

django-tasks has no schedule of its own, and a province should not need cron for reminders to go out:
every `rasoat worker` checks from its heartbeat thread whether today's pass has run in this process.
Several workers may run the same day's pass; `send_reminders` records each reminded unit and day, and
locks the campaign's assignments while it does, so a unit is reminded once whatever runs it.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from rasoat.campaigns.models import Campaign

logger = logging.getLogger("rasoat.jobs")


def send_due_reminders(day: datetime.date) -> int:
    """Send the reminders of every campaign due on `day`; returns the number of units reminded."""
    from rasoat.notifications.reminders import send_reminders

    reminded = 0
    # Reminders fall before the deadline or on the day after it: older campaigns have nothing due.
    for campaign in Campaign.objects.filter(deadline__gte=day - datetime.timedelta(days=1)).order_by("pk"):
        reminded += len(send_reminders(campaign, day).units)
    return reminded


class DailyDuties:
    """Runs `send_due_reminders` at most once per calendar day in this process."""

    def __init__(self) -> None:
        self.last_day: datetime.date | None = None

    def tick(self, today: datetime.date | None = None) -> int | None:
        """Run today's pass unless it already ran; returns the units reminded, or None when skipped."""
        today = today or timezone.localdate()
        if self.last_day == today:
            return None
        reminded = send_due_reminders(today)
        self.last_day = today
        if reminded:
            logger.info("daily reminders: %d unit(s) reminded", reminded)
        return reminded
