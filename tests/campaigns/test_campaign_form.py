"""Creating and editing a campaign: dates as dd/mm/yyyy, the rules, and the units assigned."""

import datetime

import pytest
from django.urls import reverse

from rasoat.campaigns.models import Campaign
from rasoat.orgs.models import Unit

VALID = {
    "code": "RS2027",
    "title": "Rà soát năm 2027",
    "legal_basis": "Công văn số 123/SKHCN-BCVT",
    "opened_on": "01/03/2027",
    "deadline": "20/05/2027",
    "reference_date": "20/05/2027",
    "appendix_version": "2026.1",
    "previous": "",
    "contact_division": "Phòng Bưu chính, Viễn thông, Công nghệ thông tin",
    "contact_person": "Nguyễn Văn A",
    "contact_phone": "0213 3876 543",
    "contact_email": "bcvt@laichau.gov.vn",
    "assign_all": "on",
}


def post_create(client, **changes):
    data = {**VALID, **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(reverse("campaign_create"), data)


def test_create_with_vietnamese_dates_assigns_every_reporting_unit(clients, campaign):
    response = post_create(clients["admin"], previous=str(campaign.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_board", args=["RS2027"])
    created = Campaign.objects.get(code="RS2027")
    assert created.deadline == datetime.date(2027, 5, 20)
    assert created.opened_on == datetime.date(2027, 3, 1)
    assert created.previous == campaign
    assert created.assignments.count() == Unit.objects.reporting().count() == 220


def test_create_without_units_when_unticked(clients, campaign):
    post_create(clients["admin"], assign_all=None)
    assert Campaign.objects.get(code="RS2027").assignments.count() == 0


def test_create_accepts_iso_dates(clients, campaign):
    post_create(clients["admin"], deadline="2027-05-20", reference_date="2027-05-20", opened_on="")
    created = Campaign.objects.get(code="RS2027")
    assert created.deadline == datetime.date(2027, 5, 20)
    assert created.opened_on is None


def test_create_form_shows_date_placeholder_and_ticked_assign_all(clients, campaign):
    html = clients["admin"].get(reverse("campaign_create")).content.decode()
    assert 'placeholder="dd/mm/yyyy"' in html
    assert 'name="assign_all"' in html and "checked" in html.split('name="assign_all"')[1].split(">")[0]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"deadline": "28/02/2027"}, "deadline", "Hạn gửi không được trước ngày bắt đầu (01/03/2027)."),
        ({"reference_date": ""}, "reference_date", "Trường này là bắt buộc."),
        ({"deadline": "31/02/2027"}, "deadline", "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 20/05/2026."),
        ({"deadline": "05-20-2027"}, "deadline", "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 20/05/2026."),
        ({"code": "RS 2027"}, "code", "Chỉ dùng chữ cái không dấu"),
        ({"code": "RÀSOÁT"}, "code", "Chỉ dùng chữ cái không dấu"),
        ({"code": "RS/2027"}, "code", "Chỉ dùng chữ cái không dấu"),
        ({"code": "rs2026"}, "code", "Mã “rs2026” đã được dùng cho một đợt rà soát khác."),
        ({"title": ""}, "title", "Trường này là bắt buộc."),
        ({"contact_email": "not-an-address"}, "contact_email", "Nhập địa chỉ email."),
        ({"previous": "999999"}, "previous", "Hãy chọn một lựa chọn hợp lệ."),
    ],
)
def test_create_refuses_bad_input_with_a_message(clients, campaign, changes, field, message):
    response = post_create(clients["admin"], **changes)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert Campaign.objects.count() == 1


def test_codes_with_dash_and_underscore_are_accepted(clients, campaign):
    post_create(clients["admin"], code="RS-2027_bo-sung")
    assert Campaign.objects.filter(code="RS-2027_bo-sung").exists()


def test_edit_changes_fields_and_keeps_units(clients, campaign):
    url = reverse("campaign_edit", args=[campaign.code])
    html = clients["admin"].get(url).content.decode()
    assert 'value="20/05/2026"' in html  # dates are shown back as dd/mm/yyyy
    data = {
        **VALID,
        "code": "RS2026",
        "title": "Tiêu đề mới",
        "opened_on": "",
        "deadline": "30/05/2026",
        "reference_date": "20/05/2026",
    }
    response = clients["admin"].post(url, data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "Tiêu đề mới"
    assert campaign.deadline == datetime.date(2026, 5, 30)
    assert campaign.assignments.count() == 220


def test_edit_keeps_own_code_but_not_anothers(clients, campaign):
    Campaign.objects.create(
        code="RS2025",
        title="x",
        deadline=datetime.date(2025, 5, 20),
        reference_date=datetime.date(2025, 5, 20),
    )
    url = reverse("campaign_edit", args=[campaign.code])
    response = clients["admin"].post(url, {**VALID, "code": "RS2025"})
    assert "code" in response.context["form"].errors
    campaign.refresh_from_db()
    assert campaign.code == "RS2026"


def test_previous_campaign_offers_other_campaigns_only(clients, campaign):
    url = reverse("campaign_edit", args=[campaign.code])
    form = clients["admin"].get(url).context["form"]
    assert campaign not in form.fields["previous"].queryset
    response = clients["admin"].post(url, {**VALID, "code": "RS2026", "previous": str(campaign.pk)})
    assert "previous" in response.context["form"].errors
    campaign.refresh_from_db()
    assert campaign.previous is None


def test_previous_campaign_cannot_loop_back(clients, campaign):
    later = Campaign.objects.create(
        code="RS2027",
        title="x",
        deadline=datetime.date(2027, 5, 20),
        reference_date=datetime.date(2027, 5, 20),
        previous=campaign,
    )
    url = reverse("campaign_edit", args=[campaign.code])
    response = clients["admin"].post(url, {**VALID, "code": "RS2026", "previous": str(later.pk)})
    assert "previous" in response.context["form"].errors
    assert "Một đợt rà soát không thể là đợt trước của chính nó" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.previous is None


def test_list_shows_campaigns_with_scoped_counts(clients, campaign):
    html = clients["editor_muong_kim"].get(reverse("campaign_list")).content.decode()
    assert "RS2026" in html and "20/05/2026" in html
    assert "5 đơn vị" in html
    assert "220 đơn vị" in clients["reviewer"].get(reverse("campaign_list")).content.decode()
