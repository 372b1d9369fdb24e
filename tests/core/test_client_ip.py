"""The client's address: X-Forwarded-For is believed only from a trusted proxy, read from the right."""

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from rasoat import client_ip
from rasoat.audit.models import AuditEntry
from rasoat.client_ip import client_address, parse_address
from rasoat.env import env_networks
from rasoat.orgs.models import Unit

PROXIES = ["127.0.0.1", "10.0.0.0/24", "2001:db8:100::/48"]


def address(remote: str, forwarded: str | None = None) -> str | None:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **headers))


@pytest.fixture(autouse=True)
def _proxies(settings):
    settings.TRUSTED_PROXIES = PROXIES


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # Straight from a client: its own address, whatever header it sends.
        ("203.0.113.5", None, "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
        # Through the trusted proxy: the address it appended.
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        # A client that forged a header in front: the proxy appended the real one on the right.
        ("127.0.0.1", "192.0.2.200, 198.51.100.1", "198.51.100.1"),
        # Two trusted proxies (10.0.0.7 in the trusted network): the first untrusted from the right.
        ("127.0.0.1", "192.0.2.200, 198.51.100.1, 10.0.0.7", "198.51.100.1"),
        # Every hop trusted: the left-most.
        ("127.0.0.1", "10.0.0.8, 10.0.0.7", "10.0.0.8"),
        # The proxy sent no header: the proxy itself.
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        # Garbage right of the trusted hops was not written by a trusted proxy: stop before it.
        ("127.0.0.1", "198.51.100.1, not-an-address, 10.0.0.7", "10.0.0.7"),
        # Ports and IPv6 as proxies write them.
        ("127.0.0.1", "198.51.100.1:5123", "198.51.100.1"),
        ("127.0.0.1", "[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8:100::5", "2001:db8::1", "2001:db8::1"),
        ("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"),
    ],
)
def test_client_address(remote, forwarded, expected):
    assert address(remote, forwarded) == expected


def test_unknown_peer_gives_no_address():
    assert address("") is None
    assert address("unix-socket") is None


def test_parse_address_accepts_what_proxies_write():
    assert str(parse_address(" 198.51.100.1 ")) == "198.51.100.1"
    assert str(parse_address('"[2001:db8::2]"')) == "2001:db8::2"
    assert parse_address("198.51.100.1.5") is None
    assert parse_address(None) is None


def test_a_private_peer_sending_the_header_is_reported_once(settings, caplog):
    settings.TRUSTED_PROXIES = []
    client_ip._warned.discard("10.0.0.9")
    with caplog.at_level(logging.WARNING, logger="rasoat.client_ip"):
        assert address("10.0.0.9", "198.51.100.1") == "10.0.0.9"
        assert address("10.0.0.9", "198.51.100.2") == "10.0.0.9"
    warnings = [record for record in caplog.records if "TRUSTED_PROXIES" in record.getMessage()]
    assert len(warnings) == 1
    assert "10.0.0.9" in warnings[0].getMessage()


def test_trusted_proxies_setting_is_checked(monkeypatch):
    monkeypatch.setenv("X_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")
    assert env_networks("X_PROXIES") == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    monkeypatch.setenv("X_PROXIES", "127.0.0.1,proxy.local")
    with pytest.raises(ImproperlyConfigured, match="proxy.local"):
        env_networks("X_PROXIES")


def test_the_audit_log_records_the_forwarded_client_address(personas, clients):
    """The audit log takes its address from the same function as the sign-in lockouts."""
    unit = Unit.objects.get(code="X.03637.UB")
    url = f"/don-vi/{unit.pk}/trang-thai/"
    clients["admin"].post(url, {"active": "0"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.23")
    clients["admin"].post(
        url, {"active": "1"}, REMOTE_ADDR="203.0.113.77", HTTP_X_FORWARDED_FOR="198.51.100.24"
    )
    entries = AuditEntry.objects.filter(object_id=str(unit.pk), object_type="orgs.unit").order_by("pk")
    assert list(entries.values_list("address", flat=True)) == ["198.51.100.23", "203.0.113.77"]
