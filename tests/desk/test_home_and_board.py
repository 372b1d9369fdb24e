"""Issue 11: the "Việc cần làm" home, the board's search/sort/paging, Vietnamese always, error pages
inside the layout, grouped and searchable unit pickers."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rasoat.campaigns.models import Status
from rasoat.inventory import workflow
from rasoat.orgs.roles import Role
from tests.conftest import MUONG_KIM_UNITS, client_for, make_user
from tests.inventory.test_workflow import assignment_of, load

ROW = re.compile(r'data-testid="board-row" data-unit="([^"]+)"')
TODO_UNIT = re.compile(r'data-testid="todo-unit" data-unit="([^"]+)"')


# --- home ------------------------------------------------------------------------------------------


def test_commune_editor_home_lists_its_five_units_with_the_next_step(clients):
    page = clients["editor_muong_kim"].get("/").content.decode()
    assert sorted(TODO_UNIT.findall(page)) == sorted(MUONG_KIM_UNITS)
    assert "Việc cần làm" in page
    assert page.count('data-testid="todo-next"') == 5
    assert "Bắt đầu nhập liệu" in page
    assert 'data-testid="todo-errors"' in page


def test_editor_home_shows_the_return_reason_and_the_errors(clients, campaign, personas):
    target = assignment_of(campaign, MUONG_KIM_UNITS[0])
    load(target, actor=personas["editor_muong_kim"])
    workflow.submit(target, personas["editor_muong_kim"], acknowledge_warnings=True)
    workflow.return_submission(target, personas["reviewer"], "Bổ sung số máy tính ở B05")
    page = clients["editor_muong_kim"].get("/").content.decode()
    card = page.split(f'data-unit="{target.unit.code}"')[1].split('data-testid="todo-unit"')[0]
    assert "Bổ sung số máy tính ở B05" in card
    assert "Trả lại" in card
    # Valid data: no error, so the next step is to check and submit.
    assert "Kiểm tra và gửi" in card
    assert re.search(r'data-testid="todo-errors">Lỗi: <strong>0</strong>', card)


def test_editor_home_costs_the_same_queries_for_one_unit_or_five(
    campaign, lai_chau, django_assert_num_queries
):
    one = client_for(make_user("one", Role.EDITOR, MUONG_KIM_UNITS[2]))
    five = client_for(make_user("five", Role.EDITOR, "X.03637"))
    one.get("/")  # warm-up: counts of never-edited units are computed once and stored
    five.get("/")
    with CaptureQueriesContext(connection) as single:
        assert len(TODO_UNIT.findall(one.get("/").content.decode())) == 1
    with django_assert_num_queries(len(single)):
        assert len(TODO_UNIT.findall(five.get("/").content.decode())) == 5


def test_reviewer_home_lists_waiting_late_and_recent(clients, campaign, personas, django_assert_num_queries):
    for code in MUONG_KIM_UNITS[:2]:
        target = assignment_of(campaign, code)
        load(target, actor=personas["editor_muong_kim"])
        workflow.submit(target, personas["editor_muong_kim"], acknowledge_warnings=True)
    reviewer = clients["reviewer"]
    reviewer.get("/")
    with CaptureQueriesContext(connection) as first:
        page = reviewer.get("/").content.decode()
    assert re.search(r'data-testid="waiting-count">2<', page)
    assert page.count('data-testid="waiting-unit"') == 2
    assert page.count('data-testid="recent-unit"') == 2
    # The machine's today is after RS2026's deadline: every unit not submitted is late.
    late = campaign.assignments.exclude(status__in=[Status.SUBMITTED, Status.ACCEPTED]).count()
    assert re.search(rf'data-testid="late-count">{late}<', page)
    # One more submission does not cost one more query.
    target = assignment_of(campaign, MUONG_KIM_UNITS[2])
    load(target, actor=personas["editor_muong_kim"])
    workflow.submit(target, personas["editor_muong_kim"], acknowledge_warnings=True)
    with django_assert_num_queries(len(first)):
        reviewer.get("/")


# --- board -----------------------------------------------------------------------------------------


def board(client, campaign, query=""):
    return client.get(reverse("campaign_board", args=[campaign.code]) + query).content.decode()


def test_board_search_ignores_accents_and_matches_codes(clients, campaign):
    found = ROW.findall(board(clients["reviewer"], campaign, "?q=muong+kim"))
    assert sorted(found) == sorted(MUONG_KIM_UNITS)
    assert ROW.findall(board(clients["reviewer"], campaign, "?q=X.03637.UB")) == ["X.03637.UB"]
    # The search stays inside the scope.
    assert ROW.findall(board(clients["editor_muong_te"], campaign, "?q=muong+kim")) == []


def test_board_pages_by_fifty_and_sorts(clients, campaign, personas):
    page = board(clients["reviewer"], campaign)
    assert len(ROW.findall(page)) == 50
    assert "Trang 1 / 5" in page
    target = assignment_of(campaign, MUONG_KIM_UNITS[1])
    load(target, actor=personas["editor_muong_kim"])
    first = ROW.findall(board(clients["reviewer"], campaign, "?sort=-warnings"))[0]
    assert first == target.unit.code
    by_code = ROW.findall(board(clients["reviewer"], campaign, "?sort=code&size=500"))
    assert by_code == sorted(by_code)


def test_board_offers_the_bulk_accept_only_on_submitted_units(clients, campaign, personas):
    target = assignment_of(campaign, MUONG_KIM_UNITS[0])
    load(target, actor=personas["editor_muong_kim"])
    workflow.submit(target, personas["editor_muong_kim"], acknowledge_warnings=True)
    page = board(clients["reviewer"], campaign, "?q=muong+kim")
    assert page.count('data-testid="select-unit"') == 1
    assert 'data-testid="row-accept"' in page and 'data-testid="row-return"' in page
    editor_page = board(clients["editor_muong_kim"], campaign)
    assert 'data-testid="bulk-accept"' not in editor_page and 'data-testid="select-unit"' not in editor_page


def test_board_query_count_is_fixed(clients, campaign, django_assert_num_queries):
    reviewer = clients["reviewer"]
    reviewer.get(reverse("campaign_board", args=[campaign.code]) + "?size=25")
    with CaptureQueriesContext(connection) as small:
        reviewer.get(reverse("campaign_board", args=[campaign.code]) + "?size=25")
    with django_assert_num_queries(len(small)):
        reviewer.get(reverse("campaign_board", args=[campaign.code]) + "?size=500")


# --- language --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["editor_muong_kim", "anonymous"])
def test_an_english_browser_gets_vietnamese(persona, personas):
    client = client_for(personas[persona])
    page = client.get("/" if persona != "anonymous" else "/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    text = page.content.decode()
    assert '<html lang="vi">' in text
    assert "Đăng nhập" in text or "Việc cần làm" in text


def test_english_only_by_the_switch_remembered_per_user(personas):
    editor = personas["editor_muong_kim"]
    client = client_for(editor)
    client.post("/ngon-ngu/", {"language": "en", "next": "/"})
    editor.refresh_from_db()
    assert editor.language == "en"
    fresh = client_for(editor)  # another browser, no cookie: the user's choice still holds
    assert '<html lang="en">' in fresh.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    client.post("/ngon-ngu/", {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client_for(editor).get("/").content.decode()


# --- error pages -----------------------------------------------------------------------------------


def test_404_and_403_are_vietnamese_inside_the_layout_with_a_way_back(clients, campaign, settings):
    settings.DEBUG = False
    missing = clients["editor_muong_kim"].get("/khong-co-trang-nay/", HTTP_ACCEPT_LANGUAGE="en-US")
    text = missing.content.decode()
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in text and 'data-testid="error-home"' in text and "navbar" in text
    forbidden = clients["editor_muong_kim"].get(reverse("campaign_create"))
    text = forbidden.content.decode()
    assert forbidden.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này" in text and 'data-testid="error-home"' in text


def test_500_is_vietnamese(rf):
    from rasoat.views import server_error

    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = server_error(request)
    assert response.status_code == 500
    assert "Hệ thống gặp lỗi" in response.content.decode()


# --- unit pickers ----------------------------------------------------------------------------------


def test_user_form_unit_picker_is_grouped_by_block_then_communes_and_searchable(clients):
    page = clients["admin"].get(reverse("user_create")).content.decode()
    select = page.split('name="unit"')[1].split("</select>")[0]
    assert (
        "data-unit-search" in page.split('name="unit"')[1].split(">")[0] + page.split('name="unit"')[0][-400:]
    )
    groups = re.findall(r'<optgroup label="([^"]+)"', select)
    assert groups[0].startswith("Cấp tỉnh")
    blocks = [g for g in groups if g.startswith("Cấp tỉnh · ")]
    assert blocks == [
        "Cấp tỉnh · Khối Đảng",
        "Cấp tỉnh · Khối HĐND",
        "Cấp tỉnh · Khối UBND",
        "Cấp tỉnh · Khối MTTQ và các tổ chức CT-XH",
    ]
    communes = groups[groups.index(blocks[-1]) + 1 :]
    assert communes == sorted(communes) and len(communes) > 30
    kim = select.split('<optgroup label="Xã Mường Kim">')[1].split("</optgroup>")[0]
    assert all(code in kim for code in MUONG_KIM_UNITS)
