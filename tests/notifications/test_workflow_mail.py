"""Workflow events notify the right people, in the interface and by e-mail through a real SMTP server."""

import pytest
from django.core.management import call_command

from rasoat.inventory import workflow
from rasoat.notifications.delivery import deliver_outbox
from rasoat.notifications.models import Notification, OutgoingMail
from tests.conftest import make_user
from tests.inventory.test_workflow import assignment_of, load
from tests.notifications.smtp import SmtpServer

UNIT = "X.03445.DU"  # Đảng ủy xã Mường Tè


@pytest.fixture
def people(lai_chau):
    return {
        "editor_mt": make_user("bt_muong_te", "editor", "X.03445", email="bt.muongte@laichau.gov.vn"),
        "editor_unit": make_user("bt_dang_uy", "editor", UNIT, email="bt.danguy@laichau.gov.vn"),
        "editor_mk": make_user("bt_muong_kim", "editor", "X.03637", email="bt.muongkim@laichau.gov.vn"),
        "reviewer": make_user("tong_hop", "reviewer", "LC", email="tonghop@laichau.gov.vn"),
        "viewer_mt": make_user("xem_muong_te", "viewer", "X.03445", email="xem@laichau.gov.vn"),
    }


@pytest.fixture
def loaded(campaign, people):
    assignment = assignment_of(campaign, UNIT)
    load(assignment, actor=people["editor_mt"])
    return assignment


def test_submit_notifies_the_reviewers_only(smtp, loaded, people):
    workflow.submit(loaded, people["editor_mt"], acknowledge_warnings=True)
    assert Notification.objects.filter(kind="workflow.submitted").get().user == people["reviewer"]
    assert deliver_outbox() == {"sent": 1, "failed": 0}
    (mail,) = smtp.inbox.messages
    assert mail["To"] == "tonghop@laichau.gov.vn"
    assert "Đảng ủy xã Mường Tè" in mail["Subject"] and "đã gửi báo cáo" in mail["Subject"]
    body = mail.get_content()
    assert f"https://rasoat.laichau.gov.vn/dot/RS2026/don-vi/{loaded.unit_id}/lich-su/" in body
    assert "chờ anh/chị xem xét" in body


def test_return_reaches_the_units_editors_with_the_reason_never_another_commune(smtp, loaded, people):
    workflow.submit(loaded, people["editor_mt"], acknowledge_warnings=True)
    workflow.return_submission(loaded, people["reviewer"], "Thiếu số liệu biểu B05.")
    deliver_outbox()
    returned = Notification.objects.filter(kind="workflow.returned")
    assert {n.user.username for n in returned} == {"bt_muong_te", "bt_dang_uy"}
    assert all("Thiếu số liệu biểu B05." in n.text for n in returned)
    for address in ("bt.muongte@laichau.gov.vn", "bt.danguy@laichau.gov.vn"):
        (mail,) = [m for m in smtp.inbox.to(address) if "trả lại" in m["Subject"]]
        body = mail.get_content()
        assert "Thiếu số liệu biểu B05." in body
        assert f"https://rasoat.laichau.gov.vn/dot/RS2026/don-vi/{loaded.unit_id}/nhap/" in body
    # Neither the Mường Kim editor, nor a viewer, nor the acting reviewer hear about it.
    assert not smtp.inbox.to("bt.muongkim@laichau.gov.vn") and not smtp.inbox.to("xem@laichau.gov.vn")
    assert not Notification.objects.filter(user__in=[people["editor_mk"], people["viewer_mt"]]).exists()
    assert not Notification.objects.filter(user=people["reviewer"], kind="workflow.returned").exists()


def test_accept_and_reopen_notify_the_editors(smtp, loaded, people):
    admin = make_user("quan_tri", "admin", "LC")
    workflow.submit(loaded, people["editor_mt"], acknowledge_warnings=True)
    workflow.accept(loaded, people["reviewer"])
    workflow.reopen(loaded, admin, "Số máy tính chưa khớp.")
    kinds = list(
        Notification.objects.filter(user=people["editor_unit"]).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["workflow.accepted", "workflow.reopened"]
    deliver_outbox()
    subjects = [m["Subject"] for m in smtp.inbox.to("bt.danguy@laichau.gov.vn")]
    assert any("được duyệt" in s for s in subjects) and any("mở lại" in s for s in subjects)


def test_a_refused_action_notifies_nobody(smtp, loaded, people):
    with pytest.raises(workflow.WorkflowError):
        workflow.return_submission(loaded, people["reviewer"], "Sai.")  # not submitted yet
    assert not Notification.objects.exists() and not OutgoingMail.objects.exists()


def test_without_email_url_nothing_is_queued_but_the_interface_shows_it(settings, loaded, people):
    settings.EMAIL_URL = ""
    workflow.submit(loaded, people["editor_mt"], acknowledge_warnings=True)
    assert Notification.objects.filter(user=people["reviewer"]).count() == 1
    assert not OutgoingMail.objects.exists()
    assert deliver_outbox() == {"sent": 0, "failed": 0}


def test_a_server_that_is_down_is_retried_later(settings, loaded, people, caplog):
    server = SmtpServer()  # not started yet: connections are refused
    settings.EMAIL_URL = server.url
    workflow.submit(loaded, people["editor_mt"], acknowledge_warnings=True)
    assert loaded.status == "submitted"  # the action went through
    assert deliver_outbox() == {"sent": 0, "failed": 1}
    row = OutgoingMail.objects.get()
    assert row.status == OutgoingMail.State.PENDING and row.attempts == 1
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
    assert any("failed" in r.getMessage() for r in caplog.records if r.name == "rasoat.notifications")
    # Not due again yet: a second run at once does not hammer the server.
    assert deliver_outbox() == {"sent": 0, "failed": 0}
    OutgoingMail.objects.update(next_attempt_at=row.created_at)
    server.start()
    try:
        assert deliver_outbox() == {"sent": 1, "failed": 0}
        row.refresh_from_db()
        assert row.status == OutgoingMail.State.SENT and row.attempts == 2 and row.last_error == ""
        assert len(server.inbox.to("tonghop@laichau.gov.vn")) == 1
        assert deliver_outbox() == {"sent": 0, "failed": 0}  # never sent twice
    finally:
        server.stop()


def test_remind_command_delivers_what_it_queued(smtp, campaign, people, capsys):
    import datetime

    day = campaign.deadline - datetime.timedelta(days=7)
    call_command("remind", "RS2026", "--date", day.isoformat())
    out = capsys.readouterr().out
    assert "3 sent now, 0 waiting" in out  # the three editors with an address
    assert smtp.inbox.to("bt.muongkim@laichau.gov.vn")


def test_sendmail_command_retries_what_is_due(settings, loaded, people, capsys):
    server = SmtpServer()
    settings.EMAIL_URL = server.url
    workflow.submit(loaded, people["editor_mt"], acknowledge_warnings=True)
    call_command("sendmail")
    assert "0 sent, 1 failed" in capsys.readouterr().out
    OutgoingMail.objects.update(next_attempt_at=OutgoingMail.objects.get().created_at)
    server.start()
    try:
        call_command("sendmail")
        assert "1 sent, 0 failed (to retry); 0 waiting" in capsys.readouterr().out
    finally:
        server.stop()
    settings.EMAIL_URL = ""
    call_command("sendmail")
    assert "EMAIL_URL is not set" in capsys.readouterr().out
