"""Deadline reminders: due days, exactly the units not submitted, once per day."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from rasoat.campaigns.models import Assignment, Status
from rasoat.notifications.models import Notification, OutgoingMail, SentReminder
from rasoat.notifications.reminders import due_kind, parse_days, send_reminders, set_plan
from tests.conftest import MUONG_KIM_UNITS, MUONG_TE_UNITS, make_user


@pytest.fixture
def editors(lai_chau):
    return {
        "mk": make_user("bt_muong_kim", "editor", "X.03637", email="mk@laichau.gov.vn"),
        "mt": make_user("bt_muong_te", "editor", "X.03445", email="mt@laichau.gov.vn"),
        "mt_ub": make_user("bt_ubnd_muong_te", "editor", "X.03445.UB", email="ub@laichau.gov.vn"),
    }


def days_from_deadline(campaign, n: int) -> datetime.date:
    return campaign.deadline + datetime.timedelta(days=n)


def test_due_days_default_to_seven_and_two_before_and_the_day_after(campaign):
    assert due_kind(campaign, days_from_deadline(campaign, -7)) == "before:7"
    assert due_kind(campaign, days_from_deadline(campaign, -2)) == "before:2"
    assert due_kind(campaign, days_from_deadline(campaign, 1)) == "after"
    for n in (-8, -6, -3, -1, 0, 2):
        assert due_kind(campaign, days_from_deadline(campaign, n)) is None


def test_a_campaign_has_its_own_days(campaign):
    set_plan(campaign, parse_days("10, 3"), day_after=False)
    assert due_kind(campaign, days_from_deadline(campaign, -10)) == "before:10"
    assert due_kind(campaign, days_from_deadline(campaign, -7)) is None
    assert due_kind(campaign, days_from_deadline(campaign, 1)) is None
    with pytest.raises(ValueError, match="không phải số ngày"):
        parse_days("7,hai")


def test_reminds_exactly_the_units_not_submitted_once_a_day(settings, campaign, editors):
    settings.EMAIL_URL = "smtp://127.0.0.1:1"  # queued only; delivery is tested with a real server
    Assignment.objects.filter(campaign=campaign, unit__code__in=MUONG_KIM_UNITS).update(
        status=Status.SUBMITTED
    )
    Assignment.objects.filter(campaign=campaign, unit__code="X.03445.UB").update(status=Status.ACCEPTED)
    Assignment.objects.filter(campaign=campaign, unit__code="X.03445.DU").update(status=Status.RETURNED)
    day = days_from_deadline(campaign, -2)

    run = send_reminders(campaign, day)

    owing = set(
        Assignment.objects.filter(campaign=campaign)
        .exclude(status__in=[Status.SUBMITTED, Status.ACCEPTED])
        .values_list("unit__code", flat=True)
    )
    assert set(run.units) == owing
    assert not set(MUONG_KIM_UNITS) & set(run.units) and "X.03445.UB" not in run.units
    assert set(MUONG_TE_UNITS) - {"X.03445.UB"} <= set(run.units)
    # Mường Kim submitted everything: its editor hears nothing; the UBND editor's unit is accepted.
    assert not Notification.objects.filter(user=editors["mk"]).exists()
    assert not Notification.objects.filter(user=editors["mt_ub"]).exists()
    (notice,) = Notification.objects.filter(user=editors["mt"])
    assert notice.kind == "reminder" and "Còn 2 ngày" in notice.text and "4 đơn vị" in notice.text
    (mail,) = OutgoingMail.objects.filter(to="mt@laichau.gov.vn")
    for code in set(MUONG_TE_UNITS) - {"X.03445.UB"}:
        assert code in mail.body
    assert "X.03445.UB" not in mail.body
    assert SentReminder.objects.filter(day=day).count() == len(owing)

    # The same day again: nothing more.
    before = (Notification.objects.count(), OutgoingMail.objects.count())
    again = send_reminders(campaign, day)
    assert again.units == [] and again.already_sent == len(owing)
    assert (Notification.objects.count(), OutgoingMail.objects.count()) == before


def test_the_day_after_the_deadline_says_late(campaign, editors):
    run = send_reminders(campaign, days_from_deadline(campaign, 1))
    assert run.kind == "after"
    notice = Notification.objects.filter(user=editors["mk"]).get()
    assert "Đã quá hạn" in notice.text and "5 đơn vị" in notice.text


def test_command_on_a_day_without_reminder_and_bad_input(campaign, editors, capsys):
    call_command("remind", "RS2026", "--date", days_from_deadline(campaign, -5).isoformat())
    assert "no reminder is due" in capsys.readouterr().out
    assert not Notification.objects.exists()
    with pytest.raises(CommandError, match="No campaign"):
        call_command("remind", "KHONGCO")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("remind", "RS2026", "--date", "20/05/2026")
    with pytest.raises(CommandError):
        call_command("remind", "RS2026", "--days", "0")


def test_command_sends_twice_nothing_more(campaign, editors, capsys):
    day = days_from_deadline(campaign, -7).isoformat()
    call_command("remind", "RS2026", "--date", day)
    first = capsys.readouterr().out
    call_command("remind", "RS2026", "--date", day)
    second = capsys.readouterr().out
    assert "reminded 0 unit(s)" not in first and "reminded 0 unit(s)" in second
    assert Notification.objects.filter(user=editors["mk"]).count() == 1
