"""The progress board and the commune page: scope, counts, filters, labels and query counts."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rasoat.campaigns.models import Assignment, Status
from rasoat.campaigns.services import create_campaign
from rasoat.orgs.models import Block, Level, Unit
from tests.campaigns.helpers import board_units, board_url, commune_url, status_counts
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS, MUONG_TE_UNITS, client_for, make_user

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# Session, user, memberships, campaign, communes, counts, page count, rows, session save: with room
# for a few per-request lookups that other apps add (navigation); what matters is that it is fixed.
QUERY_BUDGET = 14


def other_campaign_with(campaign, codes: list[str]):
    """A second campaign with only the given units, to compare query counts with the full one."""
    other = create_campaign(
        assign_all=False,
        code="SMALL",
        title="Small",
        deadline=campaign.deadline,
        reference_date=campaign.reference_date,
    )
    Assignment.objects.bulk_create(
        [Assignment(campaign=other, unit=u) for u in Unit.objects.filter(code__in=codes)]
    )
    return other


def set_status(campaign, code: str, status: str, submitted_at: datetime.datetime | None = None) -> Assignment:
    assignment = campaign.assignments.get(unit__code=code)
    assignment.status = status
    assignment.submitted_at = submitted_at
    assignment.save()
    return assignment


@pytest.fixture
def mixed(campaign):
    """A few assignments moved along the workflow, in both Mường Kim and Mường Tè."""
    set_status(campaign, "X.03637.DU", Status.SUBMITTED, datetime.datetime(2026, 5, 18, 9, 30, tzinfo=HANOI))
    set_status(campaign, "X.03637.UB", Status.IN_PROGRESS)
    set_status(campaign, "X.03445.DU", Status.ACCEPTED, datetime.datetime(2026, 5, 19, 10, 0, tzinfo=HANOI))
    set_status(campaign, "X.03445.HD", Status.RETURNED)
    set_status(campaign, "T.VPTU", Status.SUBMITTED, datetime.datetime(2026, 5, 21, 8, 0, tzinfo=HANOI))
    return campaign


def db_counts(queryset) -> dict[str, int]:
    counts = {status: queryset.filter(status=status).count() for status in Status.values}
    counts["total"] = queryset.count()
    return counts


def test_reviewer_at_province_sees_every_assigned_unit(clients, campaign):
    html = clients["reviewer"].get(board_url(campaign)).content.decode()
    assert len(board_units(html)) == 220
    assert status_counts(html)["total"] == 220


def test_board_counts_equal_the_database(clients, mixed):
    html = clients["reviewer"].get(board_url(mixed)).content.decode()
    assert status_counts(html) == db_counts(mixed.assignments.all())
    assert status_counts(html)[Status.SUBMITTED] == 2


def test_muong_kim_editor_sees_only_muong_kim(clients, mixed):
    html = clients["editor_muong_kim"].get(board_url(mixed)).content.decode()
    assert sorted(board_units(html)) == sorted(MUONG_KIM_UNITS)
    counts = status_counts(html)
    assert counts == db_counts(mixed.assignments.filter(unit__code__in=MUONG_KIM_UNITS))
    assert counts["total"] == 5
    assert counts[Status.SUBMITTED] == 1
    assert counts[Status.ACCEPTED] == 0  # Mường Tè's accepted unit is not counted


def test_status_labels_are_vietnamese(clients, mixed):
    html = clients["reviewer"].get(board_url(mixed)).content.decode()
    for label in ["Chưa thực hiện", "Đang nhập", "Đã gửi", "Trả lại", "Đã duyệt"]:
        assert label in html
    assert 'class="badge status-not_started"' in html


def test_header_shows_deadline_days_and_contact(clients, campaign, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 5, 10))
    html = clients["viewer_muong_kim"].get(board_url(campaign)).content.decode()
    assert "20/05/2026" in html
    assert "Còn 10 ngày" in html
    assert "02313.798.798" in html
    assert "Phòng Bưu chính, Viễn thông, Công nghệ thông tin" in html


def test_header_shows_days_past_the_deadline(clients, campaign, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 5, 23))
    html = clients["reviewer"].get(board_url(campaign)).content.decode()
    assert "Đã quá hạn 3 ngày" in html


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"level": Level.PROVINCE}, {"unit__level": Level.PROVINCE}),
        ({"block": Block.PARTY}, {"unit__block": Block.PARTY}),
        (
            {"level": Level.COMMUNE, "block": Block.FRONT},
            {"unit__level": Level.COMMUNE, "unit__block": Block.FRONT},
        ),
        ({"commune": "MUONG_KIM"}, {"unit__code__in": MUONG_KIM_UNITS}),
    ],
)
def test_filters_narrow_rows_and_counts(clients, mixed, params, expected):
    if params.get("commune") == "MUONG_KIM":
        params = {"commune": Unit.objects.get(code=MUONG_KIM).pk}
    html = clients["reviewer"].get(board_url(mixed, **params)).content.decode()
    wanted = mixed.assignments.filter(**expected)
    assert sorted(board_units(html)) == sorted(wanted.values_list("unit__code", flat=True))
    assert status_counts(html) == db_counts(wanted)


def test_status_filter_lists_only_that_status(clients, mixed):
    html = clients["reviewer"].get(board_url(mixed, status=Status.SUBMITTED)).content.decode()
    assert sorted(board_units(html)) == ["T.VPTU", "X.03637.DU"]
    # The counts still cover every status, so each stays a link to its own list.
    assert status_counts(html)[Status.NOT_STARTED] == 215


def test_invalid_filter_values_are_ignored(clients, campaign):
    response = clients["reviewer"].get(board_url(campaign, level="zzz", commune="abc", status="x", page="9"))
    assert response.status_code == 200
    assert len(board_units(response.content.decode())) == 220


def test_commune_filter_offers_only_visible_communes(clients, campaign):
    html = clients["editor_muong_kim"].get(board_url(campaign)).content.decode()
    assert "Xã Mường Kim</option>" in html
    assert "Xã Mường Tè</option>" not in html


def test_late_and_on_time_marks(clients, campaign):
    set_status(campaign, "X.03637.DU", Status.SUBMITTED, datetime.datetime(2026, 5, 21, 7, 0, tzinfo=HANOI))
    # 23:30 on the deadline day is still on time (the deadline is the end of that day, local time).
    set_status(campaign, "X.03637.HD", Status.SUBMITTED, datetime.datetime(2026, 5, 20, 23, 30, tzinfo=HANOI))
    html = clients["editor_muong_kim"].get(board_url(campaign)).content.decode()
    rows = {code: html.split(f'data-unit="{code}"')[1].split("</tr>")[0] for code in MUONG_KIM_UNITS}
    assert 'data-testid="late"' in rows["X.03637.DU"] and "Quá hạn" in rows["X.03637.DU"]
    assert "21/05/2026 07:00" in rows["X.03637.DU"]
    assert 'data-testid="on-time"' in rows["X.03637.HD"] and "Đúng hạn" in rows["X.03637.HD"]
    assert "20/05/2026 23:30" in rows["X.03637.HD"]
    assert (
        'data-testid="late"' not in rows["X.03637.UB"] and 'data-testid="on-time"' not in rows["X.03637.UB"]
    )


def test_rows_link_to_unit_and_commune_pages(clients, campaign):
    html = clients["editor_muong_kim"].get(board_url(campaign)).content.decode()
    unit = Unit.objects.get(code="X.03637.UB")
    assert reverse("unit_detail", args=[unit.pk]) in html
    assert commune_url(campaign) in html


def test_commune_link_hidden_when_commune_is_out_of_scope(lai_chau, campaign):
    """An editor of one unit only cannot open the commune page, so the board does not link to it."""
    client = client_for(make_user("ub_only", "editor", "X.03637.UB"))
    html = client.get(board_url(campaign)).content.decode()
    assert board_units(html) == ["X.03637.UB"]
    assert commune_url(campaign) not in html
    assert client.get(commune_url(campaign)).status_code == 404


def test_board_query_count_does_not_grow_with_units(clients, campaign, django_assert_num_queries):
    client = clients["reviewer"]
    keep = MUONG_KIM_UNITS + MUONG_TE_UNITS
    client.get(board_url(campaign))  # warm-up (content types and other per-process caches)
    small_url = board_url(other_campaign_with(campaign, keep))
    with CaptureQueriesContext(connection) as small:
        client.get(small_url)
    assert len(small) <= QUERY_BUDGET
    with django_assert_num_queries(len(small)):
        html = client.get(board_url(campaign)).content.decode()
    assert len(board_units(html)) == 220
    with django_assert_num_queries(len(small)):
        html = client.get(board_url(campaign, block=Block.PARTY)).content.decode()
    assert len(board_units(html)) == 46


def test_commune_page_lists_the_five_units(clients, mixed):
    editor = make_user("kim_clerk", "editor", MUONG_KIM, phone="0912 345 678")
    html = clients["viewer_muong_kim"].get(commune_url(mixed)).content.decode()
    codes = sorted(part.split('"')[0] for part in html.split('data-testid="commune-row" data-unit="')[1:])
    assert codes == sorted(MUONG_KIM_UNITS)
    assert "Đã gửi" in html and "Đang nhập" in html
    assert str(editor) in html and "0912 345 678" in html


def test_commune_page_query_count_is_fixed(clients, campaign, django_assert_num_queries):
    client = clients["reviewer"]
    for code in ["lead_a", "lead_b", "lead_c"]:
        make_user(code, "editor", MUONG_KIM)
    client.get(commune_url(campaign))
    few_url = commune_url(other_campaign_with(campaign, MUONG_KIM_UNITS[:1]))
    with CaptureQueriesContext(connection) as few:
        client.get(few_url)
    assert len(few) <= QUERY_BUDGET
    full_url = commune_url(campaign)
    with django_assert_num_queries(len(few)):
        html = client.get(full_url).content.decode()
    assert html.count('data-testid="commune-row"') == 5
