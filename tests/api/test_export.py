"""The consolidated JSON Lines of the province equal the consolidated workbook, row for row."""

import datetime
import json

from python_calamine import CalamineWorkbook

from rasoat.appendix.declaration import UnitInfo, get_appendix
from rasoat.appendix.validation import clean_unit_data
from rasoat.campaigns.models import Assignment
from rasoat.inventory.services import replace_unit_data
from rasoat.workbooks.export import write_consolidated
from tests.api.conftest import SAMPLE, SAMPLE_UNIT, body

UNITS = [SAMPLE_UNIT, "X.03637.UB", "T.VPTU"]


def load(campaign, codes):
    for code in codes:
        assignment = Assignment.objects.select_related("unit", "campaign").get(
            campaign=campaign, unit__code=code
        )
        data = clean_unit_data(
            get_appendix(campaign.appendix_version), SAMPLE, UnitInfo.from_unit(assignment.unit),
            campaign.reference_date,
        ).data  # fmt: skip
        replace_unit_data(assignment, data)


def cell(value):
    """A JSON value as the workbook shows it once read back: dates dd/mm/yyyy, numbers as floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value


def normalised(row):
    return [float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in row]


def test_province_jsonl_equals_the_consolidated_workbook_row_for_row(campaign, api_clients, tmp_path):
    load(campaign, UNITS)
    response = api_clients["reviewer"].get("/api/v1/campaigns/RS2026/export.jsonl")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("application/jsonl")
    lines = [json.loads(line) for line in body(response).decode("utf-8").splitlines()]

    path = tmp_path / "tong-hop.xlsx"
    write_consolidated(campaign, Assignment.objects.all(), str(path))
    book = CalamineWorkbook.from_path(str(path))
    appendix = get_appendix(campaign.appendix_version)
    for sheet, name in zip(appendix.sheets, book.sheet_names[2:], strict=True):
        expected = [normalised(row) for row in book.get_sheet_by_name(name).to_python()[1:]]
        got = [
            [cell(v) for k, v in line.items() if k != "sheet"]
            for line in lines
            if line["sheet"] == sheet.code
        ]
        assert got == expected, sheet.code
    b05 = [line for line in lines if line["sheet"] == "B05"]
    assert len(b05) == 3 * len(SAMPLE["B05"])
    assert {line["unit"] for line in b05} == set(UNITS)
    assert [line["row"] for line in b05 if line["unit"] == SAMPLE_UNIT] == list(
        range(1, len(SAMPLE["B05"]) + 1)
    )


def test_a_commune_editor_exports_only_the_commune(campaign, api_clients):
    load(campaign, UNITS)
    response = api_clients["editor_muong_kim"].get("/api/v1/campaigns/RS2026/export.jsonl")
    units = {json.loads(line)["unit"] for line in body(response).decode().splitlines()}
    assert "X.03637.UB" in units and SAMPLE_UNIT not in units and "T.VPTU" not in units
    assert all(code.startswith("X.03637") for code in units)
    assert api_clients["viewer_muong_kim"].get("/api/v1/campaigns/RS2026/export.jsonl").status_code == 403
    other = api_clients["editor_muong_kim"].get(f"/api/v1/campaigns/RS2026/export.jsonl?under={SAMPLE_UNIT}")
    assert other.status_code == 404
