"""EMAIL_URL, read like DATABASE_URL: `smtp://user:password@host:port` or `smtps://...`.

`smtp://` talks plain SMTP and upgrades with STARTTLS on the submission port 587 (or when the URL
says `?starttls=true`); `smtps://` is SMTP over TLS from the first byte (port 465 by default). User
and password are percent-decoded, so a password holding "@" or ":" is written %40 / %3A.
Pure standard library: settings.py imports it before Django is set up.
"""

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class EmailServer:
    """The SMTP connection settings taken from EMAIL_URL (the arguments of Django's SMTP backend)."""

    host: str
    port: int
    username: str
    password: str
    use_tls: bool
    use_ssl: bool

    def backend_kwargs(self) -> dict:
        return {
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "password": self.password,
            "use_tls": self.use_tls,
            "use_ssl": self.use_ssl,
        }


def parse_email_url(url: str) -> EmailServer | None:
    """The server named by `url`, or None when it is empty (then no e-mail is sent at all)."""
    url = (url or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL is not a valid URL: {error}") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(f"EMAIL_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host")
    ssl = parts.scheme == "smtps"
    port = port or (465 if ssl else 25)
    query = {key: values[-1].strip().lower() for key, values in parse_qs(parts.query).items()}
    starttls = query.get("starttls")
    if starttls is None:
        use_tls = not ssl and port == 587
    elif starttls in _TRUE | _FALSE:
        use_tls = starttls in _TRUE
    else:
        raise ImproperlyConfigured(f"EMAIL_URL: starttls must be true or false, not {starttls!r}")
    if ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL: smtps:// already encrypts; do not add starttls=true")
    return EmailServer(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=ssl,
    )
