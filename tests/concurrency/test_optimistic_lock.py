"""The optimistic lock under real concurrency: two editors write the same record at the same version.

Both post at the same moment, each from its own connection, through the web forms. Exactly one
wins; the other is told that someone else saved meanwhile (and sees the current values); nothing is
silently overwritten: the record's version went up by one and holds the winner's values, and the
audit log has one entry per round. Repeated so that many interleavings are tried.
"""

import random
from functools import partial

import pytest
from django.urls import reverse

from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment
from rasoat.inventory.models import EndDevice, GeneralInfo
from rasoat.inventory.services import save_record
from tests.concurrency.helpers import run_together
from tests.conftest import client_for, make_user

ROUNDS = 25
UNIT = "X.03637.UB"
HX = {"HTTP_HX_REQUEST": "true"}
CONFLICT = "Người khác đã lưu dữ liệu này"
NOT_DELETED = "Người khác đã sửa dòng này trong lúc bạn đang xem, nên dòng CHƯA bị xóa."
PRINTER = {"device_type": "Máy in", "quantity": "1", "year_acquired": "2020", "condition": "Hoạt động tốt"}


@pytest.fixture
def assignment(campaign) -> Assignment:
    return Assignment.objects.select_related("campaign", "unit").get(campaign=campaign, unit__code=UNIT)


@pytest.fixture
def editors(lai_chau):
    """Two editors of the commune, each with its own browser session."""
    return [client_for(make_user(name, "editor", "X.03637")) for name in ("bien_tap_1", "bien_tap_2")]


def url(name: str, assignment: Assignment, *extra) -> str:
    return reverse(name, args=[assignment.campaign.code, assignment.unit_id, *extra])


def one_winner(responses, won) -> int:
    """The index of the only response that saved; the other must show the conflict."""
    winners = [i for i, response in enumerate(responses) if won(response)]
    assert len(winners) == 1, [(r.status_code, r.content[:200]) for r in responses]
    return winners[0]


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_b01_at_the_same_version(assignment, editors):
    rng = random.Random(1)
    target = url("entry_general", assignment)
    for round_ in range(ROUNDS):
        record = GeneralInfo.objects.filter(assignment=assignment).first()
        version = record.version if record else 0
        names = [f"Người {round_}-A", f"Người {round_}-B"]
        posts = [
            partial(client.post, target, {"unit_name": "UBND", "contact_name": name, "version": str(version)})
            for client, name in zip(editors, names, strict=True)
        ]
        outcomes = run_together(*posts, jitter=rng)
        assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
        responses = [o.value for o in outcomes]
        winner = one_winner(responses, lambda r: r.status_code == 302)
        loser = responses[1 - winner]
        assert loser.status_code == 200 and CONFLICT in loser.content.decode()
        # The loser's form now shows the winner's value and carries the new version.
        assert names[winner] in loser.content.decode()
        assert f'name="version" value="{version + 1}"' in loser.content.decode()
        record = GeneralInfo.objects.get(assignment=assignment)
        assert (record.version, record.contact_name) == (version + 1, names[winner])
    assert (
        AuditEntry.objects.filter(object_id=str(record.pk), action__startswith="appendix.").count() == ROUNDS
    )


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_a_row_at_the_same_version(assignment, editors):
    rng = random.Random(2)
    row = save_record(assignment, "B05", PRINTER).record
    target = url("entry_row_edit", assignment, "B05", row.pk)
    for round_ in range(ROUNDS):
        version = EndDevice.objects.get(pk=row.pk).version
        quantities = [str(10 + 2 * round_), str(11 + 2 * round_)]
        posts = [
            partial(client.post, target, {**PRINTER, "quantity": quantity, "version": str(version)}, **HX)
            for client, quantity in zip(editors, quantities, strict=True)
        ]
        outcomes = run_together(*posts, jitter=rng)
        assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
        responses = [o.value for o in outcomes]
        winner = one_winner(responses, lambda r: 'data-testid="conflict"' not in r.content.decode())
        assert CONFLICT in responses[1 - winner].content.decode()
        stored = EndDevice.objects.get(pk=row.pk)
        assert (stored.version, stored.quantity) == (version + 1, int(quantities[winner]))
    updates = AuditEntry.objects.filter(object_id=str(row.pk), action="appendix.updated")
    assert updates.count() == ROUNDS


@pytest.mark.django_db(transaction=True)
def test_a_save_and_a_delete_of_the_same_row_at_the_same_version(assignment, editors):
    """Exactly one of them happens: the row is deleted and the save finds it gone (404), or the row is
    saved and the delete is refused because the row changed."""
    rng = random.Random(3)
    outcomes_seen = set()
    for round_ in range(ROUNDS):
        row = save_record(assignment, "B05", PRINTER).record
        edit = url("entry_row_edit", assignment, "B05", row.pk)
        delete = url("entry_row_delete", assignment, "B05", row.pk)
        saver, deleter = editors
        saving, deleting = run_together(
            partial(saver.post, edit, {**PRINTER, "quantity": "7", "version": str(row.version)}, **HX),
            partial(deleter.post, delete, {"version": str(row.version)}, **HX),
            jitter=rng,
        )
        assert saving.error is None and deleting.error is None, (saving.error, deleting.error)
        stored = EndDevice.objects.filter(pk=row.pk).first()
        if stored is None:
            assert saving.value.status_code == 404, round_
            assert deleting.value.status_code == 200
            outcomes_seen.add("deleted")
        else:
            assert (stored.version, stored.quantity) == (row.version + 1, 7)
            assert saving.value.status_code == 200 and "Đã lưu." in saving.value.content.decode()
            assert NOT_DELETED in deleting.value.content.decode()
            outcomes_seen.add("saved")
        assert (
            AuditEntry.objects.filter(
                object_id=str(row.pk), action__in=["appendix.updated", "appendix.deleted"]
            ).count()
            == 1
        )
    assert outcomes_seen, "no round ran"
