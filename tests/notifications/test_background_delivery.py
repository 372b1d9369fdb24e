"""After the action commits, delivery starts by itself (schedule_delivery) and the mail arrives."""

import time

import pytest

from rasoat.inventory import workflow
from rasoat.notifications.models import OutgoingMail
from tests.conftest import make_user
from tests.inventory.test_workflow import assignment_of, load


@pytest.mark.django_db(transaction=True)
def test_returning_a_report_sends_the_mail_after_commit(smtp, lai_chau, campaign):
    editor = make_user("bt_muong_te", "editor", "X.03445", email="bt.muongte@laichau.gov.vn")
    reviewer = make_user("tong_hop", "reviewer", "LC")
    assignment = assignment_of(campaign, "X.03445.DU")
    load(assignment, actor=editor)
    workflow.submit(assignment, editor, acknowledge_warnings=True)
    workflow.return_submission(assignment, reviewer, "Thiếu biểu B02.")
    deadline = time.monotonic() + 15
    while not smtp.inbox.to("bt.muongte@laichau.gov.vn") and time.monotonic() < deadline:
        time.sleep(0.1)
    (mail,) = smtp.inbox.to("bt.muongte@laichau.gov.vn")
    assert "Thiếu biểu B02." in mail.get_content()
    while (
        OutgoingMail.objects.exclude(status=OutgoingMail.State.SENT).exists() and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {OutgoingMail.State.SENT}
