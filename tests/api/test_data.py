"""The appendix data through the API: PUT then GET equals `rasoat dump`; validation as the import's;
stale PATCH 409 with nothing changed; the workflow; a column a new version adds, with no API change."""

import copy
import io
import json

from django.core.management import call_command

from rasoat.appendix.services import copy_version, save_definition
from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.inventory.data import unit_data
from tests.api.conftest import SAMPLE, SAMPLE_UNIT
from tests.appendix.test_definition_checks import new_column

URL = f"/api/v1/campaigns/RS2026/units/{SAMPLE_UNIT}/data"


def dump(campaign: str, unit: str) -> dict:
    out = io.StringIO()
    call_command("dump", campaign, unit, stdout=out)
    return json.loads(out.getvalue())


def put(client, data, url=URL):
    return client.put(url, json.dumps(data), content_type="application/json")


def test_put_then_get_equals_rasoat_dump(campaign, api_clients):
    client = api_clients["editor_muong_te"]
    response = put(client, SAMPLE)
    assert response.status_code == 200, response.content
    got = client.get(URL).json()
    assert got["data"] == dump("RS2026", SAMPLE_UNIT)
    assert {code: len(rows) for code, rows in got["data"].items() if isinstance(rows, list)} == {
        "B02": 3, "B03": 6, "B04": 12, "B05": 25, "B06": 4,
    }  # fmt: skip
    assert got["status"] == Status.IN_PROGRESS
    assert len(got["records"]["B05"]) == 25 and got["records"]["B01"]["version"] >= 1
    entry = AuditEntry.objects.get(action="appendix.api_replaced")
    assert entry.actor.username == "editor_muong_te"


def test_put_with_errors_is_422_with_every_error_and_saves_nothing(campaign, api_clients):
    client = api_clients["editor_muong_te"]
    assert put(client, SAMPLE).status_code == 200
    before = dump("RS2026", SAMPLE_UNIT)
    broken = copy.deepcopy(SAMPLE)
    broken["B05"][1]["quantity"] = "nhiều"
    broken["B02"][0]["bandwidth_mbps"] = -5
    broken["B09"] = []
    response = put(client, broken)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/invalid-data") and problem["status"] == 422
    assert "lỗi" in problem["detail"]
    places = {(e["sheet"], e.get("row"), e["column"]) for e in problem["errors"]}
    assert ("Thiết bị đầu cuối", 2, "Số lượng") in places
    assert any(e["sheet"] == "Kết nối mạng" and e.get("row") == 1 for e in problem["errors"])
    assert any(e["sheet"] == "B09" for e in problem["errors"])
    assert all(e["message"] for e in problem["errors"])
    assert dump("RS2026", SAMPLE_UNIT) == before


def test_put_body_that_is_not_json_is_a_problem(campaign, api_clients):
    response = api_clients["editor_muong_te"].put(URL, "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"].endswith("/bad-request")


def test_stale_patch_is_409_and_changes_nothing(campaign, api_clients):
    client = api_clients["editor_muong_te"]
    put(client, SAMPLE)
    got = client.get(URL).json()
    row = got["records"]["B05"][0]
    url = f"{URL}/B05/rows/{row['id']}"
    first = client.patch(url, json.dumps({"version": row["version"], "values": {"quantity": 7}}),
                         content_type="application/json")  # fmt: skip
    assert first.status_code == 200, first.content
    assert first.json()["version"] == row["version"] + 1 and first.json()["values"]["quantity"] == 7
    before = dump("RS2026", SAMPLE_UNIT)
    stale = client.patch(url, json.dumps({"version": row["version"], "values": {"quantity": 9}}),
                         content_type="application/json")  # fmt: skip
    assert stale.status_code == 409
    problem = stale.json()
    assert problem["type"].endswith("/stale-version")
    assert problem["current"]["version"] == row["version"] + 1
    assert problem["current"]["values"]["quantity"] == 7
    assert dump("RS2026", SAMPLE_UNIT) == before


