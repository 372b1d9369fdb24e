"""`contract.check_contract`: what the assessment reads must stay, and `READS` says exactly what it reads.

The second half runs the real assessment (rules, scores, needs) on data that records every key read,
over units and rows chosen to reach every branch, and compares with `contract.READS`: a rule that
starts reading a new key fails here until the contract lists it.
"""

import copy
from datetime import date

import pytest

from rasoat.appendix import versions
from rasoat.appendix.checks import normalize_definition
from rasoat.appendix.contract import READS, check_contract, relied_on
from rasoat.appendix.definition import definition_of
from rasoat.appendix.spec import NO, YES
from rasoat.appendix.v2026_1 import APPENDIX
from rasoat.assessment import needs, rules, scores
from rasoat.assessment.services import SHEET_FIELDS
from tests.appendix.test_definition_checks import column, new_column, row_of


@pytest.fixture
def definition() -> dict:
    return copy.deepcopy(definition_of(APPENDIX))


def test_2026_1_keeps_the_contract(definition):
    assert check_contract(definition) == []


def test_new_choices_new_columns_and_relabelled_headers_are_allowed(definition):
    definition["choices"].append({"list": "os", "label": "Windows 12"})
    definition["columns"].append(new_column("B05", "origin", type="text"))
    column(definition, "B02", "bandwidth_mbps")["header"] = "Tốc độ (Mbps)"
    column(definition, "B05", "os")["header"] = "Hệ điều hành đang dùng"
    definition["columns"].insert(0, definition["columns"].pop(row_of(definition, "B05", "os") - 2))
    assert check_contract(definition) == []


def test_removing_a_relied_on_key_names_every_rule_that_reads_it(definition):
    definition["columns"].pop(row_of(definition, "B05", "condition") - 2)
    faults = check_contract(definition)
    assert [(f.sheet, f.row, f.column) for f in faults] == [("columns", None, "key")]
    assert faults[0].message == (
        "Biểu B05 phải giữ cột “condition” (kiểu choice): quy tắc đánh giá D-BROKEN, D-WORN, P-ONESTOP, "
        "P-RATIO dùng cột này."
    )


def test_hiding_a_relied_on_key(definition):
    column(definition, "B01", "has_lan")["hidden"] = True
    faults = check_contract(definition)
    assert [(f.sheet, f.row, f.column) for f in faults] == [
        ("columns", row_of(definition, "B01", "has_lan"), "hidden")
    ]
    assert (
        faults[0].message == "Không thể ẩn cột “has_lan” của biểu B01: quy tắc đánh giá N-LAN dùng cột này."
    )


def test_retyping_a_relied_on_key(definition):
    column(definition, "B05", "ram_gb")["type"] = "int"
    faults = check_contract(definition)
    assert [(f.row, f.column) for f in faults] == [(row_of(definition, "B05", "ram_gb"), "type")]
    assert (
        faults[0].message
        == "Cột “ram_gb” của biểu B05 phải giữ kiểu dec: quy tắc đánh giá D-RAM dùng cột này."
    )


def test_a_missing_label_a_rule_compares_with(definition):
    definition["choices"] = [c for c in definition["choices"] if c["label"] != rules.TSLCD]
    faults = check_contract(definition)
    assert [(f.row, f.column) for f in faults] == [(row_of(definition, "B02", "link_type"), "choices")]
    assert faults[0].message == (
        "Danh sách lựa chọn của cột “link_type” biểu B02 phải giữ lựa chọn "
        "“Mạng truyền số liệu chuyên dùng (TSLCD)”: quy tắc đánh giá N-BW, N-TSLCD dựa vào lựa chọn này."
    )


def test_a_column_moved_to_another_list_must_offer_the_labels(definition):
    definition["choices"].append({"list": "short", "label": "SSD"})
    column(definition, "B05", "disk_type")["choices"] = "short"
    faults = check_contract(definition)
    assert len(faults) == 1 and "“HDD”" in faults[0].message and "D-HDD" in faults[0].message


def test_windows_labels_of_the_support_table_stay(definition):
    definition["choices"] = [c for c in definition["choices"] if c["label"] != "Windows 10"]
    faults = check_contract(definition)
    assert len(faults) == 1 and "D-OS" in faults[0].message and "“Windows 10”" in faults[0].message


def test_removing_a_whole_sheet(definition):
    definition["sheets"] = [s for s in definition["sheets"] if s["code"] != "B04"]
    definition["columns"] = [c for c in definition["columns"] if c["sheet"] != "B04"]
    faults = check_contract(definition)
    assert [(f.sheet, f.row, f.column) for f in faults] == [("sheets", None, "code")]
    assert faults[0].message == (
        "Định nghĩa phải giữ biểu B04: quy tắc đánh giá S-IDLE-COST, S-NO-DOC, S-SEC, "
        "điểm phần mềm (official_email), điểm phần mềm (procedures) dùng biểu này."
    )


def test_target_indicator_columns_stay_once_a_version_has_them(definition):
    definition["columns"].append(new_column("B01", "staff_with_computer", type="int"))
    assert check_contract(definition) == []
    column(definition, "B01", "staff_with_computer")["type"] = "dec"
    faults = check_contract(definition)
    assert len(faults) == 1 and "CT-MT" in faults[0].message and faults[0].column == "type"


def test_the_contract_holds_on_a_normalized_definition_too(definition):
    assert check_contract(normalize_definition(definition)) == []


# --- the contract lists exactly what the assessment reads -------------------------------------------


class Recorded(dict):
    """A row that remembers every key read from it."""

    reads: set[tuple[str, str]]

    def __init__(self, sheet: str, values: dict, reads: set):
        super().__init__(values)
        self.sheet, self.reads = sheet, reads

    def get(self, key, default=None):
        self.reads.add((self.sheet, key))
        return super().get(key, default)

    def __getitem__(self, key):
        self.reads.add((self.sheet, key))
        return super().__getitem__(key)


