import pytest

from tests.notifications.smtp import SmtpServer


@pytest.fixture
def smtp(settings):
    """A running SMTP server on 127.0.0.1 that EMAIL_URL points to."""
    server = SmtpServer().start()
    settings.EMAIL_URL = server.url
    settings.RASOAT_BASE_URL = "https://rasoat.laichau.gov.vn"
    yield server
    server.stop()