def test_patch_of_the_form_sheet_and_an_unreadable_value(campaign, api_clients):
    client = api_clients["editor_muong_te"]
    put(client, SAMPLE)
    version = client.get(URL).json()["records"]["B01"]["version"]
    ok = client.patch(f"{URL}/B01", json.dumps({"version": version, "values": {"staff_total": 41}}),
                      content_type="application/json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["values"]["staff_total"] == 41
    bad = client.patch(f"{URL}/B01", json.dumps({"version": version + 1, "values": {"staff_total": "x"}}),
                       content_type="application/json")  # fmt: skip
    assert bad.status_code == 422
    assert dump("RS2026", SAMPLE_UNIT)["B01"]["staff_total"] == 41


def test_submit_return_accept(campaign, api_clients):
    editor, reviewer = api_clients["editor_muong_te"], api_clients["reviewer"]
    put(editor, SAMPLE)
    base = f"/api/v1/campaigns/RS2026/units/{SAMPLE_UNIT}"
    submitted = editor.post(f"{base}/submit", json.dumps({"acknowledge_warnings": True}),
                            content_type="application/json")  # fmt: skip
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == Status.SUBMITTED
    # Locked once submitted: a PUT is refused and nothing changes.
    assert put(editor, SAMPLE).status_code == 409
    no_reason = reviewer.post(f"{base}/return", json.dumps({"reason": "  "}), content_type="application/json")
    assert no_reason.status_code == 422 and no_reason.json()["type"].endswith("/workflow")
    returned = reviewer.post(f"{base}/return", json.dumps({"reason": "Thiếu B06"}),
                             content_type="application/json")  # fmt: skip
    assert returned.json()["status"] == Status.RETURNED
    assert editor.post(f"{base}/accept").status_code == 403
    editor.post(f"{base}/submit", json.dumps({"acknowledge_warnings": True}), content_type="application/json")
    assert reviewer.post(f"{base}/accept").json()["status"] == Status.ACCEPTED
    assert Assignment.objects.get(campaign=campaign, unit__code=SAMPLE_UNIT).status == Status.ACCEPTED


def test_a_column_a_version_adds_appears_in_the_api_with_no_api_code_changed(campaign, api_clients, personas):
    version = copy_version("2026.1", "LC-API", "Phụ lục thử API")
    definition = copy.deepcopy(version.definition)
    definition["columns"].append(new_column("B05", "asset_tag", header="Mã tài sản"))
    save_definition("LC-API", definition)
    campaign.appendix_version = "LC-API"
    campaign.save(update_fields=["appendix_version"])
    client = api_clients["editor_muong_te"]

    schema = client.get("/api/v1/campaigns/RS2026/schema").json()
    assert schema["properties"]["B05"]["items"]["properties"]["asset_tag"]["title"] == "Mã tài sản"
    openapi = client.get("/api/v1/openapi.json").json()
    component = openapi["components"]["schemas"]["AppendixData_LC_API"]
    assert "asset_tag" in component["properties"]["B05"]["items"]["properties"]

    data = copy.deepcopy(SAMPLE)
    data["B05"][0]["asset_tag"] = "TS-0001"
    assert put(client, data).status_code == 200
    got = client.get(URL).json()
    assert got["appendix_version"] == "LC-API"
    assert got["data"]["B05"][0]["asset_tag"] == "TS-0001"
    assert got["data"] == unit_data(Assignment.objects.get(campaign=campaign, unit__code=SAMPLE_UNIT))
    assert Campaign.objects.get(pk=campaign.pk).appendix_version == "LC-API"


def test_errors_of_a_patched_table_row_name_its_place_in_the_sheet(campaign, api_clients):
    """The third B05 row's unreadable quantity is reported at row 3, as GET lists it and PUT numbers it."""
    client = api_clients["editor_muong_te"]
    put(client, SAMPLE)
    row = client.get(URL).json()["records"]["B05"][2]
    body = json.dumps({"version": row["version"], "values": {"quantity": "nhiều"}})
    bad = client.patch(f"{URL}/B05/rows/{row['id']}", body, content_type="application/json")
    assert bad.status_code == 422
    (error,) = bad.json()["errors"]
    assert (error["sheet"], error["row"], error["column"]) == ("Thiết bị đầu cuối", 3, "Số lượng")
    # The same value through PUT is reported at the same place.
    broken = copy.deepcopy(SAMPLE)
    broken["B05"][2]["quantity"] = "nhiều"
    places = {(e["sheet"], e.get("row"), e["column"]) for e in put(client, broken).json()["errors"]}
    assert places == {("Thiết bị đầu cuối", 3, "Số lượng")}
