"""Personal access tokens: hashed, shown once, revoked or expired → 401, read-only, rate limit, audit."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rasoat.api.models import PersonalAccessToken
from rasoat.api.tokens import create_token, digest, revoke_token
from rasoat.audit.models import AuditEntry
from tests.api.conftest import api_client
from tests.conftest import client_for

URL = "/api/v1/units?page_size=1"


def test_a_token_is_stored_hashed_and_acts_as_its_user(personas):
    token, raw = create_token(personas["editor_muong_kim"], "script")
    assert token.digest == digest(raw) and raw not in token.digest and token.prefix == raw[:12]
    assert api_client(raw).get("/api/v1/units/X.03637.UB").status_code == 200
    assert api_client(raw).get("/api/v1/units/X.03445.UB").status_code == 404
    assert AuditEntry.objects.filter(action="api_token.created", object_id=str(token.pk)).count() == 1


@pytest.mark.parametrize("state", ["revoked", "expired", "inactive user", "unknown", "none"])
def test_revoked_expired_or_unknown_tokens_get_401(personas, state):
    user = personas["editor_muong_kim"]
    token, raw = create_token(user, "script")
    if state == "revoked":
        assert api_client(raw).get(URL).status_code == 200
        revoke_token(token, actor=user)
    elif state == "expired":
        PersonalAccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    elif state == "inactive user":
        user.is_active = False
        user.save()
    elif state == "unknown":
        raw = raw[:-2] + "xx"
    response = api_client(None if state == "none" else raw).get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    problem = response.json()
    assert problem["type"].endswith("/unauthenticated") and "mã truy cập" in problem["detail"]


def test_a_read_only_token_may_not_write(personas, campaign):
    _token, raw = create_token(personas["editor_muong_kim"], "read")
    response = api_client(raw).post("/api/v1/campaigns/RS2026/units/X.03637.UB/submit")
    assert response.status_code == 403 and response.json()["type"].endswith("/read-only-token")


def test_rate_limit_gives_429_with_retry_after(personas, settings):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW = 60
    _token, raw = create_token(personas["viewer_muong_kim"], "poller")
    other = create_token(personas["viewer_muong_kim"], "other")[1]
    client = api_client(raw)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(URL)
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert limited.json()["type"].endswith("/rate-limited")
    # Per token: another token of the same user is not limited.
    assert api_client(other).get(URL).status_code == 200


def test_use_is_audited_at_most_once_an_hour(personas):
    token, raw = create_token(personas["viewer_muong_kim"], "poller")
    client = api_client(raw)
    for _ in range(5):
        assert client.get(URL).status_code == 200
    used = AuditEntry.objects.filter(action="api_token.used", object_id=str(token.pk))
    assert used.count() == 1
    token.refresh_from_db()
    assert token.last_used_at is not None
    PersonalAccessToken.objects.filter(pk=token.pk).update(
        last_audited_at=timezone.now() - datetime.timedelta(hours=2)
    )
    client.get(URL)
    assert used.count() == 2


def test_command_prints_a_token_once(personas):
    out = io.StringIO()
    call_command("token", "create", "reviewer", "--name", "báo cáo", "--write", "--days", "30", stdout=out)
    raw = out.getvalue().strip()
    token = PersonalAccessToken.objects.get(digest=digest(raw))
    assert token.can_write and token.name == "báo cáo"
    assert 29 <= (token.expires_at - timezone.now()).days <= 30
    assert api_client(raw).get(URL).status_code == 200


def test_account_page_creates_shows_once_lists_and_revokes(personas):
    client = client_for(personas["editor_muong_kim"])
    page = client.post(
        "/tai-khoan/ma-truy-cap/", {"name": "Kịch bản", "can_write": "on", "days": "7"}, follow=True
    )
    assert page.redirect_chain == [("/tai-khoan/ma-truy-cap/", 302)]
    token = PersonalAccessToken.objects.get(user=personas["editor_muong_kim"])
    raw = page.context["created"]["secret"]
    assert raw.encode() in page.content and digest(raw) == token.digest and token.can_write
    listed = client.get("/tai-khoan/ma-truy-cap/")
    assert raw.encode() not in listed.content and token.prefix.encode() in listed.content
    # Another user's token cannot be revoked (404), one's own can.
    other = client_for(personas["editor_muong_te"])
    assert other.post(f"/tai-khoan/ma-truy-cap/{token.pk}/thu-hoi/").status_code == 404
    assert client.post(f"/tai-khoan/ma-truy-cap/{token.pk}/thu-hoi/").status_code == 302
    assert api_client(raw).get(URL).status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoked", object_id=str(token.pk)).count() == 1
    bad = client.post("/tai-khoan/ma-truy-cap/", {"name": "", "days": "0"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert PersonalAccessToken.objects.filter(user=personas["editor_muong_kim"]).count() == 1


def test_errors_before_the_api_runs_are_problem_documents_too(personas):
    _token, raw = create_token(personas["admin"], "x", can_write=True)
    client = api_client(raw)
    not_allowed = client.delete("/api/v1/units")
    assert not_allowed.status_code == 405 and "GET" in not_allowed["Allow"]
    assert not_allowed["Content-Type"] == "application/problem+json"
    assert not_allowed.json()["type"].endswith("/method-not-allowed")
    control = client.get("/api/v1/units?q=a%00b")
    assert control.status_code == 400 and control.json()["type"].endswith("/bad-request")
    unknown = client.get("/api/v9/")
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("/not-found")


def test_detail_is_vietnamese_whatever_the_client_asks(personas):
    _token, raw = create_token(personas["viewer_muong_kim"], "x")
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    assert "phạm vi" in api_client(raw).get("/api/v1/units/LC", **english).json()["detail"]
    assert "mã truy cập" in api_client(None).get("/api/v1/units", **english).json()["detail"]
    assert "phương thức" in api_client(raw).delete("/api/v1/units", **english).json()["detail"]


def test_command_lists_and_revokes_a_token_by_its_prefix(personas):
    """An administrator finds a leaked token by the prefix it starts with and revokes it at once."""
    leaked, raw = create_token(personas["reviewer"], "máy chủ cũ", can_write=True)
    other, other_raw = create_token(personas["editor_muong_kim"], "kịch bản")
    out = io.StringIO()
    call_command("token", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("id\tuser\tname\tprefix")
    mine = next(line for line in lines if line.startswith(f"{leaked.pk}\t"))
    assert f"\treviewer\tmáy chủ cũ\t{raw[:12]}…\tread-write\t" in mine and mine.endswith("\tactive")
    out = io.StringIO()
    call_command("token", "list", "editor_muong_kim", stdout=out)
    assert [line.split("\t")[0] for line in out.getvalue().splitlines()[1:]] == [str(other.pk)]

    out = io.StringIO()
    call_command("token", "revoke", raw[:12] + "…", stdout=out)
    assert f"revoked token {leaked.pk}" in out.getvalue()
    assert api_client(raw).get(URL).status_code == 401
    assert api_client(other_raw).get(URL).status_code == 200
    assert AuditEntry.objects.filter(action="api_token.revoked", object_id=str(leaked.pk)).exists()
    # Revoked tokens leave the default list, stay in --all, and cannot be revoked twice.
    out = io.StringIO()
    call_command("token", "list", stdout=out)
    assert not any(line.startswith(f"{leaked.pk}\t") for line in out.getvalue().splitlines())
    out = io.StringIO()
    call_command("token", "list", "--all", stdout=out)
    listed = out.getvalue().splitlines()
    assert any(line.startswith(f"{leaked.pk}\t") and line.endswith("revoked") for line in listed)
    with pytest.raises(CommandError, match="already revoked"):
        call_command("token", "revoke", str(leaked.pk))


@pytest.mark.parametrize("name", ["999999", "rst_", "rst_nothing-like-it", "abc"])
def test_command_refuses_to_revoke_what_names_no_single_token(personas, name):
    create_token(personas["reviewer"], "một")
    with pytest.raises(CommandError, match="no single token"):
        call_command("token", "revoke", name)
    assert not PersonalAccessToken.objects.filter(revoked_at__isnull=False).exists()
