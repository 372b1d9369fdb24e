"""Removing a unit from a campaign while its editor saves the first data: nothing reported saved is lost.

Each trial takes a unit nobody has started, and at the same moment an editor saves its B01 through the
web form while an administrator removes the unit. Exactly one of them wins: either the save succeeded
(the editor was told so) and the unit stays with its data, or the unit was removed holding nothing and
the save answered 404 with nothing written. Before the fix, 10 of 200 such trials on PostgreSQL removed
a unit together with the save its editor had been told succeeded.
"""

import random
import time

import pytest
from django.urls import reverse

from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment
from rasoat.campaigns.services import remove_units
from rasoat.inventory.models import SHEET_MODELS, GeneralInfo
from tests.concurrency.helpers import run_together
from tests.conftest import client_for, make_user

TRIALS = 200
SAVED_TEXT = "Đã lưu biểu B01."


def b01(unit) -> dict[str, str]:
    return {"unit_name": unit.name, "contact_name": "Lò Văn Thắng", "staff_total": "12", "version": "0"}


def save_duration(client, url: str, unit) -> float:
    """How long one first save takes here: the range over which the trials spread the removal."""
    start = time.perf_counter()
    assert client.post(url, b01(unit)).status_code == 302
    return time.perf_counter() - start


@pytest.mark.django_db(transaction=True)
def test_remove_versus_first_save_loses_nothing(campaign):
    editor = client_for(make_user("bien_tap_tinh", "editor", "LC"))
    admin = make_user("quan_tri_tinh", "admin", "LC")
    assignments = list(campaign.assignments.select_related("unit").order_by("unit__code"))
    assert len(assignments) >= TRIALS + 1
    warm_up, trials = assignments[0], assignments[1 : TRIALS + 1]
    spread = save_duration(
        editor, reverse("entry_general", args=[campaign.code, warm_up.unit_id]), warm_up.unit
    )
    rng = random.Random(8)
    results = {"saved": 0, "removed": 0}

    for assignment in trials:
        unit = assignment.unit
        url = reverse("entry_general", args=[campaign.code, unit.pk])
        # Either call may start first, by up to the duration of a save: every interleaving gets tried.
        save_delay, remove_delay = rng.uniform(0, spread), rng.uniform(0, spread)

        def save(url=url, unit=unit, delay=save_delay):
            time.sleep(delay)
            return editor.post(url, b01(unit))

        def remove(unit=unit, delay=remove_delay):
            time.sleep(delay)
            return remove_units(campaign, [unit], actor=admin)

        saving, removing = run_together(save, remove)
        assert saving.error is None and removing.error is None, (unit.code, saving.error, removing.error)
        response, removal = saving.value, removing.value
        still_assigned = Assignment.objects.filter(pk=assignment.pk).exists()
        if response.status_code == 302:
            # The editor was told it saved: the unit and its data are still there.
            assert response["Location"] == url
            assert SAVED_TEXT in editor.get(url).content.decode()
            assert removal.removed == [], f"{unit.code}: removed after a successful save"
            assert still_assigned
            assert GeneralInfo.objects.get(assignment=assignment).contact_name == "Lò Văn Thắng"
            results["saved"] += 1
        else:
            # The removal won: the save wrote nothing and said so (404), and the unit held nothing.
            assert response.status_code == 404, (unit.code, response.status_code)
            assert [u.code for u in removal.removed] == [unit.code]
            assert not still_assigned
            assert not AuditEntry.objects.filter(unit=unit, action__startswith="appendix.").exists()
            assert not AuditEntry.objects.filter(unit=unit, action__startswith="submission.").exists()
            results["removed"] += 1

    assert results["saved"] + results["removed"] == TRIALS
    # Nothing anywhere belongs to an assignment that no longer exists.
    live = set(Assignment.objects.values_list("pk", flat=True))
    for model in SHEET_MODELS.values():
        assert set(model.objects.values_list("assignment_id", flat=True)) <= live
    # The trials covered both outcomes (the removal spread over the duration of a save).
    assert results["saved"] and results["removed"], results
