"""`appendix.services`: copy, save and import versions; frozen versions; versions shipped as workbooks."""

import copy
import datetime

import pytest
from django.core.exceptions import ValidationError

from rasoat.appendix import services, versions
from rasoat.appendix.definition import definition_of
from rasoat.appendix.models import AppendixVersion
from rasoat.appendix.services import (
    DefinitionRefused,
    ShippedVersionBroken,
    VersionFrozen,
    copy_version,
    ensure_shipped,
    frozen_reason,
    import_definition,
    is_frozen,
    save_definition,
)
from rasoat.appendix.spec import UnknownAppendixVersion
from rasoat.appendix.v2026_1 import APPENDIX
from rasoat.appendix.workbook import write_definition
from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment, Snapshot
from rasoat.campaigns.services import create_campaign
from rasoat.inventory import services as inventory_services
from rasoat.inventory.models import ALL_MODELS
from tests.appendix.test_definition_checks import column, new_column
from tests.inventory.test_workflow import load

UNIT = "X.03637.UB"


@pytest.fixture
def version(lai_chau) -> AppendixVersion:
    return copy_version("2026.1", "LC-2027", "Phụ lục Lai Châu 2027")


def pinned_campaign(code: str, version_code: str):
    return create_campaign(
        code=code,
        title=f"Đợt {code}",
        deadline=datetime.date(2026, 12, 31),
        reference_date=datetime.date(2026, 5, 20),
        appendix_version=version_code,
    )


def test_copy_version_stores_the_source_definition_and_audits(version):
    assert version.definition == definition_of(APPENDIX)
    assert (version.based_on, version.shipped, version.revision) == ("2026.1", False, 1)
    assert versions.get_appendix("LC-2027") == APPENDIX.__class__(
        version="LC-2027", sheets=APPENDIX.sheets, title="Phụ lục Lai Châu 2027"
    )
    entry = AuditEntry.objects.get(action="appendix_version.copied")
    assert entry.object_id == str(version.pk)
    assert entry.changes["code"] == ["2026.1", "LC-2027"]
    assert not is_frozen("LC-2027") and frozen_reason("LC-2027") is None


def test_a_copy_of_a_copy(version):
    again = copy_version("LC-2027", "LC-2028", "Bản sao")
    assert again.definition == version.definition and again.based_on == "LC-2027"


@pytest.mark.parametrize("code", ["", "có dấu", "a/b", "X" * 11, "lc-2027", "2026.1", ".hidden"])
def test_copy_refuses_bad_or_taken_codes(version, code):
    with pytest.raises(ValidationError):
        copy_version("2026.1", code, "Tiêu đề")
    assert list(AppendixVersion.objects.filter(shipped=False).values_list("code", flat=True)) == ["LC-2027"]


def test_copy_needs_a_title_and_a_known_source(lai_chau):
    with pytest.raises(ValidationError, match="Phiên bản cần có tên"):
        copy_version("2026.1", "X1", "   ")
    with pytest.raises(UnknownAppendixVersion):
        copy_version("9999", "X1", "Tiêu đề")
    assert not AppendixVersion.objects.filter(code="X1").exists()


def test_2026_1_is_frozen(db):
    assert is_frozen("2026.1")
    with pytest.raises(VersionFrozen, match="Phiên bản 2026.1 được cài sẵn cùng rasoat và chỉ đọc"):
        save_definition("2026.1", definition_of(APPENDIX))
    with pytest.raises(VersionFrozen):
        import_definition("2026.1", definition_of(APPENDIX), title="x")


def test_a_shipped_version_is_frozen(version):
    AppendixVersion.objects.filter(pk=version.pk).update(shipped=True)
    with pytest.raises(VersionFrozen) as refused:
        save_definition("LC-2027", version.definition)
    assert str(refused.value) == (
        "Phiên bản LC-2027 đi kèm rasoat và chỉ đọc. Hãy sao chép để tạo một phiên bản có thể sửa."
    )


def test_a_version_whose_campaign_has_data_is_frozen(version):
    campaign = pinned_campaign("RS2027", "LC-2027")
    assert not is_frozen("LC-2027"), "a campaign pinned to it without data leaves it editable"
    assignment = Assignment.objects.get(campaign=campaign, unit__code=UNIT)
    load(assignment)
    assert any(model.objects.filter(assignment=assignment).exists() for model in ALL_MODELS)
    reason = frozen_reason("LC-2027")
    assert reason == (
        "Phiên bản LC-2027 chỉ đọc: các đơn vị của đợt RS2027 đã có dữ liệu theo phiên bản này. "
        "Hãy sao chép để tạo một phiên bản có thể sửa."
    )
    before = AppendixVersion.objects.get(code="LC-2027")
    with pytest.raises(VersionFrozen, match="RS2027"):
        save_definition("LC-2027", version.definition, title="Khác")
    with pytest.raises(VersionFrozen):
        import_definition("LC-2027", version.definition, title="Khác")
    after = AppendixVersion.objects.get(code="LC-2027")
    assert (after.revision, after.title, after.definition) == (
        before.revision,
        before.title,
        before.definition,
    )


