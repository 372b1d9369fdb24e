"""`rasoat appendix list | export | import` and `rasoat campaign create`: exit codes, JSON, what is stored."""

import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from rasoat.appendix import versions
from rasoat.appendix.definition import definition_of
from rasoat.appendix.models import AppendixVersion
from rasoat.appendix.services import copy_version
from rasoat.appendix.v2026_1 import APPENDIX
from rasoat.appendix.workbook import read_definition, write_definition
from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.orgs.models import Unit
from tests.appendix.test_definition_checks import column, new_column, row_of
from tests.appendix.test_definition_workbook import as_rows
from tests.inventory.test_workflow import load
from tests.workbooks.conftest import xlsx_bytes


def run(*args) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command(*args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return out.getvalue(), code


def run_json(*args) -> tuple[dict, int]:
    output, code = run(*args)
    return json.loads(output), code


# --- rasoat appendix ------------------------------------------------------------------------------


def test_list(lai_chau):
    copy_version("2026.1", "LC-2027", "Phụ lục Lai Châu 2027")
    rows, code = run_json("appendix", "list", "--json")
    assert code == 0
    by_code = {row["code"]: row for row in rows}
    assert by_code["2026.1"]["state"] == "built-in"
    assert by_code["LC-2027"] == {
        "code": "LC-2027",
        "state": "editable",
        "revision": 1,
        "title": "Phụ lục Lai Châu 2027",
        "default": False,
    }
    assert [row["code"] for row in rows if row["default"]] == [versions.default_version()]
    text, code = run("appendix", "list")
    assert code == 0 and "LC-2027" in text and "editable" in text


def test_export_writes_the_definition_workbook_of_any_version(lai_chau, tmp_path):
    target = tmp_path / "2026.1.xlsx"
    output, code = run("appendix", "export", "2026.1", "-o", str(target))
    assert code == 0 and str(target) in output
    assert read_definition(target) == (definition_of(APPENDIX), [])
    assert CalamineWorkbook.from_path(str(target)).sheet_names[0] == "Hướng dẫn"


def test_export_of_an_unknown_version(db, tmp_path):
    with pytest.raises(CommandError, match="no appendix version"):
        call_command("appendix", "export", "1999", "-o", str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()


def test_import_creates_then_replaces_a_version(lai_chau, tmp_path):
    definition = definition_of(APPENDIX)
    path = tmp_path / "lc.xlsx"
    write_definition(definition, path, code="LC-2027", title="Tiêu đề trong tệp")
    output, code = run_json("appendix", "import", str(path), "--version", "LC-2027")
    assert code == 0
    assert output == {"version": "LC-2027", "revision": 1, "created": True, "errors": []}
    assert AppendixVersion.objects.get(code="LC-2027").title == "Tiêu đề trong tệp"

    changed = copy.deepcopy(definition)
    changed["columns"].append(new_column("B05", "origin", header="Nguồn trang bị"))
    write_definition(changed, path, code="LC-2027", title="Tiêu đề trong tệp")
    output, code = run_json("appendix", "import", str(path), "--version", "LC-2027", "--title", "Tiêu đề mới")
    assert (code, output["revision"], output["created"]) == (0, 2, False)
    stored = AppendixVersion.objects.get(code="LC-2027")
    assert stored.title == "Tiêu đề mới" and stored.definition == changed
    assert AuditEntry.objects.filter(action="appendix_version.imported").count() == 1
    assert AuditEntry.objects.filter(action="appendix_version.saved").count() == 1


def test_import_with_faults_prints_them_exits_1_and_saves_nothing(lai_chau, tmp_path):
    definition = definition_of(APPENDIX)
    rows = as_rows(definition)
    rows["columns"][row_of(definition, "B05", "os") - 1][3] = "menu"
    rows["choices"].append(["os", "x" * 101])
    path = tmp_path / "faulty.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    output, code = run_json("appendix", "import", str(path), "--version", "LC-2027", "--title", "x")
    assert code == 1
    assert output["errors"] == [
        {
            "sheet": "columns",
            "row": row_of(definition, "B05", "os"),
            "column": "type",
            "message": output["errors"][0]["message"],
        },
        {
            "sheet": "choices",
            "row": len(definition["choices"]) + 2,
            "column": "label",
            "message": "Lựa chọn dài 101 ký tự; chỉ được tối đa 100 ký tự.",
        },
    ]
    assert output["errors"][0]["message"].startswith("Kiểu dữ liệu “menu” không hợp lệ")
    assert not AppendixVersion.objects.filter(code="LC-2027").exists()


def test_import_refusing_what_the_assessment_needs_names_the_rule(lai_chau, tmp_path):
    definition = copy.deepcopy(definition_of(APPENDIX))
    column(definition, "B04", "security_level")["hidden"] = True
    path = tmp_path / "faulty.xlsx"
    write_definition(definition, path, code="x", title="x")
    output, code = run_json("appendix", "import", str(path), "--version", "LC-2027")
    assert code == 1
    [error] = output["errors"]
    assert (error["sheet"], error["row"], error["column"]) == (
        "columns",
        row_of(definition, "B04", "security_level"),
        "hidden",
    )
    assert "S-SEC" in error["message"]
    assert not AppendixVersion.objects.filter(code="LC-2027").exists()


def test_import_into_a_frozen_version(lai_chau, campaign, tmp_path):
    path = tmp_path / "def.xlsx"
    write_definition(definition_of(APPENDIX), path, code="2026.1", title="x")
    output, code = run_json("appendix", "import", str(path), "--version", "2026.1")
    assert code == 1
    assert output["errors"][0]["message"].startswith("Phiên bản 2026.1 được cài sẵn cùng rasoat và chỉ đọc")

    copy_version("2026.1", "LC-2027", "Phụ lục")
    call_command(
        "campaign",
        "create",
        "RS2027",
        "--title",
        "Đợt 2027",
        "--deadline",
        "2026-12-31",
        "--reference-date",
        "2026-05-20",
        "--appendix",
        "LC-2027",
        stdout=StringIO(),
    )
    load(Assignment.objects.get(campaign__code="RS2027", unit__code="X.03637.UB"))
    output, code = run_json("appendix", "import", str(path), "--version", "LC-2027")
    assert code == 1 and "RS2027" in output["errors"][0]["message"]
    assert AppendixVersion.objects.get(code="LC-2027").revision == 1


def test_import_of_a_file_that_is_not_a_workbook(db, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("không phải bảng tính\n" * 20)
    output, code = run_json("appendix", "import", str(path), "--version", "LC-2027")
    assert code == 1
    [error] = output["errors"]
    assert set(error) == {"sheet", "row", "column", "message"}
    assert "notes.xlsx" in error["message"]


def test_import_with_a_bad_version_code(db, tmp_path):
    path = tmp_path / "def.xlsx"
    write_definition(definition_of(APPENDIX), path, code="x", title="x")
    output, code = run_json("appendix", "import", str(path), "--version", "có dấu")
    assert code == 1 and "Mã phiên bản “có dấu”" in output["errors"][0]["message"]
    assert not AppendixVersion.objects.filter(shipped=False).exists()


# --- rasoat campaign create -----------------------------------------------------------------------


def test_campaign_create_assigns_every_reporting_unit(lai_chau):
    output, code = run_json(
        "campaign", "create", "RS2027", "--title", "Rà soát năm 2027", "--deadline", "2027-05-20"
    )
    assert code == 0
    campaign = Campaign.objects.get(code="RS2027")
    assert output == {
        "campaign": "RS2027",
        "appendix_version": versions.default_version(),
        "units": Unit.objects.reporting().count(),
    }
    assert (campaign.deadline.isoformat(), campaign.reference_date.isoformat()) == (
        "2027-05-20",
        "2027-05-20",
    )
    assert campaign.appendix_version == versions.default_version()
    assert set(campaign.assignments.values_list("unit_id", flat=True)) == set(
        Unit.objects.reporting().values_list("pk", flat=True)
    )
    assert AuditEntry.objects.filter(action="campaign.created", object_id=str(campaign.pk)).exists()


def test_campaign_create_with_every_option(lai_chau, campaign):
    copy_version("2026.1", "LC-2027", "Phụ lục")
    output, code = run_json(
        "campaign",
        "create",
        "RS2027",
        "--title",
        "Rà soát 2027",
        "--deadline",
        "2027-05-20",
        "--reference-date",
        "2027-01-01",
        "--appendix",
        "LC-2027",
        "--previous",
        "RS2026",
    )
    assert code == 0 and output["appendix_version"] == "LC-2027"
    created = Campaign.objects.get(code="RS2027")
    assert (created.previous, created.reference_date.isoformat()) == (campaign, "2027-01-01")


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        (["RS 2027"], "code", "Chỉ dùng chữ cái không dấu"),
        (["RS2026"], "code", "RS2026"),
        (["RS2027", "--deadline", "20/05/2027"], "deadline", "“20/05/2027” không phải là ngày"),
        (["RS2027", "--appendix", "1999"], "appendix_version", "Không có phiên bản phụ lục 1999."),
        (["RS2027", "--previous", "RS1999"], "previous", "Không có đợt rà soát RS1999."),
    ],
)
def test_campaign_create_refusals_print_json_exit_1_and_create_nothing(
    lai_chau, campaign, args, field, message
):
    options = {"--title": "Đợt", "--deadline": "2027-05-20"}
    extra = args[1:]
    for name, value in zip(extra[::2], extra[1::2], strict=True):
        options[name] = value
    flat = [item for pair in options.items() for item in pair]
    before = Campaign.objects.count()
    output, code = run_json("campaign", "create", args[0], *flat)
    assert code == 1
    fields = [error["field"] for error in output["errors"]]
    assert field in fields
    texts = " ".join(error["message"] for error in output["errors"])
    assert message in texts
    assert Campaign.objects.count() == before


def test_import_of_a_missing_file(db, tmp_path):
    output, code = run_json("appendix", "import", str(tmp_path / "absent.xlsx"), "--version", "LC-2027")
    assert code == 1
    assert output["errors"][0]["message"] == 'Không mở được tệp "absent.xlsx".'
    assert not AppendixVersion.objects.filter(shipped=False).exists()
