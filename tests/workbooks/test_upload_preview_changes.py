"""The import preview shows the rows a workbook will write, per unit and sheet, against the unit's data
of the moment: added, changed (cells marked, the current value shown), removed; changes first, capped
per sheet; no confirmation offered while the report is locked; a bounded number of queries."""

import copy
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rasoat.campaigns.models import Assignment
from rasoat.inventory import workflow
from rasoat.inventory.data import unit_data
from rasoat.orgs.models import Unit
from rasoat.workbooks.changes import ROWS_SHOWN
from rasoat.workbooks.models import Upload
from rasoat.workbooks.template import write_commune_template, write_unit_template
from tests.conftest import MUONG_KIM
from tests.inventory.test_workflow import assignment_of, data_for, load
from tests.workbooks.test_upload_views import post_file, unit_url, upload_url

UNIT = "X.03637.UB"
# A row unlike every row of the sample: current data the file does not hold.
STRAY_ROW = {
    "device_type": "Máy quét (scan)",
    "model": "Máy cũ thanh lý",
    "quantity": 9,
    "year_acquired": 2008,
    "condition": "Hỏng, không sử dụng được",
    "at_one_stop": "Có",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def assignment(campaign) -> Assignment:
    return assignment_of(campaign, UNIT)


@pytest.fixture
def client(clients):
    return clients["editor_muong_kim"]


def sheet_part(page: str, code: str, unit: str | None = None) -> str:
    """The HTML of one sheet of the changes (of `unit` when given)."""
    if unit is not None:
        page = page.split(f'data-testid="changes-unit" data-unit="{unit}"', 1)[1].split(
            'data-testid="changes-unit"'
        )[0]
    return page.split(f'data-testid="changes-sheet" data-sheet="{code}"', 1)[1].split(
        'data-testid="changes-sheet"'
    )[0]


def change_rows(part: str) -> list[dict]:
    """Each shown row: its kind, number, cell texts and the current values of its changed cells."""
    rows = []
    for kind, number, body in re.findall(
        r'<tr data-testid="change-row" data-kind="(\w+)" data-row="(\d+)"[^>]*>(.*?)</tr>', part, re.S
    ):
        cells = re.findall(r"<td([^>]*)>(.*?)</td>", body, re.S)[2:]
        old = {}
        values = []
        for index, (attrs, content) in enumerate(cells):
            found = re.search(r"<del[^>]*>(.*?)</del>", content, re.S)
            if "data-changed" in attrs:
                old[index] = re.sub(r"<[^>]+>", "", found.group(1)).strip()
                content = content[found.end() :]
            values.append(content.strip())
        rows.append({"kind": kind, "row": int(number), "values": values, "old": old})
    return rows


def reimport_file(assignment) -> bytes:
    """The unit's prefilled workbook of the sample data; then its current data is made to differ:
    B05 row 1 has another model, row 5 is gone, a stray row was added, B01 has another phone."""
    data = data_for(assignment.unit)
    load(assignment, data)
    content = write_unit_template(assignment, prefilled=True)
    current = copy.deepcopy(data)
    current["B05"][0]["model"] = "HP ProDesk 400 G7"
    del current["B05"][4]
    current["B05"].append(dict(STRAY_ROW))
    current["B01"]["contact_phone"] = "0987654321"
    load(assignment, current)
    return content


def test_preview_of_a_reimport_shows_added_changed_and_removed_rows(client, assignment):
    content = reimport_file(assignment)
    before = unit_data(assignment)
    response = post_file(client, unit_url("workbook_unit_upload", assignment), content)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="preview-changes"' in page
    b05 = sheet_part(page, "B05")
    rows = change_rows(b05)
    kinds = [r["kind"] for r in rows]
    # Changes first, in this order, then the unchanged rows; every row of the file is there.
    assert kinds == ["changed", "added", "removed"] + ["unchanged"] * 23
    changed, added, removed = rows[:3]
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', b05)[2:]
    model = headers.index("Hãng, model")
    assert changed["row"] == 1 and changed["old"] == {model: "HP ProDesk 400 G7"}
    assert changed["values"][model] == "Dell OptiPlex 3080"
    assert added["row"] == 5 and added["values"][model] == "Fujitsu fi-7160" and added["old"] == {}
    assert removed["values"][model] == "Máy cũ thanh lý"
    assert ">25 dòng được ghi<" in b05 and ">Thêm 1 dòng<" in b05 and ">Sửa 1 dòng<" in b05
    assert ">Xóa 1 dòng<" in b05 and ">23 dòng không đổi<" in b05
    # B01: the one changed line is marked with its current value; a sheet without change says so.
    b01 = sheet_part(page, "B01")
    assert b01.count('data-changed="1"') == 1 and "0987654321" in b01 and "0912345678" in b01
    assert ">không đổi<" in sheet_part(page, "B02")
    # Nothing was written by the preview.
    assert unit_data(assignment) == before
    assert 'data-testid="changes-stale"' not in page


def test_the_preview_says_when_the_data_changed_since_the_file_was_read(client, assignment):
    content = reimport_file(assignment)
    location = post_file(client, unit_url("workbook_unit_upload", assignment), content)["Location"]
    assert 'data-testid="changes-stale"' not in client.get(location).content.decode()
    current = unit_data(assignment)
    current["B05"][3]["quantity"] = 42
    load(assignment, current)
    page = client.get(location).content.decode()
    assert 'data-testid="changes-stale"' in page and "có thể đã cũ" in page
    assert 'data-testid="confirm"' in page  # the file itself is still what would be imported


def test_a_locked_report_has_no_confirm_button_and_says_why(client, assignment, personas):
    content = reimport_file(assignment)
    response = post_file(client, unit_url("workbook_unit_upload", assignment), content)
    upload = Upload.objects.get()
    workflow.submit(assignment, personas["editor_muong_kim"], acknowledge_warnings=True)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="confirm"' not in page and 'data-testid="preview-ok"' not in page
    assert 'data-testid="preview-locked"' in page
    assert "báo cáo đang bị khóa" in page and f'data-unit="{UNIT}"' in page and "“Đã gửi”" in page
    assert 'data-testid="cancel"' in page  # the upload can still be dropped
    # A POST to confirm is refused as before.
    client.post(upload_url("workbook_upload_confirm", upload))
    upload.refresh_from_db()
    assert upload.state == Upload.State.PENDING


def preview_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_a_large_preview_is_capped_and_its_queries_do_not_grow_with_rows(client, assignment):
    small = reimport_file(assignment)
    post_file(client, unit_url("workbook_unit_upload", assignment), small)
    small_url = upload_url("workbook_upload_preview", Upload.objects.latest("pk"))
    client.get(small_url)  # the session and the language are settled by a first request
    small_count, _page = preview_queries(client, small_url)

    data = data_for(assignment.unit)
    base = data["B05"]
    data["B05"] = [dict(base[i % len(base)], quantity=i + 1) for i in range(600)]
    load(assignment, data)
    large = write_unit_template(assignment, prefilled=True)
    data["B05"][300]["model"] = "Máy đã đổi"
    load(assignment, data)
    post_file(client, unit_url("workbook_unit_upload", assignment), large)
    large_count, page = preview_queries(
        client, upload_url("workbook_upload_preview", Upload.objects.latest("pk"))
    )
    assert large_count == small_count <= 20
    rows = change_rows(sheet_part(page, "B05"))
    assert len(rows) == ROWS_SHOWN
    assert rows[0]["kind"] == "changed" and rows[0]["row"] == 301  # the change comes first
    assert "600 dòng được ghi" in page and "599 dòng không đổi" in page
    assert "Chỉ hiển thị 200 dòng đầu; còn 400 dòng không được hiển thị." in page


def test_the_commune_preview_shows_the_changes_per_unit_and_its_locked_units(client, campaign, personas):
    commune = Unit.objects.get(code=MUONG_KIM)
    assignments = list(
        Assignment.objects.filter(campaign=campaign, unit__commune=commune).select_related("unit", "campaign")
    )
    for item in assignments:
        load(item, data_for(item.unit))
    content = write_commune_template(campaign, commune, assignments, prefilled=True)
    first = assignments[0]
    changed = data_for(first.unit)
    changed["B05"][0]["model"] = "HP ProDesk 400 G7"
    load(first, changed)
    url = reverse("workbook_commune_upload", args=[campaign.code, commune.pk])
    location = post_file(client, url, content, "ca_xa.xlsx")["Location"]
    page = client.get(location).content.decode()
    codes = re.findall(r'data-testid="changes-unit" data-unit="([^"]+)"', page)
    assert sorted(codes) == sorted(a.unit.code for a in assignments) and len(codes) == 5
    first_rows = change_rows(sheet_part(page, "B05", first.unit.code))
    assert first_rows[0]["kind"] == "changed" and "HP ProDesk 400 G7" in first_rows[0]["old"].values()
    other = assignments[1].unit.code
    assert {r["kind"] for r in change_rows(sheet_part(page, "B05", other))} == {"unchanged"}
    assert 'data-testid="confirm"' in page
    # One locked unit is enough to withhold the import of the whole file, and it is named.
    workflow.submit(assignments[1], personas["editor_muong_kim"], acknowledge_warnings=True)
    page = client.get(location).content.decode()
    assert 'data-testid="confirm"' not in page
    assert re.findall(r'data-testid="locked-unit" data-unit="([^"]+)"', page) == [other]
