"""Content-Security-Policy and Permissions-Policy on every kind of response, and templates that need
neither inline scripts nor style attributes (so the policy can stay strict)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from rasoat.campaigns.models import Assignment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "rasoat").glob("**/templates/**/*.html"))


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_strict_policy(response) -> None:
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "*" not in header
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


@pytest.mark.django_db
def test_login_page_carries_the_policies(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_strict_policy(response)


def test_pages_and_fragments_carry_the_policies(clients, campaign):
    unit_pk = Assignment.objects.get(campaign=campaign, unit__code="X.03637.UB").unit_id
    admin = clients["admin"]
    pages = [
        reverse("home"),
        reverse("user_list"),
        reverse("dashboard_latest"),
        reverse("entry_sheet", args=["RS2026", unit_pk, "B05"]),
    ]
    for url in pages:
        response = admin.get(url, follow=True)
        assert response.status_code == 200, url
        assert_strict_policy(response)
    fragment = admin.get(
        reverse("entry_row_create", args=["RS2026", unit_pk, "B05"]), headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert_strict_policy(fragment)
    # An error page (out of scope: 404) is covered too.
    missing = clients["editor_muong_te"].get(reverse("entry_sheet", args=["RS2026", unit_pk, "B05"]))
    assert missing.status_code == 404
    assert_strict_policy(missing)


def test_htmx_is_configured_without_eval_or_injected_styles(clients):
    page = clients["admin"].get(reverse("home")).content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert match, "base.html must configure HTMX"
    assert '"allowEval": false' in match.group(1)
    assert '"includeIndicatorStyles": false' in match.group(1)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
HTMX_EVAL = re.compile(r"\s(data-)?hx-(on|vars)\b|hx-vals=['\"]\s*(js|javascript):", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*['\"]\s*javascript:", re.I)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_template_has_nothing_the_policy_blocks(template):
    text = re.sub(r"\{#.*?#\}", "", template.read_text())  # Django comments are never sent
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("inline event handler", EVENT_HANDLER),
        ("hx-on/hx-vars/js: (HTMX eval)", HTMX_EVAL),
        ("style attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("javascript: URL", JS_URL),
    ]:
        found = pattern.search(text)
        assert found is None, (
            f"{name} in {template.name}: {text[max(0, found.start() - 40) : found.end() + 40]!r}"
        )


def test_the_template_scan_would_catch_each_kind():
    """The patterns above are not vacuous: each catches what it names."""
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert EVENT_HANDLER.search('<button onclick="x()">')
    assert HTMX_EVAL.search('<a hx-on:click="x()">')
    assert STYLE_ATTRIBUTE.search('<td style="width: 1px">')
    assert STYLE_ELEMENT.search("<style>p{}</style>")
    assert JS_URL.search('<a href="javascript:x()">')


def test_django_csp_4_settings_format_is_used():
    """django-csp 4 ignores the 3.x CSP_* settings (and its check fails on them)."""
    assert not [name for name in dir(settings) if name.startswith("CSP_")]
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
