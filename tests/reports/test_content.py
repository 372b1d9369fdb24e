"""What the reports say: the figures equal direct database queries, the reminder lists exactly the units
that have not sent their report, a unit's and a commune's reports show their own data."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from rasoat.assessment.models import Finding, Need
from rasoat.campaigns.models import Assignment, Status
from rasoat.inventory import workflow
from rasoat.inventory.models import EndDevice, GeneralInfo, NetworkLink
from rasoat.orgs.models import Unit
from rasoat.reports import services
from tests.conftest import MUONG_KIM_UNITS, MUONG_TE_UNITS, make_user
from tests.inventory.test_workflow import assignment_of, data_for, load
from tests.reports.conftest import COMMITTEE, DEPARTMENT, MUONG_KIM, PARTY, TODAY, seed
from tests.reports.helpers import body_text, open_docx, table_with, tables_with, vn

COMPUTERS = ["Máy tính để bàn", "Máy tính xách tay"]
UNSUPPORTED = ["Windows 10", "Windows 8/8.1", "Windows 7 hoặc cũ hơn"]
RECEIVED = [Status.SUBMITTED, Status.ACCEPTED]


@pytest.fixture
def seeded(campaign):
    actor = make_user("tong-hop")
    return actor, seed(campaign, actor)


def report(kind, campaign, today=TODAY, **target):
    return open_docx(services.generate(kind, campaign, today=today, **target).content)


def number(text: str) -> Decimal:
    """A figure of a report (1.234,5) as a number."""
    return Decimal(text.replace(".", "").replace(",", "."))


def quantity(queryset) -> int:
    return queryset.aggregate(n=Sum("quantity"))["n"] or 0


def total_row(table) -> list[str]:
    (row,) = [row for row in table if row[1] == "Tổng cộng"]
    return row


# --- province ---------------------------------------------------------------------------------


def test_province_progress_equals_the_assignments_in_the_database(campaign, seeded):
    document = report("province", campaign)
    assignments = Assignment.objects.filter(campaign=campaign)
    assigned = assignments.count()
    received = assignments.filter(status__in=RECEIVED).count()
    assert received == 2
    text = body_text(document)
    assert f"được giao rà soát: {vn(assigned)}; đã gửi báo cáo: {vn(received)}" in text
    assert "trong đó 1 đã được duyệt" in text
    statuses = table_with(document, "STT", "Tình trạng", "Số cơ quan, đơn vị")
    counted = {row[1]: row[2] for row in statuses[1:-1]}
    for status, label in Status.choices:
        assert counted[str(label)] == vn(assignments.filter(status=status).count())
    assert total_row(statuses)[2] == vn(assigned)


def test_province_state_by_block_and_level_equals_the_database(campaign, seeded):
    document = report("province", campaign)
    received = Assignment.objects.filter(campaign=campaign, status__in=RECEIVED)
    computers = EndDevice.objects.filter(assignment__in=received, device_type__in=COMPUTERS)
    by_group = table_with(document, "STT", "Cấp, khối")
    total = total_row(by_group)
    assert total[2] == f"{received.count()}/{vn(Assignment.objects.filter(campaign=campaign).count())}"
    assert total[3] == vn(quantity(computers))
    assert total[4] == vn(quantity(computers.filter(os__in=UNSUPPORTED)))
    assert total[5] == vn(
        quantity(EndDevice.objects.filter(assignment__in=received, condition="Hỏng, không sử dụng được"))
    )
    # The commune People's Committee is counted in its group, the department in the provincial UBND one.
    rows = {row[1]: row for row in by_group[1:-1]}
    commune_ubnd = received.filter(unit__code=COMMITTEE)
    assert rows["Cấp xã – Khối UBND"][3] == vn(
        quantity(EndDevice.objects.filter(assignment__in=commune_ubnd, device_type__in=COMPUTERS))
    )
    assert rows["Cấp tỉnh – Khối UBND"][2].startswith("1/")


def test_province_state_by_commune_lists_every_commune_with_its_figures(campaign, seeded):
    document = report("province", campaign)
    by_commune = table_with(document, "STT", "Xã, phường")
    communes = Unit.objects.filter(kind="commune")
    assert len(by_commune) - 2 == communes.count()
    (muong_kim,) = [row for row in by_commune if row[1] == "Xã Mường Kim"]
    assigned = Assignment.objects.filter(campaign=campaign, unit__commune__code=MUONG_KIM)
    assert muong_kim[2] == f"1/{assigned.count()}"
    received = assigned.filter(status__in=RECEIVED)
    assert muong_kim[3] == vn(
        quantity(EndDevice.objects.filter(assignment__in=received, device_type__in=COMPUTERS))
    )


def test_province_annexes_and_needs_equal_the_database(campaign, seeded):
    document = report("province", campaign)
    received = Assignment.objects.filter(campaign=campaign, status__in=RECEIVED)
    links = table_with(document, "STT", "Loại kết nối", "Số cơ quan, đơn vị")
    lines = NetworkLink.objects.filter(assignment__in=received)
    assert total_row(links)[3] == vn(quantity(lines))
    bandwidth = lines.aggregate(mbps=Sum(F("bandwidth_mbps") * F("quantity")))["mbps"]
    assert number(total_row(links)[4]) == bandwidth
    end_devices = tables_with(document, "STT", "Loại thiết bị", "Số lượng")[-1]
    assert total_row(end_devices)[2] == vn(quantity(EndDevice.objects.filter(assignment__in=received)))
    needs = table_with(document, "STT", "Hình thức", "Nội dung", "Số lượng", "Đơn giá (triệu đồng)")
    cost = Need.objects.filter(assignment__in=received).aggregate(c=Sum("cost_mvnd"))["c"]
    assert cost and cost > 0
    assert number(total_row(needs)[5]) == cost


def test_province_findings_count_the_units_concerned(campaign, seeded):
    document = report("province", campaign)
    received = Assignment.objects.filter(campaign=campaign, status__in=RECEIVED)
    findings = table_with(document, "STT", "Nội dung", "Mức độ", "Số đơn vị", "Số lượng")
    rows = {row[1]: row for row in findings[1:]}
    os_findings = Finding.objects.filter(assignment__in=received, rule="D-OS")
    row = rows["Hệ điều hành không còn được hỗ trợ"]
    assert row[2] == "Cao"
    assert row[3] == vn(os_findings.values("assignment").distinct().count())
    assert row[4] == vn(quantity(os_findings))
    # Findings of units that have not sent their report are not in the province report.
    draft = Finding.objects.filter(assignment__unit__code=PARTY).count()
    assert draft > 0
    assert sum(number(r[4]) for r in findings[1:]) == quantity(
        Finding.objects.filter(assignment__in=received)
    )


# --- reminder ---------------------------------------------------------------------------------


def test_the_reminder_lists_exactly_the_units_that_have_not_sent_their_report(campaign, seeded):
    actor, assignments = seeded
    workflow.return_submission(assignments[COMMITTEE], actor, "Thiếu số liệu B05.")
    document = report("reminder", campaign)
    pending = table_with(document, "STT", "Cơ quan, đơn vị", "Mã")
    listed = [row[2] for row in pending[1:]]
    expected = set(
        Assignment.objects.filter(campaign=campaign)
        .exclude(status__in=RECEIVED)
        .values_list("unit__code", flat=True)
    )
    assert len(listed) == len(set(listed)) == len(expected)
    assert set(listed) == expected
    assert COMMITTEE in listed and DEPARTMENT not in listed
    (row,) = [row for row in pending if row[2] == COMMITTEE]
    assert row[4] == "Trả lại"
    contact = GeneralInfo.objects.get(assignment=assignments[COMMITTEE])
    assert row[5] == f"{contact.contact_name}, {contact.contact_phone}"
    assert "Các cơ quan, đơn vị có tên tại danh sách kèm theo" in body_text(document)
    assert f"còn {vn(len(expected))}/{vn(Assignment.objects.filter(campaign=campaign).count())}" in body_text(
        document
    )


def test_a_reminder_to_few_units_names_them_and_past_the_deadline_says_so(campaign, seeded):
    keep = ["X.03637.DU", "X.03637.HD"]
    Assignment.objects.filter(campaign=campaign).exclude(unit__code__in=keep).update(status=Status.ACCEPTED)
    document = report("reminder", campaign, today=campaign.deadline + datetime.timedelta(days=4))
    text = body_text(document)
    assert "- Đảng ủy xã Mường Kim;" in text and "- Hội đồng nhân dân xã Mường Kim." in text
    assert "Thời hạn gửi báo cáo đã quá 4 ngày." in text
    assert [row[2] for row in table_with(document, "STT", "Cơ quan, đơn vị", "Mã")[1:]] == keep


# --- unit and commune ---------------------------------------------------------------------------------


def test_a_unit_report_shows_its_links_findings_and_own_assessment(campaign, seeded):
    _actor, assignments = seeded
    assignment = assignments[PARTY]
    document = report("unit", campaign, assignment=assignment)
    links = table_with(document, "STT", "Loại kết nối", "Nhà cung cấp")
    assert [row[1] for row in links[1:]] == list(
        NetworkLink.objects.filter(assignment=assignment)
        .order_by("position")
        .values_list("link_type", flat=True)
    )
    findings = table_with(document, "STT", "Nội dung", "Mức độ", "Biểu", "Dòng")
    assert len(findings) - 1 == Finding.objects.filter(assignment=assignment).count()
    info = GeneralInfo.objects.get(assignment=assignment)
    text = body_text(document)
    assert f"Đánh giá chung về thực trạng: {info.overall_assessment}" in text
    assert f"Khó khăn, vướng mắc: {info.difficulties}" in text
    needs = table_with(document, "STT", "Hình thức", "Nội dung", "Số lượng", "Đơn giá (triệu đồng)")
    cost = Need.objects.filter(assignment=assignment).aggregate(c=Sum("cost_mvnd"))["c"]
    assert number(total_row(needs)[5]) == cost


def test_a_unit_without_data_still_gets_a_report(campaign):
    assignment = assignment_of(campaign, "X.03445.HD")
    document = report("unit", campaign, assignment=assignment)
    text = body_text(document)
    assert "Tổng số cán bộ, công chức, viên chức, người lao động: chưa kê khai" in text
    assert "Không phát hiện tồn tại, hạn chế theo các tiêu chí đánh giá." in text


def test_a_commune_report_covers_its_five_units(campaign, seeded):
    document = report("commune", campaign, commune=Unit.objects.get(code=MUONG_KIM))
    units = table_with(document, "STT", "Cơ quan, đơn vị", "Tình trạng báo cáo")
    names = list(
        Unit.objects.filter(code__in=MUONG_KIM_UNITS)
        .order_by("position", "code")
        .values_list("name", flat=True)
    )
    assert [row[1] for row in units[1:]] == names
    assert {row[2] for row in units[1:]} >= {"Đã gửi", "Đang nhập"}
    links = table_with(document, "STT", "Cơ quan, đơn vị", "Loại kết nối")
    assert len(links) - 1 == NetworkLink.objects.filter(assignment__unit__code__in=MUONG_KIM_UNITS).count()


def test_user_text_with_control_characters_and_markup_makes_a_valid_document(campaign, seeded):
    _actor, assignments = seeded
    GeneralInfo.objects.filter(assignment=assignments[PARTY]).update(
        overall_assessment='Dòng một <b>&amp;\x0b\x01\nDòng hai "trích" {{ x }} {% if %}'
    )
    document = report("unit", campaign, assignment=assignments[PARTY])
    paragraphs = [p.text for p in document.paragraphs]
    start = paragraphs.index("Đánh giá chung về thực trạng: Dòng một <b>&amp;")
    assert paragraphs[start + 1] == 'Dòng hai "trích" {{ x }} {% if %}'


def test_the_province_report_costs_a_fixed_number_of_queries(campaign, seeded, django_assert_max_num_queries):
    actor, _assignments = seeded
    with django_assert_max_num_queries(40) as captured:
        services.build_context("province", campaign, today=TODAY)
    # Four more units with data, received: not one query more.
    for assignment in Assignment.objects.filter(campaign=campaign, unit__code__in=MUONG_TE_UNITS[:4]):
        load(assignment, data_for(assignment.unit))
        workflow.submit(assignment, actor, acknowledge_warnings=True)
    with django_assert_max_num_queries(len(captured)):
        services.build_context("province", campaign, today=TODAY)
