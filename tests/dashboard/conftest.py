import datetime

import pytest
from django.utils import timezone

from tests.dashboard.helpers import load_dataset


@pytest.fixture
def past_deadline(campaign):
    """The deadline ten days ago (the reference date stays 20/05/2026): unsubmitted units are late."""
    campaign.deadline = timezone.localdate() - datetime.timedelta(days=10)
    campaign.save()
    return campaign


@pytest.fixture
def loaded(past_deadline):
    """The dataset stored for six units of two communes and the province; returns the assignments."""
    return load_dataset(past_deadline)
