"""A new reference date, saved through the campaign's edit page, re-evaluates the stored assessment."""

from django.urls import reverse

from rasoat.assessment.models import Finding
from rasoat.audit.models import AuditEntry
from rasoat.inventory.models import EndDevice
from tests.campaigns.test_campaign_form import VALID
from tests.inventory.test_workflow import assignment_of, load


def test_changing_the_reference_date_recomputes_findings(campaign, clients):
    assignment = assignment_of(campaign, "X.03445.DU")
    load(assignment)
    computers = ("Máy tính để bàn", "Máy tính xách tay")
    windows_10_rows = EndDevice.objects.filter(
        assignment=assignment, device_type__in=computers, os="Windows 10"
    )
    assert windows_10_rows.exists()
    before = Finding.objects.filter(assignment=assignment, rule="D-OS").count()

    url = reverse("campaign_edit", args=[campaign.code])
    data = {
        **VALID,
        "code": "RS2026",
        "opened_on": "",
        "deadline": "20/05/2026",
        "reference_date": "01/06/2025",
    }
    assert clients["admin"].post(url, data).status_code == 302

    # Windows 10 support ended on 14/10/2025: at 01/06/2025 those computers were still supported.
    after = Finding.objects.filter(assignment=assignment, rule="D-OS").count()
    assert after == before - windows_10_rows.count()
    entry = AuditEntry.objects.get(action="campaign.updated")
    assert entry.changes["reference_date"] == ["2026-05-20", "2025-06-01"]


def test_saving_without_a_new_reference_date_keeps_findings(campaign, clients):
    assignment = assignment_of(campaign, "X.03445.DU")
    load(assignment)
    before = list(Finding.objects.filter(assignment=assignment).values_list("pk", flat=True))
    url = reverse("campaign_edit", args=[campaign.code])
    data = {
        **VALID,
        "code": "RS2026",
        "opened_on": "",
        "deadline": "30/05/2026",
        "reference_date": "20/05/2026",
    }
    assert clients["admin"].post(url, data).status_code == 302
    assert list(Finding.objects.filter(assignment=assignment).values_list("pk", flat=True)) == before