def test_a_snapshot_alone_freezes_a_version(version):
    campaign = pinned_campaign("RS2027", "LC-2027")
    assignment = Assignment.objects.get(campaign=campaign, unit__code=UNIT)
    inventory_services.take_snapshot(assignment, Snapshot.Kind.BEFORE_IMPORT)
    assert is_frozen("LC-2027")


def test_data_of_another_version_does_not_freeze_this_one(version, campaign):
    load(Assignment.objects.get(campaign=campaign, unit__code=UNIT))
    assert is_frozen("2026.1") and not is_frozen("LC-2027")


def test_save_definition_changes_the_version_keeps_old_headers_and_audits(version):
    definition = copy.deepcopy(version.definition)
    column(definition, "B05", "os")["header"] = "Hệ điều hành đang dùng"
    definition["columns"].append(new_column("B05", "origin", header="Nguồn trang bị"))
    definition["choices"].append({"list": "os", "label": "Windows 12"})
    saved = save_definition("LC-2027", definition, title="Phụ lục 2027 (sửa)")
    assert (saved.revision, saved.title) == (2, "Phụ lục 2027 (sửa)")
    os_row = column(saved.definition, "B05", "os")
    assert os_row["old_headers"] == ["Hệ điều hành"]
    appendix = versions.get_appendix("LC-2027")
    assert appendix.sheet("B05").column("os").header_texts == ("Hệ điều hành đang dùng", "Hệ điều hành")
    assert appendix.sheet("B05").column("os").choices[-1] == "Windows 12"
    assert appendix.sheet("B05").keys[-1] == "origin"
    entry = AuditEntry.objects.get(action="appendix_version.saved")
    assert entry.changes["columns_added"] == [None, ["B05.origin"]]
    assert entry.changes["revision"] == [1, 2]
    assert entry.changes["title"] == ["Phụ lục Lai Châu 2027", "Phụ lục 2027 (sửa)"]

    # A second relabel keeps both earlier headers; going back to one drops it from the old ones.
    column(definition, "B05", "os")["header"] = "HĐH"
    column(definition, "B05", "os")["old_headers"] = []
    assert column(save_definition("LC-2027", definition).definition, "B05", "os")["old_headers"] == [
        "Hệ điều hành đang dùng",
        "Hệ điều hành",
    ]
    column(definition, "B05", "os")["header"] = "Hệ điều hành"
    assert column(save_definition("LC-2027", definition).definition, "B05", "os")["old_headers"] == [
        "HĐH",
        "Hệ điều hành đang dùng",
    ]


def test_an_old_header_another_column_now_uses_is_not_kept(version):
    definition = copy.deepcopy(version.definition)
    os_header = column(definition, "B05", "os")["header"]
    column(definition, "B05", "os")["header"] = "Hệ điều hành đang dùng"
    definition["columns"].append(new_column("B05", "os_family", header=os_header))
    saved = save_definition("LC-2027", definition)
    assert column(saved.definition, "B05", "os")["old_headers"] == []
    appendix = versions.get_appendix("LC-2027")
    assert appendix.sheet("B05").column("os_family").header == os_header
    entry = AuditEntry.objects.get(action="appendix_version.saved")
    assert entry.changes["columns_changed"] == [None, ["B05.os"]]
    assert entry.changes["columns_added"] == [None, ["B05.os_family"]]


def test_save_definition_refuses_faults_and_saves_nothing(version):
    definition = copy.deepcopy(version.definition)
    column(definition, "B05", "ram_gb")["min"] = "tám"
    column(definition, "B05", "cpu")["type"] = "cpu"
    with pytest.raises(DefinitionRefused) as refused:
        save_definition("LC-2027", definition, title="Không lưu")
    assert [(f.sheet, f.column) for f in refused.value.faults] == [("columns", "type"), ("columns", "min")]
    assert str(refused.value) == "Định nghĩa có 2 lỗi; chưa lưu gì."
    stored = AppendixVersion.objects.get(code="LC-2027")
    assert (stored.revision, stored.title, stored.definition) == (1, version.title, version.definition)
    assert not AuditEntry.objects.filter(action="appendix_version.saved").exists()


def test_save_definition_refuses_what_the_assessment_needs(version):
    definition = copy.deepcopy(version.definition)
    column(definition, "B05", "antivirus")["hidden"] = True
    with pytest.raises(DefinitionRefused) as refused:
        save_definition("LC-2027", definition)
    assert len(refused.value.faults) == 1
    assert "D-AV" in refused.value.faults[0].message
    assert AppendixVersion.objects.get(code="LC-2027").revision == 1


def test_save_definition_of_an_unknown_version(db):
    with pytest.raises(UnknownAppendixVersion):
        save_definition("nope", definition_of(APPENDIX))


