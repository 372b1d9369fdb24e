"""`rasoat assess CAMPAIGN [--unit CODE]` prints the recomputed assessment as JSON."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from rasoat.assessment.management.commands import assess as assess_command
from rasoat.campaigns.models import Assignment
from rasoat.inventory.models import EndDevice
from tests.assessment.test_services import SAMPLE_FINDINGS
from tests.conftest import MUONG_KIM_UNITS
from tests.inventory.test_workflow import SAMPLE_UNIT, assignment_of, load


def assess(*args) -> object:
    out = io.StringIO()
    call_command("assess", *args, stdout=out)
    return json.loads(out.getvalue())


def test_one_unit_as_one_object(campaign):
    load(assignment_of(campaign, SAMPLE_UNIT))
    result = assess("RS2026", "--unit", SAMPLE_UNIT)
    assert set(result) == {"unit", "scores", "findings", "needs"}
    assert result["unit"] == SAMPLE_UNIT
    assert result["scores"] == {
        "connectivity": 87.5,
        "devices": 0,
        "infrastructure": 12.5,
        "software": 73.4,
        "overall": 43.4,
    }
    assert len(result["findings"]) == sum(SAMPLE_FINDINGS.values())
    first = result["findings"][0]
    assert first == {
        "rule": "D-AGE",
        "severity": "medium",
        "sheet": "B05",
        "row": 1,
        "quantity": 1,
        "message": "Hết thời gian sử dụng (5 năm)",
    }
    # A row-level finding carries the quantity of its row (row 19: five laptops).
    assert {f["quantity"] for f in result["findings"] if f["sheet"] == "B05" and f["row"] == 19} == {5}
    p_ratio = next(f for f in result["findings"] if f["rule"] == "P-RATIO")
    assert (p_ratio["row"], p_ratio["quantity"]) == (None, 15)
    assert {"kind": "add", "item": "Máy tính để bàn", "quantity": 11, "cost_mvnd": 198} in result["needs"]
    assert {"kind": "replace", "item": "Bộ lưu điện (UPS)", "quantity": 4, "cost_mvnd": None} in result[
        "needs"
    ]
    assert all(set(n) == {"kind", "item", "quantity", "cost_mvnd"} for n in result["needs"])


def test_the_whole_campaign_as_a_list_recomputed_first(campaign, monkeypatch):
    monkeypatch.setattr(assess_command, "CHUNK", 50)  # several chunks of units
    load(assignment_of(campaign, SAMPLE_UNIT))
    other = assignment_of(campaign, MUONG_KIM_UNITS[0])
    # Written behind the assessment's back (no signal): the command must still see it.
    EndDevice.objects.create(
        assignment=other,
        position=1,
        device_type="Máy tính để bàn",
        quantity=3,
        year_acquired=2010,
        condition="Hoạt động tốt",
    )
    result = assess("RS2026")
    assert isinstance(result, list)
    assert len(result) == Assignment.objects.filter(campaign=campaign).count()
    by_unit = {entry["unit"]: entry for entry in result}
    assert by_unit[SAMPLE_UNIT]["scores"]["overall"] == 43.4
    assert [(f["rule"], f["quantity"]) for f in by_unit[MUONG_KIM_UNITS[0]]["findings"]][:1] == [("D-AGE", 3)]
    untouched = by_unit[MUONG_KIM_UNITS[1]]
    assert untouched["scores"] == dict.fromkeys(
        ("connectivity", "devices", "infrastructure", "software", "overall")
    )
    assert untouched["findings"] == untouched["needs"] == []


@pytest.mark.parametrize(
    ("args", "message"), [(("NOPE",), "no campaign"), (("RS2026", "--unit", "X.0"), "not assigned")]
)
def test_unknown_campaign_or_unit_is_an_error(campaign, args, message):
    with pytest.raises(CommandError, match=message):
        assess(*args)
