"""EMAIL_URL is read like DATABASE_URL, and a URL that cannot be read stops the start."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from rasoat.notifications.email_url import parse_email_url


def test_unset_means_no_mail():
    assert parse_email_url("") is None
    assert parse_email_url("   ") is None


def test_submission_port_uses_starttls_and_decodes_credentials():
    server = parse_email_url("smtp://so%40laichau:m%C3%A2t%3Akhau@mail.laichau.gov.vn:587")
    assert server.backend_kwargs() == {
        "host": "mail.laichau.gov.vn",
        "port": 587,
        "username": "so@laichau",
        "password": "mât:khau",
        "use_tls": True,
        "use_ssl": False,
    }


def test_smtps_is_implicit_tls_on_465_by_default():
    server = parse_email_url("smtps://user:pw@mail.example.vn")
    assert (server.port, server.use_ssl, server.use_tls) == (465, True, False)


def test_plain_smtp_without_credentials():
    server = parse_email_url("smtp://127.0.0.1:2525")
    assert (server.host, server.port, server.username, server.use_tls) == ("127.0.0.1", 2525, "", False)
    assert parse_email_url("smtp://relay:25?starttls=true").use_tls is True


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.vn",
        "smtp://",
        "smtp://host:notaport",
        "smtp://h:25?starttls=maybe",
        "smtps://h?starttls=1",
    ],
)
def test_unreadable_urls_fail_loudly(url):
    with pytest.raises(ImproperlyConfigured):
        parse_email_url(url)
