"""The workbook pages: template downloads, upload → preview → confirm or cancel, error workbook,
original file, the links on the unit, history and commune pages, and the scope of every URL."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from rasoat.campaigns.models import Assignment, Snapshot, Status
from rasoat.inventory import workflow
from rasoat.inventory.data import unit_data
from rasoat.orgs.models import Unit
from rasoat.workbooks.error_workbook import LIST_SHEET
from rasoat.workbooks.models import ImportedSnapshot, Upload
from rasoat.workbooks.template import write_commune_template, write_unit_template
from tests.conftest import MUONG_KIM, client_for
from tests.inventory.test_workflow import assignment_of, data_for, load
from tests.workbooks.test_error_workbook import faulty_workbook

UNIT = "X.03637.UB"
PERSONAS = ["admin", "reviewer", "editor_muong_kim", "editor_muong_te", "viewer_muong_kim", "anonymous"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files go to a folder of the test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def assignment(campaign) -> Assignment:
    return assignment_of(campaign, UNIT)


@pytest.fixture
def editor(personas):
    return personas["editor_muong_kim"]


@pytest.fixture
def client(clients):
    return clients["editor_muong_kim"]


@pytest.fixture
def good_file(assignment) -> bytes:
    """The unit's template filled with the sample data (through the data it produces)."""
    load(assignment, data_for(assignment.unit))
    content = write_unit_template(assignment, prefilled=True)
    # Back to an empty unit, so that importing the file visibly changes it.
    load(assignment, {"B01": data_for(assignment.unit)["B01"]})
    return content


def unit_url(name: str, assignment: Assignment) -> str:
    return reverse(name, args=[assignment.campaign.code, assignment.unit_id])


def upload_url(name: str, upload: Upload) -> str:
    return reverse(name, args=[upload.campaign.code, upload.pk])


