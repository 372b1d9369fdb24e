"""A version's pre-filled template (added sheets, date cells, a line numbered "12a"), re-saved by
LibreOffice headless as .xlsx, .ods and .xls, imports with no difference: the date cells come back
as whatever each format gives (a date, a date-time or a serial number) and all read as the same
date. Skips (saying why) when LibreOffice is absent, unless RASOAT_REQUIRE_LIBREOFFICE is set."""

import datetime

from rasoat.inventory.data import unit_data
from rasoat.inventory.services import write_unit_data
from rasoat.workbooks.importer import apply_import
from rasoat.workbooks.reader import read_unit_workbook
from rasoat.workbooks.template import write_unit_template
from tests.inventory.test_workflow import assignment_of
from tests.workbooks.conftest import SAMPLE_UNIT, convert
from tests.workbooks.test_versions import lc_campaign  # noqa: F401 - a fixture
from tests.workbooks.test_versions_parts import version_data

FORMATS = ["xlsx", "ods", "xls"]


def test_a_version_template_resaved_by_libreoffice_imports_with_no_difference(
    lc_campaign,  # noqa: F811 - the fixture imported above
    libreoffice,
    tmp_path,
):
    assignment = assignment_of(lc_campaign, SAMPLE_UNIT)
    data = version_data(assignment)
    data["B01"]["staff_with_computer"] = 18
    data["B05"][0]["source"] = "Chương trình, dự án"
    data["B07"] = [
        {"course": "Lớp 1", "started_on": datetime.date(2026, 3, 15), "year_held": 2026, "cost_mvnd": 12.5},
        {"course": "Lớp 2", "started_on": datetime.date(1999, 12, 31), "online": "Có"},
    ]
    data["B08"] = {"plan_approved": "Có", "approved_on": datetime.date(2026, 1, 5), "plan_number": "12/KH"}
    write_unit_data(assignment, data)
    expected = unit_data(assignment)
    source = tmp_path / "phu-luc.xlsx"
    source.write_bytes(write_unit_template(assignment, prefilled=True))
    for fmt in FORMATS:
        resaved = convert(libreoffice, source, fmt, tmp_path / fmt)
        write_unit_data(assignment, {})
        result = read_unit_workbook(resaved, resaved.name, assignment)
        assert (fmt, result.errors, result.unknown_columns) == (fmt, [], [])
        apply_import(result, {SAMPLE_UNIT: assignment}, None, None, None)
        assert unit_data(assignment) == expected, fmt