def _values(sheet: str, **overrides) -> dict:
    values = dict.fromkeys(APPENDIX.sheet(sheet).keys)
    values.update(overrides)
    return values


def _subject(reads: set, unit: rules.UnitFacts, *, one_stop: str, devices: list[dict]) -> rules.Subject:
    b05 = [Recorded("B05", _values("B05", **row), reads) for row in devices]
    data = {
        "B01": Recorded(
            "B01",
            _values("B01", staff_total=10, has_lan=NO, has_one_stop=one_stop, it_staff_fulltime=0),
            reads,
        ),
        "B02": [
            Recorded("B02", _values("B02", link_type=rules.TSLCD, bandwidth_mbps=10, quantity=1), reads),
            Recorded(
                "B02",
                _values(
                    "B02", link_type="Cáp quang", bandwidth_mbps=10, quantity=2, adequacy=rules.NOT_ADEQUATE
                ),
                reads,
            ),
        ],
        "B03": [
            Recorded("B03", _values("B03", device_type="Máy chủ", condition=rules.BROKEN, quantity=1), reads),
            Recorded("B03", _values("B03", device_type="Switch", condition=rules.WORN, quantity=1), reads),
        ],
        "B04": [
            Recorded(
                "B04",
                _values(
                    "B04",
                    scope=rules.SELF_DEPLOYED,
                    category=rules.DOCUMENT_MANAGEMENT,
                    usage=rules.NOT_USED,
                    annual_cost_mvnd=5,
                    security_level=None,
                ),
                reads,
            ),
            Recorded("B04", _values("B04", category=rules.PROCEDURES, usage=rules.EFFECTIVE), reads),
        ],
        "B05": b05,
    }
    return rules.Subject(data=data, unit=unit, reference_date=date(2026, 5, 20))


DEVICES = [
    {
        "device_type": "Máy tính để bàn",
        "quantity": 2,
        "year_acquired": 2015,
        "ram_gb": 4,
        "disk_type": "HDD",
        "os": "Windows 7 hoặc cũ hơn",
        "os_licensed": NO,
        "antivirus": rules.NO_ANTIVIRUS,
        "at_one_stop": YES,
        "condition": rules.WORN,
    },
    {
        "device_type": "Máy tính xách tay",
        "quantity": 1,
        "year_acquired": 2024,
        "ram_gb": 16,
        "disk_type": "SSD",
        "os": "Windows 11",
        "os_licensed": YES,
        "condition": rules.BROKEN,
    },
    {
        "device_type": rules.PRINTER,
        "quantity": 1,
        "year_acquired": 2010,
        "condition": rules.BROKEN,
        "at_one_stop": YES,
    },
    {"device_type": rules.MULTIFUNCTION, "quantity": 1, "year_acquired": 2012, "condition": rules.GOOD},
]


def assessment_reads() -> set[tuple[str, str]]:
    reads: set[tuple[str, str]] = set()
    units = [
        (rules.UnitFacts("A", level="tinh", block="ubnd", kind="agency"), YES),
        (rules.UnitFacts("B", level="xa", block="dang", kind="agency"), NO),
        (rules.UnitFacts("C", level="xa", block="ubnd", kind="one_stop"), NO),
    ]
    for unit, one_stop in units:
        subject = _subject(reads, unit, one_stop=one_stop, devices=DEVICES)
        findings = rules.evaluate(subject)
        scores.compute(subject, findings)
        needs.estimate(subject)
    return reads


def test_the_contract_lists_every_key_the_assessment_reads_and_no_other():
    read = assessment_reads()
    declared = {key for key, rules_ in relied_on().items() if not all(r.startswith("CT-") for r in rules_)}
    assert read - declared == set(), "the assessment reads keys contract.READS does not list"
    assert declared - read == set(), "contract.READS lists keys the assessment no longer reads"


def test_the_assessment_loads_every_key_the_contract_lists():
    """`assessment.services` reads from storage the keys the rules get; each relied-on key is among them."""
    declared = {key for key, rules_ in relied_on().items() if not all(r.startswith("CT-") for r in rules_)}
    loaded = {(sheet, key) for sheet, keys in SHEET_FIELDS.items() for key in keys}
    assert declared <= loaded


def test_every_label_the_contract_lists_is_offered_by_2026_1_or_a_shipped_version(db):
    """A label constant of the assessment with a typo would never match any data: it must be a choice of
    2026.1 or of a version shipped with rasoat (2026.2's queue machine)."""
    from rasoat.appendix.models import AppendixVersion

    offered = {
        (reads.sheet, key): set(APPENDIX.sheet(reads.sheet).column(key).choices)
        for reads in READS
        for key in reads.labels
    }
    for version in AppendixVersion.objects.filter(shipped=True):
        appendix = versions.get_appendix(version.code)
        for sheet, key in offered:
            if appendix.has_sheet(sheet) and appendix.sheet(sheet).has_column(key):
                offered[sheet, key] |= set(appendix.sheet(sheet).column(key).choices)
    for reads in READS:
        for key, labels in reads.labels.items():
            assert set(labels) <= offered[reads.sheet, key], (reads.rule, key)


def test_a_label_only_a_later_version_offers_is_not_required(definition, monkeypatch):
    from rasoat.appendix import contract

    extra = contract.Reads("P-ONESTOP", "B05", ("device_type",), {"device_type": ("Máy lấy số tự động",)})
    monkeypatch.setattr(contract, "READS", (*contract.READS, extra))
    assert check_contract(definition) == []


def test_every_rule_code_is_covered():
    assert set(rules.RULE_CODES) <= {reads.rule for reads in READS}
