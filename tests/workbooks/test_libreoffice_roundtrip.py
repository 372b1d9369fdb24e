"""A template filled by the system, re-saved by LibreOffice headless as .xlsx, .ods and .xls, imports with
no difference. Skips (saying why) when LibreOffice is absent, unless RASOAT_REQUIRE_LIBREOFFICE is set."""

import pytest

from rasoat.inventory.data import unit_data
from rasoat.inventory.services import replace_unit_data
from rasoat.workbooks.importer import apply_import
from rasoat.workbooks.reader import read_commune_workbook, read_unit_workbook
from rasoat.workbooks.template import write_commune_template, write_unit_template
from tests.conftest import MUONG_TE
from tests.inventory.test_workflow import assignment_of, data_for, load
from tests.workbooks.conftest import SAMPLE_UNIT, convert

FORMATS = ["xlsx", "ods", "xls"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory, django_db_setup, django_db_blocker, libreoffice):
    """The pre-filled templates (the sample unit's, its commune's), written once and re-saved in each
    format: LibreOffice is slow."""
    from rasoat.campaigns.models import Assignment, Campaign
    from rasoat.orgs.models import Unit

    folder = tmp_path_factory.mktemp("roundtrip")
    with django_db_blocker.unblock():
        from django.db import transaction

        # Written inside a transaction that is rolled back: the module's tests start from a clean database.
        with transaction.atomic():
            campaign = Campaign.objects.get(code="RS2026")
            assignment = assignment_of(campaign, SAMPLE_UNIT)
            load(assignment)
            expected = unit_data(assignment)
            source = folder / "phu-luc.xlsx"
            source.write_bytes(write_unit_template(assignment, prefilled=True))
            commune = Unit.objects.get(code=MUONG_TE)
            assignments = list(
                Assignment.objects.select_related("campaign", "unit")
                .filter(campaign=campaign, unit__commune=commune)
                .exclude(unit=commune)
            )
            for other in assignments[1:3]:
                load(other, data_for(other.unit))
            commune_expected = {a.unit.code: unit_data(a) for a in assignments[:3]}
            commune_source = folder / "phu-luc-xa.xlsx"
            commune_source.write_bytes(write_commune_template(campaign, commune, assignments, prefilled=True))
            transaction.set_rollback(True)
    files = {fmt: convert(libreoffice, source, fmt, folder / fmt) for fmt in FORMATS}
    commune_files = {fmt: convert(libreoffice, commune_source, fmt, folder / f"xa-{fmt}") for fmt in FORMATS}
    return {"unit": (expected, files), "commune": (commune_expected, commune_files)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_template_resaved_by_libreoffice_imports_with_no_difference(campaign, saved, fmt):
    expected, files = saved["unit"]
    assignment = assignment_of(campaign, SAMPLE_UNIT)
    replace_unit_data(assignment, {})
    assert unit_data(assignment) != expected
    result = read_unit_workbook(files[fmt], files[fmt].name, assignment)
    assert result.errors == []
    assert result.unknown_columns == []
    assert all(counts == {"blank": 0, "total": 0} for counts in result.ignored.values())
    apply_import(result, {SAMPLE_UNIT: assignment}, None, None, None)
    assert unit_data(assignment) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_commune_template_resaved_by_libreoffice_imports_with_no_difference(campaign, saved, fmt):
    from rasoat.campaigns.models import Assignment
    from rasoat.orgs.models import Unit

    expected, files = saved["commune"]
    commune = Unit.objects.get(code=MUONG_TE)
    assignments = list(
        Assignment.objects.select_related("campaign", "unit")
        .filter(campaign=campaign, unit__commune=commune)
        .exclude(unit=commune)
    )
    result = read_commune_workbook(files[fmt], files[fmt].name, campaign, commune, assignments)
    assert result.errors == []
    assert sorted(u.unit_code for u in result.units) == sorted(expected)
    apply_import(result, {a.unit.code: a for a in assignments}, None, None, None)
    assert {code: unit_data(a) for a in assignments if (code := a.unit.code) in expected} == expected
