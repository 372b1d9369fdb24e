"""Removing units from a campaign keeps every unit that holds anything, and adding/removing is audited.

The data check does not trust the status alone: a unit still "not started" but already holding a B01
record, a row, a snapshot or an uploaded workbook is what a save or an upload racing the removal
leaves, and it must be kept. (The race itself runs for real in tests/concurrency/.)
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment, Snapshot, Status
from rasoat.campaigns.services import add_units, create_campaign, remove_units
from rasoat.campaigns.signals import holding_data
from rasoat.inventory import services
from rasoat.inventory.models import EndDevice, GeneralInfo
from rasoat.orgs.models import Unit
from rasoat.workbooks.models import Upload
from tests.conftest import client_for

UNIT = "X.03637.UB"
CLEAN = "T.BTCTU"  # a provincial agency: no commune workbook covers it


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def assignment_of(campaign, code: str) -> Assignment:
    return Assignment.objects.select_related("campaign", "unit").get(campaign=campaign, unit__code=code)


def units(*codes: str):
    return Unit.objects.filter(code__in=codes)


def assigned(campaign, code: str) -> bool:
    return campaign.assignments.filter(unit__code=code).exists()


def give_b01_record(assignment, client) -> None:
    GeneralInfo.objects.create(assignment=assignment, version=1)


def give_b05_row(assignment, client) -> None:
    EndDevice.objects.create(assignment=assignment, position=1, device_type="Máy in", quantity=1)


def give_snapshot(assignment, client) -> None:
    services.take_snapshot(assignment, Snapshot.Kind.BEFORE_IMPORT)


def upload_blank_template(client, url_name: str, campaign, pk: int) -> None:
    """Upload the unit's (or commune's) own blank template through the web, as an editor would."""
    template = client.get(reverse(url_name.replace("upload", "template"), args=[campaign.code, pk]))
    response = client.post(
        reverse(url_name, args=[campaign.code, pk]),
        {"file": SimpleUploadedFile("mau.xlsx", template.content)},
    )
    assert response.status_code in (200, 302)


def give_upload(assignment, client) -> None:
    upload_blank_template(client, "workbook_unit_upload", assignment.campaign, assignment.unit_id)


def give_commune_upload(assignment, client) -> None:
    upload_blank_template(client, "workbook_commune_upload", assignment.campaign, assignment.unit.commune_id)


HOLDINGS = {
    "b01_record": (give_b01_record, "đã có dữ liệu phụ lục"),
    "sheet_row": (give_b05_row, "đã có dữ liệu phụ lục"),
    "snapshot": (give_snapshot, "đã có bản lưu dữ liệu"),
    "upload": (give_upload, "đã có tệp Excel được tải lên cho đơn vị"),
    "commune_upload": (give_commune_upload, "đã có tệp Excel được tải lên cho đơn vị"),
}


@pytest.mark.parametrize("holding", list(HOLDINGS))
def test_a_not_started_unit_holding_anything_is_kept(holding, campaign, clients):
    give, reason = HOLDINGS[holding]
    assignment = assignment_of(campaign, UNIT)
    give(assignment, clients["editor_muong_kim"])
    assert Assignment.objects.get(pk=assignment.pk).status == Status.NOT_STARTED

    result = remove_units(campaign, units(UNIT, CLEAN))

    assert assigned(campaign, UNIT)
    assert [unit.code for unit in result.removed] == [CLEAN]
    assert [(kept.unit.code, kept.reasons) for kept in result.kept] == [(UNIT, (reason,))]
    assert not assigned(campaign, CLEAN)


@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.NOT_STARTED])
def test_a_unit_whose_work_has_started_is_kept_even_without_data(status, campaign):
    Assignment.objects.filter(campaign=campaign, unit__code=UNIT).update(status=status)
    result = remove_units(campaign, units(UNIT))
    assert assigned(campaign, UNIT)
    assert result.removed == []
    label = Status(status).label
    assert [kept.reasons for kept in result.kept] == [(f"trạng thái là “{label}”",)]


def test_every_reason_is_given(campaign, clients):
    assignment = assignment_of(campaign, UNIT)
    give_b05_row(assignment, None)
    give_snapshot(assignment, None)
    Assignment.objects.filter(pk=assignment.pk).update(status=Status.IN_PROGRESS)
    (kept,) = remove_units(campaign, units(UNIT)).kept
    assert set(kept.reasons) == {
        "trạng thái là “Đang nhập”",
        "đã có bản lưu dữ liệu",
        "đã có dữ liệu phụ lục",
    }
    assert EndDevice.objects.filter(assignment=assignment).count() == 1


def test_a_cancelled_upload_does_not_keep_a_unit(campaign, clients):
    assignment = assignment_of(campaign, UNIT)
    give_upload(assignment, clients["editor_muong_kim"])
    Upload.objects.filter(campaign=campaign, unit=assignment.unit).update(state=Upload.State.CANCELLED)
    assert [unit.code for unit in remove_units(campaign, units(UNIT)).removed] == [UNIT]


def test_an_upload_in_another_campaign_does_not_keep_a_unit(campaign, clients):
    other = create_campaign(
        code="RS2027", title="2027", deadline=campaign.deadline, reference_date=campaign.deadline
    )
    give_upload(assignment_of(other, UNIT), clients["editor_muong_kim"])
    assert [unit.code for unit in remove_units(campaign, units(UNIT)).removed] == [UNIT]
    assert assigned(other, UNIT)


def test_removal_and_addition_are_audited_with_the_unit_codes(campaign, personas):
    admin = personas["admin"]
    GeneralInfo.objects.create(assignment=assignment_of(campaign, UNIT), version=1)
    remove_units(campaign, units(UNIT, CLEAN, "T.VPTU"), actor=admin, address="10.0.0.7")
    entry = AuditEntry.objects.get(action="campaign.units_removed")
    assert entry.actor == admin and entry.address == "10.0.0.7"
    assert entry.object_id == str(campaign.pk)
    assert sorted(entry.changes["units"][0]) == sorted([CLEAN, "T.VPTU"])

    added = add_units(campaign, units(CLEAN, UNIT, "T.VPTU"), actor=admin)
    assert sorted(unit.code for unit in added) == sorted([CLEAN, "T.VPTU"])
    entry = AuditEntry.objects.get(action="campaign.units_added")
    assert sorted(entry.changes["units"][1]) == sorted([CLEAN, "T.VPTU"])
    assert entry.actor == admin


def test_nothing_removed_or_added_writes_no_audit_entry(campaign):
    Assignment.objects.filter(campaign=campaign, unit__code=UNIT).update(status=Status.SUBMITTED)
    remove_units(campaign, units(UNIT))
    add_units(campaign, units(UNIT))
    assert not AuditEntry.objects.filter(action__startswith="campaign.units_").exists()


def test_a_failing_data_check_removes_nothing_and_audits_nothing(campaign):
    """The check, the delete and the audit entry are one transaction: a check that fails stops all."""

    def broken(sender, **kwargs):
        raise RuntimeError("the data check failed")

    holding_data.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            remove_units(campaign, units(UNIT, CLEAN))
    finally:
        holding_data.disconnect(dispatch_uid="test.broken")
    assert assigned(campaign, UNIT) and assigned(campaign, CLEAN)
    assert not AuditEntry.objects.filter(action="campaign.units_removed").exists()


def test_a_save_after_the_removal_saves_nothing_and_is_a_404(campaign, personas):
    assignment = assignment_of(campaign, UNIT)  # loaded before the removal, as a request would have
    remove_units(campaign, units(UNIT))
    with pytest.raises(services.AssignmentGone) as caught:
        services.save_record(assignment, "B05", {"device_type": "Máy in", "quantity": "1"})
    assert caught.value.args == ("Đơn vị này không còn trong đợt rà soát: không có gì được lưu.",)
    assert not EndDevice.objects.filter(assignment_id=assignment.pk).exists()
    assert not AuditEntry.objects.filter(action="appendix.created").exists()
    url = reverse("entry_row_create", args=[campaign.code, assignment.unit_id, "B05"])
    response = client_for(personas["editor_muong_kim"]).post(url, {"device_type": "Máy in", "quantity": "1"})
    assert response.status_code == 404


def test_the_units_page_lists_what_was_removed_and_what_was_kept_and_why(campaign, clients):
    GeneralInfo.objects.create(assignment=assignment_of(campaign, UNIT), version=1)
    Assignment.objects.filter(campaign=campaign, unit__code="X.03637.DU").update(status=Status.ACCEPTED)
    url = reverse("campaign_assign", args=[campaign.code])
    response = clients["admin"].post(
        url,
        {"action": "remove", "units": list(units(UNIT, CLEAN, "X.03637.DU").values_list("pk", flat=True))},
        follow=True,
    )
    html = response.content.decode()
    assert "Đã đưa 1 đơn vị ra khỏi đợt." in html
    assert "2 đơn vị được giữ lại trong đợt vì đã có dữ liệu hoặc đã bắt đầu thực hiện." in html
    removed = html.split('data-testid="assign-removed"')[1].split("</ul>")[0]
    kept = html.split('data-testid="assign-kept"')[1].split("</ul>")[0]
    assert f'data-unit="{CLEAN}"' in removed and f'data-unit="{UNIT}"' not in removed
    assert f'<li data-unit="{UNIT}">{UNIT} — Ủy ban nhân dân xã Mường Kim: đã có dữ liệu phụ lục</li>' in kept
    assert "X.03637.DU — Đảng ủy xã Mường Kim: trạng thái là “Đã duyệt”" in kept
    # The outcome is shown once: a reload shows the page without it.
    assert 'data-testid="assign-outcome"' not in clients["admin"].get(url).content.decode()
