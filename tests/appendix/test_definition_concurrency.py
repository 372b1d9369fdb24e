"""Changing a version while a unit of its campaign saves its first data: the change never slips in after it.

Each trial pins a fresh copy of 2026.1 to a campaign of one unit that holds nothing, then at the same
moment the unit's data is stored (as the JSON load and the Excel import store it) and an administrator
saves a changed definition. Either the data came first and the change is refused (the version is
frozen), or the change came first and the data was written after it — never a change that succeeds
after data was stored under the definition it replaced. The order is read from the audit entries,
each written inside its own transaction once its locks are held.
"""

import copy
import datetime
import random
import time

import pytest

from rasoat.appendix.services import VersionFrozen, copy_version, save_definition
from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment
from rasoat.campaigns.services import assign_units, create_campaign
from rasoat.orgs.models import Unit
from tests.appendix.test_definition_checks import new_column
from tests.concurrency.helpers import run_together
from tests.inventory.test_workflow import data_for

TRIALS = 12
UNIT = "X.03637.UB"


def store(assignment: Assignment) -> None:
    """What `tests.inventory.test_workflow.load` does, without asserting inside the thread."""
    from rasoat.appendix.declaration import UnitInfo
    from rasoat.appendix.validation import clean_unit_data
    from rasoat.inventory import services
    from rasoat.inventory.data import appendix_for

    result = clean_unit_data(
        appendix_for(assignment),
        data_for(assignment.unit),
        UnitInfo.from_unit(assignment.unit),
        assignment.campaign.reference_date,
    )
    services.replace_unit_data(assignment, result.data)


@pytest.mark.django_db(transaction=True)
def test_a_version_change_never_lands_after_data_stored_under_the_old_definition(lai_chau):
    unit = Unit.objects.get(code=UNIT)
    rng = random.Random(9)
    outcomes = {"frozen": 0, "changed": 0}
    for trial in range(TRIALS):
        version = copy_version("2026.1", f"T{trial}", "Thử")
        campaign = create_campaign(
            assign_all=False,
            code=f"RS-T{trial}",
            title="Thử",
            deadline=datetime.date(2026, 12, 31),
            reference_date=datetime.date(2026, 5, 20),
            appendix_version=version.code,
        )
        assign_units(campaign, [unit])
        assignment = Assignment.objects.select_related("campaign", "unit").get(campaign=campaign)
        changed = copy.deepcopy(version.definition)
        changed["columns"].append(new_column("B05", "origin", header="Nguồn trang bị"))
        delays = rng.uniform(0, 0.02), rng.uniform(0, 0.02)

        def data(assignment=assignment, delay=delays[0]):
            time.sleep(delay)
            store(assignment)

        def change(code=version.code, definition=changed, delay=delays[1]):
            time.sleep(delay)
            return save_definition(code, definition)

        storing, changing = run_together(data, change)
        assert storing.error is None, storing.error
        stored_at = AuditEntry.objects.get(action="appendix.replaced", object_id=str(assignment.pk)).at
        if changing.error is not None:
            assert isinstance(changing.error, VersionFrozen), changing.error
            outcomes["frozen"] += 1
            continue
        changed_at = AuditEntry.objects.get(action="appendix_version.saved", object_id=str(version.pk)).at
        assert changed_at < stored_at, f"trial {trial}: the change landed after the data"
        outcomes["changed"] += 1
    assert sum(outcomes.values()) == TRIALS
