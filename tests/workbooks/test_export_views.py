"""The consolidated workbook download: who may get it, what it holds for each, and what it costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rasoat.orgs.models import Unit
from rasoat.workbooks.export import STATUS_SHEET, SUMMARY_SHEET
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS, MUONG_TE, MUONG_TE_UNITS
from tests.workbooks.test_export import UNITS, as_int, load_unit, read_book, table

PERSONAS = ["admin", "reviewer", "editor_muong_kim", "editor_muong_te", "viewer_muong_kim", "anonymous"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# query string → expected status per persona (PERSONAS order)
MATRIX = [
    ("", [200, 200, 200, 200, 403, 302]),
    (f"?scope={MUONG_KIM}", [200, 200, 200, 404, 403, 302]),
    (f"?scope={MUONG_TE}", [200, 200, 404, 200, 404, 302]),
    ("?scope=LC", [200, 200, 404, 404, 404, 302]),
    ("?scope=KHONG.CO", [404, 404, 404, 404, 404, 302]),
    (f"?commune={MUONG_TE}", [200, 200, 404, 200, 404, 302]),
    ("?level=xa&block=dang", [200, 200, 200, 200, 403, 302]),
]


def url(campaign, query: str = "") -> str:
    return reverse("workbook_export", args=[campaign.code]) + query


def download(response, tmp_path, name="download.xlsx") -> dict[str, list[list]]:
    path = tmp_path / name
    path.write_bytes(b"".join(response.streaming_content))
    return read_book(path)


def unit_codes(book) -> set[str]:
    """Codes of the units that appear in any row of the status sheet and the six appendix sheets."""
    return {row[0] for name, rows in book.items() if name != SUMMARY_SHEET for row in rows[1:]}


@pytest.fixture
def loaded(campaign):
    for code, factor, status, submitted_at in UNITS:
        load_unit(campaign, code, factor, status, submitted_at)
    return campaign


@pytest.mark.parametrize(
    ("query", "persona", "expected"),
    [
        pytest.param(query, persona, statuses[i], id=f"{query or 'all'}-{persona}")
        for query, statuses in MATRIX
        for i, persona in enumerate(PERSONAS)
    ],
)
def test_export_scope(campaign, clients, query, persona, expected):
    response = clients[persona].get(url(campaign, query))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"].startswith("attachment")
    if expected == 302:
        assert response["Location"].startswith("/dang-nhap/")


def test_unknown_campaign_is_404(clients):
    assert clients["reviewer"].get("/dot/KHONGCO/xuat-excel/").status_code == 404


def test_editor_export_holds_only_its_commune(loaded, clients, tmp_path):
    response = clients["editor_muong_kim"].get(url(loaded))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tong-hop-RS2026-xa-muong-kim.xlsx"'
    book = download(response, tmp_path)
    codes = unit_codes(book)
    assert codes == {MUONG_KIM, *MUONG_KIM_UNITS} - {MUONG_KIM}
    assert not any(code.startswith(MUONG_TE) or code == "T.VPTU" for code in codes)
    assert len(book["Thiết bị đầu cuối"]) > 1  # Mường Kim's own rows are there
    progress = table(book[SUMMARY_SHEET], "1.")
    assert as_int(progress[-1]["Số đơn vị được giao"]) == 5
    communes = table(book[SUMMARY_SHEET], "2.")
    assert [row["Mã xã"] for row in communes[:-1]] == [MUONG_KIM]


def test_reviewer_export_of_a_scope_and_filters(loaded, clients, tmp_path):
    response = clients["reviewer"].get(url(loaded, f"?scope={MUONG_TE}"))
    assert response["Content-Disposition"] == 'attachment; filename="tong-hop-RS2026-xa-muong-te.xlsx"'
    assert unit_codes(download(response, tmp_path)) == set(MUONG_TE_UNITS)

    response = clients["reviewer"].get(url(loaded, "?level=xa&block=dang"))
    book = download(response, tmp_path, "filtered.xlsx")
    assert len(book[STATUS_SHEET]) - 1 == 38  # the Party committee of each commune
    assert {row[2:4] for row in map(tuple, book[STATUS_SHEET][1:])} == {("Khối Đảng", "Cấp xã")}

    commune = Unit.objects.get(code=MUONG_KIM)
    response = clients["reviewer"].get(url(loaded, f"?commune={commune.pk}&block=ubnd"))
    book = download(response, tmp_path, "commune.xlsx")
    assert unit_codes(book) == {f"{MUONG_KIM}.UB", f"{MUONG_KIM}.TT"}
    assert "Xã Mường Kim" in book[SUMMARY_SHEET][2][0]


@pytest.mark.parametrize("query", ["?commune=99999999999999999999999", "?commune=%C2%B2"])
def test_odd_unit_references_are_not_found(campaign, clients, query):
    assert clients["reviewer"].get(url(campaign, query)).status_code == 404


@pytest.mark.parametrize("query", ["?scope=%00", "?commune=X.03637%00"])
def test_control_characters_in_a_unit_reference_are_refused(campaign, clients, query):
    # Refused at the edge, before any query, with the page that says why (rasoat.middleware).
    response = clients["reviewer"].get(url(campaign, query))
    assert response.status_code == 400 and 'data-testid="control-characters"' in response.content.decode()


def test_bad_filter_values_get_a_clear_message(campaign, clients):
    response = clients["reviewer"].get(url(campaign, "?level=huyen"))
    assert response.status_code == 400
    assert "huyen" in response.content.decode()
    assert "Cấp" in response.content.decode()


def test_board_links_to_the_export_with_its_filters(campaign, clients):
    board = reverse("campaign_board", args=[campaign.code])
    page = clients["editor_muong_kim"].get(board + "?level=xa&block=ubnd").content.decode()
    assert 'data-testid="export-link"' in page
    assert url(campaign, "?level=xa&amp;block=ubnd&amp;commune=") in page
    assert 'data-testid="export-link"' not in clients["viewer_muong_kim"].get(board).content.decode()


def queries_for(client, target: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(target)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    return len(context)


def test_download_runs_a_fixed_number_of_queries(campaign, clients, django_assert_num_queries):
    client = clients["reviewer"]
    load_unit(campaign, MUONG_KIM_UNITS[0], 1)
    few = queries_for(client, url(campaign))
    for code, factor, status, submitted_at in UNITS[1:]:
        load_unit(campaign, code, factor, status, submitted_at)
    with django_assert_num_queries(few):
        response = client.get(url(campaign))
        b"".join(response.streaming_content)