def test_import_definition_creates_then_replaces(lai_chau):
    definition = definition_of(APPENDIX)
    created = import_definition("LC-2027", definition, title="Phụ lục nhập")
    assert (created.revision, created.title, created.based_on) == (1, "Phụ lục nhập", "")
    assert AuditEntry.objects.filter(action="appendix_version.imported", object_id=str(created.pk)).exists()
    changed = copy.deepcopy(definition)
    changed["sheets"].append({"code": "B07", "title": "Hệ thống camera", "kind": "table", "help": ""})
    changed["columns"].append(new_column("B07", "place", header="Vị trí"))
    replaced = import_definition("LC-2027", changed, title="Phụ lục nhập lần 2")
    assert (replaced.pk, replaced.revision, replaced.title) == (created.pk, 2, "Phụ lục nhập lần 2")
    assert versions.get_appendix("LC-2027").sheet("B07").keys == ("place",)


def test_import_definition_refuses_faults_and_bad_codes(lai_chau):
    broken = copy.deepcopy(definition_of(APPENDIX))
    broken["sheets"][0]["kind"] = "sheet"
    with pytest.raises(DefinitionRefused):
        import_definition("LC-2027", broken, title="x")
    with pytest.raises(ValidationError):
        import_definition("bad code", definition_of(APPENDIX), title="x")
    assert not AppendixVersion.objects.filter(shipped=False).exists()


# --- shipped versions ------------------------------------------------------------------------------


def _ship(directory, code: str, definition: dict, title: str) -> None:
    write_definition(definition, directory / f"{code}.xlsx", code=code, title=title)


def test_ensure_shipped_loads_idempotently_and_follows_a_changed_file(lai_chau, tmp_path):
    definition = definition_of(APPENDIX)
    _ship(tmp_path, "2099.1", definition, "Phụ lục thử 2099")
    assert ensure_shipped(tmp_path) == {"2099.1": "created"}
    stored = AppendixVersion.objects.get(code="2099.1")
    assert (stored.shipped, stored.title, stored.revision) == (True, "Phụ lục thử 2099", 1)
    assert stored.definition == definition
    assert is_frozen("2099.1")
    assert ensure_shipped(tmp_path) == {"2099.1": "unchanged"}

    changed = copy.deepcopy(definition)
    changed["choices"].append({"list": "os", "label": "Windows 12"})
    _ship(tmp_path, "2099.1", changed, "Phụ lục thử 2099 (sửa)")
    assert ensure_shipped(tmp_path) == {"2099.1": "updated"}
    stored.refresh_from_db()
    assert (stored.revision, stored.title) == (2, "Phụ lục thử 2099 (sửa)")
    assert versions.get_appendix("2099.1").sheet("B05").column("os").choices[-1] == "Windows 12"
    assert AuditEntry.objects.filter(action="appendix_version.shipped", object_id=str(stored.pk)).count() == 2


def test_ensure_shipped_keeps_a_version_in_use_and_one_an_administrator_made(lai_chau, tmp_path):
    definition = definition_of(APPENDIX)
    _ship(tmp_path, "2099.1", definition, "Phụ lục thử")
    ensure_shipped(tmp_path)
    load(Assignment.objects.get(campaign=pinned_campaign("RS2099", "2099.1"), unit__code=UNIT))
    changed = copy.deepcopy(definition)
    changed["choices"].append({"list": "os", "label": "Windows 12"})
    _ship(tmp_path, "2099.1", changed, "Phụ lục thử")
    copy_version("2026.1", "2099.2", "Của quản trị")
    _ship(tmp_path, "2099.2", changed, "Phát hành")
    assert ensure_shipped(tmp_path) == {"2099.1": "kept", "2099.2": "kept"}
    assert AppendixVersion.objects.get(code="2099.1").definition == definition
    assert AppendixVersion.objects.get(code="2099.2").title == "Của quản trị"


def test_a_broken_shipped_file_is_a_release_defect(lai_chau, tmp_path):
    broken = copy.deepcopy(definition_of(APPENDIX))
    broken["columns"][0]["type"] = "texte"
    _ship(tmp_path, "2099.1", broken, "Hỏng")
    with pytest.raises(ShippedVersionBroken, match="texte"):
        ensure_shipped(tmp_path)
    assert not AppendixVersion.objects.filter(code="2099.1").exists()


def test_the_test_database_holds_every_shipped_version(db):
    codes = sorted(path.stem for path in services.VERSIONS_DIR.glob("*.xlsx"))
    stored = set(AppendixVersion.objects.filter(shipped=True).values_list("code", flat=True))
    assert set(codes) <= stored
    assert versions.default_version() == ("2026.2" if "2026.2" in codes else "2026.1")


def test_rasoat_init_loads_the_shipped_versions(lai_chau, settings, tmp_path, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    shipped = tmp_path / "versions"
    shipped.mkdir()
    _ship(shipped, "2099.1", definition_of(APPENDIX), "Phụ lục thử")
    monkeypatch.setattr(services, "VERSIONS_DIR", shipped)
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("init", no_static=True, stdout=out)
    assert "Appendix version 2099.1 shipped with rasoat: created." in out.getvalue()
    assert AppendixVersion.objects.get(code="2099.1").shipped
    again = StringIO()
    call_command("init", no_static=True, stdout=again)
    assert "2099.1" not in again.getvalue()
