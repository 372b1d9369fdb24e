"""The workers send the day's reminders by themselves, once a day, with no cron."""

import datetime

from rasoat.campaigns.models import Assignment, Status
from rasoat.jobs.daily import DailyDuties
from rasoat.notifications.models import Notification, SentReminder
from tests.conftest import MUONG_KIM_UNITS, make_user


def test_the_daily_pass_reminds_the_units_not_submitted_once_per_day(campaign, lai_chau):
    editor = make_user("bt_muong_kim", "editor", "X.03637", email="mk@laichau.gov.vn")
    Assignment.objects.filter(campaign=campaign).exclude(unit__code__in=MUONG_KIM_UNITS).update(
        status=Status.SUBMITTED
    )
    Assignment.objects.filter(campaign=campaign, unit__code="X.03637.UB").update(status=Status.ACCEPTED)
    reminder_day = campaign.deadline - datetime.timedelta(days=7)
    duties = DailyDuties()

    assert duties.tick(reminder_day - datetime.timedelta(days=1)) == 0  # nothing due that day
    assert duties.tick(reminder_day) == 4  # Mường Kim's units but the accepted one
    assert duties.tick(reminder_day) is None  # the same day again: skipped in this process

    # Another worker's pass of the same day reminds nobody twice.
    assert DailyDuties().tick(reminder_day) == 0
    reminded = set(
        SentReminder.objects.filter(day=reminder_day).values_list("assignment__unit__code", flat=True)
    )
    assert reminded == set(MUONG_KIM_UNITS) - {"X.03637.UB"}
    assert Notification.objects.filter(user=editor, kind="reminder").count() == 1


def test_a_closed_campaign_is_left_alone(campaign, lai_chau):
    make_user("bt_muong_kim", "editor", "X.03637")
    long_after = campaign.deadline + datetime.timedelta(days=30)
    assert DailyDuties().tick(long_after) == 0
    assert not SentReminder.objects.exists()