def post_file(client, url: str, content: bytes, name: str = "phu_luc.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def sheet_rows(content: bytes, name: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(name).to_python()


# --- templates -------------------------------------------------------------------------------------


def test_unit_template_downloads_blank_or_prefilled(client, assignment):
    load(assignment, data_for(assignment.unit))
    blank = client.get(unit_url("workbook_unit_template", assignment))
    assert blank.status_code == 200
    assert blank["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert 'filename="phu-luc-RS2026-X.03637.UB.xlsx"' in blank["Content-Disposition"]
    assert not any(any(r) for r in sheet_rows(blank.content, "Thiết bị đầu cuối")[2:])
    prefilled = client.get(unit_url("workbook_unit_template", assignment) + "?du-lieu=1")
    assert 'filename="phu-luc-RS2026-X.03637.UB-du-lieu.xlsx"' in prefilled["Content-Disposition"]
    assert len([r for r in sheet_rows(prefilled.content, "Thiết bị đầu cuối")[2:] if any(r)]) == len(
        unit_data(assignment)["B05"]
    )


def test_commune_template_downloads_for_the_communes_units(client, campaign):
    commune = Unit.objects.get(code=MUONG_KIM)
    response = client.get(reverse("workbook_commune_template", args=[campaign.code, commune.pk]))
    assert response.status_code == 200
    assert 'filename="phu-luc-RS2026-X.03637.xlsx"' in response["Content-Disposition"]
    header = sheet_rows(response.content, "Kết nối mạng")[1]
    assert header[:2] == ["STT", "Mã đơn vị*"]


# --- upload and preview ----------------------------------------------------------------------------


def test_upload_stores_a_pending_file_and_shows_the_preview(client, assignment, good_file, editor, settings):
    response = post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == upload_url("workbook_upload_preview", upload)
    assert (upload.state, upload.unit, upload.uploaded_by, upload.original_name) == (
        Upload.State.PENDING,
        assignment.unit,
        editor,
        "phu_luc.xlsx",
    )
    # The file, and beside it the preview's validated result that confirming applies.
    [workbook, result] = sorted(stored_files(settings), key=lambda p: len(p.name))
    assert upload.size == len(good_file) and workbook.read_bytes() == good_file
    assert result.name == workbook.name + ".result.json"
    assert upload.summary["rows"]["B05"] == len(data_for(assignment.unit)["B05"])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="preview-ok"' in page
    assert 'data-testid="confirm"' in page and 'data-testid="confirm" disabled' not in page
    assert page.count('data-testid="preview-sheet"') == 6
    # Nothing is imported before the confirmation.
    assert unit_data(assignment)["B05"] == []


def test_preview_lists_every_error_with_sheet_row_column_value_and_message(client, assignment):
    response = post_file(
        client, unit_url("workbook_unit_upload", assignment), faulty_workbook(), "tu_lam.xlsx"
    )
    upload = Upload.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="preview-has-errors"' in page
    assert 'data-testid="confirm" disabled' in page
    assert (
        page.count('data-testid="issue"') == upload.summary["error_count"] + upload.summary["warning_count"]
    )
    b05_row_4 = [part.split("</tr>")[0] for part in page.split('data-sheet="B05" data-row="4"')[1:]]
    assert len(b05_row_4) == 3 and all("Thiết bị đầu cuối" in cells for cells in b05_row_4)
    for column in ("Số lượng", "Năm trang bị", "Tình trạng"):
        assert any(column in cells for cells in b05_row_4)
    assert "<code>nhiều</code>" in page
    assert "Số điện thoại" in page and "<code>12345</code>" in page
    assert 'data-testid="error-workbook"' in page
    # Confirming anyway is refused and changes nothing.
    before = Snapshot.objects.count()
    confirmed = client.post(upload_url("workbook_upload_confirm", upload), follow=True)
    assert "Tệp vẫn còn lỗi nên chưa nhập dữ liệu nào" in confirmed.content.decode()
    upload.refresh_from_db()
    assert upload.state == Upload.State.PENDING and Snapshot.objects.count() == before


def test_error_workbook_download_marks_the_faulty_cells(client, assignment):
    response = post_file(
        client, unit_url("workbook_unit_upload", assignment), faulty_workbook(), "tu_lam.xlsx"
    )
    upload = Upload.objects.get()
    download = client.get(upload_url("workbook_upload_errors", upload))
    assert download.status_code == 200
    assert 'filename="bao-loi-tu_lam.xlsx"' in download["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(download.content))
    assert book.sheet_names[0] == LIST_SHEET
    listed = [r for r in sheet_rows(download.content, LIST_SHEET)[3:] if any(r)]
    assert len(listed) == upload.summary["error_count"] + upload.summary["warning_count"]
    assert response.status_code == 302


@pytest.mark.parametrize(
    "content, words",
    [
        (b"Xin chao, day khong phai bang tinh", "không phải là bảng tính"),
        (b"PK\x03\x04 truncated zip", "bị hỏng"),
    ],
)
def test_a_refused_file_leaves_nothing_behind(client, assignment, settings, content, words):
    response = post_file(client, unit_url("workbook_unit_upload", assignment), content, "sai.xlsx")
    assert response.status_code == 400
    assert words in response.content.decode()
    assert Upload.objects.count() == 0 and stored_files(settings) == []


def test_a_file_past_the_size_limit_is_refused_before_reading(client, assignment, settings, good_file):
    settings.UPLOAD_MAX_BYTES = 1000
    response = post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    assert response.status_code == 400
    assert "vượt quá giới hạn" in response.content.decode()
    assert Upload.objects.count() == 0 and stored_files(settings) == []


# --- confirm and cancel ----------------------------------------------------------------------------


def test_confirm_imports_and_the_history_links_the_original_file(client, assignment, good_file, clients):
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    response = client.post(upload_url("workbook_upload_confirm", upload))
    assert response.status_code == 302
    assert response["Location"] == unit_url("workflow_history", assignment)
    upload.refresh_from_db()
    assert upload.state == Upload.State.IMPORTED
    assert unit_data(assignment)["B05"] and len(unit_data(assignment)["B05"]) == upload.summary["rows"]["B05"]
    link = ImportedSnapshot.objects.get(upload=upload)
    assert link.snapshot.assignment == assignment and link.snapshot.kind == Snapshot.Kind.BEFORE_IMPORT
    history = client.get(response["Location"])
    page = history.content.decode()
    assert "phu_luc.xlsx" in page and 'data-testid="imported-file-link"' in page
    assert f"B05: {upload.summary['rows']['B05']}" in page  # the success message names the rows
    original = client.get(upload_url("workbook_upload_file", upload))
    assert b"".join(original.streaming_content) == good_file
    # A viewer of the unit may see the imported file's page and download it.
    viewer = clients["viewer_muong_kim"]
    assert viewer.get(upload_url("workbook_upload_preview", upload)).status_code == 200
    assert viewer.get(upload_url("workbook_upload_file", upload)).status_code == 200
    # Confirming twice imports once.
    again = client.post(upload_url("workbook_upload_confirm", upload))
    assert again.status_code == 302 and ImportedSnapshot.objects.count() == 1


def test_history_lists_imports_in_one_extra_query(
    client, assignment, good_file, django_assert_max_num_queries
):
    url = unit_url("workflow_history", assignment)
    client.get(url)  # the session and the language are settled by a first request
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    baseline = len(before.captured_queries)  # counted now: each request clears the query log
    for _ in range(3):
        post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
        client.post(upload_url("workbook_upload_confirm", Upload.objects.latest("pk")))
    # Three imports add three snapshots and three files: still one query for the files.
    with django_assert_max_num_queries(baseline + 1):
        page = client.get(url).content.decode()
    assert page.count('data-testid="imported-file"') == 3


def test_cancel_deletes_the_file_and_changes_nothing(client, assignment, good_file, settings):
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    data_before, snapshots_before = unit_data(assignment), Snapshot.objects.count()
    response = client.post(upload_url("workbook_upload_cancel", upload))
    assert response.status_code == 302 and response["Location"] == unit_url("entry_overview", assignment)
    upload.refresh_from_db()
    assert upload.state == Upload.State.CANCELLED and not upload.file
    assert stored_files(settings) == []
    assert unit_data(assignment) == data_before and Snapshot.objects.count() == snapshots_before
    assert client.get(upload_url("workbook_upload_file", upload)).status_code == 404
    assert client.post(upload_url("workbook_upload_confirm", upload)).status_code == 302
    upload.refresh_from_db()
    assert upload.state == Upload.State.CANCELLED


def test_confirm_into_a_locked_report_changes_nothing(client, assignment, good_file, editor):
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    load(assignment, data_for(assignment.unit))
    workflow.submit(assignment, editor, acknowledge_warnings=True)
    data_before = unit_data(assignment)
    response = client.post(upload_url("workbook_upload_confirm", upload), follow=True)
    assert (
        "Chưa nhập dữ liệu nào: báo cáo đang ở trạng thái “Đã gửi” nên bị khóa" in response.content.decode()
    )
    upload.refresh_from_db()
    assert upload.state == Upload.State.PENDING and unit_data(assignment) == data_before
    assert assignment_of(assignment.campaign, UNIT).status == Status.SUBMITTED


# --- the commune workbook --------------------------------------------------------------------------


def commune_assignments(campaign) -> list[Assignment]:
    commune = Unit.objects.get(code=MUONG_KIM)
    return list(
        Assignment.objects.filter(campaign=campaign, unit__commune=commune).select_related("unit", "campaign")
    )


def test_commune_upload_imports_every_unit_and_returns_to_the_commune(client, campaign):
    assignments = commune_assignments(campaign)
    for assignment in assignments:
        load(assignment, data_for(assignment.unit))
    commune = Unit.objects.get(code=MUONG_KIM)
    content = write_commune_template(campaign, commune, assignments, prefilled=True)
    url = reverse("workbook_commune_upload", args=[campaign.code, commune.pk])
    response = post_file(client, url, content, "ca_xa.xlsx")
    upload = Upload.objects.get()
    assert response.status_code == 302 and upload.unit == commune
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="preview-units"' in page
    confirmed = client.post(upload_url("workbook_upload_confirm", upload))
    assert confirmed["Location"] == reverse("campaign_commune", args=[campaign.code, commune.pk])
    assert ImportedSnapshot.objects.filter(upload=upload).count() == len(assignments)


def test_commune_workbook_with_one_unit_filled_has_no_error(client, campaign):
    assignments = commune_assignments(campaign)
    load(assignments[2], data_for(assignments[2].unit))
    commune = Unit.objects.get(code=MUONG_KIM)
    content = write_commune_template(campaign, commune, assignments, prefilled=True)
    post_file(client, reverse("workbook_commune_upload", args=[campaign.code, commune.pk]), content)
    upload = Upload.objects.get()
    assert upload.summary["error_count"] == 0, upload.summary["errors"][:3]


# --- links -----------------------------------------------------------------------------------------


def test_unit_and_commune_pages_link_the_workbook_pages(clients, assignment, campaign):
    editor, viewer = clients["editor_muong_kim"], clients["viewer_muong_kim"]
    overview = editor.get(unit_url("entry_overview", assignment)).content.decode()
    assert unit_url("workbook_unit_template", assignment) in overview
    assert unit_url("workbook_unit_template", assignment) + "?du-lieu=1" in overview
    assert unit_url("workbook_unit_upload", assignment) in overview
    seen = viewer.get(unit_url("entry_overview", assignment)).content.decode()
    assert unit_url("workbook_unit_template", assignment) in seen
    assert unit_url("workbook_unit_upload", assignment) not in seen
    commune = Unit.objects.get(code=MUONG_KIM)
    page = editor.get(reverse("campaign_commune", args=[campaign.code, commune.pk])).content.decode()
    assert reverse("workbook_commune_template", args=[campaign.code, commune.pk]) in page
    assert reverse("workbook_commune_upload", args=[campaign.code, commune.pk]) in page
    page = viewer.get(reverse("campaign_commune", args=[campaign.code, commune.pk])).content.decode()
    assert reverse("workbook_commune_upload", args=[campaign.code, commune.pk]) not in page


# --- scope -----------------------------------------------------------------------------------------

# (method, URL name, expected status per persona in PERSONAS order)
UNIT_MATRIX = [
    ("get", "workbook_unit_template", [200, 200, 200, 404, 200, 302]),
    ("get", "workbook_unit_upload", [200, 403, 200, 404, 403, 302]),
    ("post", "workbook_unit_upload", [400, 403, 400, 404, 403, 302]),
]
COMMUNE_MATRIX = [
    ("get", "workbook_commune_template", [200, 200, 200, 404, 200, 302]),
    ("get", "workbook_commune_upload", [200, 403, 200, 404, 403, 302]),
    ("post", "workbook_commune_upload", [400, 403, 400, 404, 403, 302]),
]
# A pending upload of the Mường Kim editor: only editors of the unit (and the uploader) see it.
UPLOAD_MATRIX = [
    ("get", "workbook_upload_preview", [200, 403, 200, 404, 403, 302]),
    ("get", "workbook_upload_errors", [200, 403, 200, 404, 403, 302]),
    ("get", "workbook_upload_file", [200, 403, 200, 404, 403, 302]),
    ("post", "workbook_upload_confirm", [302, 403, 302, 404, 403, 302]),
    ("post", "workbook_upload_cancel", [302, 403, 302, 404, 403, 302]),
]


def cases(matrix):
    return [
        pytest.param(method, name, persona, statuses[index], id=f"{method}-{name}-{persona}")
        for method, name, statuses in matrix
        for index, persona in enumerate(PERSONAS)
    ]


@pytest.mark.parametrize("method, name, persona, expected", cases(UNIT_MATRIX))
def test_unit_urls_scope(clients, assignment, method, name, persona, expected):
    response = getattr(clients[persona], method)(unit_url(name, assignment))
    assert response.status_code == expected
    if expected == 302:
        assert "/dang-nhap/" in response["Location"]


@pytest.mark.parametrize("method, name, persona, expected", cases(COMMUNE_MATRIX))
def test_commune_urls_scope(clients, campaign, method, name, persona, expected):
    commune = Unit.objects.get(code=MUONG_KIM)
    response = getattr(clients[persona], method)(reverse(name, args=[campaign.code, commune.pk]))
    assert response.status_code == expected


@pytest.fixture
def pending(client, assignment, good_file) -> Upload:
    post_file(client, unit_url("workbook_unit_upload", assignment), faulty_workbook(), "tu_lam.xlsx")
    return Upload.objects.get()


@pytest.mark.parametrize("method, name, persona, expected", cases(UPLOAD_MATRIX))
def test_upload_urls_scope(clients, pending, method, name, persona, expected):
    response = getattr(clients[persona], method)(upload_url(name, pending))
    assert response.status_code == expected
    if expected == 302 and persona == "anonymous":
        assert "/dang-nhap/" in response["Location"]


def test_upload_of_another_campaign_code_or_unknown_id_is_404(client, pending):
    assert client.get(reverse("workbook_upload_preview", args=["KHONGCO", pending.pk])).status_code == 404
    assert client.get(reverse("workbook_upload_preview", args=["RS2026", 999999])).status_code == 404


def test_the_uploader_keeps_seeing_a_pending_upload_without_edit_rights(pending, editor):
    editor.memberships.update(role="viewer")
    viewer_now = client_for(editor)
    assert viewer_now.get(upload_url("workbook_upload_preview", pending)).status_code == 200
    assert viewer_now.post(upload_url("workbook_upload_confirm", pending)).status_code == 403
