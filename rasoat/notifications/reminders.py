"""Deadline reminders: N days before a campaign's deadline (per campaign, default 7 and 2) and the
day after it, to the editors of the units that have not submitted.

`send_reminders(campaign, day)` is what `rasoat remind` (run daily by the scheduler) calls. Each unit
reminded on a day is recorded (SentReminder), so running it twice for the same day sends nothing more.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rasoat.audit.services import log
from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.notifications.models import ReminderPlan, SentReminder, default_days_before
from rasoat.notifications.services import holders, notify
from rasoat.orgs.roles import Role

# Units that still owe their report.
NOT_SUBMITTED = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)
AFTER = "after"


@dataclass
class ReminderRun:
    """What a run did: the kind of reminder due that day (None: none), units and people reminded."""

    kind: str | None
    units: list[str] = field(default_factory=list)
    recipients: int = 0
    already_sent: int = 0


def plan_for(campaign: Campaign) -> tuple[list[int], bool]:
    """(days before the deadline, remind the day after) of a campaign; defaults without a plan."""
    plan = ReminderPlan.objects.filter(campaign=campaign).first()
    if plan is None:
        return default_days_before(), True
    return sorted({int(n) for n in plan.days_before}, reverse=True), plan.day_after


def parse_days(raw: str) -> list[int]:
    """ "7,2" → [7, 2]; refuses anything but whole numbers from 1 to 365."""
    days = []
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 365:
            raise ValueError(_("“%(value)s” is not a number of days between 1 and 365.") % {"value": part})
        days.append(int(part))
    return sorted(set(days), reverse=True)


def set_plan(campaign: Campaign, days_before: list[int], day_after: bool, actor=None) -> ReminderPlan:
    """Change when a campaign's reminders are sent (audited)."""
    with transaction.atomic():
        plan, _created = ReminderPlan.objects.select_for_update().get_or_create(campaign=campaign)
        before = {"days_before": plan.days_before, "day_after": plan.day_after}
        plan.days_before, plan.day_after = days_before, day_after
        plan.save()
        log(
            actor,
            "campaign.reminders_changed",
            campaign,
            {
                key: [before[key], value]
                for key, value in (("days_before", days_before), ("day_after", day_after))
            },
        )
    return plan


def due_kind(campaign: Campaign, day: datetime.date) -> str | None:
    """ "before:N" when `day` is N days before the deadline, "after" the day after it, else None."""
    days_before, day_after = plan_for(campaign)
    left = (campaign.deadline - day).days
    if left in days_before:
        return f"before:{left}"
    if day_after and left == -1:
        return AFTER
    return None


def _message(kind: str, campaign: Campaign, units: list[Assignment]) -> tuple[str, str, str]:
    names = "\n".join(f"- {a.unit.name} ({a.unit.code}): {a.get_status_display()}" for a in units)
    values = {
        "campaign": campaign.code,
        "title": campaign.title,
        "deadline": campaign.deadline.strftime("%d/%m/%Y"),
        "count": len(units),
    }
    if kind == AFTER:
        text = (
            ngettext(
                "The deadline of %(campaign)s (%(deadline)s) has passed and %(count)d unit of yours has not "
                "submitted its report.",
                "The deadline of %(campaign)s (%(deadline)s) has passed and %(count)d units of yours "
                "have not submitted their reports.",
                len(units),
            )
            % values
        )
        subject = _("[rasoat] Late: %(campaign)s was due on %(deadline)s") % values
    else:
        values["days"] = int(kind.split(":", 1)[1])
        text = (
            ngettext(
                "%(days)s day(s) left until the deadline of %(campaign)s (%(deadline)s): %(count)d unit "
                "of yours has not submitted its report.",
                "%(days)s day(s) left until the deadline of %(campaign)s (%(deadline)s): %(count)d units "
                "of yours have not submitted their reports.",
                len(units),
            )
            % values
        )
        subject = _("[rasoat] Reminder: %(campaign)s is due on %(deadline)s") % values
    contact = " · ".join(
        part for part in (campaign.contact_person, campaign.contact_phone, campaign.contact_email) if part
    )
    body = f"{text}\n\n{values['title']}\n{names}"
    if contact:
        body += "\n\n" + _("Questions: %(contact)s") % {"contact": contact}
    return text, subject, body


def send_reminders(campaign: Campaign, day: datetime.date, actor=None) -> ReminderRun:
    """Send the reminders due on `day` to the editors of the campaign's units not yet submitted.

    One notice (and e-mail) per editor listing their units; units already reminded that day are
    skipped, so a second run the same day sends nothing.
    """
    kind = due_kind(campaign, day)
    run = ReminderRun(kind=kind)
    if kind is None:
        return run
    with transaction.atomic():
        owing = list(
            Assignment.objects.filter(campaign=campaign, status__in=NOT_SUBMITTED, unit__active=True)
            .select_related("unit", "campaign")
            .select_for_update(of=("self",))
            .order_by("unit__position", "unit__code")
        )
        done = set(
            SentReminder.objects.filter(campaign=campaign, day=day).values_list("assignment_id", flat=True)
        )
        run.already_sent = sum(1 for a in owing if a.pk in done)
        owing = [a for a in owing if a.pk not in done]
        if not owing:
            return run
        per_user: dict[int, list[Assignment]] = defaultdict(list)
        users = {}
        for assignment in owing:
            for user in holders(assignment, Role.EDITOR):
                users[user.pk] = user
                per_user[user.pk].append(assignment)
        path = reverse("campaign_board", args=[campaign.code])
        with translation.override("vi"):
            for user_pk, units in per_user.items():
                text, subject, body = _message(kind, campaign, units)
                notify([users[user_pk]], "reminder", text, path, subject, body)
        SentReminder.objects.bulk_create(
            SentReminder(campaign=campaign, assignment=a, day=day, kind=kind) for a in owing
        )
        run.units = [a.unit.code for a in owing]
        run.recipients = len(per_user)
        log(
            actor,
            "campaign.reminders_sent",
            campaign,
            {"units": [None, len(owing)], "recipients": [None, len(per_user)]},
            note=f"{kind} {day.isoformat()}",
        )
    return run
